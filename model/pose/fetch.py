"""The BlazePose models: fetched once from the mediapipe 0.10.21 wheel, hash-checked, cached.

The only download ActionLens ever makes. mediapipe itself is never installed (it
pins protobuf < 5 and numpy < 2, which break TensorFlow): pip downloads its wheel
without dependencies for a fixed platform and Python (the model files are the
same in every wheel of 0.10.21), the two files are taken out of it, and each is
checked against its SHA-256 before it is kept.

BlazePose is Google's, Apache-2.0, from https://github.com/google-ai-edge/mediapipe.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MEDIAPIPE_VERSION = "0.10.21"
# Any one wheel will do: the .tflite files inside do not depend on platform or Python.
_WHEEL_PLATFORM = "manylinux_2_28_x86_64"
_WHEEL_PYTHON = "3.11"
FETCH_COMMAND = "actionlens fetch-pose"
CACHE_ENV = "ACTIONLENS_POSE_DIR"


@dataclass(frozen=True)
class PoseModelFile:
    """One model file inside the wheel, and what it must hash to."""

    name: str
    wheel_path: str
    size: int
    sha256: str


DETECTOR = PoseModelFile(
    "pose_detection.tflite", "mediapipe/modules/pose_detection/pose_detection.tflite",
    2_959_046, "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c")
LANDMARKER = PoseModelFile(
    "pose_landmark_full.tflite", "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
    6_440_512, "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f")
POSE_FILES = (DETECTOR, LANDMARKER)

CREDIT = (f"BlazePose (pose_detection, pose_landmark_full) from mediapipe {MEDIAPIPE_VERSION}, "
          "Google, Apache-2.0")


# (bytes downloaded so far, total bytes; 0 when the server does not say).
ByteProgress = Callable[[int, int], None]
# What pip prints per update with `--progress-bar raw`.
_PIP_PROGRESS = re.compile(r"^Progress (\d+) of (\d+)$")


class PoseModelsMissing(RuntimeError):
    """The pose models are not cached and could not be fetched; the message is one line."""


def pose_cache_dir() -> Path:
    """Where the models are kept: $ACTIONLENS_POSE_DIR, else the user's cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "actionlens" / f"mediapipe-{MEDIAPIPE_VERSION}"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_pose_models(folder: Path | None = None) -> dict[str, Path] | None:
    """The cached model paths {"detector", "landmarker"} when both are there and intact."""
    folder = Path(folder) if folder is not None else pose_cache_dir()
    paths = {"detector": folder / DETECTOR.name, "landmarker": folder / LANDMARKER.name}
    for spec, path in zip(POSE_FILES, paths.values(), strict=True):
        if not path.is_file() or path.stat().st_size != spec.size:
            return None
    return paths


def pip_download_wheel(dest: Path, on_bytes: ByteProgress | None = None) -> Path:
    """Downloads the mediapipe wheel (no dependencies) into `dest`; returns its path.

    Args:
        dest: an empty folder for the wheel.
        on_bytes: called with (bytes so far, total bytes) as pip downloads, from pip's
            `--progress-bar raw` lines (pip 24.1 and newer; an older pip downloads without).

    Raises:
        PoseModelsMissing: pip failed (no network, no such wheel); one line.
    """
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           "--platform", _WHEEL_PLATFORM, "--python-version", _WHEEL_PYTHON,
           "--retries", "1", "--timeout", "20", "-d", str(dest), f"mediapipe=={MEDIAPIPE_VERSION}"]
    code, lines = _run_pip([*cmd, "--progress-bar", "raw"], on_bytes or (lambda done, total: None))
    if code != 0 and any("invalid choice: 'raw'" in line for line in lines):
        code, lines = _run_pip([*cmd, "-q"], None)
    wheels = sorted(dest.glob("mediapipe-*.whl"))
    if code != 0 or not wheels:
        why = lines[-1].strip() if lines else f"pip exited with {code}"
        raise PoseModelsMissing(
            f"could not download mediapipe=={MEDIAPIPE_VERSION} for its pose models ({why}); "
            f"connect to the internet and run `{FETCH_COMMAND}`")
    if on_bytes is not None:
        size = wheels[0].stat().st_size  # also when pip's cache answered and printed no progress
        on_bytes(size, size)
    return wheels[0]


