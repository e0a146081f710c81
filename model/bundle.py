"""Model bundles: a folder that holds a classifier and everything needed to trust it.

Layout::

    classifier.keras   the classifier, (batch, time, h, w, c) -> (batch, classes)
    predictor.keras    optional next-frame predictor, (batch, time, h, w, c) -> (batch, h, w, c)
    config.json        the ModelConfig it was built and trained with
    labels.json        class names in output order
    metrics.json       what evaluation measured
    MODEL_CARD.md      the human-readable account of all of the above

Loading always uses Keras safe mode, and every failure names the file.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from model.config import ModelConfig
from model.errors import first_line

CLASSIFIER_FILE = "classifier.keras"
PREDICTOR_FILE = "predictor.keras"
CONFIG_FILE = "config.json"
LABELS_FILE = "labels.json"
METRICS_FILE = "metrics.json"
CARD_FILE = "MODEL_CARD.md"


class BundleError(ValueError):
    """A model bundle is missing, incomplete or inconsistent; the message names the file."""


@dataclass
class Bundle:
    """A loaded model bundle.

    Attributes:
        path: the bundle folder.
        config: the `ModelConfig` saved with it.
        classifier: Keras model, (batch, time, h, w, c) -> (batch, classes).
        predictor: Keras model, (batch, time, h, w, c) -> (batch, h, w, c), or None.
        metrics: the saved evaluation figures (may be empty).
    """

    path: Path
    config: ModelConfig
    classifier: object
    predictor: object | None = None
    metrics: dict = field(default_factory=dict)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.config.labels

    def summary(self) -> str:
        """One line: where it is, what it is and whether it predicts frames."""
        pred = "with next-frame predictor" if self.predictor is not None else "no predictor"
        return f"{self.path}: {self.config.summary()}; {pred}"


def _keras():
    from model.backend import import_keras

    return import_keras()


def save_bundle(
    out_dir: str | Path,
    config: ModelConfig,
    classifier,
    predictor=None,
    metrics: dict | None = None,
    model_card: str | None = None,
    lite: bool = True,
) -> Path:
    """Writes a complete bundle to `out_dir`.

    Files are written to temporary names and renamed, so an interrupted save
    never leaves a half-written model under the real name.

    Args:
        out_dir: the bundle folder (created if needed).
        config: the `ModelConfig` the models were built with.
        classifier: the classifier, (batch, time, h, w, c) -> (batch, classes).
        predictor: the next-frame predictor, or None to keep an existing one.
        metrics: evaluation figures for metrics.json.
        model_card: text for MODEL_CARD.md (a short default is written if None).
        lite: also write the TFLite files that LiteRT runs (`model.lite.convert.export_lite`),
            each checked against its Keras model; the check is recorded in lite.json.

    Returns:
        The bundle folder.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _atomic_model_save(classifier, out / CLASSIFIER_FILE)
    if predictor is not None:
        _atomic_model_save(predictor, out / PREDICTOR_FILE)
    _atomic_text(out / CONFIG_FILE, json.dumps(config.to_dict(), indent=2) + "\n")
    _atomic_text(out / LABELS_FILE, json.dumps(list(config.labels), indent=2) + "\n")
    if metrics is not None or not (out / METRICS_FILE).exists():
        _atomic_text(out / METRICS_FILE, json.dumps(metrics or {}, indent=2) + "\n")
    if model_card is not None or not (out / CARD_FILE).exists():
        _atomic_text(out / CARD_FILE, model_card or f"# Model card\n\n{config.summary()}\n")
    if lite:
        from model.lite.convert import export_lite

        try:
            export_lite(out, classifier=classifier, predictor=predictor)
        except Exception as err:  # the Keras bundle is complete; LiteRT converts on load or uses Keras
            import warnings

            warnings.warn(f"{out}: LiteRT files not written ({err}); the app converts them on "
                          "first load, or `actionlens export --format litert` does now.", stacklevel=2)
    return out


def update_metrics(path: str | Path, **entries) -> Path:
    """Adds figures to a bundle's metrics.json and redraws its model card from them.

    Args:
        path: the bundle folder.
        **entries: metrics.json keys to set, e.g. architectures=[...] or evaluations={...}.

    Returns:
        The path of the model card.
    """
    from model.eval.model_card import render_model_card
    from model.eval.pose_card import render_pose_card
    from model.lite.files import lite_card_section, read_lite_record

    bundle = load_bundle(path, load_predictor=False)
    metrics = {**bundle.metrics, **entries}
    root = Path(path)
    render = render_pose_card if bundle.config.uses_pose else render_model_card
    _atomic_text(root / METRICS_FILE, json.dumps(metrics, indent=2) + "\n")
    card = render(bundle.config, metrics, notes=metrics.get("card_notes", ""))
    _atomic_text(root / CARD_FILE, card.rstrip("\n") + "\n" + lite_card_section(read_lite_record(root)))
    return root / CARD_FILE


def load_bundle(path: str | Path, *, load_predictor: bool = True) -> Bundle:
    """Loads and checks a bundle.

    Args:
        path: the bundle folder.
        load_predictor: also load predictor.keras when present.

    Returns:
        A `Bundle`.

    Raises:
        BundleError: naming the file and the problem.
    """
    root, config, metrics = read_bundle_files(path)
    classifier = _load_model(root / CLASSIFIER_FILE)
    _check_classifier(root / CLASSIFIER_FILE, classifier, config)
    predictor = None
    if load_predictor and (root / PREDICTOR_FILE).is_file():
        predictor = _load_model(root / PREDICTOR_FILE)
    return Bundle(root, config, classifier, predictor, metrics)


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
    labels = _load_json(root / LABELS_FILE)
    if list(labels) != list(config.labels):
        raise BundleError(
            f"{root / LABELS_FILE}: labels {labels} differ from {CONFIG_FILE}'s {list(config.labels)}."
        )
    metrics = _load_json(root / METRICS_FILE) if (root / METRICS_FILE).is_file() else {}
    return root, config, metrics


def load_config(path: str | Path) -> ModelConfig:
    """A bundle's `ModelConfig`, read from its config.json without loading any model.

    Raises:
        BundleError: config.json is missing, unreadable or not a config.
    """
    return _load_config(_bundle_folder(path) / CONFIG_FILE)


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


def _load_model(path: Path):
    keras = _keras()
    import model.nets.layers  # noqa: F401  registers the custom layers before deserializing

    if _uses_lambda(path):
        raise BundleError(
            f"{path}: contains a Lambda layer, which stores Python code and is refused in "
            "safe mode. Rebuild the model with registered layers (see model/nets/layers.py)."
        )
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as err:  # Keras raises many types here; the user needs the file and why.
        raise BundleError(f"{path}: cannot be loaded ({first_line(err)}).") from None


def _uses_lambda(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            cfg = zf.read("config.json").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile) as err:
        raise BundleError(f"{path}: not a .keras model file ({err}).") from None
    return '"class_name": "Lambda"' in cfg


def _check_classifier(path: Path, classifier, config: ModelConfig) -> None:
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


def _atomic_model_save(keras_model, path: Path) -> None:
    tmp = path.with_name(path.stem + ".partial.keras")
    keras_model.save(tmp)
    tmp.replace(path)


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text)
    tmp.replace(path)
