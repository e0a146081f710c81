"""`actionlens train --from`: a taught bundle, an honest estimate, plain progress, one-line errors."""

from __future__ import annotations

import json

import pytest

from app.cli.main import build_parser
from app.paths import DEFAULT_MODEL
from model.bundle import load_bundle
from tests.cli_helpers import run, user_error
from tests.transfer_helpers import make_tiny_base
from tests.video_fixtures import make_class_tree, make_motion_dataset, write_motion_clip

QUICK = ["--head-epochs", "3"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from model.nets.predictor import build_predictor
    from tests.transfer_helpers import TINY_BASE

    folder = make_tiny_base(tmp_path_factory.mktemp("base") / "bundle")
    build_predictor(TINY_BASE).save(folder / "predictor.keras")  # taught bundles take the base's
    return folder


@pytest.fixture(scope="module")
def taught(tmp_path_factory, base):
    """up, down and right by two people (g1, g2), two clips each, taught on the tiny base."""
    tmp = tmp_path_factory.mktemp("taught")
    data = make_motion_dataset(tmp / "data", clips_per_group=2)
    code, out, err = run("train", "--data", data, "--out", tmp / "new", "--from", base, "--cache",
                         tmp / "cache", "--holdout-groups", "g2", *QUICK)
    assert code == 0, err
    return {"out": out, "err": err, "bundle": tmp / "new", "data": data, "cache": tmp / "cache",
            "metrics": json.loads((tmp / "new" / "metrics.json").read_text())}


def test_from_defaults_to_the_shipped_bundle():
    args = build_parser().parse_args(["train", "--data", "d", "--out", "o", "--from"])
    assert args.from_bundle == str(DEFAULT_MODEL)
    assert build_parser().parse_args(["train", "--data", "d", "--out", "o"]).from_bundle is None


def test_taught_bundle_loads_with_the_new_labels_and_the_base_input(taught, base):
    bundle = load_bundle(taught["bundle"])
    assert bundle.config.labels == ("idle", "down", "right", "up")
    old = load_bundle(base).config
    assert (bundle.config.size, bundle.config.frames, bundle.config.fps, bundle.config.motion) == \
        (old.size, old.frames, old.fps, old.motion)
    assert "wrote" in taught["out"] and "taught down (2), right (2), up (2)" in taught["out"]
    # The base's predictor comes along, and the LiteRT files cover it: no conversion on first load.
    from model.lite.files import complete, current_parts

    parts = current_parts(taught["bundle"], taught["bundle"])
    assert "predictor" in parts and complete(parts, taught["bundle"])


def test_estimate_and_holdout_are_in_metrics_and_card(taught):
    m = taught["metrics"]
    est = m["estimate"]
    # g2 is held out for the holdout figure; g1's six clips are each their own session here.
    assert est["clips"] == 6 and est["method"] == "leave-one-clip-out"
    assert sum(r["clips"] for r in est["per_class"].values()) == 6
    assert m["holdout"]["clips"] and len(m["holdout"]["clips"]) == 6
    assert m["taught"]["counts"] == {"down": 2, "right": 2, "up": 2}
    card = (taught["bundle"] / "MODEL_CARD.md").read_text()
    assert "## Taught on your clips" in card and "Estimated accuracy on a new clip" in card
    assert "expect less for other people or rooms" in card


def test_progress_is_one_plain_line_per_epoch(taught):
    err = taught["err"]
    assert "\r" not in err and "\x1b" not in err and "\r" not in taught["out"]
    epochs = [line for line in err.splitlines() if line.startswith("training head: epoch")]
    assert [line.split()[3].rstrip(":") for line in epochs] == ["1/3", "2/3", "3/3"]


def test_json_progress_for_the_gui(taught, base, tmp_path):
    code, out, err = run("train", "--data", taught["data"], "--out", tmp_path / "b", "--from", base,
                         "--cache", taught["cache"], "--progress", "json", "--no-estimate", *QUICK)
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    stages = [e["stage"] for e in events]
    assert stages[0] == "loading" and "embedding" in stages and "estimating" not in stages
    assert events[-1]["stage"] == "done" and events[-1]["bundle"] == str(tmp_path / "b")
    assert events[-1]["counts"] == {"down": 4, "right": 4, "up": 4}


def test_nothing_clips_train_the_background_class(base, tmp_path):
    data = make_class_tree(tmp_path / "d", {"wave": ["a.avi", "b.avi"], "nothing": ["c.avi", "d.avi"]})
    code, _, err = run("train", "--data", data, "--out", tmp_path / "b", "--from", base, *QUICK,
                       "--cache", tmp_path / "cache")
    assert code == 0, err
    config = load_bundle(tmp_path / "b").config
    assert config.labels == ("idle", "wave", "other") and config.background_label == "other"
    assert (tmp_path / "b" / "background_embeddings.npz").is_file()
    assert "Only 2 clips of `wave`" in err


def test_bad_from_folder_is_one_line(tmp_path, taught):
    code, _, err = run("train", "--data", taught["data"], "--out", tmp_path / "b", "--from", tmp_path / "nope")
    assert "no such model folder" in user_error(code, err)


def test_negative_views_are_one_line(taught, base, tmp_path):
    code, _, err = run("train", "--data", taught["data"], "--out", tmp_path / "b", "--from", base, "--views", "-1")
    assert "`--views` must be 0 or more. Received: -1" in user_error(code, err)
    assert not (tmp_path / "b").exists()


def test_clips_shorter_than_a_window_are_one_line(base, tmp_path):
    for label in ("up", "right"):
        write_motion_clip(tmp_path / "d" / label / "a.avi", label, n_frames=6)  # 0.24 s: 2 frames at 10 fps
    code, _, err = run("train", "--data", tmp_path / "d", "--out", tmp_path / "b", "--from", base,
                       "--cache", tmp_path / "cache")
    line = user_error(code, err)
    assert "is as long as one model window" in line and "Record longer clips" in line


def test_one_class_is_one_line(base, tmp_path):
    write_motion_clip(tmp_path / "d" / "up" / "a.avi", "up")
    code, _, err = run("train", "--data", tmp_path / "d", "--out", tmp_path / "b", "--from", base)
    assert "Only one class" in user_error(code, err)


def test_a_base_without_encoder_is_one_line(taught, tmp_path):
    convlstm = make_tiny_base(tmp_path / "c", arch="convlstm")
    code, _, err = run("train", "--data", taught["data"], "--out", tmp_path / "b", "--from", convlstm)
    assert "no per-frame encoder to reuse" in user_error(code, err)
