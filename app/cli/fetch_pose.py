"""`actionlens fetch-pose`: fetch and check the BlazePose models once, with a progress bar.

`TerminalBar` is the bar any command shows while the models download (36 MB on first use):
rich's bar with bytes, rate and time left on a terminal, a line every quarter otherwise.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import TextIO

from app.fetch_rate import ByteRate


class TerminalBar:
    """`on_bytes(done, total)` for `fetch_pose_models`, drawn on `stream` (default stderr).

    Safe to call from any one thread at a time; `close()` ends a bar a failed download left.
    """

    def __init__(self, stream: TextIO | None = None, *, rich: bool | None = None) -> None:
        self._stream = stream or sys.stderr
        # rich redraws in place, which only a terminal shows as a bar; a log gets plain lines.
        self._rich = self._stream.isatty() if rich is None else rich
        self._rate = ByteRate()
        self._lock = threading.Lock()
        self._progress = None
        self._task = None
        self._printed = -1  # the last quarter of the total reported as a line

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self._rate.update(done, total)
            if self._rich:
                self._draw_rich(done, total)
            else:
                self._draw_line()
            if self._rate.finished:
                self._stop()

    def close(self) -> None:
        """Ends the bar (it ends by itself when every byte has come)."""
        with self._lock:
            self._stop()

    def _draw_rich(self, done: int, total: int) -> None:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            # No refresh thread: pip's updates (4 a second) redraw it.
            self._progress = Progress(
                TextColumn("BlazePose"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                TimeRemainingColumn(), console=Console(file=self._stream), auto_refresh=False)
            self._progress.start()
            self._task = self._progress.add_task("", total=total or None)
        self._progress.update(self._task, completed=done, total=total or None)
        self._progress.refresh()

    def _draw_line(self) -> None:
        quarter = int(4 * self._rate.done / self._rate.total) if self._rate.total else 0
        if quarter > self._printed:
            self._printed = quarter
            print(f"downloading BlazePose: {self._rate.text()}", file=self._stream, flush=True)

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def main(args: argparse.Namespace) -> int:
    """Runs `actionlens fetch-pose`; returns the exit code."""
    from model.pose.fetch import CREDIT, fetch_pose_models

    bar = TerminalBar()
    try:
        paths = fetch_pose_models(progress=lambda line: print(line, file=sys.stderr, flush=True),
                                  on_bytes=bar)
    finally:
        bar.close()
    for name, path in paths.items():
        print(f"{name}: {path}")
    print(f"credit: {CREDIT}")
    return 0
