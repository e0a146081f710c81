"""Runs `actionlens train --from` in a child process and reports it as Qt signals.

Training imports TensorFlow and keeps both cores busy for seconds to a minute;
in a child process it can never freeze the window, and Cancel can stop it at
any moment: the child is terminated (then killed if it lingers) and the
half-written bundle folder is removed. The child speaks JSON lines on stdout
(`--progress json`) and ends a failed run with one `actionlens: error:` line
on stderr, which becomes the reason shown.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from PyQt6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, pyqtSignal

# The root that holds app/ and model/, so `python -m app` finds them whatever the cwd.
_ROOT = Path(__file__).resolve().parents[2]
# SIGTERM ends a Python child at once; this is only for one stuck in native code.
KILL_AFTER_MS = 3000


class TrainProcess(QObject):
    """One training run at a time in a child `python -m app train --from ...`.

    Args:
        python: the interpreter to run (default: this one).
        parent: the Qt parent.
    """

    progressed = pyqtSignal(str, int, int, str)  # stage, done, total, detail
    trained = pyqtSignal(dict)  # the final event: bundle, summary, estimate, counts, seconds, warnings
    failed = pyqtSignal(str)  # why, in one line
    cancelled = pyqtSignal()  # none: the child is gone and its folder removed

    def __init__(self, python: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.python = python or sys.executable
        self._process: QProcess | None = None
        self._out: Path | None = None
        self._remove_out = False
        self._stdout = b""
        self._last_error = ""
        self._done: dict | None = None
        self._cancelling = False

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self, base: str | Path, dataset: str | Path, out: str | Path, extra: list[str] | None = None) -> None:
        """Starts teaching the bundle `base` the classes in `dataset`, into `out`.

        Raises:
            RuntimeError: a run is already going.
        """
        if self._process is not None:
            raise RuntimeError("A training run is already going; cancel it first.")
        self._out = Path(out)
        self._remove_out = not self._out.exists()  # never delete a folder the user had before
        self._stdout, self._last_error, self._done, self._cancelling = b"", "", None, False
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("TF_CPP_MIN_LOG_LEVEL", "3")
        process.setProcessEnvironment(env)
        process.setWorkingDirectory(str(_ROOT))
        process.readyReadStandardOutput.connect(self._on_stdout)
        process.readyReadStandardError.connect(self._on_stderr)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_error)
        self._process = process
        process.start(self.python, ["-m", "app", "train", "--from", str(base), "--data", str(dataset),
                                    "--out", str(out), "--progress", "json", *(extra or [])])

    def cancel(self) -> None:
        """Stops the run; `cancelled` follows once the child has exited."""
        process = self._process
        if process is None or self._cancelling:
            return
        self._cancelling = True
        process.terminate()
        QTimer.singleShot(KILL_AFTER_MS, lambda: process.kill() if self._process is process else None)

    def kill_now(self, timeout_ms: int = 1000) -> None:
        """Window closing: ends the child at once and waits for it, at most `timeout_ms`."""
        process = self._process
        if process is not None:
            self._cancelling = True
            process.kill()
            process.waitForFinished(timeout_ms)

    def _on_stdout(self) -> None:
        self._stdout += bytes(self._process.readAllStandardOutput())
        *lines, self._stdout = self._stdout.split(b"\n")
        for raw in lines:
            try:
                event = json.loads(raw)
            except ValueError:
                continue  # a stray print from a library: not ours to show
            if event.get("stage") == "done":
                self._done = event
            elif not self._cancelling:
                self.progressed.emit(str(event.get("stage", "")), int(event.get("done", 0)),
                                     int(event.get("total", 0)), str(event.get("detail", "")))

    def _on_stderr(self) -> None:
        text = bytes(self._process.readAllStandardError()).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.startswith("actionlens: ") or (line.strip() and not self._last_error.startswith("actionlens: ")):
                self._last_error = line.strip()

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._finish()
            self.failed.emit(f"Training could not start: {self.python} did not run.")

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        if self._process is None:
            return
        self._on_stdout()  # the last line may come without a newline
        done, cancelled = self._done, self._cancelling
        self._finish()
        if cancelled:
            self._discard()
            self.cancelled.emit()
        elif code == 0 and done is not None:
            self.trained.emit(done)
        else:
            self._discard()
            reason = self._last_error.removeprefix("actionlens: error: ").removeprefix("actionlens: ")
            self.failed.emit(reason or f"the training process stopped (exit code {code}).")

    def _finish(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.deleteLater()

    def _discard(self) -> None:
        if self._remove_out and self._out is not None and self._out.exists():
            shutil.rmtree(self._out, ignore_errors=True)
