from __future__ import annotations

import threading

import numpy as np
import pytest

from app.results import UNDECIDED, UNKNOWN
from app.runtime.smoothing import LabelSmoother
from app.settings import SmoothingSettings

LABELS = ("walk", "run", "idle")
NO_IDLE = ("walk", "run", "jump")
FPS = 10.0


def feed(smoother: LabelSmoother, rows, start: int = 0) -> list[str]:
    """Feeds probability rows at 10 fps; returns the shown labels."""
    return [smoother.update(np.asarray(p, float), (start + i) / FPS)[0] for i, p in enumerate(rows)]


def no_smoothing(**kw) -> SmoothingSettings:
    return SmoothingSettings(**{"ema": 1.0, "enter": 0.6, "exit": 0.4, "min_dwell_s": 0.0, **kw})


def test_ema_math():
    sm = LabelSmoother(LABELS, SmoothingSettings(ema=0.25, min_dwell_s=0.0))
    p0, p1 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    _, _, e0 = sm.update(p0, 0.0)
    np.testing.assert_allclose(e0, p0)  # the first frame seeds the average
    _, _, e1 = sm.update(p1, 0.1)
    np.testing.assert_allclose(e1, 0.25 * p1 + 0.75 * p0)
    _, _, e2 = sm.update(p1, 0.2)
    np.testing.assert_allclose(e2, 0.25 * p1 + 0.75 * e1)


def test_returned_probs_are_a_copy():
    sm = LabelSmoother(LABELS, SmoothingSettings(ema=0.5, min_dwell_s=0.0))
    _, _, e = sm.update(np.array([0.8, 0.1, 0.1]), 0.0)
    e[:] = 0
    _, _, e2 = sm.update(np.array([0.8, 0.1, 0.1]), 0.1)
    np.testing.assert_allclose(e2, [0.8, 0.1, 0.1])


def test_confident_class_is_shown_with_its_confidence():
    sm = LabelSmoother(LABELS, no_smoothing())
    label, conf, _ = sm.update(np.array([0.7, 0.2, 0.1]), 0.0)
    assert (label, conf) == ("walk", pytest.approx(0.7))


def test_hysteresis_prevents_flicker_around_one_threshold():
    sm = LabelSmoother(LABELS, no_smoothing(enter=0.6, exit=0.4))
    # "walk" hovers around 0.6 after entering: with one threshold it would toggle each frame.
    rows = [[0.65, 0.2, 0.15], [0.55, 0.3, 0.15], [0.62, 0.2, 0.18], [0.45, 0.35, 0.2]] * 3
    assert feed(sm, rows) == ["walk"] * len(rows)
    # Only falling below exit releases it; nothing else is confident, and idle is not top.
    assert feed(sm, [[0.35, 0.4, 0.25]], start=len(rows)) == [UNKNOWN]


def test_below_enter_never_becomes_the_label():
    sm = LabelSmoother(NO_IDLE, no_smoothing())
    assert feed(sm, [[0.55, 0.3, 0.15]] * 5) == [UNKNOWN] * 5


def test_dwell_delays_a_switch_by_min_dwell():
    sm = LabelSmoother(LABELS, no_smoothing(min_dwell_s=0.3))
    labels = feed(sm, [[0.9, 0.05, 0.05]] * 4 + [[0.05, 0.9, 0.05]] * 5)
    # walk appears at t=0.0 and is shown at t=0.3; run appears at t=0.4, shown at t=0.7.
    # Meanwhile walk stays on screen: nothing flashes between two confident labels.
    assert labels == [UNDECIDED] * 3 + ["walk"] * 4 + ["run"] * 2


def test_dwell_ignores_a_short_spike():
    sm = LabelSmoother(LABELS, no_smoothing(min_dwell_s=0.3))
    rows = [[0.9, 0.05, 0.05]] * 4 + [[0.05, 0.9, 0.05]] * 2 + [[0.9, 0.05, 0.05]] * 4
    assert "run" not in feed(sm, rows)


def test_dwell_uses_source_time_not_frame_count():
    sm = LabelSmoother(LABELS, no_smoothing(min_dwell_s=1.0))
    assert sm.update(np.array([0.9, 0.05, 0.05]), 5.0)[0] == UNDECIDED
    assert sm.update(np.array([0.9, 0.05, 0.05]), 5.5)[0] == UNDECIDED
    assert sm.update(np.array([0.9, 0.05, 0.05]), 6.0)[0] == "walk"


