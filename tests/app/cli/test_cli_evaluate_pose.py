"""`actionlens evaluate` on a pose bundle: the closed-set figures, the confusion PNG and the
next frame, as for a pixel bundle, on real BlazePose over cuts of the demo clip's person."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.cli_helpers import run
from tests.engine_fixtures import pose_bundle_fixture  # noqa: F401
from tests.model.pose.conftest import DEMO_CLIP, pose_paths  # noqa: F401

pytestmark = pytest.mark.slow

NEXT_FRAME_KEYS = {"mse", "psnr", "ssim", "mse_copy_last", "psnr_copy_last", "ssim_copy_last", "pairs"}


def _write(path: Path, frames: list[np.ndarray], fps: float = 29.97) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    for frame in frames:
        writer.write(frame)
    writer.release()


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """The demo's person at rest (idle) and waving (wave, twice); an empty room labelled wave,
    where BlazePose finds nobody; and a `jump` clip, a label the model does not know."""
    cap = cv2.VideoCapture(str(DEMO_CLIP))
    demo = []
    while len(demo) < 140:
        ok, img = cap.read()
        assert ok, f"{DEMO_CLIP} has fewer than 140 frames"
        demo.append(img)
    cap.release()
    empty = [np.full_like(demo[0], 90) for _ in range(40)]
    rows = [("idle/rest.avi", "idle", demo[:40]), ("wave/a.avi", "wave", demo[60:100]),
            ("wave/b.avi", "wave", demo[100:140]), ("wave/empty.avi", "wave", empty),
            ("jump/j.avi", "jump", demo[70:110])]
    root = tmp_path_factory.mktemp("pose_data")
    with (root / "manifest.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["path", "label", "group", "dataset"])
        for rel, label, frames in rows:
            _write(root / rel, frames)
            out.writerow([rel, label, "ud810-P2", "demo"])
    return root


def test_a_pose_bundle_gets_the_closed_set_figures_and_the_next_frame(pose_bundle, pose_paths,  # noqa: F811
                                                                        data, tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIONLENS_POSE_DIR", str(pose_paths["detector"].parent))
    report_path, plots = tmp_path / "r.json", tmp_path / "plots"
    code, out, err = run("evaluate", "--model", pose_bundle, "--data", data, "--json", report_path,
                         "--plots", plots, "--stride", "2", "--cache", tmp_path / "cache")
    assert code == 0, err
    report = json.loads(report_path.read_text())
    assert report["labels"] == ["idle", "wave", "other"]
    cm = np.asarray(report["confusion"])
    # Rows are true labels over the clips of the model's labels; `jump` is left to the open set.
    assert cm.sum(axis=1).tolist() == [1, 3, 0]
    assert [row["label"] for row in report["clips"]].count("jump") == 0
    assert report["clip_accuracy"] == pytest.approx(np.trace(cm) / cm.sum())
    assert [report["per_class"][k]["support"] for k in ("idle", "wave", "other")] == [1, 3, 0]
    # Nobody in view: every window is the background class, as the app shows `no person`.
    empty = next(row for row in report["clips"] if row["path"].endswith("empty.avi"))
    assert (empty["predicted"], empty["window_accuracy"], empty["confidence"]) == ("other", 0.0, 1.0)
    # The closed and the open set score the same windows.
    open_rows = {row["path"]: row for row in report["open_set"]["clips"]}
    assert report["windows"] == sum(open_rows[row["path"]]["windows"] for row in report["clips"])
    assert np.asarray(report["window_confusion"]).sum() == report["windows"]
    assert open_rows[str(data / "jump" / "j.avi")]["false_alarm_rate"] is not None
    nf = report["next_frame"]
    assert NEXT_FRAME_KEYS <= set(nf) and nf["pairs"] > 0
    assert all(np.isfinite(nf[k]) for k in NEXT_FRAME_KEYS)
    assert cv2.imread(str(plots / "confusion.png")) is not None
    assert "Confusion matrix (rows: true, columns: predicted)" in out and "Clip accuracy:" in out
    gain = nf["psnr"] - nf["psnr_copy_last"]
    assert f"gain {gain:+.2f} dB" in out
