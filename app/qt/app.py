"""`run_gui`: the QApplication, the window and the engine, and the snapshot mode for docs and tests."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QEventLoop, QTimer, QtMsgType, qInstallMessageHandler
from PyQt6.QtWidgets import QApplication

from app.qt.camera_probe import CameraLister
from app.qt.main_window import MainWindow
from app.qt.settings_store import APPLICATION, ORGANISATION, SettingsStore
from app.qt.timing import GuiTiming
from app.settings import DEFAULT_MAX_PEOPLE

# A snapshot run that sees no predictions for this long gives up (no model, stuck source).
SNAPSHOT_TIMEOUT_S = 300.0
# After the window has gone, how long the process may wait for a TensorFlow import or a
# camera probe still running on a daemon thread: leaving C++ code mid-call at interpreter
# exit aborts the process ("FATAL: exception not rethrown").
EXIT_GRACE_S = 60.0


def _default_engine(settings, device: str, runtime: str = "auto"):
    from app.runtime.engine import Engine

    return Engine(settings, device=device, runtime=runtime)


def run_gui(
    source: str | int | None = None,
    model_dir: str | Path | None = None,
    snapshot: str | Path | None = None,
    snapshot_after_frames: int = 60,
    device: str = "auto",
    *,
    runtime: str = "auto",
    engine_factory: Callable | None = None,
    store: SettingsStore | None = None,
    camera_lister: CameraLister | None = None,
    snapshot_timeout_s: float = SNAPSHOT_TIMEOUT_S,
    timing: bool = False,
    max_people: int = DEFAULT_MAX_PEOPLE,
) -> int:
    """Runs the desktop app until its window closes.

    Args:
        source: camera index, video file or stream URL; None opens the first
            camera, else the bundled demo clip.
        model_dir: model bundle folder, loaded in the background; None loads none.
        snapshot: if given, play until `snapshot_after_frames` frames have been
            shown with a prediction (or the file ends), save the whole window there
            as PNG, and exit.
        snapshot_after_frames: frames with a prediction to show before the snapshot.
        device: "auto", "cpu" or "gpu", passed to the engine.
        runtime: "auto", "litert" or "keras", passed to the engine.
        engine_factory: `(settings, device) -> engine` (tests pass a fake).
        store: remembered settings (tests pass one backed by a temporary file).
        camera_lister: returns camera indices (tests pass a stub).
        snapshot_timeout_s: a snapshot run gives up after this many seconds.
        timing: print start-up and paint timing to stderr at exit.
        max_people: pose models: the most people followed, each with a label.

    Returns:
        0 on a normal exit or a saved snapshot (also one taken at the end of a file
        shorter than `snapshot_after_frames`); 1 when a snapshot could not be made
        (model failed, timeout, a source that stopped, or the PNG could not be written).
    """
    app = QApplication.instance()
    owns_app = app is None
    if owns_app:
        qInstallMessageHandler(_quiet_qt_messages)
        app = QApplication(sys.argv[:1])
        app.setOrganizationName(ORGANISATION)
        app.setApplicationName(APPLICATION)
    store = store or SettingsStore()
    settings = store.engine_settings().replace(max_people=max_people)
    engine = (engine_factory or functools.partial(_default_engine, runtime=runtime))(settings, device)
    window = MainWindow(engine, store, camera_lister=camera_lister, show_dialogs=snapshot is None)
    loop = QEventLoop()
    outcome = {"code": 0}
    window.closed.connect(loop.quit)

    if snapshot is not None:
        _arm_snapshot(window, Path(snapshot), snapshot_after_frames, snapshot_timeout_s, outcome)

    clock = GuiTiming()
    window.frame_shown.connect(clock.on_frame_shown)
    window.show()
    QTimer.singleShot(0, clock.mark_visible)
    if snapshot is not None and model_dir is not None:
        # A snapshot documents predictions: open the source once the model is ready, so a
        # short clip is not over while TensorFlow is still loading.
        opened = {"done": False}

        def open_once(_info) -> None:
            if not opened["done"]:
                opened["done"] = True
                window.start(source, None)

        window.bridge.model_loaded.connect(open_once)
        QTimer.singleShot(0, lambda: window.load_model(str(model_dir)))
    else:
        # Start after the window is on screen, so it appears at once and says "loading model…".
        QTimer.singleShot(0, lambda: window.start(source, model_dir))
    loop.exec()
    if timing:
        print(clock.summary(window.bridge.skipped_paints), file=sys.stderr)
    if not window.isHidden():
        window.close()
    _wait_for_daemons(window, engine)
    window.deleteLater()
    if owns_app:
        app.processEvents()
    return outcome["code"]


def _quiet_qt_messages(kind: QtMsgType, _context, message: str) -> None:
    # The offscreen platform warns on every window it shows; that says nothing to a user.
    if "propagateSizeHints" in message:
        return
    if kind != QtMsgType.QtDebugMsg:
        print(message, file=sys.stderr)


def _wait_for_daemons(window: MainWindow, engine) -> None:
    # The window is closed already; this only delays the process exit, never the GUI.
    window.camera_probe.cancel(EXIT_GRACE_S / 10)
    wait = getattr(engine, "wait_until_loaded", None)  # the real engine's loader join
    if callable(wait):
        wait(EXIT_GRACE_S)


def _arm_snapshot(window: MainWindow, path: Path, after: int, timeout_s: float, outcome: dict) -> None:
    def finish(code: int, message: str = "") -> None:
        if window.isHidden():
            return
        if message:
            print(f"actionlens: {message}", file=sys.stderr)
        outcome["code"] = code
        window.close()

    def save(code: int = 0, message: str = "") -> None:
        window.timeline.refresh()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(path), "PNG"):
            finish(1, f"could not write the snapshot {path}; check the folder is writable")
        else:
            finish(code, message)

    armed = {"done": False}

    def arm(code: int = 0, message: str = "") -> bool:
        if armed["done"]:
            return False
        armed["done"] = True
        # One more turn of the event loop, so the paint of the last frame is in the grab.
        QTimer.singleShot(0, lambda: save(code, message))
        return True

    def on_frame(_frame, result) -> None:
        if result is not None and window.frames_with_result >= after:
            arm()

    def on_ended(reason) -> None:
        # A file shorter than the wait: its last frame is what there is to show.
        shown = window.frames_with_result
        if reason is None:
            arm(0, f"the file ended after {shown} predicted frames (of {after} asked for); "
                   f"snapshot taken at its end: {path}")
        else:
            arm(1, f"the source stopped after {shown} predicted frames ({reason}); "
                   f"snapshot taken then: {path}")

    window.frame_shown.connect(on_frame)
    window.bridge.source_ended.connect(on_ended)
    # The window has already printed why the model failed.
    window.bridge.model_failed.connect(lambda _msg: finish(1, "snapshot not taken: no model"))

    def give_up() -> None:
        arm(1, f"snapshot taken after {timeout_s:g} s with only "
               f"{window.frames_with_result} predicted frames")

    QTimer(window, singleShot=True, interval=int(timeout_s * 1000), timeout=give_up).start()
