"""Moving MNIST, the classic next-frame prediction benchmark (Srivastava et al. 2015).

The protocol, as in the paper's generator: each of `num_digits` digits (28 x 28)
starts at a uniform random position in [0, 1)^2 of the canvas (the frame side
minus 28) and moves with speed `step_length` (0.1 canvas per frame, 3.6 px in
a 64 px frame) in a uniform random direction. Each frame the position
advances first; a coordinate that crosses 0 or 1 is clamped there and its
velocity flips, so digits bounce off the edges. Positions are then scaled to
pixels and truncated to integers. Overlapping digits combine with max.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from model.errors import DatasetError

_IDX3_MAGIC = 2051
DIGIT_SIZE = 28


def load_mnist_images(path_gz: str | Path) -> np.ndarray:
    """Reads MNIST images from a gzipped idx3 file (e.g. t10k-images-idx3-ubyte.gz).

    Args:
        path_gz: the .gz file.

    Returns:
        uint8 array of shape (n, 28, 28).

    Raises:
        DatasetError: the file is missing or is not an idx3 image file.
    """
    path = Path(path_gz)
    if not path.is_file():
        raise DatasetError(
            f"MNIST file not found: {path}. Pass t10k-images-idx3-ubyte.gz or train-images-idx3-ubyte.gz."
        )
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        raise DatasetError(
            f"Cannot read {path} as gzip ({e}); pass the .gz file as downloaded."
        ) from e
    if len(data) < 16:
        raise DatasetError(f"{path} is too short for an idx3 header; the file is damaged.")
    magic, n, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != _IDX3_MAGIC:
        raise DatasetError(
            f"{path} is not an idx3 image file (magic {magic}, expected {_IDX3_MAGIC}); "
            "labels files (idx1) are the common mix-up."
        )
    if len(data) != 16 + n * rows * cols:
        raise DatasetError(
            f"{path} holds {len(data) - 16} pixel bytes, expected {n * rows * cols}; the file is damaged."
        )
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows, cols)


def random_trajectories(
    n: int,
    seq_len: int,
    num_digits: int,
    rng: np.random.Generator,
    step_length: float = 0.1,
) -> np.ndarray:
    """Bouncing positions in the unit square, by the protocol in the module docstring.

    Args:
        n: sequences.
        seq_len: frames per sequence.
        num_digits: digits per sequence.
        rng: the source of randomness.
        step_length: distance moved per frame, as a fraction of the canvas.

    Returns:
        float64 array of shape (n, seq_len, num_digits, 2): (y, x) in [0, 1].
    """
    pos = rng.random((n, num_digits, 2))
    theta = rng.random((n, num_digits)) * 2 * np.pi
    vel = np.stack([np.sin(theta), np.cos(theta)], axis=-1)
    out = np.empty((n, seq_len, num_digits, 2))
    for t in range(seq_len):
        pos = pos + vel * step_length
        low, high = pos <= 0.0, pos >= 1.0
        vel = np.where(low | high, -vel, vel)
        pos = np.clip(pos, 0.0, 1.0)
        out[:, t] = pos
    return out


def moving_mnist(
    digits: np.ndarray,
    n_sequences: int,
    seq_len: int = 20,
    size: int = 64,
    num_digits: int = 2,
    rng: np.random.Generator | None = None,
    step_length: float = 0.1,
) -> np.ndarray:
    """Makes Moving MNIST sequences.

    Args:
        digits: uint8 digit images (n, 28, 28) to draw from (uniformly, with replacement).
        n_sequences: sequences to make.
        seq_len: frames per sequence (20 in the standard benchmark).
        size: frame side in pixels (64 in the standard benchmark).
        num_digits: digits per sequence (2 in the standard benchmark).
        rng: the source of randomness; None seeds from the OS.
        step_length: distance moved per frame, as a fraction of (size - 28).

    Returns:
        uint8 array of shape (n_sequences, seq_len, size, size).
    """
    digits = np.asarray(digits)
    if digits.ndim != 3 or len(digits) == 0:
        raise ValueError(
            f"`digits` must have shape (n, h, w) with n >= 1. Received: digits.shape={digits.shape}"
        )
    dh, dw = digits.shape[1:]
    if size < max(dh, dw):
        raise ValueError(
            f"`size` must be at least the digit size {max(dh, dw)}. Received: size={size}"
        )
    rng = rng if rng is not None else np.random.default_rng()
    traj = random_trajectories(n_sequences, seq_len, num_digits, rng, step_length)
    tops = (traj[..., 0] * (size - dh)).astype(np.int64)
    lefts = (traj[..., 1] * (size - dw)).astype(np.int64)
    picks = rng.integers(0, len(digits), (n_sequences, num_digits))
    out = np.zeros((n_sequences, seq_len, size, size), np.uint8)
    for s in range(n_sequences):
        for d in range(num_digits):
            digit = digits[picks[s, d]].astype(np.uint8)
            for t in range(seq_len):
                y, x = tops[s, t, d], lefts[s, t, d]
                patch = out[s, t, y : y + dh, x : x + dw]
                np.maximum(patch, digit, out=patch)
    return out
