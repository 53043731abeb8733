#!/usr/bin/env bash
# The shipped LM's size (256/704/3, the shipped 12,008-word vocabulary) pretrained from random weights on one GPU
# within a fixed time: a corpus tokenized once (examples/tokenize_corpus.py with
# --model_name_or_path pretrained/awd-lstm-small-en), two short calibration runs through the same trainer (20 and
# 120 steps) measure steps per second, and the real run gets the one-cycle schedule that fits BUDGET_SECONDS of training.
#
#   examples/pretrain_small_en_gpu.sh CORPUS_DIR OUTPUT_DIR BUDGET_SECONDS [more pretrain_lm.py options]
#
# bf16 autocast first; if cuDNN refuses the LSTM in bf16, fp32 (TF32) instead. Then:
#   python examples/ship_pretrained.py OUTPUT_DIR --command-file examples/pretrain_small_en_gpu.sh
set -euo pipefail
corpus=$1 out=$2 budget=$3
shift 3  # the rest goes to every pretrain_lm.py call (a later option wins)
python=${PYTHON:-python3}
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
batch=128
common=(--token_store "$corpus" --seed 0 --embedding_size 256 --hidden_size 704 --num_hidden_layers 3
        --drop_mult 0.2 --per_device_train_batch_size $batch --per_device_eval_batch_size $batch --bptt 72
        --learning_rate 5e-3 --lr_schedule one_cycle --report_to none --dataloader_num_workers 0
        --disable_tqdm true --overwrite_output_dir "$@")

runtime() {  # seconds train() took for $1 steps (start-up costs included, the same for every step count)
  local steps=$1 log=/tmp/calibration.log
  shift
  "$python" examples/pretrain_lm.py "${common[@]}" "$@" --max_steps "$steps" --logging_steps "$steps" \
      --eval_strategy no --save_strategy no --output_dir /tmp/calibration >"$log" 2>&1 || { tail -20 "$log" >&2; return 1; }
  grep -o "'train_runtime': '*[0-9.]*" "$log" | tail -1 | grep -o "[0-9.]*$"
}

precision=(--bf16)
if ! short=$(runtime 20 "${precision[@]}"); then
  echo "bf16 calibration failed; fp32 (TF32) instead" >&2
  precision=(--tf32 true)
  short=$(runtime 20 "${precision[@]}")
fi
long=$(runtime 120 "${precision[@]}")
# the difference of two runs is the cost of 100 steps without the start-up
rate=$("$python" -c "print(100 / ($long - $short))")
steps=$("$python" -c "print(int($rate * $budget) // 4 * 4)")  # a multiple of the 4 checkpoints below
echo "calibration: $rate steps/s with ${precision[*]}; training $steps steps of $batch x 72 tokens"
"$python" examples/pretrain_lm.py "${common[@]}" "${precision[@]}" --max_steps "$steps" \
    --logging_steps $((steps / 50 + 1)) --eval_strategy steps --eval_steps $((steps / 5 + 1)) \
    --save_strategy steps --save_steps $((steps / 4)) --save_total_limit 1 --output_dir "$out"