def test_per_class_enter_threshold():
    settings = no_smoothing(enter=0.6, exit=0.4, class_enter={"run": 0.35})
    sm = LabelSmoother(LABELS, settings)
    assert feed(sm, [[0.4, 0.38, 0.22]]) == ["run"]
    # Its exit is capped at its own enter (0.35), so 0.36 still holds it.
    assert feed(sm, [[0.5, 0.36, 0.14]], start=1) == ["run"]
    assert feed(sm, [[0.5, 0.3, 0.2]], start=2) == [UNKNOWN]


def test_idle_when_idle_is_top_unknown_otherwise():
    sm = LabelSmoother(LABELS, no_smoothing())
    label, conf, _ = sm.update(np.array([0.2, 0.3, 0.5]), 0.0)
    assert (label, conf) == ("idle", pytest.approx(0.5))
    label, conf, _ = sm.update(np.array([0.45, 0.3, 0.25]), 0.1)
    # Confidence of "unknown" is the top class's, but the top class is not named.
    assert (label, conf) == (UNKNOWN, pytest.approx(0.45))


def test_model_without_idle_is_unknown():
    sm = LabelSmoother(NO_IDLE, no_smoothing(), idle_label="idle")
    assert sm.update(np.array([0.2, 0.3, 0.5]), 0.0)[0] == UNKNOWN
    sm = LabelSmoother(LABELS, no_smoothing(), idle_label="")
    assert sm.update(np.array([0.2, 0.3, 0.5]), 0.0)[0] == UNKNOWN


def test_live_settings_change_keeps_the_average():
    sm = LabelSmoother(LABELS, SmoothingSettings(ema=0.5, enter=0.6, exit=0.4, min_dwell_s=0.0))
    sm.update(np.array([0.5, 0.3, 0.2]), 0.0)
    assert sm.update(np.array([0.5, 0.3, 0.2]), 0.1)[0] == UNKNOWN
    sm.set_settings(SmoothingSettings(ema=0.5, enter=0.45, exit=0.3, min_dwell_s=0.0))
    label, _, ema = sm.update(np.array([0.5, 0.3, 0.2]), 0.2)
    assert label == "walk"
    np.testing.assert_allclose(ema, [0.5, 0.3, 0.2])
    assert sm.settings.enter == 0.45


def test_reset_forgets_history():
    sm = LabelSmoother(LABELS, SmoothingSettings(ema=0.2, min_dwell_s=0.0))
    for i in range(10):
        sm.update(np.array([0.9, 0.05, 0.05]), i / FPS)
    sm.reset()
    label, _, ema = sm.update(np.array([0.05, 0.9, 0.05]), 0.0)
    assert label == "run"
    np.testing.assert_allclose(ema, [0.05, 0.9, 0.05])


def test_time_going_backwards_restarts_the_dwell():
    sm = LabelSmoother(LABELS, no_smoothing(min_dwell_s=0.3))
    sm.update(np.array([0.9, 0.05, 0.05]), 10.0)
    assert sm.update(np.array([0.9, 0.05, 0.05]), 0.0)[0] == UNDECIDED
    assert sm.update(np.array([0.9, 0.05, 0.05]), 0.3)[0] == "walk"


def test_concurrent_settings_changes_are_safe():
    sm = LabelSmoother(LABELS, SmoothingSettings())
    stop = threading.Event()

    def toggle():
        while not stop.is_set():
            sm.set_settings(SmoothingSettings(enter=0.5, exit=0.3))
            sm.set_settings(SmoothingSettings())

    thread = threading.Thread(target=toggle)
    thread.start()
    try:
        for i in range(500):
            label, conf, _ = sm.update(np.array([0.7, 0.2, 0.1]), i / FPS)
            assert label in (*LABELS, UNKNOWN, UNDECIDED) and 0.0 <= conf <= 1.0
    finally:
        stop.set()
        thread.join(timeout=2)


def test_bad_probs_shape_names_the_argument():
    sm = LabelSmoother(LABELS, SmoothingSettings())
    with pytest.raises(ValueError, match=r"`probs` must have shape \(3,\).*Received: probs.shape=\(1, 3\)"):
        sm.update(np.array([[0.2, 0.3, 0.5]]), 0.0)
    with pytest.raises(ValueError, match="finite"):
        sm.update(np.array([np.nan, 0.5, 0.5]), 0.0)


