"""The download bar any command shows while BlazePose downloads (app/cli/fetch_pose.py)."""

from __future__ import annotations

import io

from app.cli.fetch_pose import TerminalBar

_TOTAL = 36_000_000


def _feed(bar: TerminalBar, step: int = 3_000_000) -> None:
    for done in range(0, _TOTAL + 1, step):
        bar(done, _TOTAL)


def test_a_log_gets_a_line_per_quarter_with_bytes_and_rate():
    stream = io.StringIO()
    _feed(TerminalBar(stream))
    lines = stream.getvalue().splitlines()
    assert [line.split(": ")[1].split(",")[0] for line in lines] == [
        "0.0 of 36.0 MB", "9.0 of 36.0 MB", "18.0 of 36.0 MB", "27.0 of 36.0 MB", "36.0 of 36.0 MB"]
    assert all(line.startswith("downloading BlazePose: ") and line.endswith(" MB/s") for line in lines)


def test_a_terminal_gets_rich_s_bar_that_ends_full():
    stream = io.StringIO()
    bar = TerminalBar(stream, rich=True)
    _feed(bar)
    text = stream.getvalue()
    assert "BlazePose" in text and "36.0/36.0 MB" in text and "B/s" in text
    assert text.endswith("\n")  # the bar stopped by itself: its line is closed
    bar.close()  # after the end: nothing more to close, no error


def test_a_failed_download_closes_the_bar():
    stream = io.StringIO()
    bar = TerminalBar(stream, rich=True)
    bar(1_000_000, _TOTAL)
    bar.close()
    assert "1.0/36.0 MB" in stream.getvalue()
    bar.close()
