#!/usr/bin/env bash
# Segment 2 of the shipped LM: the same corpus and split (--seed 0), a new document order (--data_seed 1), the
# vocabulary kept, one thread on one core. Then: python examples/ship_pretrained.py runs/lm-small-2
#   --command-file examples/continue_small_en.sh --threads 1
cd "$(dirname "$0")/.."
exec env HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python examples/finetune_lm.py \
  --model_name_or_path pretrained/awd-lstm-small-en --keep_vocab \
  --train_files ../shared/data/wikitext-2/train.txt ../shared/data/imdb/train.jsonl.gz ../shared/data/imdb/unsup.jsonl.gz \
  --validation_fraction 0.005 --output_dir runs/lm-small-2 --drop_mult 0.1 --lr_decay_factor 1 \
  --per_device_train_batch_size 64 --per_device_eval_batch_size 64 --bptt 72 --bf16 --use_cpu \
  --learning_rate 3e-3 --lr_schedule one_cycle --max_steps 2100 \
  --logging_steps 20 --eval_strategy steps --eval_steps 300 --save_strategy steps --save_steps 150 --save_total_limit 2 \
  --report_to none --seed 0 --data_seed 1 --dataloader_num_workers 0
