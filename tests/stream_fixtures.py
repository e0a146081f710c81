"""A one-client MJPEG camera on 127.0.0.1, served by the test process itself.

`MjpegServer` sends multipart/x-mixed-replace JPEGs at a fixed rate, as many IP
cameras and `mjpg-streamer` do, to one connection at a time: a second client waits
until the first is gone. `drop()` hangs up on the client and from then on closes every
new connection unanswered, counting it in `refused` (the camera lost its sensor; the
count tells a test the client did try to reconnect); `resume()` serves again. The stream
ends by itself after `frames` frames and stops listening.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import cv2
import numpy as np

BOUNDARY = b"actionlensframe"


def jpeg_frame(index: int, size: tuple[int, int] = (120, 160)) -> bytes:
    """A small JPEG with a square that moves with `index`, so no two neighbours are equal."""
    h, w = size
    img = np.full((h, w, 3), 40, np.uint8)
    x = (index * 7) % max(1, w - 20)
    img[h // 3 : h // 3 + 20, x : x + 20] = 220
    ok, data = cv2.imencode(".jpg", img)
    assert ok
    return data.tobytes()


class MjpegServer:
    """Serves `frames` JPEGs at `fps` over HTTP, to one client at a time.

    Args:
        fps: frames per second sent, on a fixed schedule from each connection's start.
        frames: frames to send in all (over every connection); then the stream ends.
        size: (height, width) of the frames.

    Attributes:
        url: the stream's address.
        connections: clients served so far.
        refused: connections closed unanswered while dropped.
        sent: frames sent so far.
        finished: set once all `frames` were sent and the server stopped listening.
    """

    def __init__(self, fps: float = 10.0, frames: int = 100, size: tuple[int, int] = (120, 160)) -> None:
        self.fps = fps
        self.frames = frames
        self.size = size
        self.connections = 0
        self.refused = 0
        self.sent = 0
        self.finished = threading.Event()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._down = threading.Event()
        self._client: socket.socket | None = None
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(4)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/video.mjpg"
        self._thread = threading.Thread(target=self._serve, name="mjpeg-server", daemon=True)
        self._thread.start()

    def drop(self) -> None:
        """Hangs up on the client; connections are closed unanswered until `resume()`."""
        self._down.set()
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)

    def resume(self) -> None:
        """Serves the stream again, from the next connection on."""
        self._down.clear()

    def close(self) -> None:
        """Stops serving and joins the thread."""
        self._closed.set()
        self.drop()
        self._thread.join(5)
        self._listener.close()

    def __enter__(self) -> MjpegServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._closed.is_set() and self.sent < self.frames:
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            if self._down.is_set():
                self.refused += 1
                conn.close()
                continue
            with self._lock:
                self._client = conn
            self.connections += 1
            with contextlib.suppress(OSError):
                self._send_stream(conn)
            with self._lock:
                if self._client is conn:
                    self._client = None
            conn.close()
        self._listener.close()  # the stream is over: the next connection is refused
        self.finished.set()

    def _send_stream(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        if read_request(conn) is None:
            return
        conn.sendall(b"HTTP/1.0 200 OK\r\nCache-Control: no-cache\r\n"
                     b"Content-Type: multipart/x-mixed-replace; boundary=" + BOUNDARY + b"\r\n\r\n")
        start, k = time.monotonic(), 0
        while self.sent < self.frames and not self._closed.is_set() and not self._down.is_set():
            wait = start + k / self.fps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            data = jpeg_frame(self.sent, self.size)
            conn.sendall(b"--" + BOUNDARY + b"\r\nContent-Type: image/jpeg\r\nContent-Length: "
                         + str(len(data)).encode() + b"\r\n\r\n" + data + b"\r\n")
            self.sent += 1
            k += 1


def read_request(conn: socket.socket) -> bytes | None:
    """A client's HTTP request head, read up to its blank line; None if it hung up first."""
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        request += chunk
    return request
