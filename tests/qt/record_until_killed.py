"""The GUI recording until it is killed, for test_qt_crash.py's SIGKILL test.

Run as `python -m tests.qt.record_until_killed CLIP MODEL_DIR OUT.mp4`: opens the main
window offscreen over the fake engine (tests/qt/fake_engine.py), presses Record (R) as
soon as a labelled frame is on screen, prints "recording", and runs until killed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtCore import QSettings, QTimer  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from app.qt.main_window import MainWindow  # noqa: E402
from app.qt.settings_store import SettingsStore  # noqa: E402
from tests.qt.fake_engine import FakeEngine  # noqa: E402


def main(clip: str, model_dir: str, out: str) -> int:
    app = QApplication([])
    out_path = Path(out)
    store = SettingsStore(QSettings(str(out_path.parent / "settings.ini"), QSettings.Format.IniFormat))
    store.set_path("output_dir", out_path.parent)
    window = MainWindow(FakeEngine(), store, camera_lister=lambda: [], show_dialogs=False)
    window.show()

    def record_once_labelled() -> None:
        if window.frames_with_result == 0:
            QTimer.singleShot(20, record_once_labelled)
            return
        window.outputs.start_recording(out_path)
        print("recording", flush=True)

    window.start(clip, model_dir)
    window.engine.set_loop(True)
    QTimer.singleShot(20, record_once_labelled)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
