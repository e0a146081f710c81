"""A scrolling plot of class probabilities over the last seconds, with stable segments below.

The legend is a row of its own above the plot, so no curve runs through it; it names
the background class "unknown", as the bars do, and gives the grey `no person` bar its entry.
"""

from __future__ import annotations

import os
from collections import deque

import numpy as np

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PyQt6")
import pyqtgraph as pg  # noqa: E402 (the binding must be chosen first)
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget  # noqa: E402

from app.qt.widgets.colors import QUIET, class_color, is_quiet  # noqa: E402
from app.results import NO_PERSON, UNKNOWN, Result  # noqa: E402

# Segment bars sit below the probability axis, in this band of y.
_SEG_Y0, _SEG_H = -0.16, 0.1
# A jump larger than this (a seek forward, a stalled camera) starts a fresh trace.
_MAX_GAP_S = 1.0


def stable_segments(times: np.ndarray, labels: list[str], idle_label: str = "idle") -> list[tuple[float, float, str]]:
    """Runs of one label, without idle and unknown stretches.

    Args:
        times: source times, shape (n,), non-decreasing.
        labels: the stable label at each time, length n.
        idle_label: a label that marks nothing happening.

    Returns:
        (start, end, label) for each run, in time order; a run ends where the next starts.
    """
    out: list[tuple[float, float, str]] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            if not is_quiet(labels[start], idle_label):
                end = times[i] if i < len(labels) else times[i - 1]
                out.append((float(times[start]), float(end), labels[start]))
            start = i
    return out


class Timeline(QWidget):
    """The last `span_s` seconds of smoothed probabilities, one curve per class.

    Args:
        span_s: seconds of history shown.
        parent: the parent widget.
    """

    def __init__(self, span_s: float = 10.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.span_s = span_s
        self._times: deque[float] = deque()
        self._probs: deque[np.ndarray] = deque()
        self._labels_at: deque[str] = deque()
        self._labels: tuple[str, ...] = ()
        self._idle_label = "idle"
        self._curves: list[pg.PlotDataItem] = []
        self._dirty = False
        self._plot = pg.PlotWidget(background=None)
        self._plot.setMenuEnabled(False)
        self._plot.setMouseEnabled(x=False, y=False)
        self._plot.hideButtons()
        self._plot.setYRange(_SEG_Y0 - 0.02, 1.08, padding=0)
        self._plot.getAxis("left").setTicks([[(0, "0"), (0.5, "0.5"), (1, "1")]])
        self._plot.setLabel("bottom", "source time", units="s")
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend_entries: list[str] = []  # the names in the legend, in its order
        self._segments = pg.BarGraphItem(x0=[], y0=[], width=[], height=[], pen=None)
        self._plot.addItem(self._segments)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addWidget(self._plot)
        self.setMinimumHeight(150)

    def set_labels(self, labels: tuple[str, ...], idle_label: str = "idle", background_label: str = "") -> None:
        """Creates one coloured curve per class and the legend; clears the history.

        Args:
            labels: class names in model order.
            idle_label: the idle class (grey).
            background_label: the class for motion that is none of the actions, shown as "unknown".
        """
        for curve in self._curves:
            self._plot.removeItem(curve)
        self._labels, self._idle_label = tuple(labels), idle_label
        self._curves = []
        entries = []
        for label in self._labels:
            color = class_color(self._labels, label, idle_label)
            self._curves.append(self._plot.plot([], [], pen=pg.mkPen(color, width=2)))
            entries.append((UNKNOWN if label and label == background_label else label, color))
        entries.append((NO_PERSON, QUIET))  # its grey bar under the plot
        self.legend_entries = [name for name, _ in entries]
        self.legend.setText("&nbsp;&nbsp; ".join(
            f"<span style='color:{color.name()}'>&#9632;</span>&nbsp;{name}" for name, color in entries))
        self.clear()

    def clear(self) -> None:
        """Forgets the history (a new source, or a seek)."""
        self._times.clear()
        self._probs.clear()
        self._labels_at.clear()
        self._dirty = True

    def add_results(self, results: list[Result]) -> None:
        """Appends results in arrival order; a jump in source time restarts the trace."""
        for r in results:
            t = float(r.source_time)
            if self._times and not (self._times[-1] <= t <= self._times[-1] + _MAX_GAP_S):
                self.clear()
            if len(r.probs) != len(self._labels):
                continue  # results from before a model change
            self._times.append(t)
            self._probs.append(np.asarray(r.probs, np.float32))
            self._labels_at.append(r.label)
        while self._times and self._times[-1] - self._times[0] > self.span_s:
            self._times.popleft()
            self._probs.popleft()
            self._labels_at.popleft()
        self._dirty = self._dirty or bool(results)

    @property
    def point_count(self) -> int:
        """Results currently plotted."""
        return len(self._times)

    def refresh(self) -> None:
        """Redraws if anything changed since the last call (call at most ~15 times a second)."""
        if not self._dirty:
            return
        self._dirty = False
        times = np.fromiter(self._times, np.float64, len(self._times))
        probs = np.stack(self._probs) if self._probs else np.zeros((0, len(self._curves)), np.float32)
        for i, curve in enumerate(self._curves):
            curve.setData(times, probs[:, i])
        segs = stable_segments(times, list(self._labels_at), self._idle_label)
        brushes = [class_color(self._labels, label, self._idle_label) for _, _, label in segs]
        self._segments.setOpts(
            x0=[s for s, _, _ in segs], width=[max(e - s, 1e-3) for s, e, _ in segs],
            y0=[_SEG_Y0] * len(segs), height=[_SEG_H] * len(segs),
            brushes=brushes,
        )
        end = times[-1] if len(times) else self.span_s
        self._plot.setXRange(max(0.0, end - self.span_s), max(end, self.span_s), padding=0)
