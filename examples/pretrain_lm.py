"""ULMFiT stage 1: general-domain language-model pretraining (vocabulary built here).

    python examples/pretrain_lm.py --train_files ../shared/data/wikitext-2/train.txt \
        --validation_files ../shared/data/wikitext-2/valid.txt --output_dir runs/wt2-lm \
        --num_train_epochs 10 --learning_rate 5e-3 --lr_schedule one_cycle

Any `--dataset_name` from the Hub works too when online. `--help` lists every option.
"""

from hf_ulmfit.recipe.stages import parse_stage_args, pretrain_lm

if __name__ == "__main__":
    pretrain_lm(*parse_stage_args())
