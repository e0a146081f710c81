"""`actionlens train --features pose` and `train --from` a pose bundle, on real frames of a real person.

The demo clip (assets/demo.mp4) holds three real trials of one person; cut into
short clips they make a tiny dataset of three actions in any fresh clone.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from model.bundle import load_bundle
from model.pose.features import FEATURE_DIM, FEATURE_VERSION
from tests.cli_helpers import run, user_error
from tests.engine_fixtures import pose_bundle_fixture  # noqa: F401
from tests.model.pose.conftest import DEMO_CLIP, pose_paths  # noqa: F401
from tests.video_fixtures import read_video

pytestmark = pytest.mark.slow

# (label, first frame, end) of the demo clip's three trials; each follows 60 frames of its first held.
_TRIALS = (("wave", 60, 121), ("side", 181, 246), ("front", 306, 391))


@pytest.fixture(scope="module")
def demo_classes(tmp_path_factory):
    """Class folders with two clips per action, cut from the demo clip."""
    root = tmp_path_factory.mktemp("demo_classes")
    frames = read_video(DEMO_CLIP)
    for label, start, end in _TRIALS:
        (root / label).mkdir()
        half = (start + end) // 2
        for k, (a, b) in enumerate(((start - 15, half + 10), (half - 10, end + 15))):
            writer = cv2.VideoWriter(str(root / label / f"{label}_{k}.avi"), cv2.VideoWriter_fourcc(*"MJPG"),
                                     29.97, (320, 240))
            for img in frames[a:b]:
                writer.write(img)
            writer.release()
    return root


@pytest.fixture
def pose_env(pose_paths, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("ACTIONLENS_POSE_DIR", str(pose_paths["detector"].parent))
    monkeypatch.setenv("ACTIONLENS_CACHE", str(tmp_path / "cache"))


def test_train_pose_from_scratch_saves_a_loadable_bundle(demo_classes, pose_env, tmp_path):
    out = tmp_path / "pose_model"
    code, stdout, err = run("train", "--features", "pose", "--data", demo_classes, "--out", out,
                            "--epochs", 2, "--views", 2, "--frames", 8)
    assert code == 0, err
    bundle = load_bundle(out)
    assert bundle.config.uses_pose and set(bundle.labels) == {"idle", "wave", "side", "front"}
    assert bundle.classifier.input.shape[-1] == FEATURE_DIM and bundle.config.pose_version == FEATURE_VERSION
    assert "BlazePose" in (out / "MODEL_CARD.md").read_text()
    assert "wrote" in stdout


def test_a_two_rate_pose_bundle_with_a_short_head_trains_and_runs_in_the_app(demo_classes, pose_env, tmp_path):
    out = tmp_path / "two_rates"
    code, stdout, err = run("train", "--features", "pose", "--data", demo_classes, "--out", out, "--epochs", 1,
                            "--views", 1, "--frames", 16, "--decide-from", 8, "--fast-frames", 8,
                            "--short-head-frames", 12, "--progress", "json")
    assert code == 0, err
    # Progress counts both heads' epochs, one after the other, and never goes back.
    training = [(e["done"], e["total"]) for e in map(json.loads, stdout.strip().splitlines())
                if e.get("stage") == "training"]
    assert training == [(1, 2), (2, 2)]
    bundle = load_bundle(out)
    assert (bundle.config.frames, bundle.config.first_window, bundle.config.fast_frames,
            bundle.config.short_head_frames) == (16, 8, 8, 12)
    head = bundle.classifier.get_layer("temporal_head")
    long, short = head.get_layer("long_head"), head.get_layer("short_head")
    assert {"lstm", "lstm_slow"} <= {layer.name for layer in long.layers}
    assert "lstm_slow" not in {layer.name for layer in short.layers}
    card = (out / "MODEL_CARD.md").read_text()
    assert "one on the last 8 steps at 10 fps and one on the whole window at 5 fps" in card
    assert "LSTM(64) on the last 12 steps at 10 fps -> softmax); the app shows the mean of the two heads'" in card
    clip = next((demo_classes / "side").glob("*.avi"))
    events = tmp_path / "events.jsonl"
    code, _, err = run("run", "--source", clip, "--model", out, "--fast", "--events", events)
    assert code == 0, err
    # "" while the buffer fills; then one of the bundle's states on every frame.
    labels = {json.loads(line)["label"] for line in events.read_text().splitlines()} - {""}
    assert labels and labels <= {*bundle.labels, "unknown", "no person"}, labels


@pytest.mark.parametrize("fixed", [None, 0.73])
def test_group_folds_hold_every_person_out_once_and_set_the_threshold(demo_classes, pose_env, tmp_path, fixed):
    out = tmp_path / "pose_model"
    code, _, err = run("train", "--features", "pose", "--data", demo_classes, "--out", out,
                       "--epochs", 2, "--views", 2, "--frames", 8, "--group-folds", 2,
                       "--holdout-groups", "front_1", *(["--unknown-below", fixed] if fixed else []))
    assert code == 0, err
    metrics = json.loads((out / "metrics.json").read_text())
    folds = metrics["group_folds"]
    assert folds["k"] == 2 and folds["calibrated_here"] == (fixed is None) and "loso" not in metrics
    if fixed:
        # Scored at the threshold given, and the card says where it came from.
        assert folds["threshold"] == fixed and folds["set_by_option"]
        assert "set by `--unknown-below`" in (out / "MODEL_CARD.md").read_text()
        assert "as --unknown-below says" in err
        return
    # A held-out group is out of all training, the folds too (they estimate the model trained
    # without it). Every other clip is held out exactly once: scored on screen, or listed apart
    # when its fold kept no other clip of its action to learn from.
    assert metrics["clips"] == 5 and metrics["holdout_groups"] == ["front_1"]
    held = [clip["path"] for clip in folds["on_screen_clips"]]
    apart = folds["unlearnt_clips"]
    assert sorted(held + [c["path"] for c in apart]) == sorted(
        p.name for p in demo_classes.rglob("*.avi") if p.stem != "front_1")
    by_fold = {}
    for clip in folds["on_screen_clips"] + apart:
        by_fold.setdefault(clip["fold"], []).append(clip)
    for clip in apart:
        others = [c for fold, clips in by_fold.items() if fold != clip["fold"] for c in clips]
        assert clip["label"] not in {c["label"] for c in others}, clip
    for clip in folds["on_screen_clips"]:
        others = [c for fold, clips in by_fold.items() if fold != clip["fold"] for c in clips]
        assert clip["label"] in {c["label"] for c in others}, clip
    assert load_bundle(out).config.unknown_below == folds["threshold"]
    assert "## Across people (group 2-fold over all sources)" in (out / "MODEL_CARD.md").read_text()
    assert "calibrated on the group folds" in err


def test_train_from_a_pose_bundle_keeps_unknown(demo_classes, pose_env, pose_bundle, tmp_path,  # noqa: F811
                                               monkeypatch):
    import model.train.pose_train as pose_train

    fit, weights = pose_train.fit_pose_classifier, []

    def spy(clips, config, settings, **kw):
        weights.append(settings.background_weight)
        return fit(clips, config, settings, **kw)

    monkeypatch.setattr(pose_train, "fit_pose_classifier", spy)
    base = tmp_path / "base"
    base.mkdir()
    for name in ("classifier.keras", "config.json", "labels.json"):
        (base / name).write_bytes((pose_bundle / name).read_bytes())
    rng = np.random.default_rng(0)
    np.savez_compressed(base / "background_poses.npz", windows=rng.normal(size=(40, 6, FEATURE_DIM)).astype(np.float16))
    out = tmp_path / "taught"
    code, stdout, err = run("train", "--from", base, "--data", demo_classes, "--out", out, "--epochs", 2,
                            "--views", 2, "--progress", "json")
    assert code == 0, err
    done = json.loads(stdout.strip().splitlines()[-1])
    assert done["stage"] == "done" and done["counts"] == {"front": 2, "side": 2, "wave": 2}
    config = load_bundle(out).config
    assert config.background_label == "other" and "other" in config.labels
    assert (out / "background_poses.npz").is_file()
    # The base's background weighs as one class here, not as the several of the shipped model's own.
    from app.cli.train_pose import FROM_BACKGROUND_WEIGHT

    assert weights == [FROM_BACKGROUND_WEIGHT] and FROM_BACKGROUND_WEIGHT < pose_train.PoseTrainSettings().background_weight


def test_from_a_pose_bundle_without_kept_background_is_one_line(demo_classes, pose_env, pose_bundle, tmp_path):  # noqa: F811
    code, _, err = run("train", "--from", pose_bundle, "--data", demo_classes, "--out", tmp_path / "x")
    assert "background_poses.npz: missing" in user_error(code, err)


def test_from_a_gated_two_head_base_teaches_both_heads_and_keeps_its_gates(demo_classes, pose_env, tmp_path):
    from model.bundle import save_bundle
    from model.config import ModelConfig
    from model.nets.networks import build_classifier, split_classifier

    config = ModelConfig(labels=("idle", "jack", "other", "wave"), features="pose", frames=12, decide_from=8,
                         fast_frames=8, short_head_frames=8, background_label="other", embed_dim=8, lstm_units=8,
                         needs_legs=("jack",), needs_repeats=("wave",))
    base = tmp_path / "base"
    save_bundle(base, config, build_classifier(config), lite=False)
    windows = np.random.default_rng(0).normal(size=(40, 12, FEATURE_DIM)).astype(np.float16)
    np.savez_compressed(base / "background_poses.npz", windows=windows)
    out = tmp_path / "taught"
    code, _, err = run("train", "--from", base, "--data", demo_classes, "--out", out, "--epochs", 1, "--views", 1)
    assert code == 0, err
    taught = load_bundle(out)
    # The base's heads, the kept windows cut to the short head's 8 steps for it.
    assert (taught.config.fast_frames, taught.config.short_head_frames, taught.config.frames) == (8, 8, 12)
    assert {"front", "side", "wave", "other"} <= set(taught.labels)
    # The new data has waves and no jacks: the wave keeps its rule, the jack's goes with it.
    assert taught.config.needs_repeats == ("wave",) and taught.config.needs_legs == ()
    encoder, _ = split_classifier(taught.classifier)
    assert encoder.output.shape[-1] == 8 + 8 + 8  # each head's 8, then the arm bones (no legs number)
    x = np.random.default_rng(1).normal(size=(1, 12, FEATURE_DIM)).astype(np.float32)
    assert np.isclose(np.asarray(taught.classifier.predict_on_batch(x)).sum(), 1.0, atol=1e-4)
