"""`actionlens evaluate --counts`: the repetition counter against clips counted by eye."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.data.counts import read_counts

__all__ = ["print_counts", "read_counts"]


def print_counts(args: argparse.Namespace, records: list) -> dict:
    """Counts each clip's repetitions (poses from the cache, else tracked), prints the figures
    and the clips it got wrong, and returns `counting_report`'s dict."""
    from model.data.clip_cache import default_cache_dir
    from model.eval.counting import count_clips, counting_report, format_counting
    from model.pose.fetch import fetch_pose_models
    from model.pose.tracker import PoseTracker

    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    tracker = PoseTracker.from_files(fetch_pose_models(progress=say))
    cache = Path(args.cache) if getattr(args, "cache", None) else default_cache_dir()
    counts = count_clips(records, tracker, cache, progress=lambda k, n, name: say(f"count {k}/{n}: {name}"))
    report = counting_report(records, counts)
    print(format_counting(report))
    for row in report["rows"]:
        if row["error"]:
            print(f"    {Path(row['path']).name}: counted {row['counted']}, by eye {row['count']}")
    return report
