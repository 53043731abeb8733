"""ULMFiTTokenizerFast: agreement with fastai's tokens, fastai's vocabulary, rules, saving, bad input."""

import json
import subprocess
import sys
from difflib import SequenceMatcher

import pytest

from hf_ulmfit import ULMFiTConfig, ULMFiTTokenizerFast
from hf_ulmfit.models.ulmfit.tokenization_ulmfit import SPECIAL_TOKENS, make_vocab


@pytest.fixture(scope="module")
def tok(fastai_tokens):
    return ULMFiTTokenizerFast.from_vocab(fastai_tokens[1])


@pytest.fixture(scope="module")
def small_tok():
    words = ["the", "movie", "was", "good", ",", ".", "!", "a", "o", "n't", "do", "go", "\n\n", "3", "4", "5", "7"]
    return ULMFiTTokenizerFast.from_vocab(make_vocab({w: 5 for w in words}))


def words(tokenizer, text):
    """Tokens before the vocabulary lookup (so out-of-vocabulary words can be compared too)."""
    return tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"]) if text is None else _words(tokenizer, text)


def _words(tokenizer, text):
    backend = tokenizer.backend_tokenizer
    pieces = backend.pre_tokenizer.pre_tokenize_str(backend.normalizer.normalize_str(text))
    return ["xxbos"] + [p for p, _ in pieces]


