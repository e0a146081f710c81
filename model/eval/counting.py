"""Counting error on clips whose repetitions were counted by eye, as RepNet reports it:
the mean absolute error, and how often the count is exactly right or off by at most one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from model.pose.features import track_features
from model.pose.repetitions import DEFAULT_REPETITIONS, RepetitionSettings, count_repetitions


def count_track(track, settings: RepetitionSettings = DEFAULT_REPETITIONS) -> int:
    """Repetitions in a whole clip's `PoseTrack` (the clip is one action segment)."""
    return count_repetitions(track_features(track.at_fps(settings.fps)), settings.fps, settings)


def count_clips(records: Sequence, tracker, cache_dir: str | Path | None,
                progress: Callable[[int, int, str], None] | None = None,
                settings: RepetitionSettings = DEFAULT_REPETITIONS) -> list[int]:
    """Counts each record's clip through its poses (from the pose cache when they are there).

    Args:
        records: `ClipRecord`s.
        tracker: a `model.pose.tracker.PoseTracker`, used for clips not in the cache.
        cache_dir: the clip cache folder (`model.pose.track.track_clip`).
        progress: called (k, n, file name) before each clip.
        settings: how to count.

    Returns:
        One count per record.
    """
    from model.pose.track import track_clip

    counts = []
    for k, record in enumerate(records, start=1):
        if progress is not None:
            progress(k, len(records), Path(record.path).name)
        counts.append(count_track(track_clip(record.path, tracker, cache_dir), settings))
    return counts


def counting_report(records: Sequence, predicted: Sequence[int]) -> dict:
    """The counting error of `predicted` against the records' `count`.

    Args:
        records: `ClipRecord`s with `count` set.
        predicted: the counter's count for each.

    Returns:
        {"clips", "mae", "exact", "within_one", "per_label": {label: same figures}, "rows": [...]}
        with the shares in [0, 1]; figures are None for no clips.
    """
    rows = [{"path": str(r.path), "label": r.label, "count": int(r.count), "counted": int(p),
             "error": int(p) - int(r.count)} for r, p in zip(records, predicted, strict=True)]
    report = {**_figures(rows), "rows": rows}
    report["per_label"] = {label: _figures([row for row in rows if row["label"] == label])
                           for label in sorted({row["label"] for row in rows})}
    return report


def _figures(rows: list[dict]) -> dict:
    if not rows:
        return {"clips": 0, "mae": None, "exact": None, "within_one": None}
    errors = np.abs([row["error"] for row in rows])
    return {"clips": len(rows), "mae": float(errors.mean()), "exact": float(np.mean(errors == 0)),
            "within_one": float(np.mean(errors <= 1))}


def format_counting(report: dict) -> str:
    """The report as lines of text: the overall figures, then one line per label."""
    if not report["clips"]:
        return "repetition counts: no clip has a count"

    def line(name: str, f: dict) -> str:
        return (f"  {name:<16} {f['clips']:>3} clips  mean abs error {f['mae']:.2f}  "
                f"exact {f['exact']:.0%}  off by at most one {f['within_one']:.0%}")

    out = ["repetition counts (clips counted by eye):", line("all", report)]
    out += [line(label, f) for label, f in report["per_label"].items()]
    return "\n".join(out)
