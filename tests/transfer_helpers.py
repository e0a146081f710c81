"""A tiny base bundle to teach new classes on, shared by the model, CLI and GUI tests.

Untrained on purpose: `train --from` must work mechanically on any bundle with a
per-frame encoder, and random convolutions still tell a square moving up from
one moving right well enough for a head to learn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.config import ModelConfig

# 16 px, 4-frame windows at 10 fps (0.4 s), motion pairs: 3 embeddings per window.
TINY_BASE = ModelConfig(labels=("idle", "wave", "walk"), frames=4, min_frames=2, max_frames=16, size=16,
                        embed_dim=8, lstm_units=8, predictor_filters=4, motion=True)


def make_tiny_base(folder: str | Path, *, background: bool = False, arch: str = "cnn_lstm",
                   seed: int = 0) -> Path:
    """Writes a tiny untrained bundle; with `background`, an "other" class and its embeddings.

    Returns:
        The bundle folder.
    """
    from model.bundle import save_bundle
    from model.nets.networks import build_classifier
    from model.train.background import save_background
    from model.train.classifier import set_seed

    set_seed(seed)
    config = TINY_BASE.replace(arch=arch)
    if background:
        config = config.replace(labels=(*config.labels, "other"), background_label="other")
    folder = Path(folder)
    save_bundle(folder, config, build_classifier(config))
    if background:
        rng = np.random.default_rng(seed)
        save_background(folder, rng.normal(0, 1, (12, config.frames - 1, config.embed_dim)).astype(np.float16))
    return folder
