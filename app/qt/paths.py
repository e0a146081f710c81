"""Where the GUI finds its bundled files (demo clip, default model)."""

from __future__ import annotations

from pathlib import Path

# app/qt/paths.py -> repository (or installed package) root, which holds assets/.
_ROOT = Path(__file__).resolve().parents[2]
ASSETS = _ROOT / "assets"


def default_demo_clip() -> Path:
    """The clip played when no camera and no file is given (may not exist yet)."""
    return ASSETS / "demo.mp4"


def default_model_dir() -> Path:
    """The model bundle loaded when the user names none."""
    return ASSETS / "models" / "default"


def default_output_dir() -> Path:
    """Where recordings, snapshots and exports go unless the user picks a folder."""
    return Path.home() / "ActionLens"
