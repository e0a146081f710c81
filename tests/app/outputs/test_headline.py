"""The headline over the video, shared by the window and the annotated video: states and held labels."""

from __future__ import annotations

import numpy as np

from app.outputs.headline import headline
from app.results import UNDECIDED, UNKNOWN, Result

LABELS = ("idle", "wave")


def _result(index: int, label: str = "wave") -> Result:
    probs = np.array([0.2, 0.8], np.float32)
    return Result(index, index / 30, label, 0.8, probs, probs, LABELS)


def test_headline_states():
    assert headline(None, "loading model…").text == "loading model…"
    assert headline(None).quiet
    wave = headline(_result(3))
    assert (wave.text, wave.detail, wave.quiet, wave.giving_way_to) == ("wave", "80%", False, "")
    assert headline(_result(3, "idle")).quiet
    unsure = headline(_result(3, UNKNOWN))
    assert unsure.quiet and unsure.text == "unknown" and "wave" in unsure.detail


def test_a_label_held_through_the_dwell_of_the_next_is_muted_and_says_so():
    # "walk" is still shown while "wave" (now at 80%) dwells: not a confident "walk 20%".
    probs = np.array([0.0, 0.8, 0.2], np.float32)
    held = Result(4, 4 / 30, "walk", 0.2, probs, probs, ("idle", "wave", "walk"))
    shown = headline(held)
    assert shown.text == "walk" and shown.quiet
    assert shown.detail == "20%, giving way to wave 80%" and shown.giving_way_to == "wave"
    # Idle held while an arm rises read "idle 0%" beside a 98% bar.
    probs = np.array([0.01, 0.98, 0.01], np.float32)
    still = headline(Result(5, 5 / 30, "idle", 0.01, probs, probs, ("idle", "wave", "walk")))
    assert (still.text, still.detail, still.quiet) == ("idle", "1%, giving way to wave 98%", True)


def test_unknown_while_a_confident_action_waits_out_its_dwell_does_not_deny_it():
    # Seen on the demo clip: "unknown / none of the known actions (top: wave_two_hands 99%)".
    probs = np.array([0.01, 0.99], np.float32)
    waiting = Result(6, 6 / 30, UNKNOWN, 0.99, probs, probs, LABELS, pending="wave")
    shown = headline(waiting)
    assert (shown.text, shown.detail, shown.giving_way_to) == ("unknown", "confirming wave 99%", "wave")
    assert "none of the known" not in shown.detail


def test_the_smoother_says_what_it_is_confirming():
    from app.runtime.smoothing import LabelSmoother
    from app.settings import SmoothingSettings

    smoother = LabelSmoother(LABELS, SmoothingSettings(ema=1.0, min_dwell_s=0.5))
    smoother.update(np.array([0.02, 0.98], np.float32), 0.0)
    assert smoother.label == UNDECIDED and smoother.pending == "wave"
    smoother.update(np.array([0.02, 0.98], np.float32), 0.6)
    assert smoother.label == "wave" and smoother.pending == ""


def test_before_the_first_decision_nothing_is_claimed_but_the_leaning_is_said():
    # A clip that opens on a confident wave used to read "unknown" for the dwell.
    probs = np.array([0.02, 0.98], np.float32)
    leaning = headline(Result(2, 2 / 30, UNDECIDED, 0.98, probs, probs, LABELS, pending="wave"))
    assert (leaning.text, leaning.detail, leaning.label) == ("deciding…", "confirming wave 98%", UNDECIDED)
    assert leaning.quiet and leaning.giving_way_to == "wave"
    # Leaning towards "unknown" is not "confirming unknown".
    probs = np.array([0.55, 0.45], np.float32)
    unsure = headline(Result(2, 2 / 30, UNDECIDED, 0.55, probs, probs, LABELS, pending=UNKNOWN))
    assert unsure.detail == "none of the known actions so far (top: idle 55%)" and unsure.giving_way_to == ""
