"""Loading a bundle for LiteRT: its config and TFLite files, without TensorFlow.

A bundle written by this version holds its TFLite files (see `model.lite.convert`).
One written before, or whose .keras files changed since, is converted once into
the user's cache folder, keyed by the Keras files' hashes, with a line saying
so; that one conversion imports TensorFlow, every later load does not.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from model.config import ModelConfig
from model.lite.files import PARTS, complete, current_parts, keras_hashes, read_lite_record

CACHE_ENV = "ACTIONLENS_LITE_DIR"


class LiteUnavailable(RuntimeError):
    """The bundle has no usable TFLite files and they could not be made; the message says why."""


@dataclass
class LiteBundle:
    """A bundle as LiteRT runs it.

    Attributes:
        path: the bundle folder.
        config: its `ModelConfig`.
        parts: part name ("encoder", "head" or "classifier", and "predictor") -> .tflite path.
        metrics: its metrics.json (may be empty).
        converted_to: the cache folder the parts were converted into on this load, else None.
    """

    path: Path
    config: ModelConfig
    parts: dict[str, Path]
    metrics: dict = field(default_factory=dict)
    converted_to: Path | None = None

    @property
    def has_predictor(self) -> bool:
        return "predictor" in self.parts

    def summary(self) -> str:
        """One line: where it is, what it is and whether it predicts frames."""
        pred = "with next-frame predictor" if self.has_predictor else "no predictor"
        return f"{self.path}: {self.config.summary()}; {pred}"


def lite_cache_dir() -> Path:
    """Where converted bundles are kept: $ACTIONLENS_LITE_DIR, else the user's cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "actionlens" / "lite"


def load_lite_bundle(path: str | Path, progress=None, cache: Path | None = None) -> LiteBundle:
    """Loads a bundle's config and finds (or makes once) its TFLite files.

    Args:
        path: the bundle folder.
        progress: called with one line when the bundle has to be converted.
        cache: the cache folder (default `lite_cache_dir()`).

    Returns:
        A `LiteBundle`.

    Raises:
        BundleError: the bundle is missing or broken (the message names the file).
        LiteUnavailable: it has no current TFLite files and converting it failed.
    """
    from model.bundle_files import CLASSIFIER_FILE, read_bundle_files

    root, config, metrics = read_bundle_files(path)
    hashes = keras_hashes(root)
    parts, folder = _current(root, cache, hashes)
    if parts is not None:
        return LiteBundle(root, config, parts, metrics)
    failed = _recorded_failures(folder, root, hashes)
    if failed:
        raise LiteUnavailable(f"{root}: cannot run on LiteRT ({failed}; recorded in {folder}).")
    if progress is not None:
        progress(f"{root}: no LiteRT files for this model ({CLASSIFIER_FILE} is newer or they "
                 f"were never made); converting once, cached in {folder}")
    try:
        from model.lite.convert import export_lite

        record = export_lite(root, folder)
    except ImportError as err:
        raise LiteUnavailable(f"{root}: has no LiteRT files and TensorFlow is not here to make "
                              f"them ({err}). Run `actionlens export` where it is.") from None
    parts = current_parts(folder, root, hashes)
    if not complete(parts, root):
        raise LiteUnavailable(f"{root}: cannot run on LiteRT ({_failures(record)}).")
    return LiteBundle(root, config, parts, metrics, converted_to=folder)


def lite_parts_found(path: str | Path, cache: Path | None = None) -> bool:
    """Whether current LiteRT files for the bundle exist, in it or in the cache (no conversion)."""
    root = Path(path)
    return _current(root, cache, keras_hashes(root))[0] is not None


def _current(root: Path, cache: Path | None, hashes: dict) -> tuple[dict | None, Path]:
    """(parts, cache folder): the complete current parts, from the bundle itself or else its
    cache folder, or None; the folder is where a conversion goes."""
    parts = current_parts(root, root, hashes)
    folder = (Path(cache) if cache is not None else lite_cache_dir()) / _key(hashes)
    if not complete(parts, root):
        parts = current_parts(folder, root, hashes)
    return (parts if complete(parts, root) else None), folder


def _key(hashes: dict) -> str:
    digest = hashlib.sha256()
    for keras_file in sorted(hashes):
        digest.update((hashes[keras_file] or "-").encode())
    return digest.hexdigest()[:16]


def _recorded_failures(folder: Path, root: Path, hashes: dict) -> str:
    """Failures that lite.json in `folder` (or the bundle's own) records for the Keras files
    there now: converting them again would fail again, after a TensorFlow import."""
    found = []
    for place in (root, folder):
        for name, entry in read_lite_record(place).get("parts", {}).items():
            if entry.get("ok") or name not in PARTS:
                continue
            sha = hashes[PARTS[name][1]]
            if sha and entry.get("source_sha256") == sha:
                found.append(f"{name}: {entry.get('error', 'not ok')}")
    return "; ".join(dict.fromkeys(found))


def _failures(record: dict) -> str:
    bad = [f"{name}: {entry.get('error', 'not ok')}" for name, entry in record.get("parts", {}).items()
           if not entry.get("ok")]
    return "; ".join(bad) or "no parts were written"