def _run_pip(cmd: list[str], on_bytes: ByteProgress | None) -> tuple[int, list[str]]:
    """Runs pip, passing its "Progress N of M" lines to `on_bytes`; (exit code, its other lines)."""
    lines: list[str] = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace") as proc:
        for line in proc.stdout:
            match = _PIP_PROGRESS.match(line.strip())
            if match and on_bytes is not None:
                on_bytes(int(match[1]), int(match[2]))
            elif line.strip() and not match:
                lines.append(line.rstrip())
    return proc.returncode, lines


def fetch_pose_models(
    folder: Path | None = None,
    *,
    download: Callable[[Path, ByteProgress | None], Path] = pip_download_wheel,
    progress: Callable[[str], None] | None = None,
    on_bytes: ByteProgress | None = None,
) -> dict[str, Path]:
    """Makes sure both pose models are cached, fetching them once if not.

    Args:
        folder: the cache folder (default `pose_cache_dir()`).
        download: `(folder, on_bytes) -> wheel path`: puts the mediapipe wheel in the
            folder, reporting bytes as it goes (tests pass their own; the default runs pip).
        progress: called with a short line per step, for a visible progress line.
        on_bytes: called with (bytes so far, total bytes) during the download, for a
            progress bar (`ByteRate` turns them into "12.0 of 35.6 MB, 2.1 MB/s").

    Returns:
        {"detector": path, "landmarker": path}.

    Raises:
        PoseModelsMissing: no network, or a file whose hash is wrong; one line,
            and nothing unchecked is left in the cache.
    """
    folder = Path(folder) if folder is not None else pose_cache_dir()
    found = cached_pose_models(folder)
    if found is not None:
        return found
    say = progress or (lambda line: None)
    say(f"fetching the BlazePose models from mediapipe {MEDIAPIPE_VERSION} (about 36 MB, once)...")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="actionlens-pose-") as tmp:
        wheel = download(Path(tmp), on_bytes)
        say(f"checking {DETECTOR.name} and {LANDMARKER.name}...")
        staged = []
        try:
            with zipfile.ZipFile(wheel) as zf:
                for spec in POSE_FILES:
                    out = Path(tmp) / spec.name
                    with zf.open(spec.wheel_path) as src, open(out, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    staged.append((spec, out))
        except (KeyError, zipfile.BadZipFile, OSError) as err:
            raise PoseModelsMissing(f"{wheel.name}: not a mediapipe wheel with the pose models ({err}); "
                                    f"run `{FETCH_COMMAND}` again") from None
        for spec, out in staged:
            got = sha256_of(out)
            if got != spec.sha256:
                raise PoseModelsMissing(
                    f"{spec.name}: SHA-256 {got[:16]}... is not the expected {spec.sha256[:16]}...; "
                    f"nothing was kept. Run `{FETCH_COMMAND}` again")
        for spec, out in staged:
            shutil.move(str(out), str(folder / spec.name))
    say(f"pose models ready in {folder}")
    return cached_pose_models(folder)


def require_pose_models(folder: Path | None = None) -> dict[str, Path]:
    """The cached models, verified, without fetching.

    Raises:
        PoseModelsMissing: one line naming what is missing and the command that fetches it.
    """
    folder = Path(folder) if folder is not None else pose_cache_dir()
    found = cached_pose_models(folder)
    if found is None:
        raise PoseModelsMissing(
            f"the BlazePose models are not in {folder}; run `{FETCH_COMMAND}` once (about 36 MB)")
    return found
