"""`actionlens evaluate`: clip and window accuracy, per-class figures, confusion and next frame
(for pixel and pose bundles alike), and the open-set figures: known-clip accuracy and the
false-alarm rate on footage where none of the model's actions happens (clips of other labels,
and `--none` folders), window by window and on screen (every frame through the app's
smoothing and dwell); and the repetition counting error on clips counted by eye (a manifest's
`count` column, or `--counts`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main(args: argparse.Namespace) -> int:
    """Evaluates a bundle on labelled clips; prints a table, optionally JSON and a PNG."""
    import numpy as np

    from app.cli.common import load_clips, records_from_args
    from app.outputs.files import OutputError, check_output_path
    from model.bundle import load_bundle
    from model.data.manifests import ClipRecord, find_videos
    from model.errors import DatasetError
    from model.eval.evaluate import closed_set_report, evaluate_predictor, next_frame_pairs
    from model.eval.open_set import open_set_report, window_probs
    from model.eval.report import format_table, save_confusion_png
    from model.train.predictor import to_gray

    # Every option is checked before the slow part, so a typo does not cost a whole evaluation.
    if args.stride < 1:
        raise DatasetError(f"`--stride` must be at least 1 model frame. Received: {args.stride}")
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise DatasetError(f"`--threshold` must be a probability from 0 to 1. Received: {args.threshold}")
    if not 0.0 <= args.lead_in <= 60.0:
        raise DatasetError(f"`--lead-in` must be 0 to 60 seconds. Received: {args.lead_in}")
    if args.json:
        check_output_path(args.json, "JSON report")
    if args.record is not None and not args.record.strip():
        raise DatasetError("`--record` needs a name for these figures, e.g. --record \"unseen street footage\".")
    if args.record and not getattr(args, "model_named", True):
        # The shipped bundle is the installed package's; figures of your clips belong in your copy.
        raise DatasetError("`--record` writes into the bundle's model card: name the bundle with --model "
                           "(copy the shipped one first to keep it as installed), or drop --record.")
    if args.plots and Path(args.plots).exists() and not Path(args.plots).is_dir():
        raise OutputError(f"Cannot write plots to {args.plots}: it is a file; give a folder.")
    if args.held_out_sources and not (args.data or args.none) and (args.record or args.plots):
        # Kept figures and plots are of clips; the folds' figures are already in the card.
        raise DatasetError("`--record` and `--plots` need clips: add --data or --none, or drop them with "
                           "--held-out-sources alone.")
    if args.counts:
        from app.cli.evaluate_counts import print_counts, read_counts

        counted = read_counts(args.counts, args.counts_root)
        if not (args.data or args.none or args.held_out_sources):
            report = {"counting": print_counts(args, counted)}
            if args.json:
                Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
                print(f"wrote {args.json}")
            return 0
    if args.held_out_sources:
        from app.cli.evaluate_folds import held_out_sources, print_held_out_sources

        folds = held_out_sources(args.model, args.threshold)
        print_held_out_sources(folds, args.model)
        if not (args.data or args.none):
            if args.json:
                Path(args.json).write_text(json.dumps({"held_out_sources": folds}, indent=2) + "\n")
                print(f"wrote {args.json}")
            return 0
    # Scoring a few clips of one action is a fair question; only training needs two classes.
    records = records_from_args(args, min_classes=1) if args.data else []
    for folder in args.none or ():
        videos = find_videos(folder)
        if not videos:
            raise DatasetError(f"`--none` folder {folder} holds no videos; pass footage with none of the actions.")
        records += [ClipRecord(v, "none", f"none-{v.stem}", "none") for v in videos]
    if not records:
        raise DatasetError("Nothing to evaluate: pass --data LABELLED_CLIPS, --none FOOTAGE and/or "
                           "--held-out-sources.")
    bundle = load_bundle(args.model)
    config = bundle.config
    threshold = config.unknown_below if args.threshold is None else args.threshold
    if config.uses_pose:
        probs, ids = _pose_window_probs(args, bundle, records)
        # The predictor sees pixels whatever the classifier sees: the same clips, as frames.
        clips = load_clips(args, config, records) if bundle.predictor is not None else []
    else:
        clips = load_clips(args, config, records)
        records = [r for r, _ in clips]
        probs, ids = window_probs(bundle.classifier, config, clips, stride=args.stride)
    labelled = any(r.label in config.labels for r in records)
    report = closed_set_report(probs, ids, records, config) if labelled else {}
    report["open_set"] = open_set_report(probs, ids, records, config, threshold)
    report["open_set"]["on_screen"] = _on_screen(bundle, records, threshold, args.lead_in)
    if bundle.predictor is not None and clips:
        pairs = next_frame_pairs(to_gray([c for _, c in clips]), config.predictor_frames)
        report["next_frame"] = evaluate_predictor(bundle.predictor, *pairs)
    if labelled:
        print(format_table(np.asarray(report["confusion"]), report["labels"],
                           clip_accuracy=report["clip_accuracy"], window_accuracy=report["window_accuracy"],
                           title=f"{args.model}: {len(report['clips'])} clips of its classes, "
                                 f"{report['windows']} windows (closed set: the top class always counts)"))
    _print_open_set(report["open_set"])
    nf = report.get("next_frame")
    if nf:
        print(f"next frame: PSNR {nf['psnr']:.2f} dB (copy last {nf['psnr_copy_last']:.2f}, "
              f"gain {nf['psnr'] - nf['psnr_copy_last']:+.2f} dB), "
              f"SSIM {nf['ssim']:.3f} (copy last {nf['ssim_copy_last']:.3f}), "
              f"MSE {nf['mse']:.5f} (copy last {nf['mse_copy_last']:.5f})")
    if args.plots:
        try:
            Path(args.plots).mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(f"Cannot create the plots folder {args.plots} ({err}).") from None
        if labelled:
            png = save_confusion_png(np.asarray(report["confusion"]), report["labels"],
                                     Path(args.plots) / "confusion.png")
            print(f"wrote {png}")
    if args.held_out_sources:
        report["held_out_sources"] = folds
    counted_clips = [r for r in records if r.count is not None] + (counted if args.counts else [])
    if counted_clips:
        from app.cli.evaluate_counts import print_counts

        report["counting"] = print_counts(args, counted_clips)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    if args.record:
        _record(args, bundle, report["open_set"])
    return 0


def _pose_window_probs(args: argparse.Namespace, bundle, records: list):
    """A pose bundle's window probabilities (n, classes) and clip ids (n,) over `records`."""
    import sys

    from model.data.clip_cache import default_cache_dir
    from model.pose.fetch import fetch_pose_models
    from model.pose.tracker import PoseTracker
    from model.train.pose_data import eval_windows, load_pose_clips
    from model.train.pose_train import predict_windows

    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    tracker = PoseTracker.from_files(fetch_pose_models(progress=say))
    cache = Path(args.cache) if getattr(args, "cache", None) else default_cache_dir()
    clips = load_pose_clips(records, tracker, cache, progress=lambda k, n, name: say(f"pose {k}/{n}: {name}"))
    x, ids = eval_windows(clips, bundle.config, stride=args.stride)
    return predict_windows(bundle.classifier, x, bundle.config), ids


