"""`actionlens gui` (and bare `actionlens`): the desktop app, or a clear word why not."""

from __future__ import annotations

import argparse
import sys


def main(args: argparse.Namespace) -> int:
    """Starts the GUI; without a display, says to use `actionlens run` and returns 2."""
    from app.qt.display import display_available

    if not display_available():
        print(
            "actionlens: no display found (DISPLAY/WAYLAND_DISPLAY unset); "
            "for headless processing use `actionlens run --source FILE --out annotated.mp4`",
            file=sys.stderr,
        )
        return 2
    from app.qt.app import run_gui

    return run_gui(
        source=args.source,
        model_dir=args.model,
        snapshot=args.snapshot,
        snapshot_after_frames=args.snapshot_after_frames,
        device=args.device,
        runtime=args.runtime,
        timing=args.timing,
        max_people=args.max_people,
    )