def test_a_fading_label_turns_unknown_only_after_the_dwell():
    sm = LabelSmoother(NO_IDLE, no_smoothing(min_dwell_s=0.2))
    labels = feed(sm, [[0.9, 0.05, 0.05]] * 3 + [[0.34, 0.33, 0.33]] * 4)
    # walk is shown at t=0.2 and kept through the 0.2 s dwell of "unknown" (t=0.3 to 0.5).
    assert labels == [UNDECIDED] * 2 + ["walk"] * 3 + [UNKNOWN] * 2


def test_the_background_class_is_shown_as_unknown_never_by_name():
    sm = LabelSmoother(("idle", "wave", "other"), no_smoothing(), background_label="other")
    label, conf, _ = sm.update(np.array([0.05, 0.1, 0.85]), 0.0)
    assert (label, conf) == (UNKNOWN, pytest.approx(0.85))
    assert sm.update(np.array([0.05, 0.9, 0.05]), 0.1)[0] == "wave"


def test_the_models_calibrated_threshold_applies_unless_the_user_sets_enter():
    probs = [[0.2, 0.7, 0.1]]
    strict = LabelSmoother(LABELS, no_smoothing(enter=None), unknown_below=0.8)
    assert feed(strict, probs) == [UNKNOWN]
    lenient = LabelSmoother(LABELS, no_smoothing(enter=None, exit=0.3), unknown_below=0.5)
    assert feed(lenient, probs) == ["run"]
    user = LabelSmoother(LABELS, no_smoothing(enter=0.65), unknown_below=0.8)
    assert feed(user, probs) == ["run"]


def test_idle_from_the_start_is_shown_at_once_but_an_action_waits_its_dwell_undecided():
    dwell = SmoothingSettings(ema=1.0, enter=0.6, exit=0.4, min_dwell_s=0.3)
    # Every clip used to open with "unknown" for the dwell while a person stood still.
    assert feed(LabelSmoother(LABELS, dwell), [[0.1, 0.1, 0.8]] * 3) == ["idle"] * 3
    # ...and with "unknown" while the model was sure of an action: now nothing is claimed.
    sm = LabelSmoother(LABELS, dwell)
    assert feed(sm, [[0.9, 0.05, 0.05]] * 5) == [UNDECIDED] * 3 + ["walk"] * 2
    assert sm.pending == ""
    # "unknown" as the first decision waits its dwell too.
    assert feed(LabelSmoother(LABELS, dwell), [[0.45, 0.3, 0.25]] * 4) == [UNDECIDED] * 3 + [UNKNOWN]
    # Only the first decision: idle after something else has been targeted waits like any label.
    sm = LabelSmoother(LABELS, dwell)
    assert feed(sm, [[0.45, 0.3, 0.25], [0.1, 0.1, 0.8], [0.1, 0.1, 0.8]]) == [UNDECIDED] * 3
    sm.reset()
    assert feed(sm, [[0.1, 0.1, 0.8]]) == ["idle"]


def test_a_class_over_its_enter_threshold_takes_over_from_one_held_by_hysteresis():
    sm = LabelSmoother(LABELS, no_smoothing(enter=0.6, exit=0.4))
    # walk enters, then run climbs past enter while walk is still over exit: run is the motion now.
    rows = [[0.7, 0.2, 0.1], [0.45, 0.5, 0.05], [0.41, 0.59, 0.0], [0.4, 0.6, 0.0], [0.41, 0.59, 0.0]]
    assert feed(sm, rows) == ["walk", "walk", "walk", "run", "run"]


def test_the_background_class_over_enter_ends_an_action_held_by_hysteresis():
    sm = LabelSmoother(("idle", "wave", "other"), no_smoothing(), background_label="other")
    rows = [[0.1, 0.8, 0.1], [0.05, 0.45, 0.5], [0.0, 0.42, 0.58], [0.0, 0.4, 0.6]]
    # Held by hysteresis until `other` passes its enter threshold: then nothing of the model's is shown.
    assert feed(sm, rows) == ["wave", "wave", "wave", UNKNOWN]


def test_idle_over_enter_ends_an_action_held_by_hysteresis():
    sm = LabelSmoother(LABELS, no_smoothing())
    assert feed(sm, [[0.8, 0.1, 0.1], [0.42, 0.0, 0.58], [0.41, 0.0, 0.59], [0.4, 0.0, 0.6]]) == [
        "walk", "walk", "walk", "idle"]
