"""`actionlens fetch-pose`: fetch and check the BlazePose models once, with a progress line."""

from __future__ import annotations

import argparse
import sys


def main(args: argparse.Namespace) -> int:
    """Runs `actionlens fetch-pose`; returns the exit code."""
    from model.pose.fetch import CREDIT, fetch_pose_models

    paths = fetch_pose_models(progress=lambda line: print(line, file=sys.stderr, flush=True))
    for name, path in paths.items():
        print(f"{name}: {path}")
    print(f"credit: {CREDIT}")
    return 0
