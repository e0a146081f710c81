"""A stand-in for app.runtime.engine.Engine with the same interface, for GUI tests.

It decodes a real clip with OpenCV, plays it from a Python thread at the clip's
fps (times `speed`), and pairs every frame with a deterministic Result derived
from the frame index, so a test can check that the label on screen is the one
for the frame on screen. Pause, seek, step, loop and speed behave like the
real engine's; the model "loads" on a thread after `load_delay` seconds.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np

from app.capture.sources import SourceError, SourceInfo, open_video, parse_source
from app.frames import Frame
from app.results import UNKNOWN, Result
from app.runtime.events import EngineEvents
from app.settings import EngineSettings
from tests.video_fixtures import read_frames

RUN_LENGTH = 8  # frames per label in the deterministic label sequence


def label_for(index: int, labels: tuple[str, ...]) -> str:
    """The label the fake engine reports for frame `index`: runs of RUN_LENGTH frames."""
    slot = (index // RUN_LENGTH) % (len(labels) + 1)
    return UNKNOWN if slot == len(labels) else labels[slot]


class FakeEngine:
    """Implements the `app.runtime.engine.Engine` interface over a decoded clip."""

    def __init__(self, settings: EngineSettings | None = None, device: str = "auto", *,
                 load_delay: float = 0.05, window: int = 4) -> None:
        self._settings = settings or EngineSettings()
        self.device = device
        self.load_delay = load_delay
        self.default_window = window
        self.settings_calls: list[EngineSettings] = []
        self.selected_people: list[int | None] = []
        self.load_calls: list[str] = []
        self.events = EngineEvents()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._loader: threading.Thread | None = None
        self._player: threading.Thread | None = None
        self._gen = 0
        self._frames: list[np.ndarray] = []
        self._info: SourceInfo | None = None
        self._model_info: dict | None = None
        self._pos = 0
        self._shown = -1
        self._paused = False
        self._show_one = False
        self._ended = False
        self._loop = False
        self._speed = 1.0
        self.emitted: list[int] = []

    # -- interface --------------------------------------------------------------------

    def load_model(self, path: str | Path) -> None:
        self.load_calls.append(str(path))
        self._loader = threading.Thread(target=self._load, args=(Path(path),), name="fake-engine-loader")
        self._loader.start()

    def _load(self, path: Path) -> None:
        if self._stop.wait(self.load_delay):
            return
        config = path / "config.json"
        if not config.is_file():
            self.events.emit(self.events.model_failed, f"{path}: no config.json; choose a model bundle folder.")
            return
        labels = tuple(json.loads(config.read_text())["labels"])
        info = {"summary": f"fake model: {', '.join(labels)}", "labels": labels, "device": "CPU",
                "min_frames": 2, "max_frames": 16, "frames": self.default_window, "fps": 10.0,
                "has_predictor": True, "path": str(path)}
        with self._cond:
            self._model_info = info
        self.events.emit(self.events.model_loaded, info)

    def open_source(self, source: str | int, *, realtime: bool = True, loop: bool = False) -> SourceInfo:
        parsed = parse_source(source)
        if isinstance(parsed, int):
            raise SourceError(f"camera {parsed} not found; no cameras found. Pass a video file.")
        cap, info = open_video(parsed)
        frames = read_frames(cap)
        self.close_source()
        with self._cond:
            self._frames, self._info = frames, info
            self._pos, self._shown, self._paused, self._show_one = 0, -1, False, False
            self._ended, self._loop = False, loop
            self._gen += 1
            gen = self._gen
        self._player = threading.Thread(target=self._play, args=(gen,), name="fake-engine-player")
        self._player.start()
        return info

    def close_source(self) -> None:
        with self._cond:
            self._gen += 1
            self._info = None
            self._cond.notify_all()
        if self._player is not None and self._player is not threading.current_thread():
            self._player.join(2.0)

    def stop(self, timeout: float = 2.0) -> bool:
        deadline = time.monotonic() + timeout
        self._stop.set()
        self.close_source()
        for t in (self._loader, self._player):
            if t is not None:
                t.join(max(0.0, deadline - time.monotonic()))
        return not any(t is not None and t.is_alive() for t in (self._loader, self._player))

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def seek(self, index: int) -> None:
        with self._cond:
            if not self._frames:
                return
            self._pos = max(0, min(int(index), len(self._frames) - 1))
            self._shown = self._pos  # like Engine.seek: a step right after moves from the target
            self._ended = False
            self._show_one = self._paused
            self._cond.notify_all()

    def step(self, delta: int) -> None:
        with self._cond:
            self._paused = True
        self.seek(max(0, self._shown + int(delta)))

    def set_speed(self, speed: float) -> None:
        self._speed = float(speed)

    def set_loop(self, loop: bool) -> None:
        self._loop = bool(loop)

    def update_settings(self, settings: EngineSettings) -> None:
        self._settings = settings
        self.settings_calls.append(settings)

    def select_person(self, person_id: int | None) -> None:
        self.selected_people.append(person_id)

    @property
    def settings(self) -> EngineSettings:
        return self._settings

    @property
    def source_info(self) -> SourceInfo | None:
        return self._info

    @property
    def model_info(self) -> dict | None:
        return self._model_info

    def stats(self) -> dict:
        fps = self._info.fps if self._info is not None else 0.0
        return {"capture_fps": fps, "model_fps": fps if self._model_info else 0.0, "inference_ms": 3.0,
                "latency_ms": 12.0, "dropped": 0, "device": "CPU", "backlog": 0}

    # -- the player -------------------------------------------------------------------

    @property
    def window(self) -> int:
        return self._settings.window or self.default_window

    def result_for(self, index: int) -> Result | None:
        """The result this engine pairs with frame `index` (None before a full window)."""
        info, fps = self._model_info, (self._info.fps if self._info else 30.0)
        if info is None or index < self.window - 1:
            return None
        labels = tuple(info["labels"])
        label = label_for(index, labels)
        probs = np.full(len(labels), 0.1 / max(1, len(labels) - 1), np.float32)
        top = labels.index(label) if label in labels else index % len(labels)
        probs[top] = 0.9 if label != UNKNOWN else 0.45
        pred = None
        if index % 2 == 0:
            pred = np.full((16, 16, 1), (index % 10) / 10.0, np.float32)
        return Result(index, index / fps, label, float(probs[top]), probs, probs.copy(), labels,
                      surprise=0.001 * (index % 7), latency_ms=12.0, inference_ms=3.0,
                      predicted_frame=pred, device="CPU")

    def _play(self, gen: int) -> None:
        while True:
            with self._cond:
                while not self._stop.is_set() and gen == self._gen and (
                        (self._paused or self._ended) and not self._show_one):
                    self._cond.wait(0.05)
                if self._stop.is_set() or gen != self._gen:
                    return
                if self._pos >= len(self._frames):
                    if self._loop:
                        self._pos = 0
                    else:
                        self._ended = True
                        ended = True
                else:
                    ended = False
                if not ended:
                    index = self._pos
                    self._pos += 1
                    self._shown = index
                    self._show_one = False
                    image, fps = self._frames[index], self._info.fps
            if ended:
                self.events.emit(self.events.source_ended, None)
                continue
            frame = Frame(image, index, index / fps, time.monotonic())
            self.emitted.append(index)
            self.events.emit(self.events.frame_ready, frame, self.result_for(index))
            with self._cond:
                self._cond.wait_for(lambda: self._stop.is_set() or gen != self._gen,
                                    1.0 / (fps * max(self._speed, 0.01)))
