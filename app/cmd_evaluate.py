"""`actionlens evaluate`: clip and window accuracy, per-class figures, confusion, next frame."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main(args: argparse.Namespace) -> int:
    """Evaluates a bundle on labelled clips; prints a table, optionally JSON and a PNG."""
    from app.cmd_train import _load
    from model.bundle import load_bundle
    from model.dataset import load_records
    from model.evaluate import evaluate_classifier, evaluate_predictor, next_frame_pairs
    from model.metrics import format_table, save_confusion_png
    from model.train_predictor import to_gray

    if args.json:
        from app.event_log import check_output_path

        check_output_path(args.json, "JSON report")
    records = load_records(args.data)
    bundle = load_bundle(args.model)
    config = bundle.config
    clips = _load(args, config, records)
    report = evaluate_classifier(bundle.classifier, config, clips, stride=args.stride)
    if bundle.predictor is not None:
        pairs = next_frame_pairs(to_gray([c for _, c in clips]), config.predictor_frames)
        report["next_frame"] = evaluate_predictor(bundle.predictor, *pairs)
    import numpy as np

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
        Path(args.plots).mkdir(parents=True, exist_ok=True)
        png = save_confusion_png(np.asarray(report["confusion"]), report["labels"], Path(args.plots) / "confusion.png")
        print(f"wrote {png}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0
