"""The video encoder behind `VideoRecorder`: PyAV muxing into a file the recorder owns.

Both formats are laid out so that the file plays whatever moment the process dies:

- `.mp4`: H.264 (libx264) in *fragmented* MP4. The header (`empty_moov`) goes out
  first, then one self-contained fragment per keyframe; a keyframe every second
  and no encoder look-ahead (`tune=zerolatency`) put each second of video in the
  file about a second later. Where a PyAV build lacks libx264, MPEG-4 Part 2
  (`mpeg4`) takes its place in the same container.
- `.avi`: Motion JPEG. AVI's index comes last, but FFmpeg (and so OpenCV) reads an
  AVI that has none, and every frame is its own packet, flushed as it is muxed.

Timing: each frame is written at its own time, so a recording plays as long as the
source ran. MP4 stores those times as they are (variable frame rate) on a 1/60000 s
clock, which also holds every common rate exactly (30000/1001 fps is 2002 ticks). AVI
has one fixed rate, so there a frame that comes late is held (its packet repeated)
until the next one is due, and one that comes early for its slot is left out.

`flush_packets` hands every muxed packet (a whole fragment for MP4) to the file
at once, so what the muxer wrote is in the kernel, not in a buffer that dies with
the process.
"""

from __future__ import annotations

import math
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
# MP4's clock: fine enough for any source's timing, and MPEG-4 Part 2 takes at most 65535.
MP4_TIME_BASE = Fraction(1, 60000)
# A keyframe (so a fragment) at least this often bounds what a crash can cost.
KEYFRAME_EVERY_S = 1.0


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
    """Encodes BGR frames of one size into `file`, each at its own time.

    Args:
        file: a binary file object with `write`, `seek` and `tell`; the caller owns it.
        suffix: ".mp4" or ".avi" (see the module docstring).
        fps: the nominal frame rate: AVI's fixed rate, and the spacing of frames
            given without a time.
        size: (height, width); both even (see `encoded_size`).

    Attributes:
        codec: the codec's name, e.g. "libx264".
    """

    def __init__(self, file: BinaryIO, suffix: str, fps: float, size: tuple[int, int]) -> None:
        suffix = suffix.lower()
        self.codec = pick_codec(suffix)
        self._size = size
        self._fps = float(fps)
        self._rate = Fraction(fps).limit_denominator(1001)
        self._container = av.open(file, "w", format=_FORMATS[suffix], buffer_size=_BUFFER_BYTES,
                                  container_options=_CONTAINER_OPTIONS[suffix])
        try:
            stream = self._container.add_stream(self.codec, rate=self._rate)
            stream.height, stream.width = size
            stream.pix_fmt = _PIX_FMT.get(self.codec, "yuv420p")
            # AVI counts frames at its fixed rate; MP4 keeps each frame's own time.
            self._slotted = suffix == ".avi"
            self._time_base = 1 / self._rate if self._slotted else MP4_TIME_BASE
            stream.codec_context.time_base = self._time_base
            # A backstop: keyframes are forced every KEYFRAME_EVERY_S of video (see `encode`).
            stream.codec_context.gop_size = max(1, round(fps * KEYFRAME_EVERY_S))
            stream.codec_context.options = dict(_CODEC_OPTIONS.get(self.codec, {}))
        except BaseException:
            self.abandon()
            raise
        self._stream = stream
        self._last_pts = -1
        self._last_time = -1.0 / self._fps
        self._last_key_s = -math.inf
        self._held: av.Packet | None = None  # AVI: the last packet, repeated over a gap

    def encode(self, image_bgr: np.ndarray, time_s: float | None = None) -> bool:
        """Encodes one frame at `time_s` and muxes whatever packets the encoder gives back.

        Args:
            image_bgr: uint8 (height, width, 3) BGR frame of this encoder's size.
            time_s: seconds from the start of the video, not before the last frame's;
                None: one 1 / fps after the last frame.

        Returns:
            False when the frame was left out: an AVI slot already taken (the frame
            came more than a frame early for AVI's fixed rate).

        Raises:
            OSError: the file refused a write (full disk, removed drive, ...).
            av.FFmpegError: the encoder or muxer failed.
        """
        if time_s is None:
            time_s = self._last_time + 1.0 / self._fps
        if self._slotted:
            ideal = time_s * self._rate
            pts = max(round(ideal), self._last_pts + 1)
            if pts - ideal > 1:
                return False
            self._repeat_held(pts)
        else:
            pts = max(round(time_s / MP4_TIME_BASE), self._last_pts + 1)
        frame = av.VideoFrame.from_ndarray(image_bgr, format="bgr24")
        frame.pts, frame.time_base = pts, self._time_base
        if time_s - self._last_key_s >= KEYFRAME_EVERY_S - 1e-6:
            frame.pict_type = av.video.frame.PictureType.I
            self._last_key_s = time_s
        self._last_pts, self._last_time = pts, time_s
        for packet in self._stream.encode(frame):
            if self._slotted:
                self._held = packet
                packet = _copy(packet)
            self._container.mux(packet)
        return True

    def _repeat_held(self, pts: int) -> None:
        """AVI: shows the last frame until slot `pts` by repeating its packet in each empty slot.

        Empty AVI chunks would do for players, but OpenCV skips them and would then read
        the recording faster than it ran.
        """
        held = self._held
        if held is None:
            return
        for slot in range(held.pts + 1, pts):
            copy = _copy(held)
            copy.pts = copy.dts = slot
            self._container.mux(copy)

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


def _copy(packet: av.Packet) -> av.Packet:
    """A packet of its own with `packet`'s bytes and timing (muxing consumes a packet)."""
    copy = av.Packet(bytes(packet))
    copy.stream = packet.stream
    copy.time_base = packet.time_base
    copy.pts, copy.dts = packet.pts, packet.dts
    copy.is_keyframe = packet.is_keyframe
    return copy
