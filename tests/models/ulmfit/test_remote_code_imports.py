"""The files copied into saved folders for `trust_remote_code=True` import only what a stock transformers install has:
torch, transformers, tokenizers, huggingface_hub, the standard library, and each other."""

import ast
import sys
from pathlib import Path

import hf_ulmfit.models.ulmfit as ulmfit

FOLDER = Path(ulmfit.__file__).parent
REMOTE_FILES = sorted(p for p in FOLDER.glob("*.py") if p.name != "__init__.py")
ALLOWED = {"torch", "transformers", "tokenizers", "huggingface_hub"} | set(sys.stdlib_module_names)


def imports(path: Path) -> list[tuple[int, str]]:
    """(level, module) of every import in the file, inside functions too; level 0 is absolute."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


def test_the_folder_holds_exactly_the_remote_code_files():
    assert [p.name for p in REMOTE_FILES] == ["configuration_ulmfit.py", "modeling_ulmfit.py", "tokenization_ulmfit.py"]


def test_remote_code_imports_only_allowed_modules_and_siblings():
    siblings = {p.stem for p in REMOTE_FILES}
    for path in REMOTE_FILES:
        for level, module in imports(path):
            if level:
                assert level == 1 and module in siblings, f"{path.name} imports {'.' * level}{module}"
            else:
                assert module.split(".")[0] in ALLOWED, f"{path.name} imports {module}"


def test_saved_folders_get_these_files(tmp_path):
    from hf_ulmfit import ULMFiTConfig, ULMFiTForCausalLM, ULMFiTTokenizerFast
    from hf_ulmfit.models.ulmfit.tokenization_ulmfit import SPECIAL_TOKENS

    ULMFiTForCausalLM(ULMFiTConfig(vocab_size=16, embedding_size=4, hidden_size=6)).save_pretrained(tmp_path)
    ULMFiTTokenizerFast.from_vocab(SPECIAL_TOKENS + [f"w{i}" for i in range(7)]).save_pretrained(tmp_path)
    for path in REMOTE_FILES:
        assert (tmp_path / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name
