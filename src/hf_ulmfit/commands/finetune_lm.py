"""ULMFiT stage 2: target-task language-model fine-tuning, discriminative learning rates and STLR.

    ulmfit finetune --model_name_or_path runs/wt2-lm \
        --train_files ../shared/data/imdb/unsup.jsonl.gz ../shared/data/imdb/train.jsonl.gz \
        --output_dir runs/imdb-lm --unfreeze_stages 1 10 --unfreeze_lr_factors 1 0.1 --learning_rate 2e-2

The vocabulary moves to the target corpus (new tokens start from the mean embedding) unless `--keep_vocab`.
`--token_store DIR` reads a corpus tokenized once by `examples/tokenize_corpus.py` (its vocabulary is the target's).
"""

from transformers import set_seed

from hf_ulmfit import ULMFiTTrainingArguments, transfer_vocab
from hf_ulmfit.recipe.output_lock import holds_output_lock
from hf_ulmfit.recipe.stages import (
    DataArguments,
    ModelArguments,
    check_direction,
    check_output_dir,
    lm_trainer,
    load_pretrained_lm,
    load_stage_data,
    load_token_store,
    new_tokenizer,
    parse_stage_args,
    train_evaluate_save,
)


@holds_output_lock  # one run per output folder (docs/errors.md)
def finetune_lm(model_args: ModelArguments, data_args: DataArguments,
                training_args: ULMFiTTrainingArguments) -> dict[str, float]:
    """The stage-1 language model fine-tuned on the target task's text."""
    if not model_args.model_name_or_path:
        raise ValueError("Stage 2 fine-tunes a pretrained LM: pass --model_name_or_path (the stage-1 folder).")
    out = check_output_dir(training_args, model_args.overwrite_output_dir)
    set_seed(training_args.seed)  # new embedding rows (vocabulary transfer) and the batch order follow --seed
    model, tokenizer = load_pretrained_lm(model_args.model_name_or_path)
    check_direction(model.config, data_args)
    pretrained_vocab = tokenizer.convert_ids_to_tokens(range(len(tokenizer)))
    if data_args.token_store:  # tokenized once: its tokenizer is the target vocabulary
        target, train, valid = load_token_store(data_args)
        if model_args.keep_vocab and target.convert_ids_to_tokens(range(len(target))) != pretrained_vocab:
            raise ValueError(f"--keep_vocab: {data_args.token_store} was tokenized with another vocabulary than "
                             f"{model_args.model_name_or_path}'s; tokenize it with --model_name_or_path "
                             f"{model_args.model_name_or_path}.")
    else:
        train, valid = load_stage_data(data_args, labelled=False, seed=training_args.seed)
        word_level = type(tokenizer.backend_tokenizer.model).__name__ == "WordLevel"
        keep = model_args.keep_vocab or not word_level
        target = tokenizer if keep else new_tokenizer(train, model_args, data_args)

    # The target corpus's vocabulary: shared tokens keep their rows, new ones start from the mean (fastai's rule).
    target_vocab = target.convert_ids_to_tokens(range(len(target)))
    if target_vocab != pretrained_vocab:
        transfer_vocab(model, pretrained_vocab, target_vocab)
    tokenizer = target
    model.config.drop_mult = model_args.drop_mult

    # Discriminative learning rates (lr_decay_factor per layer group) and the schedule come from training_args.
    trainer = lm_trainer(model, tokenizer, training_args, train, valid, data_args.text_column)
    return train_evaluate_save(trainer, model_args, data_args, out)


def main(argv: list[str] | None = None) -> dict[str, float]:
    return finetune_lm(*parse_stage_args(argv, description=__doc__.splitlines()[0]))

