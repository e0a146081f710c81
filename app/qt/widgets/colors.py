"""One colour per class, shared by the label, the bars and the timeline."""

from __future__ import annotations

from PyQt6.QtGui import QColor

from app.results import UNDECIDED, UNKNOWN

# Tableau 10: distinct for common colour-blindness and readable on dark and light.
_PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)
QUIET = QColor("#9a9a9a")  # idle, unknown and "no prediction yet" share one muted grey


def class_color(labels: tuple[str, ...] | list[str], label: str, idle_label: str = "idle") -> QColor:
    """The colour of `label` among `labels`.

    Args:
        labels: class names in model output order (the colour follows the index).
        label: the class to colour.
        idle_label: drawn in the muted grey, like "unknown".

    Returns:
        A QColor; grey for the idle label, "unknown" and unknown labels.
    """
    if label in (UNKNOWN, idle_label) or label not in labels:
        return QColor(QUIET)
    return QColor(_PALETTE[list(labels).index(label) % len(_PALETTE)])


def is_quiet(label: str, idle_label: str = "idle") -> bool:
    """Whether `label` means "nothing to report" (idle, unknown, or no decision yet)."""
    return label in (UNKNOWN, UNDECIDED, idle_label)
