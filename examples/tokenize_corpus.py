"""Tokenize a language-model corpus once, into memory-mapped token stores that stages 1 and 2 read with
`--token_store DIR` (no tokenization, no Python int per token, in every later run):

    python examples/tokenize_corpus.py --model_name_or_path pretrained/awd-lstm-small-en \
        --train_files ../shared/data/wikitext-2/train.txt ../shared/data/imdb/unsup.jsonl.gz \
        --validation_fraction 0.005 --seed 0 --output_dir runs/corpus --num_proc 2

DIR gets `tokenizer.json` (the given model's tokenizer, or a new vocabulary of the training texts built as
`pretrain_lm.py` builds one: `--max_vocab`, `--min_freq`, `--subword_vocab_size`), `train/` and `validation/`
(tokens.bin, offsets.npy, header.json). The split is the one the stage scripts make with the same `--seed` and
`--validation_fraction`, so a run on the store sees the documents a run on the text files would. `--backwards`
writes a corpus for a backward model (each document's tokens right to left; a forward model's vocabulary serves).

`--streaming` reads the texts as they are iterated instead of loading them whole (datasets' IterableDataset), a
chunk of `--chunk_documents` at a time, and can be interrupted: run the same command again and it continues from
the last finished chunk (`hf_ulmfit.recipe.corpus_streaming`). It needs a tokenizer (`--model_name_or_path`; to
build a new vocabulary, run once without `--streaming` on a sample, `--max_train_samples`, and pass its output
folder). Without `--validation_files` the validation split is every (1/f)-th document, f = --validation_fraction
(documents 199, 399, ... for 0.005), not the stages' seeded split:

    python examples/tokenize_corpus.py --model_name_or_path runs/corpus-sample --streaming --num_proc 8 \
        --train_files wiki.jsonl.gz --validation_fraction 0.005 --output_dir runs/corpus
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from transformers import AutoTokenizer, HfArgumentParser, PreTrainedTokenizerBase

from hf_ulmfit.recipe.corpus_streaming import Source, tokenize_streaming
from hf_ulmfit.recipe.stages import DataArguments, ModelArguments, load_stage_data, new_tokenizer
from hf_ulmfit.training.documents import tokenize_documents
from hf_ulmfit.training.token_store import dataset_chunks, write_token_store
from hf_ulmfit.utils import atomic_path, file_sha256

logger = logging.getLogger(__name__)


@dataclass
class CorpusArguments:
    output_dir: str = field(metadata={"help": "Folder for the tokenizer and the train/ and validation/ stores."})
    seed: int = field(default=42, metadata={"help": "Seed of the validation split (the stages' --seed)."})
    num_proc: int | None = field(default=None, metadata={"help": "Processes that tokenize in parallel."})
    streaming: bool = field(default=False, metadata={"help": "Stream the texts chunk by chunk, resumably."})
    chunk_documents: int = field(default=10_000, metadata={"help": "--streaming: texts per chunk (and record)."})


def corpus_header(model_args: ModelArguments, data_args: DataArguments, corpus_args: CorpusArguments) -> dict:
    sources = [{"path": path, "sha256": file_sha256(path)} for path in data_args.train_files or []]
    return {"sources": sources, "dataset_name": data_args.dataset_name, "seed": corpus_args.seed,
            "validation_fraction": data_args.validation_fraction, "tokenizer": model_args.model_name_or_path}


def pretrained_tokenizer(model_args: ModelArguments, data_args: DataArguments) -> PreTrainedTokenizerBase:
    """The tokenizer of `--model_name_or_path`, reading in the direction `--backwards` asks for: a vocabulary serves
    both directions, so a forward model's tokenizer is turned around for a backward corpus, never silently kept."""
    path = model_args.model_name_or_path
    tokenizer = AutoTokenizer.from_pretrained(path, **({"backwards": True} if data_args.backwards else {}))
    if getattr(tokenizer, "backwards", False) != data_args.backwards:
        raise ValueError(f"{path}'s tokenizer reads backwards; pass --backwards to tokenize a backward corpus."
                         if not data_args.backwards else f"{path}'s tokenizer cannot read backwards.")
    return tokenizer


def tokenize_stream(model_args: ModelArguments, data_args: DataArguments, corpus_args: CorpusArguments) -> Path:
    if not model_args.model_name_or_path:
        raise ValueError("--streaming needs a tokenizer (--model_name_or_path): build a vocabulary first without "
                         "--streaming on a sample (--max_train_samples), and pass its output folder.")
    if data_args.max_train_samples or data_args.max_eval_samples:
        raise ValueError("--streaming reads every text: --max_train_samples / --max_eval_samples do not apply.")
    if data_args.train_files:
        sources = [Source("train", path) for path in data_args.train_files]
        sources += [Source("validation", path) for path in data_args.validation_files or []]
    elif data_args.dataset_name:
        sources = [Source("train", data_args.dataset_name, data_args.train_split)]
        if data_args.validation_split:
            sources.append(Source("validation", data_args.dataset_name, data_args.validation_split))
    else:
        raise ValueError("No training data: pass --train_files or --dataset_name.")
    tokenizer = pretrained_tokenizer(model_args, data_args)
    return tokenize_streaming(
        corpus_args.output_dir, tokenizer, sources, data_args.text_column, data_args.validation_fraction,
        data_args.dataset_config_name, corpus_header(model_args, data_args, corpus_args),
        corpus_args.chunk_documents, corpus_args.num_proc,
    )  # fmt: skip


def tokenize_corpus(model_args: ModelArguments, data_args: DataArguments, corpus_args: CorpusArguments) -> Path:
    if corpus_args.streaming:
        return tokenize_stream(model_args, data_args, corpus_args)
    out = Path(corpus_args.output_dir)
    train, valid = load_stage_data(data_args, labelled=False, seed=corpus_args.seed)
    if model_args.model_name_or_path:
        tokenizer = pretrained_tokenizer(model_args, data_args)
    else:
        tokenizer = new_tokenizer(train, model_args, data_args)
    header = corpus_header(model_args, data_args, corpus_args)
    with atomic_path(out, folder=True) as tmp:
        tokenizer.save_pretrained(tmp)
        for name, texts in (("train", train), ("validation", valid)):
            ids = tokenize_documents(texts, tokenizer, data_args.text_column, bos_token_id=tokenizer.bos_token_id,
                                     num_proc=corpus_args.num_proc)
            store = write_token_store(tmp / name, dataset_chunks(ids), len(tokenizer), tokenizer.bos_token_id,
                                      split=name, **header)
            logger.info(f"{name}: {len(store)} documents, {store.num_tokens} tokens ({store.header['dtype']})")
    return out


def main(argv: list[str] | None = None) -> Path:
    parser = HfArgumentParser((ModelArguments, DataArguments, CorpusArguments))
    model_args, data_args, corpus_args = parser.parse_args_into_dataclasses(args=argv)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    return tokenize_corpus(model_args, data_args, corpus_args)


if __name__ == "__main__":
    main()
