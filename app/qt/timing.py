"""Start-up and paint timing of the GUI, measured rather than guessed.

`actionlens gui --timing` prints one line at exit: seconds from process start
to the window on screen, to the first frame, and to the first prediction, and
the rate at which frames were painted while predictions came in.
"""

from __future__ import annotations

import os
import time


def process_age_s() -> float:
    """Seconds since this process started (Linux /proc), so interpreter start-up counts too."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.process_time()


class GuiTiming:
    """Collects the moments that matter to a user, relative to process start."""

    def __init__(self) -> None:
        self._t0 = time.monotonic() - process_age_s()
        self.visible_s: float | None = None
        self.first_frame_s: float | None = None
        self.first_result_s: float | None = None
        self._paint_times: list[float] = []

    def _now(self) -> float:
        return time.monotonic() - self._t0

    def mark_visible(self) -> None:
        if self.visible_s is None:
            self.visible_s = self._now()

    def on_frame_shown(self, _frame, result) -> None:
        now = self._now()
        if self.first_frame_s is None:
            self.first_frame_s = now
        if result is not None:
            if self.first_result_s is None:
                self.first_result_s = now
            self._paint_times.append(now)

    def paint_fps(self) -> float:
        """Frames painted per second while predictions were arriving."""
        times = self._paint_times
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def summary(self, skipped_paints: int = 0) -> str:
        def fmt(x):
            return "n/a" if x is None else f"{x:.2f} s"

        return (
            f"timing: window visible {fmt(self.visible_s)}, first frame {fmt(self.first_frame_s)}, "
            f"first prediction {fmt(self.first_result_s)} after launch; painted "
            f"{self.paint_fps():.1f} fps over {len(self._paint_times)} predicted frames, "
            f"{skipped_paints} frames left unpainted"
        )
