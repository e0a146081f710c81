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
from dataclasses import dataclass, field
from pathlib import Path

from model.bundle_files import (
    CARD_FILE,
    CLASSIFIER_FILE,
    CONFIG_FILE,
    LABELS_FILE,
    METRICS_FILE,
    PREDICTOR_FILE,
    BundleError,
    check_classifier,
    load_config,
    read_bundle_files,
)
from model.bundle_files import load_keras_model as _load_model
from model.config import ModelConfig

# The names callers have always imported from here; they live in model/bundle_files.py.
__all__ = [
    "CARD_FILE", "CLASSIFIER_FILE", "CONFIG_FILE", "LABELS_FILE", "METRICS_FILE", "PREDICTOR_FILE",
    "Bundle", "BundleError", "load_bundle", "load_config", "read_bundle_files", "save_bundle",
    "update_metrics",
]


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
    check_classifier(root / CLASSIFIER_FILE, classifier, config)
    predictor = None
    if load_predictor and (root / PREDICTOR_FILE).is_file():
        predictor = _load_model(root / PREDICTOR_FILE)
    return Bundle(root, config, classifier, predictor, metrics)


def _atomic_model_save(keras_model, path: Path) -> None:
    tmp = path.with_name(path.stem + ".partial.keras")
    keras_model.save(tmp)
    tmp.replace(path)


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text)
    tmp.replace(path)
