"""`actionlens train --features pose`: a pose CNN-LSTM bundle from your clips.

BlazePose runs once per clip (cached); the per-frame layer and the LSTM then
train on augmented skeleton windows in a minute. With `--loso` every source is
held out in turn first: the figures go into the card, and the `unknown`
threshold is the one that does best on those held-out sources. With `--from`
on a pose bundle, your own classes are learnt together with that bundle's
kept background windows, so the new model still says `unknown`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from app.paths import DEFAULT_MODEL
from model.errors import DatasetError
from model.train.transfer_data import NOTHING_LABEL

# Background windows a pose bundle keeps for `train --from`: a few hundred is enough for
# "none of these", and as float16 it stays around a megabyte.
KEEP_BACKGROUND = 400
BACKGROUND_FILE = "background_poses.npz"
# The share of group-fold windows of other motion the calibrated threshold may name (people held
# out, rooms seen): the goal on screen is at most 10% of frames.
GROUP_MAX_FALSE_ALARMS = 0.08
# How many classes the base's background windows weigh as in `train --from` (see `main`).
FROM_BACKGROUND_WEIGHT = 1.0


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def pose_config(args: argparse.Namespace, labels: list[str]):
    """The pose ModelConfig for these labels (idle added, all labels mirror-safe by default)."""
    from app.cli.common import build_config

    args.arch, args.crop, args.no_motion = "cnn_lstm", "", True
    config = build_config(args, labels)
    try:
        return config.replace(features="pose", size=64, color="gray",
                              fast_frames=getattr(args, "fast_frames", 0) or 0,
                              short_head_frames=getattr(args, "short_head_frames", 0) or 0,
                              needs_legs=tuple(getattr(args, "needs_legs", None) or ()),
                              needs_repeats=tuple(getattr(args, "needs_repeats", None) or ()))
    except ValueError as err:  # e.g. --fast-frames 16 with --frames 16: the config's message says which
        raise DatasetError(f"bad training option: {err}") from None


def main(args: argparse.Namespace) -> int:
    """Runs `actionlens train --features pose`; returns the exit code."""
    from app.cli.common import records_from_args
    from app.cli.train_from import Reporter
    from model.bundle import save_bundle
    from model.data.clip_cache import default_cache_dir
    from model.data.manifests import labels_of
    from model.pose.fetch import fetch_pose_models
    from model.pose.tracker import PoseTracker
    from model.train.pose_data import load_pose_clips
    from model.train.pose_train import PoseTrainSettings, fit_pose_classifier

    t_start = time.perf_counter()
    report = Reporter(getattr(args, "progress", "lines") == "json")
    records = [dataclasses.replace(r, label="other") if r.label == NOTHING_LABEL else r
               for r in records_from_args(args)]
    held = set(getattr(args, "holdout_groups", None) or [])
    if held:
        unknown = held - {r.group for r in records}
        if unknown:
            raise DatasetError(f"`--holdout-groups` names groups the data does not have: {', '.join(sorted(unknown))}")
        # Kept out of everything here, the folds included: the folds estimate the shipped model,
        # which never sees them, and they test it.
        kept = [r for r in records if r.group not in held]
        lost = sorted(set(labels_of(records)) - set(labels_of(kept)))
        if lost:
            raise DatasetError(f"`--holdout-groups` leaves no clip of {', '.join(lost)} to train on: "
                               "hold out fewer groups, or add clips of it from others.")
        records = kept
    fixed = getattr(args, "unknown_below", None)
    if fixed is not None and not 0.0 < fixed < 1.0:
        raise DatasetError(f"`--unknown-below` must be a probability between 0 and 1. Received: {fixed}")
    base = _base_background(args)
    labels = labels_of(records)
    if base is not None and "other" not in labels:
        labels = sorted([*labels, "other"])
    config = pose_config(args, labels)
    if getattr(args, "from_bundle", None):
        from model.bundle import load_config

        # Its kept windows, and live input, are the base's length and rate.
        b = load_config(args.from_bundle)
        try:
            config = config.replace(frames=b.frames, min_frames=b.min_frames, max_frames=b.max_frames,
                                    fps=b.fps, decide_from=b.decide_from, embed_dim=b.embed_dim,
                                    lstm_units=b.lstm_units,
                                    # the base's heads, unless asked otherwise: its kept windows fit them
                                    fast_frames=config.fast_frames or b.fast_frames,
                                    short_head_frames=config.short_head_frames or b.short_head_frames,
                                    needs_legs=config.needs_legs or tuple(x for x in b.needs_legs if x in labels),
                                    needs_repeats=config.needs_repeats
                                    or tuple(x for x in b.needs_repeats if x in labels))
        except ValueError as err:  # e.g. --fast-frames as long as the base's window
            raise DatasetError(f"bad training option for --from {args.from_bundle}: {err}") from None
    if fixed is not None:
        config = config.replace(unknown_below=fixed)
    _say(f"config: {config.summary()}")
    tracker = PoseTracker.from_files(fetch_pose_models(progress=_say))
    cache = Path(args.cache) if getattr(args, "cache", None) else default_cache_dir()
    clips = load_pose_clips(records, tracker, cache, progress=lambda k, n, name: report("loading", k, n, name))
    settings = PoseTrainSettings(epochs=args.epochs, seed=args.seed,
                                 views=args.views if getattr(args, "views", None) is not None else 8)
    if base is not None:
        # The base's kept `other` windows sample other sources' motion, some of it the very movement
        # a user teaches (a dumbbell lateral raise is a side arm raise): weighed as several classes,
        # as the shipped model's own `other` is, it pushed a new person's side arm raises to unknown.
        settings = dataclasses.replace(settings, background_weight=FROM_BACKGROUND_WEIGHT)
    metrics: dict = {"trained": date.today().isoformat(), "command": getattr(args, "command_line", ""),
                     "features": "pose", "clips": len(clips), "holdout_groups": sorted(held)}
    if getattr(args, "loso", False) or getattr(args, "group_folds", None):
        config, figures = _held_out(clips, config, settings, getattr(args, "loso", False),
                                    getattr(args, "group_folds", None), fixed)
        metrics.update(figures)
    extra = {config.background_label: base} if base is not None else None
    heads = 2 if config.short_head_frames else 1  # trained one after the other
    model = fit_pose_classifier(clips, config, settings, extra=extra,
                                on_epoch=lambda e, logs: report("training", e + 1, settings.epochs * heads,
                                                                f"loss {logs['loss']:.3f}"))
    metrics["params"] = int(model.count_params())
    out = Path(args.out)
    base_dir = getattr(args, "from_bundle", None)
    save_bundle(out, config, model, predictor=_predictor(Path(base_dir) if base_dir else DEFAULT_MODEL, config),
                metrics=metrics, model_card=_card(config, metrics, args))
    _keep_background(out, clips, config, base)
    seconds = round(time.perf_counter() - t_start, 1)
    counts = {label: sum(c.record.label == label for c in clips) for label in labels_of(records)}
    summary = f"trained {', '.join(f'{k} ({n})' for k, n in counts.items())} on pose in {seconds:g} s"
    if report.json_lines:
        report.emit({"stage": "done", "bundle": str(out), "summary": summary, "estimate": None,
                     "counts": counts, "seconds": seconds, "warnings": [], "labels": list(config.labels)})
    else:
        print(summary)
        print(f"wrote {out}")
    return 0


def _held_out(clips, config, settings, loso: bool, k: int | None, fixed: float | None = None) -> tuple:
    """Leave-one-source-out and/or group k-fold: the folds, the threshold, and their figures.

    `fixed` (`--unknown-below`) is used as it is instead: the per-window calibration below
    maximises windows, and a model whose folds are calmer gets a lower threshold from it, which
    footage of no source (a street) pays for on screen.

    The `unknown` threshold is calibrated on the group folds when there are any (people held
    out, at most `GROUP_MAX_FALSE_ALARMS` of their other windows falsely named), else on the
    held-out sources. With KARD's 420 clips of other motion held out, no threshold keeps that
    source's false alarms within bounds, and calibrating on it made the model name half as much
    everywhere else; its figures are reported at the chosen threshold instead.
    """
    from model.eval.open_set import MAX_FALSE_ALARMS, calibrate
    from model.train.pose_train import group_folds, held_out_folds, leave_one_source_out

    runs = {}
    if loso:
        runs["loso"] = leave_one_source_out(clips, config, settings, progress=_say)
        if not any(clips[i].record.label in config.action_labels for f in runs["loso"] for i in f["ids"]):
            raise DatasetError("`--loso` needs clips of a known action in more than one source.")
    if k:
        runs["group_folds"] = held_out_folds(clips, config, settings, group_folds(clips, k, settings.seed),
                                             progress=_say)
    chosen = "group_folds" if k else "loso"
    limit = GROUP_MAX_FALSE_ALARMS if k else MAX_FALSE_ALARMS
    if fixed is None:
        records = _held_records(clips, config, runs[chosen])
        if not any(r.label in config.action_labels for _, _, recs, _ in records for r in recs):
            raise DatasetError("no held-out clip of a known action is left to calibrate `unknown` on; "
                               "give the threshold with --unknown-below, or add clips of more people.")
        threshold = calibrate(records, limit)
        _say(f"unknown below {threshold:.2f}, calibrated on the {'group folds' if k else 'held-out sources'} "
             f"(at most {limit:.0%} of their other windows named)")
    else:
        threshold = fixed
        _say(f"unknown below {threshold:.2f}, as --unknown-below says")
    config = config.replace(unknown_below=threshold)
    names = {"loso": "leave-one-source-out", "group_folds": f"group {k}-fold (people held out)"}
    figures = {key: {"threshold": threshold, "calibrated_here": fixed is None and key == chosen,
                     "set_by_option": fixed is not None,
                     **_fold_figures(clips, config, folds, names[key])} for key, folds in runs.items()}
    if "group_folds" in figures:
        figures["group_folds"]["k"] = k
    return config, figures


def _held_records(clips, config, folds) -> list:
    """Per fold: (probs (n, classes), clip_ids (n,), the held-out clips' records, config)."""
    return [(f["probs"], f["clip_ids"], [clips[k].record for k in f["ids"]], config) for f in folds]


def _share(x: float | None, spec: str = ".1%") -> str:
    return "n/a" if x is None else format(x, spec)


def _fold_figures(clips, config, folds, name: str) -> dict:
    """Per window and on screen, per fold and per clip, of held-out folds at `config.unknown_below`."""
    from model.eval.open_set import open_set_report, pool_open_set

    threshold = config.unknown_below
    reports = [open_set_report(p, ids, recs, cfg, threshold) for p, ids, recs, cfg in _held_records(clips, config, folds)]
    rows = [{"source": f["name"], **{k: r[k] for k in ("known_clip_accuracy", "known_clips",
                                                         "false_alarm_rate", "none_windows")}}
            for f, r in zip(folds, reports, strict=True)]
    pooled = pool_open_set(reports)
    _say(f"{name} at {threshold:.2f}, per window: {_share(pooled['known_clip_accuracy'], '.0%')} of "
         f"{pooled['known_clips']} known clips named, {_share(pooled['false_alarm_rate'])} false alarms")
    screens = [_on_screen_fold(f["model"], config, [clips[k] for k in f["ids"]]) for f in folds]
    for row, screen in zip(rows, screens, strict=True):
        row["on_screen"] = {k: screen[k] for k in ("known_clip_accuracy", "known_clips", "false_alarm_rate",
                                                    "none_frames")}
    screen = _pool_on_screen(screens)
    _say(f"{name} on screen: {screen['named']} of {screen['known_clips']} known clips named, "
         f"{_share(screen['false_alarm_rate'])} of {screen['none_frames']} other frames show an action")
    clip_rows = [{**row, "path": Path(row["path"]).name, "fold": f["name"]}
                 for f, s in zip(folds, screens, strict=True) for row in s["clips"]]
    unlearnt = [{"path": clips[k].record.path.name, "label": clips[k].record.label, "fold": f["name"]}
                for f in folds for k in f.get("unlearnt", [])]
    if unlearnt:
        _say(f"{name}: {len(unlearnt)} held-out clips not scored, their action taught by no training clip of their fold")
    return {"pooled": {**pooled, "threshold": threshold}, "folds": rows,
            "on_screen": screen, "on_screen_clips": clip_rows, "unlearnt_clips": unlearnt}


def _on_screen_fold(model, config, clips) -> dict:
    """`on_screen_report` of one fold's held-out clips, replayed from their cached poses."""
    from app.runtime.inference import CompiledModels
    from app.runtime.processor import FrameProcessor
    from app.runtime.replay import shown_labels_of_track
    from app.settings import EngineSettings, SmoothingSettings
    from model.bundle import Bundle
    from model.eval.open_set import on_screen_report

    threshold = config.unknown_below
    smoothing = SmoothingSettings(enter=threshold, exit=min(SmoothingSettings().exit, threshold))
    processor = FrameProcessor(CompiledModels(Bundle(Path("."), config, model)),
                               EngineSettings(predictor_every=0, smoothing=smoothing),
                               pose_tracker=_NoTracker())
    shown = [shown_labels_of_track(processor, c.track) for c in clips]
    return on_screen_report(shown, [c.record for c in clips], config,
                            expected=[_expected(c, config, len(s)) for c, s in zip(clips, shown, strict=True)])


def _expected(clip, config, shown: int) -> tuple[str, int]:
    """(the clip's label by the definitions, shown frames to skip): see `clip_expectation`."""
    from model.train.pose_data import plain_features
    from model.train.pose_definitions import RAISE_LABEL, WAVE_LABEL, clip_expectation

    if not {RAISE_LABEL, WAVE_LABEL} <= set(config.labels):
        return clip.record.label, 0
    label, step = clip_expectation(plain_features([clip], config)[0], clip.record.label)
    # Shown labels begin once the first window is full; the step is at the model's fps.
    first_shown = len(clip.track.times) - shown
    at = float(clip.track.times[0]) + (step or 0) / config.fps
    frame = int(np.searchsorted(clip.track.times, at))
    return label, max(0, frame - first_shown)


class _NoTracker:
    """Stands in until `shown_labels_of_track` swaps in each clip's cached poses."""

    def reset(self) -> None:
        pass

    def __call__(self, image):
        raise RuntimeError("no tracker: poses come from the cache")


def _pool_on_screen(reports: list[dict]) -> dict:
    known = sum(r["known_clips"] for r in reports)
    named = sum(round((r["known_clip_accuracy"] or 0.0) * r["known_clips"]) for r in reports)
    frames = sum(r["none_frames"] for r in reports)
    alarms = sum((r["false_alarm_rate"] or 0.0) * r["none_frames"] for r in reports)
    return {"named": int(named), "known_clips": known, "known_clip_accuracy": named / known if known else None,
            "false_alarm_rate": alarms / frames if frames else None, "none_frames": frames}


def _base_background(args: argparse.Namespace):
    """The `--from` pose bundle's kept background windows, or None without `--from`."""
    base = getattr(args, "from_bundle", None)
    if not base:
        return None
    from model.bundle import load_config
    from model.bundle_files import check_pose_version

    config = load_config(base)
    if not config.uses_pose:
        raise DatasetError(f"{base}: not a pose bundle; `--features pose --from` needs one.")
    check_pose_version(config, Path(base))
    path = Path(base) / BACKGROUND_FILE
    if not path.is_file():
        raise DatasetError(f"{path}: missing; train the base with `--features pose` again to keep it.")
    with np.load(path) as z:
        return z["windows"].astype(np.float32)


def _keep_background(out: Path, clips, config, base: np.ndarray | None) -> None:
    """Keeps some background windows (these clips', else the base's) for a later `--from`."""
    from model.train.pose_data import eval_windows
    from model.train.pose_rest import present_share

    mine = [c for c in clips if c.record.label == config.background_label]
    x = base if base is not None else np.zeros((0, config.frames, 1), np.float32)
    if mine:
        x, _ = eval_windows(mine, config, stride=4)
        x = x[present_share(x) >= 0.5]
    (out / BACKGROUND_FILE).unlink(missing_ok=True)
    if len(x):
        pick = np.random.default_rng(0).permutation(len(x))[:KEEP_BACKGROUND]
        np.savez_compressed(out / BACKGROUND_FILE, windows=x[pick].astype(np.float16))


def _predictor(folder: Path, config):
    """The next-frame predictor of `folder` (the base, or the shipped bundle), when its frames match."""
    from model.bundle import PREDICTOR_FILE, _load_model

    path = Path(folder) / PREDICTOR_FILE
    if not path.is_file():
        return None
    predictor = _load_model(path)
    return predictor if tuple(predictor.input.shape[2:4]) == (config.size, config.size) else None


def _card(config, metrics: dict, args) -> str:
    from app.cli.common import read_notes
    from model.eval.pose_card import render_pose_card

    # Kept in metrics.json too, so a card redrawn later (`evaluate --record`) keeps them.
    metrics["card_notes"] = read_notes(getattr(args, "card_notes", None))
    return render_pose_card(config, metrics, metrics["card_notes"])
