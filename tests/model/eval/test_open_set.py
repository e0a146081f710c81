"""Open-set decisions, known-clip accuracy, false-alarm rate and threshold calibration,
on hand-made probabilities whose answers are counted by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.config import ModelConfig
from model.data.manifests import ClipRecord
from model.eval.open_set import UNKNOWN, calibrate, decide, open_set_report, pool_open_set

CONFIG = ModelConfig(labels=("idle", "wave", "jump", "other"), background_label="other")


def rec(label: str, name: str) -> ClipRecord:
    return ClipRecord(Path(f"{name}.avi"), label, name, "toy")


def test_decide_names_confident_actions_and_nothing_else():
    probs = np.array([
        [0.1, 0.8, 0.05, 0.05],   # wave, confident
        [0.1, 0.45, 0.4, 0.05],   # wave on top, but under the threshold
        [0.1, 0.1, 0.1, 0.7],     # the background class
        [0.5, 0.3, 0.1, 0.1],     # idle: never "unknown", never an action
    ])
    assert decide(probs, CONFIG, 0.6).tolist() == [1, UNKNOWN, UNKNOWN, 0]
    assert decide(probs, CONFIG, 0.4).tolist() == [1, 1, UNKNOWN, 0]


def test_report_counts_known_clips_and_false_alarm_windows():
    records = [rec("wave", "a"), rec("jump", "b"), rec("boxing", "c"), rec("other", "d")]
    probs = np.array([
        [0.0, 0.9, 0.1, 0.0], [0.0, 0.7, 0.3, 0.0],              # clip a: wave, right
        [0.0, 0.5, 0.5, 0.0],                                    # clip b: a tie, 0.5 < 0.6: unknown
        [0.0, 0.8, 0.1, 0.1], [0.0, 0.1, 0.1, 0.8], [0, 0, 0.2, 0.8],  # clip c: 1 alarm of 3
        [0.0, 0.0, 0.9, 0.1],                                    # clip d: 1 alarm of 1
    ])
    ids = np.array([0, 0, 1, 2, 2, 2, 3])
    report = open_set_report(probs, ids, records, CONFIG, threshold=0.6)
    assert report["known_clips"] == 2 and report["known_clip_accuracy"] == 0.5
    assert report["none_windows"] == 4 and report["none_clips"] == 2
    assert report["false_alarm_rate"] == pytest.approx(2 / 4)
    rows = {row["path"]: row for row in report["clips"]}
    assert rows["b.avi"]["decided"] == "unknown" and rows["b.avi"]["correct"] is False
    # b's mean is a wave/jump tie: argmax takes the first known label, wave, a wrong guess.
    assert rows["a.avi"]["best_guess"] == "wave" and rows["b.avi"]["best_guess"] == "wave"
    assert report["known_best_guess_accuracy"] == 0.5
    assert rows["c.avi"]["false_alarm_rate"] == pytest.approx(1 / 3, abs=1e-4)  # rounded for JSON


def test_best_guess_sees_past_the_threshold_and_the_background_class():
    # Both jump clips are "unknown" on screen (background on top; under the threshold), yet the
    # most probable known label is right for both: an encoder that transfers, a gate that hides it.
    records = [rec("jump", "a"), rec("jump", "b")]
    probs = np.array([[0.0, 0.1, 0.3, 0.6], [0.0, 0.2, 0.45, 0.35]])
    report = open_set_report(probs, np.array([0, 1]), records, CONFIG, threshold=0.6)
    assert report["known_clip_accuracy"] == 0.0
    assert report["known_best_guess_accuracy"] == 1.0
    assert [row["best_guess"] for row in report["clips"]] == ["jump", "jump"]


def test_calibration_prefers_the_threshold_that_separates_known_from_other():
    # Known clips score 0.7 to 0.8; other motion up to 0.55. Anything in (0.55, 0.7] separates.
    records = [rec("wave", "a"), rec("jump", "b"), rec("boxing", "c")]
    probs = np.array([[0, 0.8, 0.2, 0], [0, 0.3, 0.7, 0], [0, 0.55, 0.45, 0]])
    fold = (probs, np.array([0, 1, 2]), records, CONFIG)
    threshold = calibrate([fold])
    assert 0.55 < threshold <= 0.7
    report = open_set_report(*fold, threshold=threshold)
    assert (report["known_clip_accuracy"], report["false_alarm_rate"]) == (1.0, 0.0)


def test_pooling_weights_by_counts():
    a = {"known_clips": 1, "known_clip_accuracy": 1.0, "none_windows": 10, "false_alarm_rate": 0.5,
         "none_clips": 1}
    b = {"known_clips": 3, "known_clip_accuracy": 0.0, "none_windows": 0, "false_alarm_rate": None,
         "none_clips": 0}
    pooled = pool_open_set([a, b])
    assert pooled["known_clip_accuracy"] == 0.25 and pooled["false_alarm_rate"] == 0.5
    # Saved before best guesses were kept: unknown, not zero.
    assert pooled["known_best_guess_accuracy"] is None
    pooled = pool_open_set([{**a, "known_best_guess_accuracy": 1.0}, {**b, "known_best_guess_accuracy": 0.5}])
    assert pooled["known_best_guess_accuracy"] == pytest.approx((1 + 1.5) / 4)


def test_on_screen_report_counts_shown_frames_and_the_label_shown_longest():
    from model.eval.open_set import on_screen_report

    records = [rec("wave", "a"), rec("jump", "b"), rec("idle", "i"), rec("boxing", "c"), rec("other", "d")]
    shown = [
        ["idle"] * 10 + ["wave"] * 4 + ["unknown"] * 3,   # a: wave shown longest once idle is set aside
        ["idle"] * 5 + ["unknown"] * 6 + ["jump"] * 5,    # b: unknown longer than jump: wrong
        ["idle"] * 8 + ["unknown"] * 2,                   # i: an idle clip counts idle too: right
        ["unknown"] * 6 + ["wave"] * 2 + ["idle"] * 2,    # c: 2 of 10 frames show an action
        ["jump"] * 1 + ["unknown"] * 9,                   # d: 1 of 10
    ]
    report = on_screen_report(shown, records, CONFIG)
    assert report["known_clips"] == 3
    assert report["known_clip_accuracy"] == pytest.approx(2 / 3)
    assert [r.get("shown") for r in report["clips"][:3]] == ["wave", "unknown", "idle"]
    assert report["none_clips"] == 2 and report["none_frames"] == 20
    assert report["false_alarm_rate"] == pytest.approx(3 / 20)
    # Each clip of other motion says which actions its false alarms were taken for.
    assert [r.get("alarms_as") for r in report["clips"][3:]] == [{"wave": 2}, {"jump": 1}]
    # A known clip that only ever showed idle was not named.
    assert on_screen_report([["idle"] * 5], [rec("wave", "e")], CONFIG)["known_clip_accuracy"] == 0.0


def test_on_screen_report_leaves_out_clips_too_short_to_show_anything():
    from model.eval.open_set import on_screen_report

    records = [rec("idle", "i"), rec("wave", "a"), rec("boxing", "c"), rec("boxing", "d")]
    report = on_screen_report([[], ["wave"] * 3, [], ["unknown"] * 4], records, CONFIG)
    # An idle clip that showed nothing was not "named idle", and an empty clip raised no alarm.
    assert report["too_short"] == 2
    assert report["known_clips"] == 1 and report["known_clip_accuracy"] == 1.0
    assert report["none_clips"] == 1 and report["none_frames"] == 4 and report["false_alarm_rate"] == 0.0
    assert report["clips"][0]["shown"] is None


def test_on_screen_report_counts_nothing_before_the_first_decision():
    from model.eval.open_set import on_screen_report

    records = [rec("wave", "a"), rec("boxing", "c"), rec("wave", "e")]
    # "" is the app's label until its first decision holds its dwell: not "unknown", not a frame
    # that could have been a false alarm. Counted as "unknown", clip a would be wrong (5 > 4).
    shown = [[""] * 5 + ["wave"] * 4 + ["unknown"] * 3, [""] * 4 + ["wave"] * 2 + ["unknown"] * 8, [""] * 6]
    report = on_screen_report(shown, records, CONFIG)
    assert report["clips"][0]["shown"] == "wave" and report["clips"][0]["correct"]
    assert report["none_frames"] == 10 and report["false_alarm_rate"] == pytest.approx(2 / 10)
    # A clip with windows but never a decision is not "too short": it was not named.
    assert report["too_short"] == 0 and report["clips"][2]["shown"] == ""
    assert report["known_clips"] == 2 and report["known_clip_accuracy"] == 0.5


def test_calibration_keeps_false_alarms_within_the_budget():
    # At 0.5 all three known clips are named but half of the other windows fire (score 3/3 - 0.5);
    # at 0.75 one known clip is named and no other window fires (score 1/3). Unbounded, 0.5 would
    # win; a tool may not label half of what it does not know.
    records = [rec("wave", "a"), rec("jump", "b"), rec("wave", "c"), rec("boxing", "d")]
    probs = np.array([[0, 0.8, 0.2, 0], [0, 0.3, 0.6, 0], [0, 0.6, 0.4, 0],
                      [0, 0.7, 0.3, 0], [0, 0.1, 0.1, 0.8]])
    fold = (probs, np.array([0, 1, 2, 3, 3]), records, CONFIG)
    assert calibrate([fold], max_false_alarms=1.0) <= 0.6
    threshold = calibrate([fold], max_false_alarms=0.15)
    report = open_set_report(*fold, threshold=threshold)
    assert report["false_alarm_rate"] == 0.0 and threshold > 0.7
