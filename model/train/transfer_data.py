"""The data side of teaching new classes: which clips count, which labels, which background.

`model.train.transfer.teach` uses these before any training: clips shorter than
one model window are dropped with a line saying so, a user's "nothing" clips
become the background class, and the base bundle's stored background windows
(`model.train.background.BACKGROUND_FILE`) are read back at the new window length.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model.config import ModelConfig
from model.errors import DatasetError
from model.train.background import BACKGROUND_FILE

# A user's clips under this label are motion that is none of their actions: background.
NOTHING_LABEL = "nothing"
# Fewer clips of a class than this and the estimate is mostly luck; the user is told.
MIN_CLIPS = 3


def load_background(path: str | Path, steps: int) -> np.ndarray | None:
    """The base bundle's background windows as embeddings, cut to `steps`, or None.

    Args:
        path: the base bundle folder.
        steps: embeddings per training window (T - 1 with motion pairs).

    Returns:
        float32 (n, steps, embed_dim): the last `steps` of each stored window,
        shorter windows padded by repeating their first embedding; None when the
        bundle ships no `BACKGROUND_FILE`.
    """
    file = Path(path) / BACKGROUND_FILE
    if not file.is_file():
        return None
    from model.bundle import BundleError

    try:
        with np.load(file, allow_pickle=False) as data:
            emb = np.asarray(data["embeddings"], np.float32)
    except (OSError, ValueError, KeyError) as err:
        raise BundleError(f"{file}: not readable ({err}); expected array `embeddings` (n, t, embed_dim).") from None
    if emb.ndim != 3 or len(emb) == 0:
        raise BundleError(f"{file}: `embeddings` must be (n, t, embed_dim). Received: shape={emb.shape}")
    if emb.shape[1] < steps:
        pad = np.repeat(emb[:, :1], steps - emb.shape[1], axis=1)
        emb = np.concatenate([pad, emb], axis=1)
    return emb[:, -steps:]


def transfer_config(base: ModelConfig, actions: Sequence[str], background: str = "",
                    symmetric: Sequence[str] | None = None, idle: bool = True) -> ModelConfig:
    """The new bundle's config: the base's input and head sizes, the user's labels.

    Args:
        base: the base bundle's config.
        actions: the user's action labels.
        background: the background class's name, or "" for none.
        symmetric: labels safe to mirror; None means all.
        idle: keep the idle class.

    Returns:
        A `ModelConfig` with labels (idle, *sorted actions, background).
    """
    idle_label = (base.idle_label or "idle") if idle else ""
    named = [a for a in sorted(set(actions)) if a not in (idle_label, background)]
    labels = ([idle_label] if idle_label else []) + named + ([background] if background else [])
    if len(labels) < 2:
        raise DatasetError(
            f"Teaching new classes needs at least 2 labels to tell apart. Received: {labels}; "
            "record clips of at least one action (idle is added for you)."
        )
    symmetric = labels if symmetric is None else [s for s in labels if s in symmetric]
    return base.replace(labels=tuple(labels), symmetric_labels=tuple(symmetric),
                        idle_label=idle_label, background_label=background, extra={})




def usable_clips(clips: Sequence[tuple[object, np.ndarray]], config: ModelConfig, nothing: str):
    """Drops clips shorter than one window and renames "nothing" to the background class.

    Returns:
        (clips, warnings): (record, frames) pairs and one line per skipped clip or thin class.

    Raises:
        DatasetError: a class has no clip as long as a window, or fewer than 2 classes are left.
    """
    need = config.frames
    kept, warnings, lost = [], [], {}
    for record, frames in clips:
        if record.label == NOTHING_LABEL:
            record = dataclasses.replace(record, label=nothing)
        if len(frames) < need:
            warnings.append(f"Skipped {record.path}: {len(frames) / config.fps:.1f} s is shorter than one "
                            f"model window ({need / config.fps:.1f} s); record longer clips.")
            lost[record.label] = lost.get(record.label, 0) + 1
            continue
        kept.append((record, frames))
    counts: dict[str, int] = {}
    for record, _ in kept:
        counts[record.label] = counts.get(record.label, 0) + 1
    empty = sorted(set(lost) - set(counts))
    if empty:
        raise DatasetError(
            f"No clip of {', '.join(f'`{x}`' for x in empty)} is as long as one model window "
            f"({need} frames at {config.fps:g} fps = {need / config.fps:.1f} s). Record longer clips. "
            f"Received: {sum(lost.values())} clip(s) too short."
        )
    if len(counts) < 2:
        raise DatasetError(
            "Teaching new classes needs clips of at least 2 classes (a \"nothing\" class counts). "
            f"Received: {', '.join(counts) or 'no usable clip'}."
        )
    warnings += [f"Only {n} clip{'s' if n != 1 else ''} of `{label}`: record at least {MIN_CLIPS} "
                 "for a model (and an estimate) worth trusting." for label, n in sorted(counts.items())
                 if n < MIN_CLIPS]
    return kept, warnings
