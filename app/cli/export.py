"""`actionlens export`: the classifier as ONNX, TFLite or a SavedModel, checked against Keras."""

from __future__ import annotations

import argparse


def main(args: argparse.Namespace) -> int:
    """Exports and prints the round-trip check against Keras."""
    from model.export import export_model

    report = export_model(args.model, args.format, args.out)
    print(f"wrote {report['path']} ({report['bytes'] / 1e6:.2f} MB)")
    print(f"max abs difference vs Keras on a random window: {report['max_abs_diff']:.2e}")
    return 0
