#!/usr/bin/env bash
# Every row of docs/replication.md (the rows in results.jsonl are in the order they finished; the ensembles there
# ran once both directions' classifiers existed, before longer_b ended): two queues side by side, one thread each
# (two 1-thread processes use 2 cores better than one 2-thread process). Rows land in
# runs/replication/results.jsonl; the report then writes docs/replication/.
#   examples/replicate_all.sh [all|forward|backward|longer_a|longer_b|finish]
# (finish: the ensembles and the report; longer_a/b: the 3x-epoch rows, run after backward / forward)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1
r() { "$PY" examples/replicate.py "$@"; }
mkdir -p runs/replication/logs
[ -d runs/replication/data ] || r prepare

forward() {  # stage 1 and 2 forward, then the classifier, its ablations and a second seed
  r lm wt2 && r lm imdb && r lm trec
  for seed in 0 1; do
    r clas imdb --labels 100 --seed $seed && r clas imdb --labels 1000 --seed $seed
    r clas imdb --labels 100 --variant no_stage2 --seed $seed && r clas imdb --labels 1000 --variant no_stage2 --seed $seed
    r clas trec --seed $seed && r clas trec --variant no_stage2 --seed $seed
    for variant in flat_lr constant_lr no_unfreezing; do r clas imdb --labels 1000 --variant $variant --seed $seed; done
  done
}

backward() {  # baselines from scratch first (they need no language model), then the backward models
  for seed in 0 1; do
    r clas imdb --labels 100 --variant scratch --seed $seed && r clas imdb --labels 1000 --variant scratch --seed $seed
    r clas trec --variant scratch --seed $seed
  done
  r lm wt2 --direction bwd && r lm imdb --direction bwd
  for seed in 0 1; do
    for labels in 100 1000; do r clas imdb --labels $labels --direction bwd --seed $seed; done
  done
}

longer_a() {  # 3x the epochs: does a longer run change the comparison?
  r clas imdb --labels 1000 --variant scratch_long && r clas imdb --labels 1000 --variant ulmfit_long
  r clas trec --variant no_unfreezing
}

longer_b() {
  r clas imdb --labels 100 --variant scratch_long && r clas imdb --labels 100 --variant ulmfit_long
  r clas trec --variant ulmfit_long
}

finish() {  # needs both directions' classifiers
  for seed in 0 1; do for labels in 100 1000; do r ensemble imdb --labels $labels --seed $seed; done; done
  r report
}

case "${1:-all}" in
  forward) forward >> runs/replication/logs/forward.log 2>&1 ;;
  backward) backward >> runs/replication/logs/backward.log 2>&1 ;;
  longer_a) longer_a >> runs/replication/logs/longer_a.log 2>&1 ;;
  longer_b) longer_b >> runs/replication/logs/longer_b.log 2>&1 ;;
  finish) finish ;;
  all)
    { forward >> runs/replication/logs/forward.log 2>&1; longer_b >> runs/replication/logs/longer_b.log 2>&1; } &
    { backward >> runs/replication/logs/backward.log 2>&1; longer_a >> runs/replication/logs/longer_a.log 2>&1; } &
    wait
    finish ;;
  *) echo "usage: $0 [all|forward|backward|longer_a|longer_b|finish]" >&2; exit 2 ;;
esac
