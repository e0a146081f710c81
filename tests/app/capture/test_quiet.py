"""Tests for app/capture/quiet.py: OpenCV says nothing on stderr, from any thread, once the
capture code is imported; a developer's own OPENCV_LOG_LEVEL still wins."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.paths import REPO

OPENCV_LINE = re.compile(r"^\s*\[\s*(WARN|ERROR|INFO)", re.MULTILINE)

# Opens camera indices that do not exist, on a thread of its own as the GUI's probe does.
PROBE = """
import threading
from app.capture.sources import default_factory
import cv2

def probe():
    for index in (97, 98):
        default_factory(index).release()

thread = threading.Thread(target=probe)
thread.start()
thread.join()
print(cv2.utils.logging.getLogLevel())
"""


def _run(env_changes: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCV_")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)


def test_a_camera_probe_on_another_thread_prints_nothing():
    loud = _run({"OPENCV_LOG_LEVEL": "WARNING"})  # what a user saw before
    quiet = _run({})
    assert quiet.returncode == 0, quiet.stderr
    assert OPENCV_LINE.search(loud.stderr), "this OpenCV warns about missing cameras: " + loud.stderr
    assert not OPENCV_LINE.search(quiet.stderr), quiet.stderr
    assert int(quiet.stdout) == 0  # cv2.utils.logging.LOG_LEVEL_SILENT


def test_silence_leaves_a_developers_log_level_alone(monkeypatch):
    import cv2

    from app.capture.quiet import silence_opencv

    before = cv2.utils.logging.getLogLevel()
    monkeypatch.setenv("OPENCV_LOG_LEVEL", "DEBUG")
    try:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_WARNING)
        silence_opencv()
        assert cv2.utils.logging.getLogLevel() == cv2.utils.logging.LOG_LEVEL_WARNING
    finally:
        cv2.utils.logging.setLogLevel(before)
