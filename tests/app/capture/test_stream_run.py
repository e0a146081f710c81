"""`actionlens run` on a one-client MJPEG camera (tests/stream_fixtures.py), in a child process
as a user runs it: the recording plays as long as the camera sent, and a stream that is lost
and comes back leaves only the app's own lines on stderr, none of OpenCV's or FFmpeg's."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading

import av
import pytest

from tests.engine_fixtures import tiny_bundle_fixture, wait_for  # noqa: F401
from tests.paths import REPO
from tests.process_helpers import reaped
from tests.stream_fixtures import MjpegServer

pytestmark = pytest.mark.slow

# OpenCV's log lines ("[ WARN:3@2.281] global cap.cpp:212 open VIDEOIO(FFMPEG): ...") and
# FFmpeg's ("[http @ 0x55ef7dfcd180] Stream ends prematurely ...").
FOREIGN_LINE = re.compile(r"^\s*\[\s*(WARN|ERROR|INFO|DEBUG)|^\s*\[\w+ @ 0x[0-9a-f]+\]")
# Model load plus a few seconds of stream, on a loaded 2-core machine.
PATIENCE_S = 120.0


class RunProcess:
    """`actionlens run` in a child process; its stderr read line by line as it comes."""

    def __init__(self, *args) -> None:
        env = dict(os.environ)
        # The app must quieten OpenCV itself, not rely on the test's environment.
        env.pop("OPENCV_LOG_LEVEL", None)
        env.pop("OPENCV_FFMPEG_LOGLEVEL", None)
        # Ctrl-C's default, as a terminal gives it: a suite started in the background by a shell
        # inherits SIGINT ignored, and Python keeps an ignored SIGINT ignored in the child.
        self.proc = subprocess.Popen([sys.executable, "-m", "app", "run", *map(str, args)], cwd=REPO,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_line(self, text: str, after: int = 0) -> int:
        """Waits until a stderr line from index `after` on contains `text`; returns its index."""
        def found() -> int | None:
            return next((i for i, line in enumerate(self.lines) if i >= after and text in line), None)

        with self._changed:
            ok = self._changed.wait_for(lambda: found() is not None or self.proc.poll() is not None,
                                        PATIENCE_S)
            index = found()
        assert ok and index is not None, f"no {text!r} on stderr:\n" + "\n".join(self.lines)
        return index

    def interrupt(self) -> tuple[int, str, str]:
        """Ctrl-C, as a user ends a live run; returns (exit code, stdout, stderr)."""
        self.proc.send_signal(signal.SIGINT)
        out = self.proc.stdout.read()
        code = self.proc.wait(60)
        self._reader.join(10)
        return code, out, "\n".join(self.lines)


def video_times(path) -> list[float]:
    """Each frame's time in seconds, read from the file's own timestamps."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sorted(float(p.pts * p.time_base) for p in container.demux(stream)
                      if p.size and p.pts is not None)


def video_span_s(path) -> float:
    """Seconds from the first frame to the last."""
    times = video_times(path)
    return times[-1] - times[0]


def test_recording_of_a_10_fps_stream_plays_as_long_as_it_ran(tiny_bundle, tmp_path):
    out, events = tmp_path / "x.mp4", tmp_path / "e.jsonl"
    # 4 s at 10 fps: the first frame to the last is 3.9 s. FFmpeg calls the stream 25 fps,
    # which made 1.6 s of video out of it.
    with MjpegServer(fps=10.0, frames=40) as server:
        run = RunProcess("--source", server.url, "--model", tiny_bundle, "--out", out, "--events", events)
        with reaped(run.proc):
            run.wait_for_line("lost; reconnecting")  # the capture read to the stream's end
            code, summary, err = run.interrupt()
    assert code == 130, err
    assert server.connections == 1
    # The run says the rate it measured, not the 25 fps the stream reports.
    measured = re.search(r"^source\s+stream, (\d+\.\d) fps measured$", summary, re.MULTILINE)
    assert measured and 8.5 <= float(measured.group(1)) <= 10.5, summary
    span = video_span_s(out)
    assert span == pytest.approx(3.9, abs=0.5), err
    # The events and the picture share one clock: the last event is at most a frame past the video.
    times = [json.loads(line)["time"] for line in events.read_text().splitlines()]
    assert times[-1] - times[0] <= span + 0.15


def test_a_lost_and_reconnected_stream_prints_no_opencv_lines(tiny_bundle, tmp_path):
    out = tmp_path / "x.mp4"
    with MjpegServer(fps=10.0, frames=60) as server:
        run = RunProcess("--source", server.url, "--model", tiny_bundle, "--out", out)
        with reaped(run.proc):
            assert wait_for(lambda: server.sent >= 15 or run.proc.poll() is not None, PATIENCE_S)
            server.drop()
            lost = run.wait_for_line("lost; reconnecting")
            # Three failed reopens: each printed a [ WARN] line from the capture thread before.
            assert wait_for(lambda: server.refused >= 3 or run.proc.poll() is not None, PATIENCE_S)
            assert server.refused >= 3, "\n".join(run.lines)
            server.resume()
            run.wait_for_line("reconnected after", after=lost)
            run.wait_for_line("lost; reconnecting", after=lost + 1)  # the stream's end
            code, _, err = run.interrupt()
    assert code == 130, err
    foreign = [line for line in err.splitlines() if FOREIGN_LINE.search(line)]
    assert foreign == [], err
    # The recording spans the outage too (three reopens took at least 0.7 s), so the picture
    # stays on the events' clock.
    times = video_times(out)
    assert times[-1] - times[0] > (len(times) - 1) / 10.0 + 0.5
