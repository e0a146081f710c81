#!/usr/bin/env bash
# Rebuilds assets/models/default from ../shared/data, with fixed seeds.
#
#   bash docs/rebuild_default_model.sh          # classifier + predictor: about 15 min on 2 cores
#   CV=1 bash docs/rebuild_default_model.sh     # also the model card's leave-one-group-out and
#                                               # architecture figures (about 1.5 h more)
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
out=assets/models/default
cv=()
[ "${CV:-0}" = 1 ] && cv=(--cv)

# The classifier, on every clip and person (plus idle), with the notes for the model card.
actionlens train --data "$data/actions" --out "$out" --seed 1 --epochs 20 --steps 40 \
  --card-notes docs/default_model_notes.md "${cv[@]}"
# The next-frame predictor, trained without three groups so the card can report it on
# people it has not seen; then its Moving MNIST figures (that predictor is not kept).
actionlens train-predictor --data "$data/actions" --out "$out" \
  --holdout-groups ud810-P2 weizmann-g3 weizmann-g7 --seed 1
actionlens train-predictor --moving-mnist "$data/mnist" --out "$out" --seed 1
if [ "${CV:-0}" = 1 ]; then
  actionlens compare --data "$data/actions" --holdout-groups ud810-P1 weizmann-g4 \
    --epochs 20 --steps 40 --into "$out"
fi
