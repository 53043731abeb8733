"""ULMFiT stage 2: target-task language-model fine-tuning, discriminative learning rates and STLR.

    python examples/finetune_lm.py --model_name_or_path runs/wt2-lm \
        --train_files ../shared/data/imdb/unsup.jsonl.gz ../shared/data/imdb/train.jsonl.gz \
        --output_dir runs/imdb-lm --unfreeze_stages 1 10 --unfreeze_lr_factors 1 0.1 --learning_rate 2e-2

The vocabulary moves to the target corpus (new tokens start from the mean embedding) unless `--keep_vocab`.
"""

from hf_ulmfit.recipe.stages import finetune_lm, parse_stage_args

if __name__ == "__main__":
    finetune_lm(*parse_stage_args())
