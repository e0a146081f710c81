"""Where the GUI finds its bundled demo clip and puts what it writes."""

from __future__ import annotations

from pathlib import Path

from app.paths import DEMO_CLIP


def default_demo_clip() -> Path:
    """The clip played when no camera and no file is given (may not exist yet)."""
    return DEMO_CLIP


def default_output_dir() -> Path:
    """Where recordings, snapshots and exports go unless the user picks a folder."""
    return Path.home() / "ActionLens"
