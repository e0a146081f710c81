"""A pose model in the engine's processor and in `actionlens run`: real BlazePose on real frames.

`no person` end to end: a clip of an empty room, written here with OpenCV, through
`actionlens run --events`, says `no person` and never an action or `unknown`.
"""

from __future__ import annotations

import json
import time

import cv2
import numpy as np
import pytest

from app.frames import Frame
from app.results import NO_PERSON
from app.runtime.loader import build_processor
from app.settings import EngineSettings
from tests.cli_helpers import run
from tests.engine_fixtures import pose_bundle_fixture  # noqa: F401
from tests.model.pose.conftest import DEMO_CLIP, pose_paths  # noqa: F401

pytestmark = pytest.mark.slow


@pytest.fixture
def pose_cache(pose_paths, monkeypatch):  # noqa: F811
    monkeypatch.setenv("ACTIONLENS_POSE_DIR", str(pose_paths["detector"].parent))


def _empty_room(path, n=40, fps=10.0):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (320, 240))
    rng = np.random.default_rng(1)
    for k in range(n):
        frame = np.full((240, 320, 3), 110, np.uint8)
        cv2.rectangle(frame, (30, 130), (140, 210), (50, 70, 150), -1)
        cv2.circle(frame, (20 + 7 * k, 60 + int(20 * np.sin(k / 3))), 14, (220, 220, 220), -1)
        writer.write(np.clip(frame + rng.normal(0, 4, frame.shape), 0, 255).astype(np.uint8))
    writer.release()
    return path


def test_pose_results_carry_the_person_and_its_box(pose_bundle, pose_cache):
    processor, info, _ = build_processor(pose_bundle, EngineSettings())
    assert info["pose_runtime"] in ("LiteRT", "TensorFlow Lite")
    cap = cv2.VideoCapture(str(DEMO_CLIP))
    results = []
    for k in range(40):
        ok, img = cap.read()
        assert ok
        results.append(processor.process(Frame(img, k, k / 29.97, time.monotonic())))
    cap.release()
    done = [r for r in results if r is not None]
    assert done and all(r.pose is not None and r.label != NO_PERSON for r in done)
    line = done[-1].to_json(landmarks=True)
    x0, y0, x1, y1 = line["box"]
    assert 0 <= x0 < x1 <= 320 and 0 <= y0 < y1 <= 240
    assert len(line["landmarks"]) == 33 and "landmarks" not in done[-1].to_json()


def test_no_person_in_an_empty_room_end_to_end(pose_bundle, pose_cache, tmp_path):
    clip = _empty_room(tmp_path / "room.avi")
    events, out = tmp_path / "e.jsonl", tmp_path / "out.mp4"
    code, _, err = run("run", "--source", clip, "--model", pose_bundle, "--events", events,
                       "--out", out, "--skeleton", "--fast")
    assert code == 0, err
    labels = [json.loads(x)["label"] for x in events.read_text().splitlines()]
    assert labels and set(labels) == {NO_PERSON}
    assert out.stat().st_size > 0


def test_replaying_cached_poses_shows_what_the_app_shows(pose_bundle, pose_cache, pose_paths, tmp_path):  # noqa: F811
    # `train --loso` scores its folds on screen from cached poses; that must be the app's own answer.
    from app.runtime.replay import shown_labels, shown_labels_of_track
    from model.pose.track import track_clip

    processor, _, _ = build_processor(pose_bundle, EngineSettings(predictor_every=0))
    live = shown_labels(processor, DEMO_CLIP)
    track = track_clip(DEMO_CLIP, processor.pose_tracker, tmp_path)
    replayed = shown_labels_of_track(processor, track)
    assert len(live) == len(replayed) > 400
    assert live == replayed



def _person_walks_in(path, empty=60, shown=30):
    # `empty` frames of an empty grey room, then the demo clip's person: while the window still
    # holds mostly the empty room, the tracker already has the person in the newest frame.
    cap = cv2.VideoCapture(str(DEMO_CLIP))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames = []
    for _ in range(shown):
        ok, img = cap.read()
        assert ok
        frames.append(img)
    cap.release()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, frames[0].shape[1::-1])
    for img in [np.full_like(frames[0], 110)] * empty + frames:
        writer.write(img)
    writer.release()
    return path


def test_a_no_person_line_never_carries_a_box(pose_bundle, pose_cache, tmp_path):
    # Seen on street footage: `no person` lines with the box of a person the tracker held in that
    # frame, and the view drew the skeleton beside "nobody in view". One decision for both.
    clip = _person_walks_in(tmp_path / "walks_in.avi")
    events = tmp_path / "e.jsonl"
    code, _, err = run("run", "--source", clip, "--model", pose_bundle, "--events", events, "--landmarks")
    assert code == 0, err
    lines = [json.loads(x) for x in events.read_text().splitlines()]
    nobody = [line["frame"] for line in lines if line["label"] == NO_PERSON]
    # The person is in view from frame 60; the window says nobody for some frames after that,
    # which is where a box could leak.
    assert nobody and max(nobody) >= 65, nobody
    assert [line["frame"] for line in lines if line["label"] == NO_PERSON and ("box" in line or "landmarks" in line)] == []
    # Once the window holds the person, the lines carry the box again.
    assert any("box" in line for line in lines if line["label"] != NO_PERSON)
