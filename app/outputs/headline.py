"""What the big label over the video says: one decision for the window and the annotated video."""

from __future__ import annotations

from dataclasses import dataclass

from app.results import NO_PERSON, UNDECIDED, UNKNOWN, Result, with_count


@dataclass(frozen=True)
class Headline:
    """The text drawn over the video.

    Attributes:
        text: the large line: the action with its repetitions so far ("jumping_jack ×8", from 1),
            "unknown", or a state such as "loading model…".
        detail: the small line under it: confidence, or why there is no label yet.
        label: the class being shown, or "" when `text` is a state.
        confidence: in [0, 1]; 0 when there is no label.
        quiet: draw muted (idle, unknown, a held label, or no prediction).
        giving_way_to: the class the smoother is about to switch to while `label` is
            held through its dwell, else "".
    """

    text: str
    detail: str
    label: str = ""
    confidence: float = 0.0
    quiet: bool = True
    giving_way_to: str = ""


def headline(result: Result | None, state: str = "", idle_label: str = "idle") -> Headline:
    """The headline for the frame on screen.

    Args:
        result: the result for exactly the frame on screen, or None.
        state: what to say when there is no result (e.g. "loading model…").
        idle_label: the model's "nothing happening" class, drawn muted.

    Returns:
        The `Headline` to draw.
    """
    if result is None:
        # "deciding…" as for a result that has not decided yet: one word for one state.
        return Headline(state or "deciding…", "" if state else "filling the first window")
    if result.label == NO_PERSON:
        return Headline(NO_PERSON, "nobody in view", NO_PERSON, 0.0, quiet=True)
    best, p = result.shown_top_k(1)[0] if len(result.labels) else ("", 0.0)
    if result.label in (UNDECIDED, UNKNOWN):
        # Before the first decision nothing is claimed; "unknown" claims none of the actions.
        text = "deciding…" if result.label == UNDECIDED else "unknown"
        if result.pending and result.pending != UNKNOWN:
            # Confident enough, and about to be shown once its dwell is over: "none of the known
            # actions (top: X 99%)" would contradict the label that follows a moment later.
            pct = f" {p:.0%}" if result.shown_name(result.pending) == best else ""
            return Headline(text, f"confirming {result.pending}{pct}", result.label,
                            float(result.confidence), giving_way_to=result.pending)
        # None of the known actions: the top class is shown as a fact, not as the answer.
        so_far = " so far" if result.label == UNDECIDED else ""
        top = f" (top: {best} {p:.0%})" if best not in ("", UNKNOWN) else ""
        return Headline(text, f"none of the known actions{so_far}{top}", result.label, float(result.confidence))
    if best not in ("", result.label):
        # The smoother holds the old label through the dwell of the next one; shown with its own
        # falling percentage alone ("front_arm_raise 1%", "idle 0%") it read as a confident mistake.
        return Headline(with_count(result.label, result.count),
                        f"{result.confidence:.0%}, giving way to {best} {p:.0%}", result.label,
                        float(result.confidence), quiet=True, giving_way_to=best)
    quiet = result.label == idle_label
    text = with_count(result.label, result.count)
    return Headline(text, f"{result.confidence:.0%}", result.label, float(result.confidence), quiet)
