"""The pose bundle's model card: leave-one-source-out and across-people figures, per label."""

from __future__ import annotations

from model.config import ModelConfig
from model.eval.pose_card import render_pose_card


def _clip(fold: str, label: str, correct: bool | None = None, alarms: float | None = None, decided: int = 50):
    row = {"path": f"{label}.mp4", "label": label, "fold": fold, "decided": decided}
    if correct is not None:
        row.update(correct=correct, shown=label if correct else "unknown")
    else:
        row["false_alarm_rate"] = alarms
    return row


def _folds(clips: list[dict]) -> dict:
    screen = {"named": sum(bool(c.get("correct")) for c in clips),
              "known_clips": sum("correct" in c for c in clips), "known_clip_accuracy": 0.5,
              "false_alarm_rate": 0.1, "none_frames": 100}
    pooled = {"known_clip_accuracy": 0.5, "known_clips": 3, "false_alarm_rate": 0.1, "none_windows": 40}
    return {"threshold": 0.8, "pooled": pooled, "on_screen": screen, "on_screen_clips": clips,
            "folds": [{"source": "kard", "known_clips": 3, "known_clip_accuracy": 0.5, "false_alarm_rate": 0.1,
                       "on_screen": screen}]}


def test_the_card_gives_each_label_per_held_out_source_and_across_people():
    config = ModelConfig(labels=("idle", "bend", "other", "wave_two_hands"), features="pose",
                         background_label="other")
    loso = _folds([_clip("kard", "wave_two_hands", True), _clip("kard", "wave_two_hands", False),
                   _clip("kard", "bend", False),
                   {**_clip("kard", "draw_x", alarms=0.2, decided=50), "alarms_as": {"wave_one_hand": 7, "bend": 3}},
                   _clip("kard", "walk", alarms=0.0, decided=150)])
    people = {**_folds([_clip("people 1 of 5", "bend", True), _clip("people 2 of 5", "bend", True)]), "k": 5}
    card = render_pose_card(config, {"loso": loso, "group_folds": people, "params": 10})
    assert "| kard | `wave_two_hands` | 1 of 2 |" in card
    assert "| kard | `bend` | 0 of 1 |" in card
    # False alarms are pooled over frames: 10 of 200.
    assert ("| kard | other motion | 5.0% of 200 frames given an action label "
            "(most taken for `wave_one_hand` 7, `bend` 3) |") in card
    assert "## Across people (group 5-fold over all sources)" in card
    assert "- **On screen: 2 of 2 known clips named (50.0%)**" in card
    assert "| `bend` | 2 of 2 |" in card
    # Each table stands apart: a blank line before the per-label table's header.
    assert "|\n\n| held-out source | label | named on screen |" in card
    assert "decides from" not in card


def test_the_card_says_where_a_model_decides_from():
    config = ModelConfig(labels=("idle", "wave"), features="pose", frames=24, decide_from=16)
    card = render_pose_card(config, {"params": 10})
    assert "windows of 24 steps at 10 fps (2.3 s; it decides from 16 steps, the older ones the first held)" in card


def test_the_card_lists_held_out_clips_no_fold_could_learn_apart():
    config = ModelConfig(labels=("idle", "front_arm_raise", "other"), features="pose", background_label="other")
    unlearnt = [{"path": f"PS7A3P1T{k}.avi", "label": "front_arm_raise", "fold": "people 3 of 5 (17 groups)"}
                for k in (1, 2, 3)]
    people = {**_folds([_clip("people 1 of 5", "front_arm_raise", True)]), "k": 5, "unlearnt_clips": unlearnt}
    card = render_pose_card(config, {"group_folds": people, "params": 10})
    assert ("- Not scored: 3 held-out clips whose action no other person in training had (`front_arm_raise` 3; "
            "held out in people 3 of 5 (17 groups)): a fold cannot name what it never saw.") in card
    assert "Not scored" not in render_pose_card(config, {"group_folds": _folds([]) | {"k": 5}, "params": 10})
