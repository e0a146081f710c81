"""The video encoder behind `VideoRecorder`: PyAV muxing into a file the recorder owns.

Both formats are laid out so that the file plays whatever moment the process dies:

- `.mp4`: H.264 (libx264) in *fragmented* MP4. The header (`empty_moov`) goes out
  first, then one self-contained fragment per keyframe; a keyframe every second
  (`gop_size = fps`) and no encoder look-ahead (`tune=zerolatency`) put each second
  of video in the file about a second later. Where a PyAV build lacks libx264,
  MPEG-4 Part 2 (`mpeg4`) takes its place in the same container.
- `.avi`: Motion JPEG. AVI's index comes last, but FFmpeg (and so OpenCV) reads an
  AVI that has none, and every frame is its own packet, flushed as it is muxed.

`flush_packets` hands every muxed packet (a whole fragment for MP4) to the file
at once, so what the muxer wrote is in the kernel, not in a buffer that dies with
the process.
"""

from __future__ import annotations

from fractions import Fraction
from typing import BinaryIO

import av
import numpy as np

# Tried in order; the first the PyAV build has is used.
CODECS = {".mp4": ("libx264", "mpeg4"), ".avi": ("mjpeg",)}
_FORMATS = {".mp4": "mp4", ".avi": "avi"}
_CONTAINER_OPTIONS = {
    # A fragment per keyframe, header first; default_base_moof is what browsers' MSE expects.
    ".mp4": {"movflags": "frag_keyframe+empty_moov+default_base_moof", "flush_packets": "1"},
    ".avi": {"flush_packets": "1"},
}
_CODEC_OPTIONS = {
    # veryfast keeps up with HD at 30 fps on a laptop core; zerolatency drops the look-ahead
    # and B-frames that would hold frames back in the encoder.
    "libx264": {"preset": "veryfast", "tune": "zerolatency", "crf": "23"},
    # Quantiser 2-5 is visually clean; the default (up to 31) smears text in the overlay.
    "mjpeg": {"qmin": "2", "qmax": "5"},
    "mpeg4": {"qmin": "2", "qmax": "8"},
}
_PIX_FMT = {"mjpeg": "yuvj420p"}  # every other codec here takes yuv420p
# A fragment of HD H.264 is a few hundred KiB; one buffer holds it, so it leaves in one write.
_BUFFER_BYTES = 1 << 20


def pick_codec(suffix: str) -> str:
    """The codec written for a file extension (".mp4" or ".avi") by this PyAV build.

    Raises:
        ValueError: unknown extension, or no usable codec in this PyAV build.
    """
    names = CODECS.get(suffix.lower())
    if names is None:
        raise ValueError(f"`suffix` must be one of {sorted(CODECS)}. Received: suffix={suffix!r}")
    for name in names:
        if name in av.codecs_available:
            return name
    raise ValueError(
        f"This PyAV build has none of the {suffix} codecs {', '.join(names)}; "
        "reinstall PyAV from its wheel (`pip install --force-reinstall av`)."
    )


def encoded_size(height: int, width: int) -> tuple[int, int]:
    """(height, width) rounded down to even numbers (at least 2): 4:2:0 video needs them."""
    return max(2, height - height % 2), max(2, width - width % 2)


class Encoder:
    """Encodes BGR frames of one size into `file`.

    Args:
        file: a binary file object with `write`, `seek` and `tell`; the caller owns it.
        suffix: ".mp4" or ".avi" (see the module docstring).
        fps: frames per second stored in the file.
        size: (height, width); both even (see `encoded_size`).

    Attributes:
        codec: the codec's name, e.g. "libx264".
    """

    def __init__(self, file: BinaryIO, suffix: str, fps: float, size: tuple[int, int]) -> None:
        suffix = suffix.lower()
        self.codec = pick_codec(suffix)
        self._size = size
        rate = Fraction(fps).limit_denominator(1001)
        self._container = av.open(file, "w", format=_FORMATS[suffix], buffer_size=_BUFFER_BYTES,
                                  container_options=_CONTAINER_OPTIONS[suffix])
        try:
            stream = self._container.add_stream(self.codec, rate=rate)
            stream.height, stream.width = size
            stream.pix_fmt = _PIX_FMT.get(self.codec, "yuv420p")
            # A keyframe (so a fragment) every second bounds what a crash can cost.
            stream.codec_context.gop_size = max(1, round(fps))
            stream.codec_context.options = dict(_CODEC_OPTIONS.get(self.codec, {}))
        except BaseException:
            self.abandon()
            raise
        self._stream = stream
        self._pts = 0

    def encode(self, image_bgr: np.ndarray) -> None:
        """Encodes one uint8 (height, width, 3) BGR frame of this encoder's size and muxes
        whatever packets the encoder gives back.

        Raises:
            OSError: the file refused a write (full disk, removed drive, ...).
            av.FFmpegError: the encoder or muxer failed.
        """
        frame = av.VideoFrame.from_ndarray(image_bgr, format="bgr24")
        frame.pts = self._pts
        self._pts += 1
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def finish(self) -> None:
        """Drains the encoder and writes the trailer (the last fragment, or AVI's index).

        Raises:
            OSError, av.FFmpegError: as `encode`.
        """
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
        finally:
            self._container.close()

    def abandon(self) -> None:
        """Closes without caring whether the trailer gets out (after a write error)."""
        try:
            self._container.close()
        except Exception:
            pass  # the file already said no; the caller has cut it back to its last fragment
