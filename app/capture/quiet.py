"""OpenCV's own log lines, off for the whole process.

OpenCV writes `[ WARN:...]` lines to stderr from whichever thread opens a capture (a
stream that reconnects prints one per attempt, a camera probe one per missing index),
and its FFmpeg prints `[http @ 0x...]` lines of its own. The app says what happened in
its own one-line messages instead, so both are switched off once, before any capture
opens: `app.capture.sources` calls `silence_opencv()` when it is imported, and every
capture is opened through it.

OpenCV's log level is one setting for the process, not per thread, so capture threads
started later are quiet too. The `actionlens` command sets the same variables when it
starts (app/cli/main.py), so its child processes (training workers) that never import this
start quiet too. A developer who sets `OPENCV_LOG_LEVEL` (e.g. to WARNING or DEBUG) gets
what they asked for.
"""

from __future__ import annotations

import os

# FFmpeg's AV_LOG_QUIET. OpenCV reads it when it first opens a video through FFmpeg.
_FFMPEG_QUIET = "-8"
# The values OpenCV reads as "no logging".
_OFF = {"0", "OFF", "SILENT", "DISABLED"}


def silence_opencv() -> None:
    """Switches off OpenCV's and its FFmpeg's log output for this process (and its children).

    Safe to call more than once. The environment variables are inherited by child
    processes (training workers), which then start quiet before they import cv2.
    """
    os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", _FFMPEG_QUIET)
    import cv2

    if os.environ["OPENCV_LOG_LEVEL"].strip().upper() in _OFF:
        # The variable alone is too late when cv2 has already logged (and so read it) once.
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
