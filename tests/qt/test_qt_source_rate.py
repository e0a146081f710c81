"""The source panel and the status line say a stream's measured rate, never the 25 fps an
MJPEG stream over HTTP reports; a file's own rate and its processing rate are two numbers."""

from __future__ import annotations

from tests.stream_fixtures import MjpegServer

TIMEOUT = 10000


def test_stream_rate_is_the_measured_one(qtbot, window, engine, monkeypatch):
    with MjpegServer(fps=10.0, frames=5) as server:
        assert window.open_source(server.url) is True
        qtbot.waitUntil(lambda: window.source_info is not None, timeout=TIMEOUT)
    assert window.source_info.fps == 25.0  # what FFmpeg reports for it
    text = window.source_panel.current_label.text()
    assert "measuring fps" in text and "25" not in text

    plain = engine.stats
    monkeypatch.setattr(engine, "stats", lambda: {**plain(), "source_kind": "stream", "source_fps": 9.8,
                                                  "capture_fps": 9.8})
    qtbot.waitUntil(lambda: "9.8 fps measured" in window.source_panel.current_label.text(), timeout=TIMEOUT)
    assert window.status_label.text().startswith("stream 9.8 fps | model")

    # The stream stops: the panel says so instead of keeping the last rate.
    monkeypatch.setattr(engine, "stats", lambda: {**plain(), "source_kind": "stream", "source_fps": 0.0})
    qtbot.waitUntil(lambda: "no frames coming in" in window.source_panel.current_label.text(), timeout=TIMEOUT)


def test_file_rate_is_the_files_own(qtbot, window, engine, clip, monkeypatch):
    assert window.open_source(str(clip)) is True
    fps = window.source_info.fps
    assert f"{fps:.4g} fps)" in window.source_panel.current_label.text()
    plain = engine.stats
    monkeypatch.setattr(engine, "stats", lambda: {**plain(), "source_kind": "file", "source_fps": fps,
                                                  "capture_fps": 7.5})
    qtbot.waitUntil(lambda: window.status_label.text().startswith(f"file {fps:.4g} fps | processing 7.5 fps"),
                    timeout=TIMEOUT)


def test_live_time_is_the_frames_own_not_index_over_reported_fps(qtbot):
    from app.capture.sources import SourceInfo
    from app.qt.widgets.playback_bar import PlaybackBar, format_time

    bar = PlaybackBar()
    qtbot.addWidget(bar)
    bar.set_source(SourceInfo("stream", "cam", 25.0, None, 640, 480))
    bar.set_position(60, seconds=6.0)  # 60 frames of a 10 fps stream that says 25
    assert bar.time_label.text() == f"{format_time(6.0)} / live"
    assert format_time(6.0) != format_time(60 / 25)
