"""Moving MNIST: the idx3 reader and the bouncing-digits protocol, on synthetic digits."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from model.data.moving_mnist import load_mnist_images, moving_mnist, random_trajectories
from model.errors import DatasetError
from tests.paths import SHARED_DATA

MNIST = (
    SHARED_DATA / "mnist" / "t10k-images-idx3-ubyte.gz"
)


def _write_idx3(path: Path, images: np.ndarray, magic: int = 2051) -> Path:
    n, h, w = images.shape
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">IIII", magic, n, h, w) + images.astype(np.uint8).tobytes())
    return path


def _square(value: int) -> np.ndarray:
    return np.full((1, 28, 28), value, np.uint8)


def test_idx3_reader_round_trips_and_rejects_other_files(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    np.testing.assert_array_equal(
        load_mnist_images(_write_idx3(tmp_path / "ok.gz", images)), images
    )
    with pytest.raises(DatasetError, match="not an idx3 image file.*labels"):
        load_mnist_images(_write_idx3(tmp_path / "labels.gz", images, magic=2049))
    with pytest.raises(DatasetError, match="not found"):
        load_mnist_images(tmp_path / "missing.gz")


def test_sequences_have_the_standard_shape_and_stay_in_frame():
    digits = np.random.default_rng(1).integers(0, 256, (10, 28, 28), dtype=np.uint8)
    seqs = moving_mnist(digits, 3, rng=np.random.default_rng(0))
    assert seqs.shape == (3, 20, 64, 64) and seqs.dtype == np.uint8
    # Two whole digits are drawn in every frame: at least one digit's worth of ink, never lost at an edge.
    assert all(
        np.count_nonzero(f) >= np.count_nonzero(digits.min(axis=0))
        for f in seqs.reshape(-1, 64, 64)
    )


def test_a_digit_moves_smoothly_and_bounces_off_the_edges():
    seqs = moving_mnist(_square(255), 4, seq_len=60, num_digits=1, rng=np.random.default_rng(3))
    traj = random_trajectories(4, 60, 1, np.random.default_rng(3))[:, :, 0]
    for seq, path in zip(seqs, traj, strict=True):
        ys, xs = [], []
        for frame in seq:
            rows, cols = np.nonzero(frame)
            assert rows.max() - rows.min() == 27 and cols.max() - cols.min() == 27
            ys.append(rows.min())
            xs.append(cols.min())
        pos = np.stack([ys, xs], axis=1)
        np.testing.assert_array_equal(pos, (path * 36).astype(int))
        # 0.1 of the 36 px canvas per frame: at most 3.6 px per axis, plus 1 for truncation.
        assert np.abs(np.diff(pos, axis=0)).max() <= 4
    # In 60 frames at 3.6 px per frame every digit meets a wall and turns back.
    direction = np.sign(np.diff(traj, axis=1))
    assert np.all(np.any(direction[:, 1:] * direction[:, :-1] < 0, axis=(1, 2)))
    assert traj.min() >= 0.0 and traj.max() <= 1.0 and np.isin(traj, [0.0, 1.0]).any()


def test_overlapping_digits_combine_with_max():
    digits = np.concatenate([_square(100), _square(200)])
    seqs = moving_mnist(digits, 20, seq_len=10, num_digits=2, rng=np.random.default_rng(0))
    values = set(np.unique(seqs).tolist())
    assert values <= {0, 100, 200}
    # A 200 digit always shows whole, whatever lies under it or is drawn after it.
    bright = (seqs == 200).sum(axis=(2, 3))
    assert np.all((bright == 0) | (bright >= 28 * 28))
    # ... and the digits did overlap somewhere, so the rule was exercised.
    assert (np.count_nonzero(seqs, axis=(2, 3)) < 2 * 28 * 28).any()


@pytest.mark.shared
@pytest.mark.skipif(not MNIST.is_file(), reason="needs ../shared/data/mnist (not in a fresh clone)")
def test_real_mnist_test_digits_load():
    images = load_mnist_images(MNIST)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8 and images.max() == 255
