"""Evaluation figures, checked against a fake classifier whose every answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.config import ModelConfig
from model.data.manifests import ClipRecord
from model.errors import DatasetError
from model.eval.evaluate import (
    closed_set_report,
    evaluate_classifier,
    evaluate_predictor,
    label_indices,
    next_frame_pairs,
    predict_windows,
)

CONFIG = ModelConfig(labels=("idle", "a", "b", "c"), frames=4, min_frames=2, max_frames=8, size=16)


class BrightnessClassifier:
    """Calls a window class min(mean grey // 50, 3), with probability 0.7 (0.1 for the others)."""

    output = type("Out", (), {"shape": (None, 4)})()

    def __init__(self, frame_wise: bool = False):
        self.frame_wise = frame_wise
        self.calls = 0

    def predict_on_batch(self, x):
        self.calls += 1
        k = np.minimum((np.asarray(x).mean(axis=(1, 2, 3, 4)) * 255 // 50).astype(int), 3)
        probs = np.full((len(x), 4), 0.1)
        probs[np.arange(len(x)), k] = 0.7
        # A frame-wise model answers per time step; only the last step counts.
        return np.repeat(probs[:, None], 3, axis=1) if self.frame_wise else probs


def _clip(values) -> np.ndarray:
    return np.stack([np.full((16, 16, 1), v, np.uint8) for v in values])


def _clips():
    """Four clips with known outcomes at stride 2 (see the expected figures in the tests)."""
    rows = [
        ("a", [60] * 10),  # 4 windows, all `a`: right
        ("a", [110] * 7),  # 2 windows, all `b`: wrong
        ("b", [110] * 6 + [160] * 4),  # 4 windows: 3 `b`, the last `c`; the clip is `b`: right
        ("c", [10] * 3),  # shorter than T: 1 looped window, `idle`: wrong
    ]
    return [(ClipRecord(Path(f"clip{i}.avi"), label, f"p{i % 2}", "toy"), _clip(v))
            for i, (label, v) in enumerate(rows)]


def test_label_indices_maps_to_model_outputs_and_names_unknown_labels():
    records = [ClipRecord(Path("x.avi"), "b", "p"), ClipRecord(Path("y.avi"), "idle", "p")]
    assert label_indices(records, CONFIG).tolist() == [2, 0]
    with pytest.raises(DatasetError, match=r"\['jump'\] are not among the model's labels"):
        label_indices([*records, ClipRecord(Path("z.avi"), "jump", "p")], CONFIG)


def test_clip_and_window_figures_match_a_hand_count():
    report = evaluate_classifier(BrightnessClassifier(), CONFIG, _clips(), stride=2)
    assert report["labels"] == ["idle", "a", "b", "c"]
    assert report["windows"] == 11
    # Rows are true labels, columns predicted, over clips.
    assert report["confusion"] == [[0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0], [1, 0, 0, 0]]
    assert report["clip_accuracy"] == pytest.approx(0.5)
    assert report["window_accuracy"] == pytest.approx(7 / 11)
    cm = np.asarray(report["confusion"])
    assert report["clip_accuracy"] == pytest.approx(np.trace(cm) / cm.sum())
    assert np.asarray(report["window_confusion"]).sum() == 11
    assert report["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert report["per_class"]["b"]["precision"] == pytest.approx(0.5)
    assert report["per_class"]["idle"]["support"] == 0
    rows = report["clips"]
    assert [r["predicted"] for r in rows] == ["a", "b", "b", "idle"]
    assert [r["window_accuracy"] for r in rows] == [1.0, 0.0, 0.75, 0.0]
    assert rows[2]["confidence"] == pytest.approx(0.55)
    assert rows[0] == {**rows[0], "path": "clip0.avi", "group": "p0", "dataset": "toy", "label": "a"}


def test_data_with_a_subset_of_the_labels_still_gets_the_full_matrix():
    only_a = [c for c in _clips() if c[0].label == "a"]
    report = evaluate_classifier(BrightnessClassifier(), CONFIG, only_a, stride=2)
    cm = np.asarray(report["confusion"])
    assert cm.shape == (4, 4)
    assert cm.sum(axis=1).tolist() == [0, 2, 0, 0]


def test_closed_set_report_leaves_out_clips_of_labels_the_model_does_not_know():
    # As a pose bundle's windows come: one array over every clip, some of a label the model lacks.
    records = [ClipRecord(Path(f"{i}.avi"), label, "p", "toy") for i, label in enumerate(("a", "jump", "b"))]
    probs = np.array([[0.1, 0.6, 0.2, 0.1], [0.1, 0.2, 0.6, 0.1],  # clip 0 (a): a, b; mean a
                      [0.1, 0.1, 0.1, 0.7],  # clip 1 (jump): not scored here
                      [0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.1, 0.1, 0.6, 0.2]])  # clip 2 (b): b
    report = closed_set_report(probs, np.array([0, 0, 1, 2, 2, 2]), records, CONFIG)
    assert report["windows"] == 5
    assert [r["path"] for r in report["clips"]] == ["0.avi", "2.avi"]
    assert [r["predicted"] for r in report["clips"]] == ["a", "b"]
    assert report["confusion"] == [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    assert report["window_confusion"] == [[0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 2, 0], [0, 0, 0, 0]]
    assert report["window_accuracy"] == pytest.approx(3 / 5) and report["clip_accuracy"] == 1.0
    assert [r["window_accuracy"] for r in report["clips"]] == [0.5, pytest.approx(2 / 3, abs=1e-4)]


def test_closed_set_report_of_window_probabilities_is_evaluate_classifiers():
    from model.data.pipeline import make_eval_windows

    clips = _clips()
    x, _, ids = make_eval_windows([(c, r.label) for r, c in clips], CONFIG, stride=2)
    probs = predict_windows(BrightnessClassifier(), x)
    direct = closed_set_report(probs, ids, [r for r, _ in clips], CONFIG)
    assert direct == evaluate_classifier(BrightnessClassifier(), CONFIG, clips, stride=2)
    nothing = closed_set_report(probs[:0], ids[:0], [r for r, _ in clips], CONFIG)
    assert nothing["windows"] == 0 and nothing["clips"] == [] and np.sum(nothing["confusion"]) == 0


def test_frame_wise_models_and_batching_give_the_same_answer():
    x = np.random.default_rng(0).random((7, 4, 16, 16, 1), dtype=np.float32)
    whole = predict_windows(BrightnessClassifier(), x, batch=32)
    fake = BrightnessClassifier(frame_wise=True)
    np.testing.assert_array_equal(predict_windows(fake, x, batch=3), whole)
    assert fake.calls == 3
    assert predict_windows(fake, x[:0]).shape == (0, 4)


def test_a_real_classifier_gives_probabilities_per_clip(tiny_config):
    from model.nets.networks import build_classifier

    config = tiny_config.replace(frames=4, min_frames=2)
    rng = np.random.default_rng(1)
    clips = [(ClipRecord(Path(f"{i}.avi"), label, "p"), rng.integers(0, 256, (6, 16, 16, 1), np.uint8))
             for i, label in enumerate(("wave", "walk"))]
    report = evaluate_classifier(build_classifier(config), config, clips, stride=1)
    assert report["windows"] == 6
    assert all(0.0 <= r["confidence"] <= 1.0 for r in report["clips"])
    assert np.asarray(report["confusion"]).sum() == 2


def test_next_frame_pairs_cut_context_and_target_and_average_colour():
    ramp = np.stack([np.full((16, 16, 3), 10 * i, np.uint8) for i in range(10)])
    x, y = next_frame_pairs([ramp], context=4, stride=2)
    assert x.shape == (3, 4, 16, 16, 1) and y.shape == (3, 16, 16, 1)
    np.testing.assert_allclose(x[1, :, 0, 0, 0] * 255, [20, 30, 40, 50], atol=1e-4)
    np.testing.assert_allclose(y[:, 0, 0, 0] * 255, [40, 60, 80], atol=1e-4)
    with pytest.raises(DatasetError, match="4 context frames"):
        next_frame_pairs([ramp[:4]], context=4)


class _Extrapolate:
    """Predicts last + (last - previous): exact on a linear ramp."""

    def predict_on_batch(self, x):
        return np.clip(2 * x[:, -1] - x[:, -2], 0, 1)


class _CopyLast:
    def predict_on_batch(self, x):
        return x[:, -1]


def test_predictor_scores_are_compared_with_copying_the_last_frame():
    ramp = np.stack([np.full((16, 16, 1), 10 * i, np.uint8) for i in range(12)])
    pairs = next_frame_pairs([ramp], context=4, stride=1)
    copy = evaluate_predictor(_CopyLast(), *pairs, batch=3)
    assert copy["pairs"] == 8
    assert copy["mse"] == pytest.approx(copy["mse_copy_last"])
    assert copy["psnr"] == pytest.approx(copy["psnr_copy_last"])
    exact = evaluate_predictor(_Extrapolate(), *pairs)
    assert exact["mse"] == pytest.approx(0.0, abs=1e-10)
    assert exact["mse_copy_last"] == pytest.approx((10 / 255) ** 2, rel=1e-4)
    assert exact["ssim"] == pytest.approx(1.0)
    assert exact["ssim_copy_last"] < 1.0


def test_predictor_report_stays_finite_on_a_still_scene():
    import json

    from model.eval.evaluate import PSNR_CAP_DB, evaluate_predictor

    class CopyLast:
        def predict_on_batch(self, x):
            return x[:, -1]

    still = np.full((3, 4, 16, 16, 1), 0.5, np.float32)  # every frame identical
    report = evaluate_predictor(CopyLast(), still, still[:, -1])
    assert report["psnr"] == report["psnr_copy_last"] == PSNR_CAP_DB
    json.loads(json.dumps(report, allow_nan=False))  # strict JSON: no Infinity
