"""Loading a model for the engine: a loader thread builds it, the inference thread adopts it.

A mixin of `Engine`, kept in its own file for size, as `PlaybackControls` is: it runs under
the engine's `_lock` and uses the state `Engine.__init__` sets (see app/runtime/engine.py).

- `load_model` starts a daemon loader thread; only the newest request may hand its models
  over (`_load_gen`), so a slow load asked for first never replaces a later one.
- The loader never runs the models: it leaves them in `_handoff`, and the inference thread
  adopts them between frames (`_adopt_models`), so no frame is half processed by two models.
- A file opened while the first model loads is held paused (`_held_for_model`) and resumes
  when a model is adopted, or when loading fails and it must play without labels.
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.runtime.loader import build_processor


class ModelLoading:
    """Background model loading for `Engine`; see the module docstring."""

    def load_model(self, path: str | Path) -> None:
        """Loads a bundle in the background; emits `model_loaded` or `model_failed`."""
        with self._lock:
            self._load_gen += 1
            gen = self._load_gen
            self._loading = True
        self._loader = threading.Thread(
            target=self._load, args=(Path(path), gen), name="actionlens-loader", daemon=True
        )
        self._loader.start()
        self._ensure_thread()

    def _superseded(self, gen: int) -> bool:
        return self._stop.is_set() or gen != self._load_gen

    def _load(self, path: Path, gen: int) -> None:
        try:
            processor, info, notice = build_processor(
                path, self._settings, self._device_request, runtime_request=self._runtime_request,
                progress=lambda line: self.events.emit(self.events.error_raised, line),
                on_bytes=lambda done, total: self.events.emit(self.events.fetch_progressed, done, total))
        except Exception as err:  # every failure reaches the user as one line
            if not self._superseded(gen):
                text = str(err).strip()
                line = text.splitlines()[0] if text else repr(err)
                running = self._model_info
                if running is not None:
                    # The running model is in memory: a bundle deleted or replaced on disk
                    # since it loaded costs nothing but this reload.
                    line += f" The model loaded before ({running['path']}) keeps running."
                self._release_held()  # no model is coming: the file plays without labels
                self.events.emit(self.events.model_failed, line)
            return
        if notice and not self._superseded(gen):
            self.events.emit(self.events.error_raised, notice)
        with self._lock:
            if self._superseded(gen):
                return  # stopped, or another model was asked for meanwhile
            self._handoff = processor
            self._model_info = info
            self.device_label = info["device"]
            self.runtime_label = info["runtime"]
        self.events.emit(self.events.model_loaded, info)

    def _hold_for_model(self, capture) -> None:
        """Pauses a file opened while the first model loads, before its first frame: it plays
        from when the model is adopted (`_adopt_models`) or fails (`_release_held`)."""
        with self._lock:
            waiting = self._loading and self._processor is None and self._handoff is None
            hold = waiting and capture.info.kind == "file"
            self._held_for_model = capture if hold else None
        if hold:
            capture.pause()

    @property
    def waiting_for_model(self) -> bool:
        """True while a file is held, paused, until the model it needs has loaded."""
        return self._held_for_model is not None

    def _release_held(self) -> None:
        with self._lock:
            held, self._held_for_model = self._held_for_model, None
            self._loading = False
        if held is not None:
            held.resume()

    @property
    def model_info(self) -> dict | None:
        return self._model_info

    @property
    def model_ready(self) -> bool:
        return self._model_info is not None

    def wait_until_loaded(self, timeout: float | None = None) -> bool:
        """Blocks until the loader finishes (for the CLI, never the GUI); True if loaded."""
        if self._loader is not None:
            self._loader.join(timeout)
        return self.model_ready

    def _adopt_models(self) -> None:
        with self._lock:
            adopted = self._handoff is not None
            if adopted:
                self._processor, self._handoff = self._handoff, None
                self._processor.update_settings(self._settings)
                self._reset_pending = True
        if adopted:
            self._release_held()
