"""Where the bundled files are found (app/paths.py), in a clone and in an installed wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app import paths
from tests.paths import REPO

# What a wheel needs to be built: the sources and the files the metadata names.
_SOURCES = ("pyproject.toml", "setup.py", "README.md", "app", "model", "assets")


def test_the_default_model_and_the_demo_are_found():
    assert (paths.DEFAULT_MODEL / "config.json").is_file() and paths.DEMO_CLIP.is_file()


def test_a_clone_used_without_installing_finds_assets_beside_app(monkeypatch):
    def not_installed(name):
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(paths.resources, "files", not_installed)
    assert paths.assets_dir() == REPO / "assets"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel `pip wheel .` builds from a copy of the sources (no network: no build isolation)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in _SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "-w", str(tmp / "dist"), str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return next((tmp / "dist").glob("actionlens-*.whl"))


@pytest.mark.slow
def test_the_wheel_carries_the_default_bundle_and_the_demo_clip(wheel):
    with zipfile.ZipFile(wheel) as zf:
        sizes = {info.filename: info.file_size for info in zf.infolist()}
    shipped = [p for p in (REPO / "assets" / "models" / "default").iterdir() if p.is_file()]
    shipped.append(REPO / "assets" / "demo.mp4")
    for path in shipped:
        name = "actionlens_assets/" + path.relative_to(REPO / "assets").as_posix()
        assert sizes.get(name) == path.stat().st_size, f"{name} not in {wheel.name}"
    assert not [name for name in sizes if name.startswith("tests/")]


@pytest.mark.slow
def test_the_installed_wheel_finds_its_own_assets(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    # -S: no site-packages, so neither the clone nor an editable install can answer instead.
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run([sys.executable, "-S", "-c",
                           "from app.paths import DEFAULT_MODEL, DEMO_CLIP; print(DEFAULT_MODEL); print(DEMO_CLIP)"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    model, demo = (Path(line) for line in proc.stdout.split())
    assert model == site / "actionlens_assets" / "models" / "default"
    assert (model / "classifier.keras").is_file()
    assert demo.stat().st_size == (REPO / "assets" / "demo.mp4").stat().st_size
