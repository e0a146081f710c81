"""Video sources: parse what the user typed, open it, and say clearly why it failed."""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import cv2

from app.capture.quiet import silence_opencv

# Before any capture opens: a lost stream or a camera probe would otherwise print OpenCV's
# own warnings, one per attempt, from the capture thread.
silence_opencv()

# A URL that does not answer must not freeze the app; 5 s covers a slow RTSP handshake.
OPEN_TIMEOUT_S = 5.0
# Players assume 30 fps when a camera or stream reports 0 or NaN.
FALLBACK_FPS = 30.0
_URL_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")
_WHAT_TO_PASS = "Pass a video file, a camera index such as 0, or an rtsp:// or http(s):// URL."


class SourceError(Exception):
    """A source that cannot be opened; the message is one line, names it and says what to do."""


class VideoCaptureLike(Protocol):
    """The part of `cv2.VideoCapture` the capture code uses (tests inject fakes)."""

    def read(self) -> tuple[bool, Any]: ...
    def release(self) -> None: ...
    def get(self, prop: int) -> float: ...
    def set(self, prop: int, value: float) -> bool: ...
    def isOpened(self) -> bool: ...  # noqa: N802 (OpenCV's name)


CaptureFactory = Callable[[Any], VideoCaptureLike]


@dataclass
class SourceInfo:
    """What an opened source is.

    Attributes:
        kind: "file", "camera" or "stream".
        name: short name for messages: file name, "camera 0", or the URL without password.
        fps: the file's own fps or the camera's reported one (30.0 when it reports 0/NaN).
        frame_count: frames in a file; None for live sources.
        width: frame width in pixels.
        height: frame height in pixels.
    """

    kind: str
    name: str
    fps: float
    frame_count: int | None
    width: int
    height: int


