"""`actionlens run` on a single-client stream: opened once, never probed and opened again.

A small HTTP server on 127.0.0.1 serves an MPEG-TS clip to exactly one connection
and then stops listening, as ffmpeg's `-listen 1` and many cameras do.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time

import av
import numpy as np
import pytest

from tests.cli_helpers import run
from tests.engine_fixtures import tiny_bundle_fixture  # noqa: F401
from tests.stream_fixtures import read_request

pytestmark = pytest.mark.slow


def _mpegts(path, frames: int = 450, fps: int = 30):
    with av.open(str(path), "w", format="mpegts") as out:
        stream = out.add_stream("mpeg2video", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for k in range(frames):
            img = np.full((120, 160, 3), 40, np.uint8)
            img[40:80, (k * 3) % 140 : (k * 3) % 140 + 20] = 220
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path.read_bytes()


class OneClientServer:
    """Serves `payload` over HTTP to the first connection only, then refuses (bounded, local).

    The bytes go out at the clip's own pace over `seconds`, as a live stream's would.
    """

    def __init__(self, payload: bytes, seconds: float = 15.0) -> None:
        self.payload = payload
        self.seconds = seconds
        self.connections = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1)
        self._sock.settimeout(30)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/clip.ts"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self._sock.accept()
        except OSError:
            return
        self.connections += 1
        self._sock.close()  # one client: the next connection is refused
        with conn, contextlib.suppress(BrokenPipeError, ConnectionResetError):
            # The client hangs up once it has its frames (--max-frames): that ends the stream.
            conn.settimeout(10)
            if read_request(conn) is None:
                return
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: video/mp2t\r\n\r\n")
            start, sent, step = time.monotonic(), 0, max(1, len(self.payload) // 150)
            while sent < len(self.payload):
                due = int(len(self.payload) * min(1.0, (time.monotonic() - start) / self.seconds))
                if due > sent:
                    conn.sendall(self.payload[sent : max(due, sent + 1)])
                    sent = max(due, sent + 1)
                time.sleep(self.seconds / len(self.payload) * step)

    def close(self) -> None:
        self._sock.close()
        self._thread.join(5)


def test_run_reads_a_single_client_stream(tiny_bundle, tmp_path):
    server = OneClientServer(_mpegts(tmp_path / "clip.ts"))
    events = tmp_path / "e.jsonl"
    try:
        code, _, err = run("run", "--source", server.url, "--model", tiny_bundle, "--events", events,
                           "--max-frames", 40)
    finally:
        server.close()
    assert code == 0, err
    assert server.connections == 1
    lines = [json.loads(x) for x in events.read_text().splitlines()]
    # A live source drops stale frames, so how many get a label depends on the machine; that
    # the stream was read through the one connection, past its first window, does not.
    assert lines and lines[-1]["frame"] >= 6
