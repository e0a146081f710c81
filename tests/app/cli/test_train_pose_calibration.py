"""The threshold is calibrated without the held-out groups, which take part in the folds only."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.cli.train_pose import _held_records
from model.data.manifests import ClipRecord
from model.train.pose_data import PoseClip


def test_calibration_records_leave_out_the_held_out_groups_windows():
    clips = [PoseClip(ClipRecord(Path(f"{g}.mp4"), "wave", g, "src"), g) for g in ("a", "p2", "b")]
    # One fold holding out all three; windows 0-1 are a's, 2-4 p2's, 5 b's.
    fold = {"ids": [0, 1, 2], "clip_ids": np.array([0, 0, 1, 1, 1, 2]),
            "probs": np.arange(12, dtype=np.float32).reshape(6, 2)}
    ((probs, clip_ids, records, _),) = _held_records(clips, "cfg", [fold], skip_groups={"p2"})
    assert [r.group for r in records] == ["a", "b"]
    assert clip_ids.tolist() == [0, 0, 1]
    np.testing.assert_array_equal(probs, fold["probs"][[0, 1, 5]])
    ((probs, clip_ids, records, _),) = _held_records(clips, "cfg", [fold])
    assert len(records) == 3 and clip_ids.tolist() == [0, 0, 1, 1, 1, 2] and len(probs) == 6
