"""Menus, toolbar and keyboard shortcuts of the main window."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QMainWindow

# The window is typed as the QMainWindow it is: naming app.qt.main_window.MainWindow here
# would make the two modules import each other.
MainWindow = QMainWindow


def _action(window: MainWindow, text: str, slot, shortcut: str | QKeySequence | None = None,
            tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        # Window-wide, so keys work whichever panel has focus (text fields still get letters).
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)
    return action


def _set_skeleton(window: MainWindow, on: bool) -> None:
    window.view.set_show_skeleton(on)
    window.outputs.skeleton = on


def install_actions(window: MainWindow) -> dict[str, QAction]:
    """Adds the menus, toolbar and shortcuts; returns the actions by name.

    Keys: Space play/pause, Left/Right step, R record, S snapshot, F fullscreen,
    K skeleton on/off, Ctrl+O open file, Esc leaves fullscreen.
    """
    a = {
        "open": _action(window, "&Open file…", window.open_file_dialog, QKeySequence.StandardKey.Open),
        "demo": _action(window, "Play &demo clip", lambda: window.play_demo(notice=False)),
        "play": _action(window, "Play / pause", window.toggle_play, "Space"),
        "back": _action(window, "Step back", lambda: window.step(-1), "Left"),
        "forward": _action(window, "Step forward", lambda: window.step(1), "Right"),
        "record": _action(window, "&Record", window.toggle_recording, "R",
                          "Start/stop the annotated recording (R)"),
        "snapshot": _action(window, "&Snapshot", window.save_snapshot, "S", "Save the frame as PNG (S)"),
        "events": _action(window, "Export &events…", lambda: window.export_events(segments=False)),
        "segments": _action(window, "Export se&gments…", lambda: window.export_events(segments=True)),
        "fullscreen": _action(window, "&Fullscreen", window.toggle_fullscreen, "F"),
        "leave_fullscreen": _action(window, "Leave fullscreen",
                                    lambda: window.isFullScreen() and window.showNormal(), "Esc"),
        "quit": _action(window, "&Quit", window.close, QKeySequence.StandardKey.Quit),
        "skeleton": _action(window, "&Skeleton", lambda: _set_skeleton(
            window, window.actions_by_name["skeleton"].isChecked()), "K",
            "Draw the person's skeleton and box (pose models) (K)"),
    }
    a["skeleton"].setCheckable(True)
    a["skeleton"].setChecked(True)
    menu = window.menuBar()
    file_menu = menu.addMenu("&File")
    for name in ("open", "demo", "quit"):
        file_menu.addAction(a[name])
    play_menu = menu.addMenu("&Playback")
    for name in ("play", "back", "forward"):
        play_menu.addAction(a[name])
    out_menu = menu.addMenu("&Output")
    for name in ("record", "snapshot", "events", "segments"):
        out_menu.addAction(a[name])
    view_menu = menu.addMenu("&View")
    view_menu.addAction(a["fullscreen"])
    view_menu.addAction(a["skeleton"])
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main_toolbar")
    for name in ("open", "record", "snapshot", "events", "segments", "fullscreen"):
        toolbar.addAction(a[name])
    window.actions_by_name = a
    return a
