"""The engine under faults: a camera lost mid-stream (said, reconnected), and a model bundle
deleted or broken on disk while loaded (the loaded model keeps running)."""

from __future__ import annotations

import shutil

from app.capture.paced_camera import PacedCamera
from app.capture.sources import FALLBACK_FPS
from tests.engine_fixtures import Events, make_frames, write_clip


class FlakyCameras:
    """A factory: the first camera fails after `frames` reads (the cable pulled), the next
    `closed` opens fail (still unplugged), then a camera that works (plugged back in)."""

    def __init__(self, frames: int = 10, closed: int = 2) -> None:
        self.frames, self.closed, self.made = frames, closed, []

    def __call__(self, source):
        n = len(self.made)
        if n == 0:
            camera = PacedCamera(make_frames(5), fps=FALLBACK_FPS, limit=self.frames)
        else:
            camera = PacedCamera(make_frames(5), fps=FALLBACK_FPS)
            if n <= self.closed:
                camera.release()  # isOpened() is False: not back yet
        self.made.append(camera)
        return camera


def test_a_camera_lost_mid_stream_is_said_and_reconnected(make_engine):
    engine = make_engine()
    events = Events(engine)
    cameras = FlakyCameras(frames=10, closed=2)
    engine.open_source(0, factory=cameras)
    assert events.wait(lambda e: any("reconnected" in line for line in e.named("error_raised")))
    notices = events.named("error_raised")
    assert notices[0].startswith("camera 0: lost; reconnecting")
    assert notices[1].startswith("camera 0: reconnected after")
    seen = events.mark()
    assert events.wait(lambda e: len(e.frames) >= seen + 10)  # the picture goes on
    assert events.named("source_ended") == []
    assert len(cameras.made) == 4


def test_a_camera_that_stays_away_ends_with_a_reason(make_engine):
    engine = make_engine()
    events = Events(engine)
    engine.open_source(0, factory=FlakyCameras(frames=5, closed=10_000))
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    (reason,) = events.named("source_ended")
    assert reason.startswith("camera 0: stopped sending frames and did not come back within 5 s")
    assert events.named("error_raised")[0].startswith("camera 0: lost; reconnecting")


def test_bundle_deleted_while_loaded_keeps_the_model_running(make_engine, tiny_bundle, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, bundle)
    engine = make_engine()
    events = Events(engine)
    engine.load_model(bundle)
    assert engine.wait_until_loaded(timeout=60), events.named("model_failed")
    info = engine.model_info
    engine.open_source(str(write_clip(tmp_path / "clip.avi", 30, fps=30.0)), realtime=False, loop=True)
    assert events.wait(lambda e: any(r is not None for _, r in e.frames), timeout=30)

    shutil.rmtree(bundle)
    seen = events.mark()
    assert events.wait(lambda e: sum(r is not None for _, r in e.frames[seen:]) >= 10, timeout=30)

    engine.load_model(bundle)  # a reload of the deleted folder
    assert events.wait(lambda e: e.named("model_failed"), timeout=60)
    (line,) = events.named("model_failed")
    assert "\n" not in line and str(bundle) in line
    assert line.endswith(f"The model loaded before ({bundle}) keeps running.")
    assert engine.model_info is info
    seen = events.mark()
    assert events.wait(lambda e: sum(r is not None for _, r in e.frames[seen:]) >= 10, timeout=30)


def test_bundle_replaced_by_a_broken_one_keeps_the_model_running(make_engine, tiny_bundle, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, bundle)
    engine = make_engine()
    events = Events(engine)
    engine.load_model(bundle)
    assert engine.wait_until_loaded(timeout=60), events.named("model_failed")
    (bundle / "classifier.keras").write_bytes(b"half a file")  # a copy that stopped midway
    engine.load_model(bundle)
    assert events.wait(lambda e: e.named("model_failed"), timeout=60)
    (line,) = events.named("model_failed")
    assert "\n" not in line and "keeps running" in line
    engine.open_source(str(write_clip(tmp_path / "clip.avi", 30, fps=30.0)), realtime=False)
    assert events.wait(lambda e: e.named("source_ended"), timeout=30)
    assert sum(r is not None for _, r in events.frames) > 0
