"""Turn a stage-1 training folder into the shipped pretrained LM (`pretrained/awd-lstm-small-en`), adding the
segment to its training log.

    python examples/ship_pretrained.py runs/lm-small --out pretrained/awd-lstm-small-en \
        --command-file examples/pretrain_small_en.sh --threads 1

The weights are stored in float16 (half the size; the config says float32, so `from_pretrained` loads them as
float32), beside the tokenizer, the model code, `training_log.jsonl` (one row per training segment: command,
commit, steps, tokens, CPU hours, validation perplexity), the training curves and a model card that lists every
segment. The folder is built aside and moved into place whole.
"""

import argparse
import json
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import torch
from transformers import AutoTokenizer

from hf_ulmfit import ULMFiTForCausalLM, ULMFiTTokenizerFast
from hf_ulmfit.model_card import recipe_from_args, write_model_card
from hf_ulmfit.training.plots import save_training_curves
from hf_ulmfit.utils import cpu_description

REPO = Path(__file__).resolve().parent.parent
DATASETS = ["wikitext-2 (train)", "imdb (train + unsup reviews; no test text)"]


def trainer_state(source: Path) -> dict:
    """The Trainer state of the run: `source/trainer_state.json`, else that of its newest checkpoint."""
    candidates = [source / "trainer_state.json"]
    candidates += sorted(source.glob("checkpoint-*/trainer_state.json"), key=lambda p: int(p.parent.name.split("-")[1]),
                         reverse=True)  # fmt: skip
    for path in candidates:
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"{source} holds no trainer_state.json (nor a checkpoint with one).")


def segment_row(source: Path, state: dict, args, previous: list[dict]) -> dict:
    """What this training segment did, from the run's own records."""
    training = json.loads((source / "training_args.json").read_text(encoding="utf-8"))
    history = state["log_history"]
    evals = [log for log in history if "eval_perplexity" in log]
    runtime = next((log["train_runtime"] for log in reversed(history) if "train_runtime" in log), None)
    if args.wall_hours is not None:
        runtime = args.wall_hours * 3600
    elif runtime is None:
        raise SystemExit(f"{source}'s trainer state records no train_runtime (a checkpoint): pass --wall-hours.")
    steps = state["global_step"]
    tokens = steps * training["per_device_train_batch_size"] * (training.get("bptt") or model_config_bptt(source))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return {
        "segment": len(previous) + 1,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": args.command_file.read_text(encoding="utf-8").strip() if args.command_file else "",
        "commit": commit.stdout.strip(),
        "steps": steps,
        "tokens": tokens,
        "wall_hours": round(runtime / 3600, 3),
        **({"gpu_hours": round(runtime / 3600, 3), "accelerator": args.accelerator} if args.accelerator else
           {"cpu_hours": round(runtime * args.threads / 3600, 3), "threads": args.threads, "cpu": cpu_description()}),
        "valid_perplexity": round(evals[-1]["eval_perplexity"], 2) if evals else None,
        "perplexity_curve": [[log["step"], round(log["eval_perplexity"], 2)] for log in evals],
    }


def current_rules(tokenizer: ULMFiTTokenizerFast) -> ULMFiTTokenizerFast:
    """A word-level tokenizer rebuilt from its vocabulary with this version's rules: `tokenizer.json` stores the
    pipeline itself, so a folder saved by an older version keeps that version's rules (e.g. its quadratic-time
    repeat marking) until rebuilt. Same tokens on ordinary text; subword tokenizers are kept as they are."""
    if type(tokenizer.backend_tokenizer.model).__name__ != "WordLevel":
        return tokenizer
    itos = tokenizer.convert_ids_to_tokens(range(len(tokenizer)))
    return ULMFiTTokenizerFast.from_vocab(itos, backwards=tokenizer.backwards)


def model_config_bptt(source: Path) -> int:
    """The stream's bptt when the run did not set one: the model's own."""
    return json.loads((source / "config.json").read_text(encoding="utf-8"))["bptt"]


