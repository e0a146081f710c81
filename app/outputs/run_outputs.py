"""The files `actionlens run` writes: annotated and raw video, events, segments.

Videos are encoded on writer threads (the same `FrameWriter` and `OverlayRenderer`
the GUI records with), so the inference thread only queues frames; for a file the
queue pushes back instead of dropping, so every frame is recorded. Events and
segments are small and written on the inference thread, one whole line at a time.
Every file is usable at every moment, so a killed run leaves them all readable.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from app.frames import Frame
from app.outputs.event_log import SEGMENT_FORMATS, EventLog, SegmentTracker
from app.outputs.files import OutputError, check_output_path
from app.outputs.overlay import OverlayRenderer, overlay_size
from app.outputs.people_segments import PeopleSegments
from app.outputs.segment_file import SegmentFile
from app.results import Result


def check_outputs(args: argparse.Namespace) -> None:
    """Fails with one line when an output cannot be written; creates nothing.

    Args:
        args: the parsed `run` arguments (`out`, `raw_out`, `events`, `segments`).

    Raises:
        OutputError: naming the path and what to do.
    """
    for path in (args.out, args.raw_out):
        if not path:
            continue
        # PyAV (17 MB resident) loads only for a run that writes a video.
        from app.outputs.recorder import VIDEO_EXTENSIONS

        if Path(path).suffix.lower() not in VIDEO_EXTENSIONS:
            raise OutputError(
                f"Cannot record to {path}: unknown video extension {Path(path).suffix!r}; "
                "use .mp4 or .avi."
            )
    if args.segments and Path(args.segments).suffix.lower() not in SEGMENT_FORMATS:
        # Found only at the end of a run otherwise, after all the work.
        raise OutputError(
            f"Cannot write segments file {args.segments}: unknown extension "
            f"{Path(args.segments).suffix!r}; use .csv or .json."
        )
    named = [(args.out, "video"), (args.raw_out, "raw video"), (args.events, "events file"),
             (args.segments, "segments file")]
    for path, what in named:
        if path:
            check_output_path(path, what)


class RunOutputs:
    """The files a run writes; each optional, all finalised by `close`.

    `write` runs on the engine's inference thread and `close` on the main thread;
    a lock keeps a late frame from reaching a file that is being closed. A file that
    fails (a full disk, a removed drive) stops on its own, `report` says so in one
    line at once, and the run and the other files go on.

    Args:
        args: the parsed `run` arguments.
        fps: frame rate stored in the videos (the source's).
        size: (height, width) of the source frames.
        status: returns the status line drawn into the annotated video.
        every_frame: wait for the encoder rather than drop a frame (files).
        idle_label: the model's idle label, drawn in the dim idle style.
        report: shows one line to the user (default: stderr); called from any thread.
    """

    def __init__(self, args: argparse.Namespace, fps: float, size: tuple[int, int],
                 status: Callable[[], str], every_frame: bool = True, idle_label: str = "idle",
                 report: Callable[[str], None] | None = None):
        self._lock = threading.Lock()
        self._closed = False
        self._report = report or _print_line
        self._reported: set[str] = set()
        self._report_lock = threading.Lock()  # writer threads report too
        self.tracker = SegmentTracker()
        self.people = PeopleSegments()  # several people: each one's segments, in the file
        self.events = self.video = self.raw = self.segments = None
        try:
            if args.out or args.raw_out:
                from app.outputs.writer import FrameWriter  # PyAV: only for a video
            if args.out:
                self.video = FrameWriter(args.out, fps, render=OverlayRenderer(
                    status, idle_label, skeleton=bool(getattr(args, "skeleton", False))),
                                         frame_size=overlay_size(*size), block=every_frame,
                                         on_done=lambda _path: self._check(self.video))
            if args.raw_out:
                self.raw = FrameWriter(args.raw_out, fps, frame_size=size, block=every_frame,
                                       on_done=lambda _path: self._check(self.raw))
            self.events = (EventLog(args.events, landmarks=bool(getattr(args, "landmarks", False)))
                           if args.events else None)
            self.segments = SegmentFile(args.segments) if args.segments else None
        except BaseException:
            self._close_files()
            raise
        self.last_time = 0.0

    def write(self, frame: Frame, result: Result | None) -> None:
        """Queues one frame for the videos and logs its result, if any."""
        with self._lock:
            if self._closed:
                return
            for writer in (self.video, self.raw):
                if writer is not None:
                    writer.push(frame, result)
            if result is not None:
                closed = self.tracker.update(result.source_time, result.label, result.confidence, result.count)
                if self.events is not None and not self.events.write(result):
                    self._check(self.events)
                if result.people is not None:
                    closed = self.people.update(result) or None
                if closed is not None and self.segments is not None:
                    if not self.segments.update(self._file_segments()):
                        self._check(self.segments)
            self.last_time = frame.source_time

    def close(self) -> list[str]:
        """Finalises every output; returns the paths written."""
        with self._lock:
            self._closed = True
            self.tracker.finish(self.last_time)
            self.people.finish(self.last_time)
            if self.segments is not None:
                self.segments.update(self._file_segments())
            return self._close_files()

    def _file_segments(self) -> list:
        # Several people: the file has each person's segments (with their id), not the selected
        # person's, which are only a view of the same labels.
        return self.people.segments if self.people.started else self.tracker.segments

    def _check(self, output) -> None:
        """Reports an output's error once, the moment it is seen."""
        error = getattr(output, "error", None)
        with self._report_lock:
            if not error or error in self._reported:
                return
            self._reported.add(error)
        self._report(f"{error} Processing goes on without it.")

    def _close_files(self) -> list[str]:
        written = []
        for writer in (self.video, self.raw):
            if writer is None:
                continue
            # Long enough to encode a full queue of HD frames on a slow CPU.
            path = writer.close(timeout=30.0)
            self._check(writer)
            if path:
                written.append(str(path))
        for log in (self.events, self.segments):
            if log is not None:
                log.close()
                self._check(log)
                written.append(str(log.path))
        return written


def _print_line(line: str) -> None:
    # \r: the line replaces the progress bar instead of trailing it.
    print(f"\ractionlens: {line}", file=sys.stderr)
