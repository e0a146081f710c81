"""Playback controls of the engine: pause, resume, seek, step, speed and loop (files).

A mixin of `Engine`, kept in its own file for size: it runs under the engine's
own two locks (`_emit_lock`, then `_lock`), so a seek is atomic against the
inference thread exactly as if it were written in engine.py.
"""

from __future__ import annotations

import math

from app.capture.sources import SourceInfo


class PlaybackControls:
    """Pause, seek and step for `Engine`; see app/runtime/engine.py for the state it uses."""

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        self._paused = True
        if self._capture is not None and not self._capture.is_live:
            self._capture.pause()

    def resume(self) -> None:
        self._paused = False
        self._pause_after = None
        if self._capture is not None:
            self._capture.resume()

    def seek(self, index: int) -> None:
        """Shows frame `index` next (files only), with the prediction for that frame.

        The capture restarts a window's worth of frames earlier, so the label
        shown after a seek is computed from the frames that lead up to it.
        """
        capture = self._capture
        if capture is None or capture.is_live:
            return
        total = capture.info.frame_count or 0
        index = max(0, min(int(index), total - 1 if total else int(index)))
        preroll = self._preroll_frames(capture.info)
        # Both locks, and the capture's seek inside them: the inference thread then sees
        # either the old state with old frames, or the new state with only new frames.
        with self._emit_lock, self._lock:
            if capture is not self._capture:
                return
            self._epoch += 1
            self._expect = max(0, index - preroll)
            self._show_from = index
            self._shown = index  # a step right after a seek moves from its target
            self._reset_pending = True
            self._ended_reported = False
            self._pause_after = index if self._paused else None
            capture.seek(index, preroll=preroll)

    def step(self, delta: int) -> None:
        """Moves `delta` frames from the frame on screen (files only) and pauses there."""
        capture = self._capture
        if capture is None or capture.is_live:
            return
        with self._emit_lock:
            if not self._paused:
                self.pause()
            shown = self._shown if self._shown >= 0 else capture.position
            self.seek(max(0, shown + int(delta)))

    def _preroll_frames(self, info: SourceInfo) -> int:
        processor = self._processor or self._handoff
        if processor is None:
            return 0
        seconds = (processor.settings.window - 1) / processor.config.fps
        return int(math.ceil(seconds * (info.fps or 30.0))) + 1

    def set_speed(self, speed: float) -> None:
        if self._capture is not None and not self._capture.is_live:
            self._capture.set_speed(speed)

    def set_loop(self, loop: bool) -> None:
        if self._capture is not None and not self._capture.is_live:
            self._capture.set_loop(loop)
