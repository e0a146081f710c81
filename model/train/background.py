"""Embeddings of the background class, saved with the bundle for training on top of it.

`actionlens train --from BUNDLE` freezes the bundle's per-frame encoder and trains a
new temporal head on cached embeddings. A user rarely records "nothing of mine"
clips, so the bundle carries embedding sequences of the motion it was taught to
call unknown; the new head learns its background class from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model.config import ModelConfig

BACKGROUND_FILE = "background_embeddings.npz"


def background_embeddings(classifier, config: ModelConfig, clips: Sequence[tuple[object, np.ndarray]],
                          max_windows: int = 512, seed: int = 1) -> np.ndarray | None:
    """Per-frame encoder embeddings of background windows.

    Args:
        classifier: a split-able classifier (cnn_lstm, renet).
        config: its config; `background_label` names the clips to use.
        clips: (record, uint8 frames (t, size, size, c)) pairs; only the background ones are used.
        max_windows: at most this many windows, drawn evenly from every background clip.
        seed: which windows, when there are more than `max_windows`.

    Returns:
        float16 (n, t, embed_dim): t = frames - 1 with motion pairs, else frames; None when
        the config has no background class, no clip of it is long enough, or the
        classifier cannot be split.
    """
    from model.data.loading import to_model_input
    from model.data.windows import eval_windows
    from model.nets.networks import split_classifier

    parts = split_classifier(classifier)
    if not config.background_label or parts is None:
        return None
    encoder, _ = parts
    windows = [eval_windows(c, config.frames, max(1, config.frames // 2))
               for r, c in clips if r.label == config.background_label and len(c) >= config.frames]
    if not windows:
        return None
    x = np.concatenate(windows)
    if len(x) > max_windows:
        x = x[np.sort(np.random.default_rng(seed).choice(len(x), max_windows, replace=False))]
    frames = to_model_input(x)  # (n, T, h, w, c)
    if config.motion:
        # The encoder's motion input: each frame with its change from the one before.
        frames = np.concatenate([frames[:, 1:], frames[:, 1:] - frames[:, :-1]], axis=-1)
    n, t = frames.shape[:2]
    flat = frames.reshape(n * t, *frames.shape[2:])
    emb = np.concatenate([np.asarray(encoder.predict_on_batch(flat[i : i + 256]))
                          for i in range(0, len(flat), 256)])
    return emb.reshape(n, t, -1).astype(np.float16)


def save_background(bundle_dir: str | Path, embeddings: np.ndarray | None) -> Path | None:
    """Writes `embeddings` (n, t, embed_dim) into the bundle as `BACKGROUND_FILE`."""
    if embeddings is None:
        return None
    path = Path(bundle_dir) / BACKGROUND_FILE
    np.savez_compressed(path, embeddings=embeddings)
    return path
