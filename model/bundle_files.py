"""A bundle's files: their names, reading its config and metrics, and loading one Keras model.

What `model.bundle` (saving and loading whole bundles) and `model.lite` (converting a
bundle's models to TFLite) both need, kept here so that neither imports the other's module
for it. Importing this loads no TensorFlow; `load_keras_model` does, when called.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from model.config import POSE_FEATURE_VERSION, ModelConfig
from model.errors import first_line

CLASSIFIER_FILE = "classifier.keras"
PREDICTOR_FILE = "predictor.keras"
CONFIG_FILE = "config.json"
LABELS_FILE = "labels.json"
METRICS_FILE = "metrics.json"
CARD_FILE = "MODEL_CARD.md"


class BundleError(ValueError):
    """A model bundle is missing, incomplete or inconsistent; the message names the file."""


def read_bundle_files(path: str | Path) -> tuple[Path, ModelConfig, dict]:
    """Checks a bundle's files and reads its config and metrics, loading no model.

    Args:
        path: the bundle folder.

    Returns:
        (folder, config, metrics): metrics is {} when metrics.json is absent.

    Raises:
        BundleError: naming the file and the problem.
    """
    root = _bundle_folder(path)
    if not (root / CLASSIFIER_FILE).is_file():
        raise BundleError(
            f"{root}: not a model bundle ({CLASSIFIER_FILE} is missing). "
            "Pass a folder made by `actionlens train`, e.g. assets/models/default."
        )
    config = _load_config(root / CONFIG_FILE)
    check_pose_version(config, root)
    labels = _load_json(root / LABELS_FILE)
    if list(labels) != list(config.labels):
        raise BundleError(
            f"{root / LABELS_FILE}: labels {labels} differ from {CONFIG_FILE}'s {list(config.labels)}."
        )
    metrics = _load_json(root / METRICS_FILE) if (root / METRICS_FILE).is_file() else {}
    return root, config, metrics


def check_pose_version(config: ModelConfig, where: Path) -> None:
    """Raises BundleError (one line) for a pose bundle trained on another feature layout."""
    if config.uses_pose and config.pose_version != POSE_FEATURE_VERSION:
        # Its encoder takes another width, in another order: no column mapping makes it right.
        raise BundleError(
            f"{where}: trained on pose features version {config.pose_version}, but this ActionLens "
            f"computes version {POSE_FEATURE_VERSION} (hands and a bend cue added). Train it again "
            "with `actionlens train --features pose`, or run it with the ActionLens it was made with.")


def load_config(path: str | Path) -> ModelConfig:
    """A bundle's `ModelConfig`, read from its config.json without loading any model.

    Raises:
        BundleError: config.json is missing, unreadable or not a config.
    """
    return _load_config(_bundle_folder(path) / CONFIG_FILE)


def load_keras_model(path: Path):
    """Loads one .keras file of a bundle in safe mode.

    Returns:
        The Keras model, uncompiled.

    Raises:
        BundleError: it holds a Lambda layer (refused), is not a .keras file, or fails to load.
    """
    from model.backend import import_keras

    keras = import_keras()
    # Registers the custom layers before deserializing: every module that defines some.
    import model.nets.layers  # noqa: F401
    import model.nets.legs  # noqa: F401
    import model.nets.repeats  # noqa: F401

    if _uses_lambda(path):
        raise BundleError(
            f"{path}: contains a Lambda layer, which stores Python code and is refused in "
            "safe mode. Rebuild the model with registered layers (see model/nets/layers.py)."
        )
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as err:  # Keras raises many types here; the user needs the file and why.
        raise BundleError(f"{path}: cannot be loaded ({first_line(err)}).") from None


def check_classifier(path: Path, classifier, config: ModelConfig) -> None:
    """Refuses a classifier whose outputs or frames differ from what `config` says.

    Args:
        path: its file, named in the error.
        classifier: (batch, time, *config.classifier_frame_shape) -> (batch, config.num_classes).
        config: the bundle's config.

    Raises:
        BundleError: the class count or the frame shape differ.
    """
    out_classes = classifier.output.shape[-1]
    if out_classes != config.num_classes:
        raise BundleError(
            f"{path}: the classifier has {out_classes} outputs but {LABELS_FILE} names "
            f"{config.num_classes} labels. Retrain, or fix the labels to match."
        )
    in_shape = tuple(classifier.input.shape[2:])
    if in_shape != config.classifier_frame_shape:
        raise BundleError(
            f"{path}: the classifier takes frames of {in_shape} but {CONFIG_FILE} says "
            f"{config.classifier_frame_shape} (size={config.size}, color={config.color!r}, "
            f"features={config.features!r})."
        )


def _bundle_folder(path: str | Path) -> Path:
    root = Path(path)
    if not root.is_dir():
        raise BundleError(f"{root}: no such model folder. Pass a folder made by `actionlens train`.")
    return root


def _load_config(path: Path) -> ModelConfig:
    data = _load_json(path)
    try:
        return ModelConfig.from_dict(data)
    except (TypeError, ValueError) as err:
        raise BundleError(f"{path}: {err}") from None


def _load_json(path: Path):
    if not path.is_file():
        raise BundleError(f"{path}: missing. A bundle needs {CONFIG_FILE} and {LABELS_FILE}.")
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise BundleError(f"{path}: not readable JSON ({err}).") from None


def _uses_lambda(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            cfg = zf.read("config.json").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile) as err:
        raise BundleError(f"{path}: not a .keras model file ({err}).") from None
    return '"class_name": "Lambda"' in cfg
