"""The real BlazePose models for the pose tests: fetched once (as `.ci/run` does), else skipped."""

from __future__ import annotations

import pytest

from tests.paths import REPO


@pytest.fixture(scope="session")
def pose_paths():
    """{"detector", "landmarker"} paths of the cached, hash-checked models."""
    from model.pose.fetch import PoseModelsMissing, fetch_pose_models

    try:
        return fetch_pose_models()
    except PoseModelsMissing as err:
        pytest.skip(f"BlazePose models unavailable ({err})")


@pytest.fixture
def pose_tracker(pose_paths):
    from model.pose.tracker import PoseTracker

    return PoseTracker.from_files(pose_paths)


DEMO_CLIP = REPO / "assets" / "demo.mp4"
