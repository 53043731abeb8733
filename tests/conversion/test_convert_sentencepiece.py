"""SentencePiece-based fastai models (fastai's `SentencePieceTokenizer`, e.g. the fastai_ulmfit project): a unigram
model is trained here with fastai's options, then the converted tokenizer must give the ids fastai's pipeline gives.

fastai's pipeline, reproduced with `sentencepiece` itself as the reference: the rules write `xxbos` (and `xxmaj`
before a capitalised word, lowercasing it) into the text, SentencePiece splits it into pieces, and fastai 2 numbers
the pieces with its own vocabulary (`Numericalize`, unknown -> xxunk = 0) while fastai 1 used the SentencePiece ids.
"""

import gzip
import json
import pickle
from collections import Counter
from itertools import islice

import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM, AutoTokenizer

from hf_ulmfit.conversion.convert_fastai import convert, main
from hf_ulmfit.conversion.fastai_vocab import SPECIAL_ORDERS

spm = pytest.importorskip("sentencepiece")

SPECIALS = list(SPECIAL_ORDERS["fastai v2"])
# (text, what fastai's rules make of it)
TEXTS = [
    ("the movie was great", "xxbos the movie was great"),
    ("The film had nothing good", "xxbos xxmaj the film had nothing good"),
    ("a zebra, quietly", "xxbos a zebra, quietly"),  # "z", "q": characters the model does not cover
]


def reviews(fixtures_dir, start: int, stop: int) -> list[str]:
    """IMDb reviews as fastai's rules and word splitting left them (the shared fixture), one line each."""
    with gzip.open(fixtures_dir / "fastai" / "tokens_imdb" / "tokens.jsonl.gz", "rt") as f:
        rows = [json.loads(line) for line in islice(f, start, stop)]
    return [" ".join(" ".join(row["tokens"]).split()) for row in rows]


def train(folder, fixtures_dir, model_type="unigram", vocab_size=100):
    """fastai 2's `SentencePieceTokenizer.train` options, on 300 reviews; a small vocabulary, so most words are
    split into pieces and the split depends on the piece scores."""
    lines = reviews(fixtures_dir, 0, 300)
    corpus = folder / "texts.out"
    corpus.write_text("\n".join(lines) + "\n")
    symbols = ",".join("\u2581" + s for s in SPECIALS)
    spm.SentencePieceTrainer.Train(
        f"--input={corpus} --vocab_size={vocab_size} --model_prefix={folder / model_type} --model_type={model_type} "
        f"--character_coverage=0.99 --unk_id={len(SPECIALS)} --pad_id=-1 --bos_id=-1 --eos_id=-1 --minloglevel=2 "
        f"--user_defined_symbols={symbols} --hard_vocab_limit=false"
    )
    processor = spm.SentencePieceProcessor(model_file=str(folder / f"{model_type}.model"))
    return folder / f"{model_type}.model", processor, lines


@pytest.fixture(scope="module")
def unigram(tmp_path_factory, fixtures_dir):
    return train(tmp_path_factory.mktemp("spm"), fixtures_dir)


def fastai_itos(processor, lines, rows: int) -> list[str]:
    """fastai 2's vocabulary over pieces: special tokens first, then by frequency, xxfake up to the model's rows.

    Pieces the corpus never shows come last, as if seen once. Where the converted tokenizer differs from fastai:
    characters SentencePiece does not cover come out as themselves and fastai numbers them like words when they
    are frequent enough (here: left out, so they are xxunk in both), and a piece fastai drops as rare is split
    around instead of numbered xxunk."""
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size()) if not processor.is_unknown(i)]
    counts = Counter(p for line in lines for p in processor.encode(line, out_type=str) if p in pieces)
    itos = SPECIALS + [p for p, _ in counts.most_common() if p not in SPECIALS]
    itos += [p for p in pieces if p not in itos]
    assert len(itos) <= rows
    return itos + ["xxfake"] * (rows - len(itos))


def test_fastai2_numbering(fastai_small, fixtures_dir, unigram, tmp_path):
    model_file, processor, lines = unigram
    itos = fastai_itos(processor, lines, fastai_small["config"]["vocab_size"])
    (tmp_path / "lm_vocab.pkl").write_bytes(pickle.dumps(itos))
    out = tmp_path / "out"
    main([str(fastai_small["dir"] / "lm.safetensors"), "--vocab", str(tmp_path / "lm_vocab.pkl"),
          "--sentencepiece", str(model_file), "--out", str(out)])  # fmt: skip
    tokenizer = AutoTokenizer.from_pretrained(out, trust_remote_code=True)
    stoi = {tok: i for i, tok in enumerate(itos)}
    for text, ruled in TEXTS:
        expected = [stoi.get(piece, 0) for piece in processor.encode(ruled, out_type=str)]
        assert tokenizer(text).input_ids == expected, text
    for review in reviews(fixtures_dir, 300, 350):  # already through fastai's rules, which leave it unchanged
        expected = [stoi.get(piece, 0) for piece in processor.encode(review, out_type=str)]
        assert tokenizer(review.removeprefix("xxbos ")).input_ids == expected, review
    assert tokenizer.decode(tokenizer(TEXTS[1][0]).input_ids, skip_special_tokens=True) == TEXTS[1][0]
    model = AutoModelForCausalLM.from_pretrained(out, trust_remote_code=True)
    # fastai writes xxbos into the text, so the model's bos is the piece "▁xxbos", not the bare xxbos (id 2)
    assert model.config.bos_token_id == itos.index("\u2581xxbos") == tokenizer.bos_token_id
    assert model.config.pad_token_id == 1 == tokenizer.pad_token_id
    assert "SentencePiece unigram" in (out / "README.md").read_text()


def test_fastai1_numbering_uses_sentencepiece_ids(fastai_small, unigram, tmp_path):
    model_file, processor, _ = unigram
    rows = processor.get_piece_size()
    lm = load_file(str(fastai_small["dir"] / "lm.safetensors"))
    for key in ("0.encoder.weight", "0.encoder_dp.emb.weight", "1.decoder.weight", "1.decoder.bias"):
        lm[key] = lm[key][:rows].contiguous()
    save_file(lm, str(tmp_path / "lm.safetensors"))
    model = convert(tmp_path / "lm.safetensors", tmp_path / "out", sentencepiece=model_file, backwards=True)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "out", trust_remote_code=True)
    for text, ruled in TEXTS:
        assert tokenizer(text).input_ids == processor.encode(ruled)[::-1], text  # backward: reversed, xxbos last
    assert model.config.backwards and model.config.vocab_size == rows
    with torch.no_grad():
        model(torch.tensor([tokenizer(TEXTS[2][0]).input_ids]))


def test_unsupported_or_broken_models_are_refused(fastai_small, fixtures_dir, tmp_path):
    bpe, _, _ = train(tmp_path, fixtures_dir, model_type="bpe")
    weights = fastai_small["dir"] / "lm.safetensors"
    itos = SPECIALS + [f"w{i}" for i in range(111)]
    (tmp_path / "vocab.pkl").write_bytes(pickle.dumps(itos))
    with pytest.raises(ValueError, match="this one is bpe"):
        convert(weights, tmp_path / "out", vocab=tmp_path / "vocab.pkl", sentencepiece=bpe)
    (tmp_path / "broken.model").write_bytes(b"\x0a\xff\xff\xff")
    with pytest.raises(ValueError, match="broken.model is not a SentencePiece .model file"):
        convert(weights, tmp_path / "out", sentencepiece=tmp_path / "broken.model")
    assert not (tmp_path / "out").exists()