def segments_table(rows: list[dict]) -> str:
    lines = ["Training segments (`training_log.jsonl` has each one's full command):", "",
             "| segment | date | steps | tokens | hours (hardware) | validation perplexity | commit |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for row in rows:
        hardware = (f"{row['gpu_hours']} GPU ({row['accelerator']})" if "accelerator" in row else
                    f"{row['cpu_hours']} CPU ({row['threads']} thread(s), {row['cpu']})")  # fmt: skip
        lines.append(f"| {row['segment']} | {row['date']} | {row['steps']:,} | {row['tokens'] / 1e6:.1f}M | "
                     f"{hardware} | {row['valid_perplexity']} | {row['commit']} |")  # fmt: skip
    cpu, gpu = (sum(row.get(key, 0) for row in rows) for key in ("cpu_hours", "gpu_hours"))
    lines += ["", f"Total: {sum(r['tokens'] for r in rows) / 1e6:.1f}M tokens, {cpu:.2f} CPU hours, {gpu:.3f} GPU "
              "hours. The validation set is a random 0.5% of the training documents, held out."]  # fmt: skip
    return "\n".join(lines)


def ship(source: Path, out: Path, args) -> Path:
    state = trainer_state(source)
    log_path = out / "training_log.jsonl"
    previous = [json.loads(line) for line in log_path.open(encoding="utf-8")] if log_path.is_file() else []
    if args.update_last:  # a later checkpoint of the segment shipped last: it replaces that row
        previous = previous[:-1]
    if args.from_scratch:  # a new model: the shipped segments are not its ancestors
        previous = []
    rows = [*previous, segment_row(source, state, args, previous)]
    model = ULMFiTForCausalLM.from_pretrained(source)
    tokenizer = current_rules(AutoTokenizer.from_pretrained(source))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.half().save_pretrained(tmp)
        config = json.loads((tmp / "config.json").read_text(encoding="utf-8"))
        config["dtype"] = "float32"  # stored in half precision, loaded (and run) in float32
        (tmp / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        tokenizer.save_pretrained(tmp)
        (tmp / "training_log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        save_training_curves(state["log_history"], tmp / "training_curves.png")
        recipe = recipe_from_args(argparse.Namespace(**json.loads((source / "training_args.json").read_text(encoding="utf-8"))))
        metrics = {"eval_perplexity": rows[-1]["valid_perplexity"]} if rows[-1]["valid_perplexity"] else {}
        write_model_card(tmp, model.float(), model_name=out.name, datasets=DATASETS, metrics=metrics, recipe=recipe,
                         source=segments_table(rows), license="cc-by-sa-3.0")  # fmt: skip
        tmp.chmod(0o755)  # mkdtemp's private mode would outlive the rename
        (tmp / "README.md").chmod(0o644)
        if out.exists():
            shutil.rmtree(out)
        tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"{out}: {size / 1e6:.1f} MB, segment {rows[-1]['segment']}, perplexity {rows[-1]['valid_perplexity']}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a stage-1 output folder (or a checkpoint folder of one)")
    parser.add_argument("--out", type=Path, default=REPO / "pretrained" / "awd-lstm-small-en")
    parser.add_argument("--command-file", type=Path, help="the script that ran this segment (recorded in the log)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(), help="CPU threads the run used")
    parser.add_argument("--update-last", action="store_true",
                        help="SOURCE continues the segment shipped last (a later checkpoint): replace its log row")
    parser.add_argument("--wall-hours", type=float, help="the segment's training time, where its state has none")
    parser.add_argument("--accelerator", help="the GPU the segment ran on (recorded instead of CPU hours)")
    parser.add_argument("--from-scratch", action="store_true",
                        help="SOURCE was trained from random weights: its log replaces the shipped segments'")
    args = parser.parse_args()
    ship(args.source, args.out, args)


if __name__ == "__main__":
    main()
