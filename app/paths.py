"""Where ActionLens finds its bundled files; one place for the CLI and the GUI."""

from __future__ import annotations

from pathlib import Path

# app/paths.py -> the repository (or installed package) root, which holds assets/.
ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEFAULT_MODEL = ASSETS / "models" / "default"
DEMO_CLIP = ASSETS / "demo.mp4"
