"""ULMFiT stage 3: classifier fine-tuning with discriminative learning rates and STLR (gradual unfreezing on request).

    ulmfit train-classifier --model_name_or_path runs/imdb-lm \
        --train_files ../shared/data/imdb/train.jsonl.gz --validation_files ../shared/data/imdb/test.jsonl.gz \
        --output_dir runs/imdb-clas

The defaults (`ClassifierTrainingArguments`) are the best recipe measured from the shipped LM (docs/transfer.md,
docs/replication.md): every layer for 5 epochs, 2e-2 for the top group and /2.6 for each lower one, STLR,
stretched to at least `--min_train_steps` steps. It beat the paper's gradual unfreezing on IMDb, SST-2 and TREC-6;
`--gradual_unfreezing true` gives that (1+1+1+2 epochs at 2e-2 x 1 / 0.5 / 0.25 / 0.05). `--problem_type regression`
trains one output on numeric labels (MSE loss; MSE / MAE / Pearson's r reported); numeric labels with fractions are
refused without it, as are fewer than two classes.
From a pretrained LM, the share of the training texts' tokens unknown to its vocabulary is measured and logged
(and written in the card), then the LM is adapted to the task first (`--domain_adaptation`, default `auto`, docs/
transfer.md): its vocabulary is extended with the training texts' words seen at least `--min_freq` (3) times, new
rows at the mean embedding, and it is fine-tuned briefly on the training texts and any unlabelled `--lm_files`
(`--adapt_lm_*`); `--domain_adaptation off` keeps the LM as it is.
Without `--model_name_or_path` the same classifier is trained from scratch (the no-pretraining baseline, with its own
recipe where the defaults are kept: `recipe.stages.RANDOM_WEIGHTS_RECIPE`, one-cycle 1e-2 for 10 epochs). The
result loads with `pipeline("text-classification", model=OUTPUT_DIR, trust_remote_code=True)`.
"""

from transformers import set_seed

from hf_ulmfit import ULMFiTForSequenceClassification
from hf_ulmfit.recipe.domain_adaptation import DomainAdaptedClassifierArguments, adapt_to_domain, classifier_from_lm
from hf_ulmfit.recipe.output_lock import holds_output_lock
from hf_ulmfit.recipe.stages import (
    DataArguments,
    ModelArguments,
    check_direction,
    check_output_dir,
    classifier_fields,
    classifier_trainer,
    load_pretrained_lm,
    load_stage_data,
    new_config,
    new_tokenizer,
    parse_stage_args,
    stretch_for_few_examples,
    task_labels,
    train_all_groups_at_one_rate,
    train_evaluate_save,
)


@holds_output_lock  # one run per output folder (docs/errors.md)
def train_classifier(model_args: ModelArguments, data_args: DataArguments,
                     training_args: DomainAdaptedClassifierArguments) -> dict[str, float]:
    """A classifier on the stage-2 encoder, or from random weights without `model_name_or_path`."""
    out = check_output_dir(training_args, model_args.overwrite_output_dir)
    set_seed(training_args.seed)  # the data split, the adaptation and a model from scratch follow --seed
    train, valid = load_stage_data(data_args, labelled=True, seed=training_args.seed)
    fields = classifier_fields(model_args, training_args, task_labels(train, model_args, data_args))

    adaptation = {}
    if model_args.model_name_or_path:
        # The LM's encoder and tokenizer, adapted to the task's words and texts first (stage 2 inside stage 3); a
        # new head, and fastai's classifier dropouts.
        lm, tokenizer = load_pretrained_lm(model_args.model_name_or_path)
        check_direction(lm.config, data_args)
        tokenizer, adaptation = adapt_to_domain(lm, tokenizer, train, model_args, data_args, training_args)
        set_seed(training_args.seed)  # the head's weights do not depend on whether the LM was fine-tuned
        model = classifier_from_lm(lm, fields)
        del lm
    else:
        # The baseline that shows what pretraining brings: a vocabulary of the labelled texts, one learning rate.
        train_all_groups_at_one_rate(training_args)
        tokenizer = new_tokenizer(train, model_args, data_args)
        config = new_config(model_args, data_args, len(tokenizer), bptt=training_args.bptt)
        model = ULMFiTForSequenceClassification(config.for_classifier(**fields))

    stretch_for_few_examples(training_args, len(train))  # enough optimizer steps for a few hundred labels
    # Documents are read in chunks of bptt tokens (BPT3C); gradual unfreezing comes from --unfreeze_stages.
    trainer = classifier_trainer(model, tokenizer, training_args, train, valid, data_args)
    trainer.card_notes = adaptation  # the unknown-token share and what the adaptation did, in the model card
    return {**train_evaluate_save(trainer, model_args, data_args, out), **adaptation}


def main(argv: list[str] | None = None) -> dict[str, float]:
    # Stage 3's own defaults (DomainAdaptedClassifierArguments: ClassifierTrainingArguments and the adaptation).
    return train_classifier(*parse_stage_args(argv, training_class=DomainAdaptedClassifierArguments,
                                                     description=__doc__.splitlines()[0]))

