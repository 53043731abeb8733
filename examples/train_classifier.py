"""ULMFiT stage 3: classifier fine-tuning with gradual unfreezing, discriminative learning rates and STLR.

    python examples/train_classifier.py --model_name_or_path runs/imdb-lm \
        --train_files ../shared/data/imdb/train.jsonl.gz --validation_files ../shared/data/imdb/test.jsonl.gz \
        --output_dir runs/imdb-clas --unfreeze_stages 1 1 1 2 --unfreeze_lr_factors 1 0.5 0.25 0.05 \
        --learning_rate 2e-2 --lr_schedule one_cycle

Without `--model_name_or_path` the same classifier is trained from scratch (the no-pretraining baseline). The
result loads with `pipeline("text-classification", model=OUTPUT_DIR, trust_remote_code=True)`.
"""

from hf_ulmfit.stages import ClassifierTrainingArguments, parse_stage_args, train_classifier

if __name__ == "__main__":
    train_classifier(*parse_stage_args(training_class=ClassifierTrainingArguments))
