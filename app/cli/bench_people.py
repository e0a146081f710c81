"""`actionlens bench --people N`: a clip of N real people side by side, made at run time.

Nothing new ships for it: the clip is cut from real footage in ../shared/data
(the checkout's neighbour, or `--people-data DIR`) with OpenCV, each person in
their own column, and written to a folder the caller owns (a temporary one).
The people are different people doing actions the default model knows: two ud810
people (P1 waving one hand, P2 raising both arms in front, the pair the
several-people tests use) and KARD's people waving both hands. Every column is
4:3 at `COLUMN_HEIGHT` rows (both sources are 4:3), so no one is stretched.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from model.errors import DatasetError

# ../shared/data beside the checkout: where the developers' machines and CI keep the real clips.
DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
# One person per entry, in the order they join: the clips played one after another.
PEOPLE = (
    tuple(f"actions/ud810/wave_one_hand/PS7A2P1T{t}.avi" for t in (1, 2, 3)),
    tuple(f"actions/ud810/front_arm_raise/PS7A3P2T{t}.avi" for t in (1, 2, 3)),
    *(tuple(f"extra/kard/kard_a03_s{s:02d}_e{e:02d}.mp4" for e in (1, 2, 3)) for s in (3, 4, 5, 6)),
)
# 300 rows: three people are 1200x300, about as many pixels as 1080p's third, and 300
# held frames (10 s) cost what the 640x480 demo clip's do; BlazePose crops each person anyway.
COLUMN_HEIGHT = 300
COLUMN_WIDTH = COLUMN_HEIGHT * 4 // 3
CLIP_FPS = 30.0
MAX_FRAMES = 300


def people_clip(n: int, folder: str | Path, data: str | Path | None = None,
                max_frames: int = MAX_FRAMES) -> Path:
    """Writes a clip of `n` real people side by side.

    Each column plays its person's clips in turn and starts them again when they end;
    the clip is as long as the longest person's, at most `max_frames`.

    Args:
        n: people in view, 1 to `len(PEOPLE)`.
        folder: where to write `people_N.avi` (MJPG, `CLIP_FPS`).
        data: the folder holding actions/ and extra/ (default: `DEFAULT_DATA`).
        max_frames: the most frames written.

    Returns:
        The clip's path; its frames are (COLUMN_HEIGHT, n * COLUMN_WIDTH, 3).

    Raises:
        DatasetError: `n` is out of range, or a clip is missing or unreadable (one line
            naming it and `--people-data`).
    """
    if not 1 <= n <= len(PEOPLE):
        raise DatasetError(f"`--people` must be 1 to {len(PEOPLE)} (the real people this bench can put "
                           f"side by side). Received: --people {n}")
    root = Path(data) if data is not None else DEFAULT_DATA
    columns = [_person_frames(root, clips) for clips in PEOPLE[:n]]
    length = min(max_frames, max(len(c) for c in columns))
    path = Path(folder) / f"people_{n}.avi"
    # A missing folder would otherwise read as OpenCV lacking its MJPG writer.
    path.parent.mkdir(parents=True, exist_ok=True)
    size = (n * COLUMN_WIDTH, COLUMN_HEIGHT)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), CLIP_FPS, size)
    if not writer.isOpened():
        raise DatasetError(f"Cannot write {path}: OpenCV has no MJPG writer here. Reinstall opencv-python-headless.")
    try:
        for k in range(length):
            writer.write(np.hstack([column[k % len(column)] for column in columns]))
    finally:
        writer.release()
    return path


def _person_frames(root: Path, clips: tuple[str, ...]) -> list[np.ndarray]:
    frames: list[np.ndarray] = []
    for rel in clips:
        path = root / rel
        if not path.is_file():
            raise DatasetError(f"bench --people: {path} is missing (real footage makes its clip). "
                               "Pass --people-data DIR, the folder holding actions/ and extra/ (../shared/data).")
        cap = cv2.VideoCapture(str(path))
        try:
            while len(frames) < MAX_FRAMES:
                ok, image = cap.read()
                if not ok or image is None:
                    break
                frames.append(cv2.resize(image, (COLUMN_WIDTH, COLUMN_HEIGHT), interpolation=cv2.INTER_AREA))
        finally:
            cap.release()
    if not frames:
        raise DatasetError(f"bench --people: no frame could be read from {root / clips[0]}. "
                           "Check --people-data.")
    return frames
