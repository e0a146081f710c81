"""Whether a GUI can open here, decided from the environment alone.

The CLI asks this before it imports PyQt6, so this module must not import Qt:
a Qt platform plugin that finds no display aborts the process instead of
raising, and `actionlens run` (headless) must stay usable over SSH.
"""

from __future__ import annotations

import os
import sys

# Platforms that draw without any display server.
_HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")


def display_available(environ: dict | None = None, platform: str | None = None) -> bool:
    """Whether a Qt window can be shown (or rendered offscreen) in this process.

    Args:
        environ: the environment to read (default: `os.environ`).
        platform: `sys.platform` to assume (default: this process's).

    Returns:
        True on Windows and macOS, where a session always has a display; on
        other systems True when DISPLAY or WAYLAND_DISPLAY is set, or when
        QT_QPA_PLATFORM names a platform that needs no display (e.g. "offscreen").
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    qpa = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    if qpa in _HEADLESS_PLATFORMS:
        return True
    if platform.startswith(("win", "darwin")):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def qt_versions() -> str:
    """"PyQt6 x.y (Qt a.b)", or why PyQt6 cannot be imported; for `actionlens info`.

    Imports Qt lazily: QtCore loads no platform plugin, so this is safe without a display.
    """
    try:
        from PyQt6.QtCore import PYQT_VERSION_STR, QT_VERSION_STR
    except ImportError as err:
        return f"not importable ({err})"
    return f"{PYQT_VERSION_STR} (Qt {QT_VERSION_STR})"
