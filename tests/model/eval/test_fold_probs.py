"""Fold probabilities kept beside a bundle come back exactly, and a wrong file is one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.config import ModelConfig
from model.data.manifests import ClipRecord
from model.errors import DatasetError
from model.eval.fold_probs import load_fold_probs, save_fold_probs
from model.eval.open_set import calibrate, open_set_report


def fold(source: str, labels: tuple[str, ...], seed: int):
    rng = np.random.default_rng(seed)
    records = [ClipRecord(Path(f"{source}/{i}.avi"), lab, f"{source}-g{i}", source)
               for i, lab in enumerate(("wave", "boxing", "other"))]
    ids = np.repeat(np.arange(len(records)), 3)
    probs = rng.dirichlet(np.ones(len(labels)), size=len(ids)).astype(np.float32)
    return probs, ids, records, ModelConfig(labels=labels, background_label="other")


def test_round_trip_keeps_probabilities_records_and_each_folds_labels(tmp_path):
    folds = [fold("a", ("idle", "wave", "other"), 0), fold("b", ("idle", "wave", "jump", "other"), 1)]
    sources, back = load_fold_probs(save_fold_probs(tmp_path / "p.npz", ["a", "b"], folds))
    assert sources == ["a", "b"]
    for (p, ids, recs, cfg), (p2, ids2, recs2, cfg2) in zip(folds, back, strict=True):
        np.testing.assert_array_equal(p, p2)
        np.testing.assert_array_equal(ids, ids2)
        assert recs2 == recs
        assert cfg2.labels == cfg.labels and cfg2.background_label == "other"
        assert open_set_report(p2, ids2, recs2, cfg2, 0.5) == open_set_report(p, ids, recs, cfg, 0.5)
    assert calibrate(back) == calibrate(folds)
    assert not list(tmp_path.glob("*.tmp*"))


@pytest.mark.parametrize("content", [None, b"", b"not an npz", b"PK\x03\x04 a broken zip", "npz without meta",
                                     "npy", "meta without arrays", "rows", "columns", "ids", "nan"])
def test_a_missing_or_foreign_file_is_a_one_line_error(tmp_path, content):
    path = tmp_path / "loso_probs.npz"
    if content == "npz without meta":
        np.savez(path, probs_0=np.zeros((1, 2)))
    elif content == "npy":
        with open(path, "wb") as f:
            np.save(f, np.zeros(3))
    elif content == "meta without arrays":
        good = save_fold_probs(tmp_path / "good.npz", ["a"], [fold("a", ("idle", "wave", "other"), 0)])
        with np.load(good) as data:
            np.savez(path, meta=data["meta"])
    elif content in ("rows", "columns", "ids", "nan"):
        probs, ids, records, config = fold("a", ("idle", "wave", "other"), 0)
        probs, ids = {"rows": (probs[:-1], ids), "columns": (probs[:, :2], ids),
                      "ids": (probs, ids + 5), "nan": (probs * np.nan, ids)}[content]
        save_fold_probs(path, ["a"], [(probs, ids, records, config)])
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(DatasetError, match="train --loso") as err:
        load_fold_probs(path)
    assert "\n" not in str(err.value)