def parse_source(text: str | int) -> int | str:
    """Turn a command-line source into a camera index, a URL or a file path.

    Args:
        text: "0" or 0 (camera index), "rtsp://..." / "http(s)://..." (stream), else a path.

    Returns:
        An int camera index, or the URL or path string unchanged.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    text = str(text).strip()
    if text.isdigit():
        return int(text)
    return text


def is_url(source: int | str) -> bool:
    """Whether `source` (as returned by `parse_source`) is a stream URL."""
    return isinstance(source, str) and source.lower().startswith(_URL_SCHEMES)


def source_name(source: int | str) -> str:
    """A short name for messages; drops any password from a URL."""
    if isinstance(source, int):
        return f"camera {source}"
    if is_url(source):
        parts = urlsplit(source)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
    return os.path.basename(source) or source


def default_factory(source: int | str) -> VideoCaptureLike:
    """Create a `cv2.VideoCapture`, with open/read timeouts for URLs.

    Args:
        source: camera index, URL or file path.

    Returns:
        A `cv2.VideoCapture` (maybe not opened; check `isOpened()`).
    """
    if is_url(source):
        ms = int(OPEN_TIMEOUT_S * 1000)
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms]
        return cv2.VideoCapture(source, cv2.CAP_FFMPEG, params)
    return cv2.VideoCapture(source)


def list_cameras(max_index: int = 4, *, factory: CaptureFactory | None = None) -> list[int]:
    """Probe camera indices 0..max_index-1 and return those that open.

    Args:
        max_index: how many indices to try.
        factory: creates a VideoCapture-like object from an index (default: OpenCV).

    Returns:
        The indices that opened, in order.
    """
    factory = factory or default_factory
    found = []
    for index in range(max_index):
        cap = factory(index)
        try:
            if cap.isOpened():
                found.append(index)
        finally:
            cap.release()
    return found


def source_fps(cap: VideoCaptureLike) -> float:
    """The frame rate an opened capture reports, or `FALLBACK_FPS` when it reports none (0, NaN, inf)."""
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    return fps if math.isfinite(fps) and fps > 0 else FALLBACK_FPS


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise SourceError(f"{path}: no such file. {_WHAT_TO_PASS}")
    if os.path.isdir(path):
        raise SourceError(f"{path}: is a folder, not a video file. {_WHAT_TO_PASS}")
    if os.path.getsize(path) == 0:
        raise SourceError(f"{path}: the file is empty (0 bytes). Pass a video file that plays.")


def _not_a_video(path: str) -> SourceError:
    return SourceError(
        f"{path}: not a video OpenCV can decode. Pass a video file such as .mp4 or .avi, "
        "or convert it with ffmpeg."
    )


def open_video(
    source: int | str, *, factory: CaptureFactory | None = None
) -> tuple[VideoCaptureLike, SourceInfo]:
    """Open a source in the calling thread, which then owns (and must release) it.

    A URL can block here for up to `OPEN_TIMEOUT_S` (OpenCV's own open timeout); use
    `probe_source` or `app.capture.open_capture` for a wall-clock bound.

    Args:
        source: a value from `parse_source`.
        factory: creates a VideoCapture-like object (default: OpenCV).

    Returns:
        (capture, info): an opened capture positioned at its first frame, and its info.

    Raises:
        SourceError: the source is missing, empty, not a video, or does not open.
    """
    factory = factory or default_factory
    name = source_name(source)
    if isinstance(source, str) and not is_url(source):
        _check_file(source)
    cap = factory(source)
    if not cap.isOpened():
        cap.release()
        raise _open_failed(source, factory)
    try:
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if isinstance(source, int):
            return cap, SourceInfo("camera", name, source_fps(cap), None, width, height)
        if is_url(source):
            return cap, SourceInfo("stream", name, source_fps(cap), None, width, height)
        # Some containers open fine but hold nothing decodable; one read tells.
        ok, frame = cap.read()
        if not ok or frame is None:
            raise _not_a_video(source)
        height, width = frame.shape[:2]
        if not cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
            cap.release()
            cap = factory(source)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        info = SourceInfo("file", name, source_fps(cap), count if count > 0 else None, width, height)
        return cap, info
    except BaseException:
        cap.release()
        raise


def _open_failed(source: int | str, factory: CaptureFactory) -> SourceError:
    if isinstance(source, int):
        found = list_cameras(factory=factory)
        if found:
            cams = ", ".join(map(str, found))
            return SourceError(
                f"camera {source} not found; cameras found: {cams}. Pass one of those indices."
            )
        return SourceError(
            f"camera {source} not found; no cameras found. Connect a camera, or pass a video "
            "file or an rtsp:// or http(s):// URL."
        )
    if is_url(source):
        return SourceError(
            f"{source_name(source)}: the stream did not open. Check the URL, that the server "
            "is running, and the network."
        )
    return _not_a_video(source)


def open_timeout_error(source: int | str, timeout: float) -> SourceError:
    """The error for a source that did not open within `timeout` seconds."""
    return SourceError(
        f"{source_name(source)}: did not answer within {timeout:g} s. Check the URL, that "
        "the server is running, and the network."
    )


def probe_source(
    source: str | int, *, factory: CaptureFactory | None = None, timeout: float = OPEN_TIMEOUT_S
) -> SourceInfo:
    """Open a source, read its info and close it, within a wall-clock bound.

    The open runs in a helper thread that also releases the capture, even when the open
    returns after the caller gave up.

    Args:
        source: what the user typed, or a value from `parse_source`.
        factory: creates a VideoCapture-like object (default: OpenCV).
        timeout: seconds to wait for the open.

    Returns:
        The source's `SourceInfo`.

    Raises:
        SourceError: the source cannot be opened, or did not answer within `timeout`.
    """
    parsed = parse_source(source)
    result: dict[str, Any] = {}
    done = threading.Event()

    def _probe() -> None:
        try:
            cap, result["info"] = open_video(parsed, factory=factory)
            cap.release()
        except BaseException as exc:  # handed to the caller below
            result["error"] = exc
        finally:
            done.set()

    threading.Thread(target=_probe, name="actionlens-probe", daemon=True).start()
    if not done.wait(timeout):
        raise open_timeout_error(parsed, timeout)
    if "error" in result:
        raise result["error"]
    return result["info"]
