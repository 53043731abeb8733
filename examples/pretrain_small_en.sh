#!/usr/bin/env bash
# Segment 1 of the shipped LM (pretrained/awd-lstm-small-en): stage 1 on WikiText-2 + IMDb train + unsup reviews
# (never IMDb test text), one thread on one core. Then: python examples/ship_pretrained.py runs/lm-small
#   --command-file examples/pretrain_small_en.sh --threads 1
cd "$(dirname "$0")/.."
exec env HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python examples/pretrain_lm.py \
  --train_files ../shared/data/wikitext-2/train.txt ../shared/data/imdb/train.jsonl.gz ../shared/data/imdb/unsup.jsonl.gz \
  --validation_fraction 0.005 --output_dir runs/lm-small \
  --embedding_size 256 --hidden_size 704 --num_hidden_layers 3 --max_vocab 12000 --min_freq 3 --drop_mult 0.1 \
  --per_device_train_batch_size 64 --per_device_eval_batch_size 64 --bptt 72 --bf16 --use_cpu \
  --learning_rate 5e-3 --lr_schedule one_cycle --max_steps 1800 \
  --logging_steps 20 --eval_strategy steps --eval_steps 300 --save_strategy steps --save_steps 150 --save_total_limit 2 \
  --report_to none --seed 0 --dataloader_num_workers 0