def levenshtein(a, b):
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def edit_distance(ref, hyp):
    """Levenshtein distance summed over the blocks where difflib's alignment differs (exact for the local
    differences seen here, and never below the true distance)."""
    matcher = SequenceMatcher(None, ref, hyp, autojunk=False)
    return sum(levenshtein(ref[i1:i2], hyp[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal")


def test_agreement_with_fastai(fastai_tokens, tok):
    rows, _ = fastai_tokens
    errors = total = exact = 0
    for row in rows:
        mine = _words(tok, row["text"])
        errors += edit_distance(row["tokens"], mine)
        total += len(row["tokens"])
        exact += mine == row["tokens"]
    agreement, exact_share = 1 - errors / total, exact / len(rows)
    print(f"token agreement {agreement:.5%}, documents identical {exact_share:.2%} ({exact}/{len(rows)})")
    assert agreement >= 0.995
    assert exact_share >= 0.98  # measured 99.0% (docs/tokenizer.md lists what differs)


def test_ids_are_fastai_vocabulary_ids(fastai_tokens, tok):
    rows, itos = fastai_tokens
    stoi = {w: i for i, w in enumerate(itos)}
    for row in rows[:200]:
        expected = [stoi.get(w, 0) for w in _words(tok, row["text"])]
        assert tok(row["text"])["input_ids"] == expected


def test_vocab_builder_semantics():
    counts = {"b": 3, "a": 5, "c": 3, "rare": 2, "xxmaj": 4}
    vocab = make_vocab(counts, min_freq=3, max_vocab=60000)
    # specials first in fastai's order, then by frequency, ties in first-occurrence order, padded with xxfake
    assert vocab == SPECIAL_TOKENS + ["a", "b", "c"] + ["xxfake"] * 4
    assert len(make_vocab({f"w{i}": 10 for i in range(7)})) == 24  # already a multiple of 8: fastai adds 8
    assert make_vocab(counts, min_freq=3, max_vocab=10)[:10] == SPECIAL_TOKENS + ["a"]
    with pytest.raises(ValueError, match="min_freq"):
        make_vocab(counts, min_freq=0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("Hello WORLD", ["xxmaj", "hello", "xxup", "world"]),
        ("I AM here", ["i", "xxup", "am", "here"]),
        ("Sooo goooood", ["s", "xxrep", "3", "o", "g", "xxrep", "5", "o", "d"]),
        ("go go go!", ["xxwrep", "3", "go", "!"]),
        ("I don't know", ["i", "do", "n't", "know"]),
        ("it's 10km/h", ["it", "'s", "10", "km", "/", "h"]),
        ("a<br /><br />b", ["a", "\n\n", "b"]),
        ("a \n b", ["a", "\n▁", "b"]),
        ("(see imdb.com.)", ["(", "see", "imdb.com", ".", ")"]),
        ("www", ["xxrep", "3", "w"]),
        ("Tom &amp; Jerry &lt;3", ["xxmaj", "tom", "&", "&", "xxmaj", "jerry", "<3"]),
    ],
)
def test_rules(small_tok, text, expected):
    assert _words(small_tok, text) == ["xxbos"] + expected


def test_long_repetition_counts(small_tok):
    assert _words(small_tok, "x" + "a" * 123456 + "x") == ["xxbos", "x", "xxrep", "123456", "a", "x"]
    assert _words(small_tok, " ".join(["go"] * 1005)) == ["xxbos", "xxwrep", "1005", "go"]


def test_special_token_ids_and_options(small_tok):
    assert small_tok.convert_tokens_to_ids(SPECIAL_TOKENS) == list(range(9))
    assert (small_tok.pad_token_id, small_tok.bos_token_id, small_tok.eos_token_id) == (1, 2, 3)
    assert small_tok.model_input_names == ["input_ids", "attention_mask"]
    vocab = small_tok.convert_ids_to_tokens(list(range(len(small_tok))))
    with_eos = ULMFiTTokenizerFast.from_vocab(vocab, add_eos_token=True)
    assert with_eos("good")["input_ids"] == [2, with_eos.convert_tokens_to_ids("good"), 3]
    cased = ULMFiTTokenizerFast.from_vocab(vocab, lowercase=False, mark_case=False)
    assert _words(cased, "The Movie") == ["xxbos", "The", "Movie"]


def test_decode_is_readable(small_tok):
    ids = small_tok("The movie was GOOD!!! go go go\n\nThe movie")["input_ids"]
    assert small_tok.decode(ids, skip_special_tokens=True) == "The movie was GOOD !!! go go go\n\nThe movie"
    assert small_tok.decode(ids).startswith("xxbos The movie")


def test_bad_input(small_tok):
    assert small_tok("")["input_ids"] == [2]
    for bad in (None, 12, 1.5):
        with pytest.raises(TypeError, match="must be a string"):
            small_tok(bad)
    with pytest.raises(ValueError, match="not valid UTF-8"):
        small_tok(b"caf\xe9")
    assert small_tok("café".encode())["input_ids"] == small_tok("café")["input_ids"]
    with pytest.raises(TypeError, match="must be a string"):
        small_tok(["ok", None])
    for odd in ("a\x00b\x07c\x1fd", "so good 😀😀😀 👍🏽", "שלום עולם مرحبا", "\u202eabc\u202c", "\ufeff\u200b"):
        assert small_tok(odd)["input_ids"][0] == 2


def test_large_document(small_tok):
    # Its time is measured in benchmarks/tokenizer_scaling.py; linear time on adversarial texts is tested as a
    # ratio in tests/models/ulmfit/test_tokenization_linear_time.py.
    text = "The movie was good, wasn't it? " * 35_000  # ~1 MB
    n1 = len(small_tok(text)["input_ids"])
    n4 = len(small_tok(text * 4)["input_ids"])
    assert n4 == 4 * (n1 - 1) + 1


@pytest.mark.slow
def test_ten_megabyte_document(small_tok):
    text = "A GREAT film!!! Don't miss it... <br /><br />" * 230_000
    assert len(small_tok(text)["input_ids"]) > 2_000_000


@pytest.mark.parametrize(
    ("itos", "error"),
    [
        ("xxunk xxpad", TypeError),
        ({"xxunk": 0}, TypeError),
        (SPECIAL_TOKENS + ["a", "a"], ValueError),
        (SPECIAL_TOKENS + ["a", 3], ValueError),
        (SPECIAL_TOKENS + [""], ValueError),
        (["xxpad", "xxunk"] + SPECIAL_TOKENS[2:], ValueError),
    ],
)
def test_bad_vocabulary(itos, error):
    with pytest.raises(error, match="vocabulary|vocabularies"):
        ULMFiTTokenizerFast.from_vocab(itos)


def test_fastai_vocab_with_repeated_xxfake():
    itos = make_vocab({f"w{i}": 5 for i in range(7)})  # 16 words + 8 xxfake
    tok = ULMFiTTokenizerFast.from_vocab(itos)
    assert len(tok) == len(itos) == 24 and tok.convert_tokens_to_ids("xxfake") == 16


def test_save_load_auto_and_remote_code(tmp_path, small_tok):
    small_tok.save_pretrained(tmp_path)
    ULMFiTConfig(vocab_size=len(small_tok)).save_pretrained(tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert {"tokenization_ulmfit.py", "tokenizer.json", "tokenizer_config.json"} <= names
    assert all(name.endswith((".json", ".py")) for name in names)  # no pickle, no binary vocabulary
    text = "The MOVIE was good!!! Don't go go go"
    expected = small_tok(text)["input_ids"]

    from transformers import AutoTokenizer

    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert isinstance(loaded, ULMFiTTokenizerFast) and loaded(text)["input_ids"] == expected
    assert loaded.add_bos_token and not loaded.add_eos_token

    script = (
        "import sys, json\n"
        "from transformers import AutoTokenizer\n"
        "tok = AutoTokenizer.from_pretrained('.', trust_remote_code=True)\n"
        f"ids = tok({text!r})['input_ids']\n"
        "print(json.dumps({'ids': ids, 'cls': type(tok).__name__, 'pkg': 'hf_ulmfit' in sys.modules}))\n"
    )
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "HF_HOME": str(tmp_path / "hf_home")}
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"ids": expected, "cls": "ULMFiTTokenizerFast", "pkg": False}


def test_datasets_map_and_collator(small_tok):
    datasets = pytest.importorskip("datasets")
    from transformers import DataCollatorWithPadding

    ds = datasets.Dataset.from_dict({"text": ["The movie was good.", "Bad!", "a movie , a movie"] * 4})
    mapped = ds.map(lambda b: small_tok(b["text"]), batched=True, num_proc=2, remove_columns=["text"])
    assert mapped[1]["input_ids"] == small_tok("Bad!")["input_ids"]
    for side in ("right", "left"):
        small_tok.padding_side = side
        batch = DataCollatorWithPadding(small_tok, return_tensors="pt")([mapped[0], mapped[1]])
        short = batch["input_ids"][1].tolist()
        pads = short[: short.count(1)] if side == "left" else short[len(short) - short.count(1) :]
        assert pads == [1] * short.count(1) and batch["attention_mask"][1].sum() == len(mapped[1]["input_ids"])
    small_tok.padding_side = "right"


def test_direct_and_general_encoding_paths_agree(small_tok):
    texts = ["The movie was good.", "Bad!", ""]
    for kwargs in (
        {},
        {"padding": True},
        {"truncation": True, "max_length": 3},
        {"padding": "max_length", "max_length": 8},
    ):
        direct = small_tok(texts, **kwargs)  # ids and masks read straight from the encodings
        general = small_tok(texts, return_length=True, **kwargs)  # transformers' conversion
        assert direct["input_ids"] == general["input_ids"] and direct["attention_mask"] == general["attention_mask"]
    assert small_tok("Bad!")["input_ids"] == small_tok("Bad!", return_length=True)["input_ids"]


def test_backwards_reverses_real_tokens_and_survives_saving(small_tok, tmp_path):
    vocab = small_tok.convert_ids_to_tokens(range(len(small_tok)))
    forward = ULMFiTTokenizerFast.from_vocab(vocab)
    ULMFiTTokenizerFast.from_vocab(vocab, backwards=True).save_pretrained(tmp_path)
    backward = ULMFiTTokenizerFast.from_pretrained(tmp_path)
    assert backward.backwards and not forward.backwards
    texts = ["The film was GREAT!", "Fine."]
    for side in ("left", "right"):
        forward.padding_side = backward.padding_side = side
        fwd, bwd = forward(texts, padding=True), backward(texts, padding=True)
        assert bwd["attention_mask"] == fwd["attention_mask"]
        for f_ids, b_ids, mask in zip(fwd["input_ids"], bwd["input_ids"], fwd["attention_mask"], strict=True):
            real = [i for i, m in enumerate(mask) if m]
            assert [b_ids[i] for i in real] == [f_ids[i] for i in real][::-1]  # xxbos ends up last
            assert [b_ids[i] for i in range(len(mask)) if not mask[i]] == [f_ids[i] for i in range(len(mask)) if not mask[i]]
    with pytest.raises(ValueError, match="backwards ULMFiT tokenizer"):
        backward("a", "b")


def test_a_backwards_tokenizer_decodes_in_reading_order(tok, fastai_tokens):
    """decode(encode(x)) reads the same in both directions: case and repeat markers stay on their own words."""
    backward = ULMFiTTokenizerFast.from_vocab(fastai_tokens[1], backwards=True)
    texts = [row["text"] for row in fastai_tokens[0][:200]] + ["The Movie was GREAT.", "Sooooo good!!!!"]
    for skip in (False, True):
        fwd = tok.batch_decode(tok(texts)["input_ids"], skip_special_tokens=skip)
        bwd = backward.batch_decode(backward(texts)["input_ids"], skip_special_tokens=skip)
        assert bwd == fwd
    assert backward.decode(backward("The Movie was GREAT.")["input_ids"], skip_special_tokens=True) == (
        "The Movie was GREAT ."
    )


def test_a_batch_of_pairs(small_tok):
    """A list of (text, pair) tuples, as BERT's tokenizer takes it, gives what each pair gives alone."""
    pairs = [("the movie", "was good"), ("a", "go")]
    batch = small_tok(pairs)
    assert batch["input_ids"] == [small_tok(a, b)["input_ids"] for a, b in pairs]
    with pytest.raises(TypeError, match="pairs"):
        small_tok([("the movie", "was", "good")])


def test_a_tokenizer_shorter_than_the_models_embedding_is_refused(small_tok, tmp_path):
    """As pipeline() loads it: the tokenizer of a model folder must reach every embedding row."""
    import json

    small_tok.save_pretrained(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "ulmfit", "vocab_size": len(small_tok) + 8}))
    with pytest.raises(ValueError, match="tokens but .*config.json gives the model"):
        ULMFiTTokenizerFast.from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "ulmfit", "vocab_size": len(small_tok)}))
    assert len(ULMFiTTokenizerFast.from_pretrained(tmp_path)) == len(small_tok)
