"""ULMFiT stage 1: general-domain language-model pretraining (vocabulary built here).

    ulmfit pretrain --train_files ../shared/data/wikitext-2/train.txt \
        --validation_files ../shared/data/wikitext-2/valid.txt --output_dir runs/wt2-lm \
        --num_train_epochs 10 --learning_rate 5e-3 --lr_schedule one_cycle

Any `--dataset_name` from the Hub works too when online. `--help` lists every option; a single `.json` file of
them works as well.
"""

from transformers import set_seed

from hf_ulmfit import ULMFiTForCausalLM, ULMFiTTrainingArguments
from hf_ulmfit.recipe.output_lock import holds_output_lock
from hf_ulmfit.recipe.stages import (
    DataArguments,
    ModelArguments,
    check_output_dir,
    lm_trainer,
    load_stage_data,
    load_token_store,
    new_config,
    new_tokenizer,
    parse_stage_args,
    train_all_groups_at_one_rate,
    train_evaluate_save,
)


@holds_output_lock  # one run per output folder (docs/errors.md)
def pretrain_lm(model_args: ModelArguments, data_args: DataArguments,
                training_args: ULMFiTTrainingArguments) -> dict[str, float]:
    """A vocabulary and an AWD-LSTM language model trained from random weights on general-domain text."""
    out = check_output_dir(training_args, model_args.overwrite_output_dir)
    set_seed(training_args.seed)  # the random weights and the batch order follow --seed
    # Nothing pretrained to protect: every layer group trains at `learning_rate`.
    train_all_groups_at_one_rate(training_args)
    if data_args.token_store:  # tokenized once by examples/tokenize_corpus.py, vocabulary included
        tokenizer, train, valid = load_token_store(data_args)
    else:
        train, valid = load_stage_data(data_args, labelled=False, seed=training_args.seed)
        # fastai's word vocabulary of the training texts (or a subword one with --subword_vocab_size).
        tokenizer = new_tokenizer(train, model_args, data_args)
    model = ULMFiTForCausalLM(new_config(model_args, data_args, len(tokenizer), bptt=training_args.bptt))

    # The documents become one token stream, read `bptt` tokens at a time with the LSTM state carried.
    trainer = lm_trainer(model, tokenizer, training_args, train, valid, data_args.text_column)
    return train_evaluate_save(trainer, model_args, data_args, out)


def main(argv: list[str] | None = None) -> dict[str, float]:
    return pretrain_lm(*parse_stage_args(argv, description=__doc__.splitlines()[0]))

