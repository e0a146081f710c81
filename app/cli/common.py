"""What several commands share: the model and training options with their defaults
taken from `ModelConfig` and `TrainSettings`, the config they build, and clip loading.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.config import ARCHITECTURES, ModelConfig
from model.errors import DatasetError

_MODEL = ModelConfig()


def add_model_options(p: argparse.ArgumentParser) -> None:
    """--frames, --size, --fps and --color, defaulting to `ModelConfig`'s values."""
    p.add_argument("--frames", type=int, default=_MODEL.frames, help="frames per window (T)")
    p.add_argument("--size", type=int, default=_MODEL.size, help="frame size in pixels")
    p.add_argument("--fps", type=float, default=_MODEL.fps, help="frame rate windows are sampled at")
    p.add_argument("--color", choices=("gray", "rgb"), default=_MODEL.color)


def add_training_options(p: argparse.ArgumentParser, settings=None) -> None:
    """--epochs, --steps, --batch and --seed, defaulting to `settings` (a TrainSettings or
    PredictorSettings instance; default: `TrainSettings()`)."""
    if settings is None:
        from model.train.classifier import TrainSettings

        settings = TrainSettings()
    p.add_argument("--epochs", type=int, default=settings.epochs)
    p.add_argument("--steps", type=int, default=settings.steps, help="batches per epoch")
    p.add_argument("--batch", type=int, default=settings.batch)
    p.add_argument("--seed", type=int, default=settings.seed)


def records_from_args(args: argparse.Namespace, min_classes: int = 2) -> list:
    """The clips of every `--data` folder, with `--map` and `--known` applied.

    Args:
        args: the parsed command line.
        min_classes: classes each folder must hold (2 to train, 1 to evaluate).

    Returns:
        ClipRecords sorted by path; labels outside `--known` become `--background`.

    Raises:
        DatasetError: a folder is missing or holds no usable clips, or `--map` is malformed.
    """
    from model.data.manifests import load_records, parse_label_map, relabel

    paths = args.data if isinstance(args.data, list | tuple) else [args.data]
    records = [r for path in paths for r in load_records(path, min_classes)]
    known = getattr(args, "known", None)
    return sorted(relabel(records, parse_label_map(getattr(args, "map", None)), known,
                          getattr(args, "background", None) or "other"),
                  key=lambda r: str(r.path))


def add_data_options(p: argparse.ArgumentParser, required: bool = True) -> None:
    """--data (one or more folders), --map FROM=TO and --known/--background."""
    p.add_argument("--data", nargs="+", required=required,
                   help="folders with manifest.csv, or one folder per class; several are merged")
    p.add_argument("--map", nargs="*", metavar="FROM=TO", help="rename labels, e.g. wave=wave_one_hand")
    p.add_argument("--known", nargs="*", metavar="LABEL",
                   help="the actions to learn; clips of any other label train the background class")
    p.add_argument("--background", default="other",
                   help="name of the background class (motion that is none of the actions)")


def load_clips(args: argparse.Namespace, config: ModelConfig, records=None) -> list:
    """Loads `args.data` (or `records`) through the clip cache; warns once per skipped file.

    Returns:
        (record, uint8 frames (t, size, size, c)) pairs.

    Raises:
        DatasetError: no clip could be loaded.
    """
    from model.data.clip_cache import ClipCache
    from model.data.loading import load_dataset
    records = records if records is not None else records_from_args(args)
    cache = ClipCache(args.cache) if getattr(args, "cache", None) else ClipCache()
    clips, warnings = load_dataset(records, config, cache)
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    return clips


def fit_verbosity() -> int:
    """Keras `fit` verbosity: its bar on a terminal, one plain line per epoch otherwise.

    The bar redraws itself with carriage returns and colour codes; in a log file or a
    pipe that is noise, and a line per epoch is what a reader of the log wants.
    """
    return 1 if sys.stdout.isatty() else 2


def check_train_args(args: argparse.Namespace) -> None:
    """Fails fast, before any data is read, on options no training run can use.

    Raises:
        DatasetError: an unknown `--arch` or a count that is not positive.
    """
    if args.arch not in ARCHITECTURES:
        raise DatasetError(
            f"`--arch` must be one of {', '.join(ARCHITECTURES)}. Received: --arch {args.arch}"
        )
    for name in ("frames", "epochs", "steps", "batch", "predictor_epochs"):
        value = getattr(args, name, 1)
        if value < 1:
            raise DatasetError(f"`--{name.replace('_', '-')}` must be at least 1. Received: {value}")


def build_config(args: argparse.Namespace, labels: list[str]) -> ModelConfig:
    """The ModelConfig a train command asks for; bad values become one-line errors."""
    check_train_args(args)
    background = getattr(args, "background", None) or "other"
    if not args.no_idle and "idle" not in labels:
        labels = ["idle", *labels]
    if args.symmetric is None:
        # The background class holds every other motion: mirrored, it is still none of the actions.
        symmetric = labels
    else:
        unknown = sorted(set(args.symmetric) - set(labels))
        if unknown:
            raise DatasetError(
                f"`--symmetric` names label(s) the data does not have: {', '.join(unknown)}. "
                f"Known labels: {', '.join(labels)}"
            )
        symmetric = [s for s in labels if s in args.symmetric]
    try:
        return ModelConfig(
            labels=tuple(labels), frames=args.frames, min_frames=min(4, args.frames),
            max_frames=max(32, args.frames), decide_from=getattr(args, "decide_from", 0) or 0,
            size=args.size, color=args.color, fps=args.fps,
            arch=args.arch, symmetric_labels=tuple(symmetric), idle_label="" if args.no_idle else "idle",
            motion=not getattr(args, "no_motion", False),
            motion_input=getattr(args, "motion_input", None) or ModelConfig.motion_input,
            background_label=background if background in labels else "",
            crop=getattr(args, "crop", "") or "",
        )
    except ValueError as err:  # e.g. --size 4 or --fps 0: the config's own message says which
        raise DatasetError(f"bad training option: {err}") from None




def read_notes(path: str | None) -> str:
    """The `--card-notes` Markdown file's text, or "" without one.

    Raises:
        DatasetError: the file cannot be read as text.
    """
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DatasetError(
            f"`--card-notes` must be a readable Markdown file. Received: {path} ({err})"
        ) from None
