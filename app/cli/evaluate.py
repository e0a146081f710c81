"""`actionlens evaluate`: clip and window accuracy, per-class figures, confusion, next frame."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main(args: argparse.Namespace) -> int:
    """Evaluates a bundle on labelled clips; prints a table, optionally JSON and a PNG."""
    import numpy as np

    from app.cli.common import load_clips
    from app.outputs.files import OutputError, check_output_path
    from model.bundle import load_bundle
    from model.data.manifests import load_records
    from model.errors import DatasetError
    from model.eval.evaluate import evaluate_classifier, evaluate_predictor, next_frame_pairs
    from model.eval.report import format_table, save_confusion_png
    from model.train.predictor import to_gray

    # Every option is checked before the slow part, so a typo does not cost a whole evaluation.
    if args.stride < 1:
        raise DatasetError(f"`--stride` must be at least 1 model frame. Received: {args.stride}")
    if args.json:
        check_output_path(args.json, "JSON report")
    if args.plots and Path(args.plots).exists() and not Path(args.plots).is_dir():
        raise OutputError(f"Cannot write plots to {args.plots}: it is a file; give a folder.")
    records = load_records(args.data)
    bundle = load_bundle(args.model)
    config = bundle.config
    clips = load_clips(args, config, records)
    report = evaluate_classifier(bundle.classifier, config, clips, stride=args.stride)
    if bundle.predictor is not None:
        pairs = next_frame_pairs(to_gray([c for _, c in clips]), config.predictor_frames)
        report["next_frame"] = evaluate_predictor(bundle.predictor, *pairs)
    print(format_table(np.asarray(report["confusion"]), report["labels"],
                       clip_accuracy=report["clip_accuracy"], window_accuracy=report["window_accuracy"],
                       title=f"{args.model} on {args.data}: {len(report['clips'])} clips, "
                             f"{report['windows']} windows"))
    nf = report.get("next_frame")
    if nf:
        print(f"next frame: PSNR {nf['psnr']:.2f} dB (copy last {nf['psnr_copy_last']:.2f}), "
              f"SSIM {nf['ssim']:.3f} (copy last {nf['ssim_copy_last']:.3f}), "
              f"MSE {nf['mse']:.5f} (copy last {nf['mse_copy_last']:.5f})")
    if args.plots:
        try:
            Path(args.plots).mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(f"Cannot create the plots folder {args.plots} ({err}).") from None
        png = save_confusion_png(np.asarray(report["confusion"]), report["labels"], Path(args.plots) / "confusion.png")
        print(f"wrote {png}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0
