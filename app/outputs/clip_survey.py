"""What a collected dataset holds, and what it lacks before it can teach a model.

Read from the files' headers only (frame count and rate), so surveying a folder of
fifty clips costs milliseconds and can run after every recorded clip.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2

from model.data.manifests import find_videos
from model.train.transfer_data import MIN_CLIPS


@dataclass(frozen=True)
class LabelSurvey:
    """The clips of one label.

    Attributes:
        label: the class folder's name.
        clips: videos in it.
        short: how many are shorter than one model window (0 when no window is known).
    """

    label: str
    clips: int
    short: int = 0


def clip_seconds(path: str | Path) -> float | None:
    """The clip's length from its header, or None when the header does not say."""
    cap = cv2.VideoCapture(str(path))
    try:
        frames, fps = cap.get(cv2.CAP_PROP_FRAME_COUNT), cap.get(cv2.CAP_PROP_FPS)
    finally:
        cap.release()
    return frames / fps if frames > 0 and fps > 0 else None


def survey(dataset_dir: str | Path, window_s: float | None = None) -> list[LabelSurvey]:
    """Clips per label folder (sorted), counting those shorter than `window_s` seconds."""
    root = Path(dataset_dir)
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        videos = find_videos(folder)
        short = 0
        if window_s:
            lengths = [clip_seconds(v) for v in videos]
            short = sum(1 for s in lengths if s is not None and s < window_s)
        out.append(LabelSurvey(folder.name, len(videos), short))
    return out


def advice(labels: list[LabelSurvey], window_s: float | None = None) -> list[str]:
    """One line per thing to fix before training: too few clips, clips too short, one class.

    Args:
        labels: from `survey`.
        window_s: the model window in seconds, for the message.

    Returns:
        Lines for the user, empty when the dataset looks ready.
    """
    lines = []
    with_clips = [s for s in labels if s.clips]
    if len(with_clips) < 2:
        lines.append("Record clips of at least 2 classes (a \"nothing\" class counts).")
    for s in labels:
        if s.clips < MIN_CLIPS:
            lines.append(f"{s.label}: {s.clips} clip{'s' if s.clips != 1 else ''}; record at least {MIN_CLIPS}.")
        if s.short:
            lines.append(f"{s.label}: {s.short} clip{'s are' if s.short != 1 else ' is'} shorter than one "
                         f"model window ({window_s:.1f} s) and cannot teach it.")
    return lines
