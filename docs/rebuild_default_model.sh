#!/usr/bin/env bash
# Rebuilds assets/models/default from ../shared/data, with fixed seeds.
#
#   bash docs/rebuild_default_model.sh   # BlazePose on every clip (cached after the first run, about
#                                        # 35 min for 683 clips), leave-one-source-out, group 5-fold
#                                        # and the final model, each with two heads (32 min in all on
#                                        # 2026-12-07, 674 clips, 2 cores), the
#                                        # figures on the held-out person (with and without a lead-in)
#                                        # and on playback
#
# The next-frame predictor is kept from the bundle as it is (the pose classifier does not change
# it); `actionlens train-predictor --data "$data/actions" --out "$out" --holdout-groups ud810-P2
# weizmann-g3 weizmann-g7 --seed 1` trains it again.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
out=assets/models/default
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The classifier: the six actions from every source that has them (other labels train the
# background class, `other`), on BlazePose's landmarks. ud810-P2 is held out of everything and
# reported, so the card says how the shipped model does on a person it never saw. --loso trains
# without each source in turn (the small repositories in five groups) and reports each on screen and
# per window; --group-folds 5 holds out every person (group) of every source once, in five folds.
# Both at --unknown-below 0.60: calibrated per window, the group folds chose 0.45 for a model this
# calm, which named no more clips on screen and showed an action in 12.3% of the playback
# footage's frames (1.3% at 0.60; the card's notes, fifth session of 2026-12-06).
# Windows follow the label definitions of ../shared/data/SOURCES.md (model/train/pose_definitions.py).
# Two heads, trained apart and averaged: a 2.4 s window at two rates (deciding from 1.6 s, with bones
# lost for a moment in its views) tells one raise from a wave's arcs; the 1.6 s head beside it keeps
# the calm on other motion (the card's notes, third session of 2026-12-07). A jumping jack is the legs
# jumping: jacks are taught with their legs caught on some steps only in 30% of views, as BlazePose
# sees a small person's, and a window that never shows the legs is never a jack (fourth session).
# A two-hand wave swings several times: a window that begins with the arms low and turns back at
# most once is one sweep, a side raise, and is never shown as a wave (seventh session).
actionlens train --features pose --data "$data/actions" "$data/extra" \
  --map wave=wave_one_hand star_jump=jumping_jack \
  --known bend front_arm_raise jumping_jack side_arm_raise wave_one_hand wave_two_hands \
  --holdout-groups ud810-P2 --loso --group-folds 5 --epochs 12 --seed 1 --unknown-below 0.60 \
  --frames 24 --decide-from 16 --fast-frames 16 --short-head-frames 16 --needs-legs jumping_jack \
  --needs-repeats wave_two_hands --card-notes docs/default_model_pose_notes.md --out "$out"

# The held-out person, and footage the model never saw in any form (street and debate scenes).
mkdir -p "$work/ud810-P2"
{ echo "path,label,group,dataset"
  grep ',ud810-P2,' "$data/actions/manifest.csv" | while IFS=, read -r path label dataset group _; do
    echo "$(realpath "$data/actions/$path"),$label,$group,$dataset"; done; } > "$work/ud810-P2/manifest.csv"
actionlens evaluate --model "$out" --data "$work/ud810-P2" --record "ud810-P2, the held-out person"
# The same clips as a camera sees them: the person standing there for 2 s before they start
# (as in the demo clip), so the window is full when the action begins.
actionlens evaluate --model "$out" --data "$work/ud810-P2" --lead-in 2 \
  --record "ud810-P2, the held-out person, after a 2 s lead-in"
actionlens evaluate --model "$out" --none "$data/playback" --record "playback footage (street, crowd, debate)"
