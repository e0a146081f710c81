"""Where ActionLens finds its bundled files; one place for the CLI and the GUI.

assets/ is installed as the package `actionlens_assets` (setup.py), so a wheel, a pipx
install and an editable install all find it through `importlib.resources`. Only what
ships is read from there: user data, caches and recordings go under the user's home.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

ASSETS_PACKAGE = "actionlens_assets"


def assets_dir() -> Path:
    """The folder holding `demo.mp4` and `models/default/`, wherever ActionLens is installed."""
    try:
        root = resources.files(ASSETS_PACKAGE)
    except ModuleNotFoundError:
        root = None
    if isinstance(root, Path):
        return root
    # A clone used without installing (pytest's pythonpath, `python -m app`): assets/ beside app/.
    return Path(__file__).resolve().parent.parent / "assets"


ASSETS = assets_dir()
DEFAULT_MODEL = ASSETS / "models" / "default"
DEMO_CLIP = ASSETS / "demo.mp4"
