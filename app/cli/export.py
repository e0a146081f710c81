"""`actionlens export`: the classifier as ONNX, TFLite or a SavedModel, checked against Keras;
or `--format litert`: the bundle's own runtime files, each checked against Keras."""

from __future__ import annotations

import argparse

from app.outputs.files import OutputError


def main(args: argparse.Namespace) -> int:
    """Exports and prints the round-trip check against Keras."""
    if args.format == "litert":
        return _litert(args)
    if not args.out:
        raise OutputError(f"--format {args.format} needs --out: the file or folder to write.")
    from model.export import export_model

    report = export_model(args.model, args.format, args.out)
    print(f"wrote {report['path']} ({report['bytes'] / 1e6:.2f} MB)")
    print(f"max abs difference vs Keras on a random window: {report['max_abs_diff']:.2e}")
    return 0


def _litert(args: argparse.Namespace) -> int:
    from pathlib import Path

    from model.bundle import read_bundle_files
    from model.lite.convert import export_lite

    if not args.out and not getattr(args, "model_named", True):
        raise OutputError("`export --format litert` without --out rewrites the bundle's own files: name the "
                          "bundle with --model, or give --out a folder to write.")
    root, _, _ = read_bundle_files(args.model)
    out = Path(args.out) if args.out else root
    record = export_lite(root, out)
    failed = 0
    for name, entry in record["parts"].items():
        if entry.get("ok"):
            print(f"{name:<10} {out / entry['file']}  max abs difference vs Keras "
                  f"{entry['max_abs_diff']:.2e}")
        else:
            failed += 1
            print(f"{name:<10} not written: {entry.get('error', 'failed')}")
    return 1 if failed else 0
