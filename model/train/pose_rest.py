"""People at rest: frames standing still, windows of one held, and windows that teach nothing.

A person standing in any room is `idle`, not the clip's action and not "other" motion.
KARD's whole clips begin and end so; held-still windows are made from such real frames,
so a frozen picture or a person breathing is idle too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.config import ModelConfig
from model.pose.features import (
    FEATURE_DIM,
    LEFT_FOREARM,
    LEFT_UPPER_ARM,
    NUM_BONES,
    PRESENCE_INDEX,
    RIGHT_FOREARM,
    RIGHT_UPPER_ARM,
    TORSO,
    split_features,
)

# A window needs a person in at least half its steps to teach an action; fewer is "no person".
MIN_PRESENT = 0.5
# An action clip's window with the person at rest in more of its steps than this teaches nothing.
MAX_REST = 0.75
# The world torso's upward component above which a person stands: people standing measure
# 0.87 to 0.99 (BlazePose leans them back a little), a bow towards the camera 0.06 at its depth.
UPRIGHT_WORLD = 0.75
# Chance of each bone being unseen in a held-still idle window (hands or hips lost at the frame's edge).
IDLE_DROP_BONE = 0.25


def present_share(windows: np.ndarray) -> np.ndarray:
    """(n, T, F) windows -> (n,) share of steps with a person in view."""
    return windows[..., PRESENCE_INDEX].mean(-1)


def at_rest(features: np.ndarray, unseen_arms: bool = False) -> np.ndarray:
    """(n, FEATURE_DIM) -> (n,) bool: a person upright with both arms hanging down.

    Only such frames make held-still idle windows: a bend or an arm raise held still
    is the middle of an action, and as `idle` it would teach the model to miss them.

    Args:
        features: (n, FEATURE_DIM) frames.
        unseen_arms: an arm bone BlazePose does not see counts as hanging down (no
            evidence of a raise), as for a frozen picture whose forearms it lost.
    """
    flat, world = split_features(features)
    down = flat[..., 1]  # picture y grows downwards: +1 is a bone pointing straight down
    arms = [LEFT_UPPER_ARM, LEFT_FOREARM, RIGHT_UPPER_ARM, RIGHT_FOREARM]
    # A torso the frame cuts off (hips out of view, as in a webcam close-up) counts as upright.
    cut_off = np.abs(flat[:, TORSO]).sum(-1) == 0
    # A bow towards the camera leaves the picture's torso pointing up (only shorter); the
    # world torso, which leans into depth, tells it from standing (KARD's bends).
    upright = (down[:, TORSO] < -0.85) & (world[:, TORSO, 1] < -UPRIGHT_WORLD) | cut_off
    hanging = down[:, arms] > 0.5
    if unseen_arms:
        hanging |= np.abs(flat[:, arms]).sum(-1) == 0
    return (features[:, PRESENCE_INDEX] > 0) & upright & hanging.all(-1)


def rest_share(windows: np.ndarray) -> np.ndarray:
    """(n, T, F) windows -> (n,) share of steps with the person at rest (`at_rest`)."""
    n, t, f = windows.shape
    return at_rest(windows.reshape(n * t, f)).reshape(n, t).mean(-1) if n else np.zeros(0)


def idle_windows(features: Sequence[np.ndarray], config: ModelConfig, count: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Windows of a person standing still: one real frame at rest held, breathing-size jitter.

    Args:
        features: clips' features, each (t, FEATURE_DIM), from `plain_features`.
        config: the window length.
        count: windows to make.
        rng: random source.

    Returns:
        float32 (count, T, FEATURE_DIM).
    """
    frames = [f for x in features if len(x) for f in x[at_rest(x, unseen_arms=True)]]
    # A frozen picture whose hands or hips BlazePose loses (a webcam's first frame, hands at the
    # frame's edge) is as still as any: without the dropped bones it read as `other` for as long
    # as it was held.
    return held_windows(frames, config, count, rng, IDLE_DROP_BONE)


def held_windows(frames: Sequence[np.ndarray], config: ModelConfig, count: int, rng: np.random.Generator,
                 drop_bone: float = 0.0) -> np.ndarray:
    """Windows of one real frame held still, from none to a little jitter: (count, T, FEATURE_DIM).

    Args:
        frames: candidate frames, each (FEATURE_DIM,); one is drawn per window.
        config: the window length.
        count: windows to make.
        rng: random source.
        drop_bone: chance of each bone being unseen in a window.
    """
    if not len(frames) or count <= 0:
        return np.zeros((0, config.frames, FEATURE_DIM), np.float32)
    pick = np.stack([frames[i] for i in rng.integers(0, len(frames), count)])
    drop = rng.random((count, NUM_BONES)) < drop_bone
    pick[:, : NUM_BONES * 2] *= ~np.repeat(drop, 2, axis=1)
    pick[:, NUM_BONES * 2 : NUM_BONES * 5] *= ~np.repeat(drop, 3, axis=1)
    out = np.repeat(pick[:, None, :], config.frames, axis=1)
    # From none (a paused or frozen picture) to a little (a person breathing, tracking jitter).
    noise = (rng.normal(0, 1, out.shape) * rng.uniform(0, 0.015, (count, 1, 1))).astype(np.float32)
    noise[..., PRESENCE_INDEX] = 0
    return out + noise * (out != 0)
