"""The capture thread: one thread per source opens, reads and releases its VideoCapture.

Live sources (camera, URL) keep only the latest frame in one slot, so a slow consumer
skips frames instead of falling behind. Files go through a bounded queue, so every frame
arrives once and in order; the producer blocks while the queue is full.

`open_capture` picks the kind. The classes live in app/capture/base.py,
app/capture/live.py and app/capture/file.py and are re-exported here.
"""

from __future__ import annotations

from app.capture.base import Capture
from app.capture.file import FileCapture
from app.capture.live import LiveCapture
from app.capture.sources import OPEN_TIMEOUT_S, CaptureFactory, is_url, parse_source

__all__ = ["Capture", "FileCapture", "LiveCapture", "open_capture"]


def open_capture(
    source: str | int,
    *,
    realtime: bool = True,
    loop: bool = False,
    queue_size: int = 32,
    factory: CaptureFactory | None = None,
    open_timeout: float = OPEN_TIMEOUT_S,
    reconnect_s: float = 5.0,
) -> Capture:
    """Open a source in its own capture thread; call `start()` on the result to read.

    Args:
        source: what the user typed: "0" (camera), an rtsp:// or http(s):// URL, or a path.
        realtime: files only: pace at the file's fps; False (--fast) as fast as possible.
        loop: files only: restart at the end.
        queue_size: files only: frames decoded ahead.
        factory: creates a VideoCapture-like object (default: OpenCV; tests inject fakes).
        open_timeout: wall-clock bound on opening, in seconds.
        reconnect_s: live only: how long to retry after the source stops sending.

    Returns:
        A `LiveCapture` (camera, URL) or a `FileCapture`, opened but not started.

    Raises:
        SourceError: the source is missing, not a video, or does not open in time.
    """
    parsed = parse_source(source)
    if isinstance(parsed, int) or is_url(parsed):
        capture: Capture = LiveCapture(parsed, factory=factory, reconnect_s=reconnect_s)
    else:
        capture = FileCapture(
            parsed, factory=factory, realtime=realtime, loop=loop, queue_size=queue_size
        )
    capture._open(open_timeout)
    return capture