def _on_screen(bundle, records: list, threshold: float, lead_in_s: float = 0.0) -> dict:
    """`on_screen_report` of every clip played frame by frame through the app's processor
    (after `lead_in_s` seconds of its first frame held, not scored), following up to
    `REPLAY_MAX_PEOPLE` people and scoring the one present longest (`several_people`: the
    clips that showed more than one)."""
    import sys

    from app.runtime.inference import CompiledModels
    from app.runtime.processor import FrameProcessor
    from app.runtime.replay import shown_labels_of_longest
    from app.settings import EngineSettings, SmoothingSettings
    from model.backend import select_device
    from model.errors import DatasetError
    from model.eval.open_set import on_screen_report

    smoothing = SmoothingSettings(enter=threshold, exit=min(SmoothingSettings().exit, threshold))
    device, _ = select_device("auto")
    tracker = None
    if bundle.config.uses_pose:
        from model.pose.fetch import fetch_pose_models
        from model.pose.tracker import PoseTracker

        tracker = PoseTracker.from_files(fetch_pose_models())
    processor = FrameProcessor(CompiledModels(bundle, device),
                               EngineSettings(predictor_every=0, smoothing=smoothing), pose_tracker=tracker)
    played, shown, several = [], [], 0
    for record in records:
        try:
            labels, people = shown_labels_of_longest(processor, record.path, lead_in_s)
            shown.append(labels)
            several += people > 1
        except DatasetError as err:
            # Scored by window already; one file that will not play again must not cost the rest.
            print(f"warning: {err} Left out of the on-screen figures.", file=sys.stderr)
            continue
        played.append(record)
    report = on_screen_report(shown, played, bundle.config)
    if tracker is not None:  # only a pose model follows people
        report["several_people"] = several
    return report


def _record(args: argparse.Namespace, bundle, open_set: dict) -> None:
    """Keeps the open-set figures in the bundle's metrics.json and model card, under `--record`'s name."""
    from datetime import date

    from model.bundle import update_metrics

    def by_file_name(report: dict) -> dict:
        # The bundle travels; the folders its figures were measured in do not.
        return {**report, "clips": [{**row, "path": Path(row["path"]).name} for row in report["clips"]]}

    entry = {**by_file_name(open_set), "on_screen": by_file_name(open_set["on_screen"]),
             "date": str(date.today()), "command": args.command_line}
    evaluations = {**bundle.metrics.get("evaluations", {}), args.record: entry}
    card = update_metrics(args.model, evaluations=evaluations)
    print(f"recorded as {args.record!r} in {card}")


def _print_open_set(report: dict) -> None:
    known, alarms = report["known_clip_accuracy"], report["false_alarm_rate"]
    print(f"open set (unknown below {report['threshold']:.2f}, no smoothing over time):")
    if known is not None:
        print(f"  known actions: {known:.1%} of {report['known_clips']} clips named right "
              "(\"unknown\" counts as wrong)")
        guess = report.get("known_best_guess_accuracy")
        if guess is not None:
            print(f"  best guess among its labels right for {guess:.1%} of them, at any threshold")
    if alarms is not None:
        print(f"  false alarms: {alarms:.1%} of {report['none_windows']} windows in {report['none_clips']} "
              "clips with none of the model's actions were given an action label")
    screen = report.get("on_screen")
    if screen:
        print("on screen (every frame, through the app's smoothing and dwell):")
        if "several_people" in screen:
            from app.runtime.replay import REPLAY_MAX_PEOPLE

            print(f"  the person present longest is scored (up to {REPLAY_MAX_PEOPLE} followed): "
                  f"{screen['several_people']} clips showed more than one person")
        if screen["known_clip_accuracy"] is not None:
            print(f"  known actions: {screen['known_clip_accuracy']:.1%} of {screen['known_clips']} clips "
                  "showed their own label longest (an action clip's idle frames aside)")
        if screen["false_alarm_rate"] is not None:
            print(f"  false alarms: {screen['false_alarm_rate']:.1%} of {screen['none_frames']} frames in "
                  f"{screen['none_clips']} clips with none of the model's actions showed an action label")
        if screen.get("too_short"):
            print(f"  {screen['too_short']} clips are shorter than one window and showed nothing: left out")
