"""`actionlens bench` with both runtimes side by side: each measured in its own process.

A process that has imported TensorFlow keeps its memory, so LiteRT and Keras are
never measured in one: for each runtime this runs
- `actionlens run` on the demo clip at its own pace, the way a user starts it:
  seconds from launch to the first event line with a label, and the process's
  peak resident memory over the whole clip;
- `actionlens bench --runtime R` for the per-frame, latency and memory figures.

With `--people N`, both runs see the same N real people side by side (one clip made
here, `app.cli.bench_people`) and `run` follows N people.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.cli.process_memory import peak_rss_mb

RUNTIMES = ("litert", "keras")


class BenchChildFailed(RuntimeError):
    """A measuring child process failed; the message is its command and its last line."""

# Rows of the side-by-side table, in order.
ROWS = ("first_label_s", "run_peak_rss_mb", "engine_ms_per_frame", "pose_ms_per_frame",
        "next_frame_ms", "latency_ms_p50", "latency_ms_p99", "dropped_frames", "rss_mb_end",
        "peak_rss_mb", "frames_held_mb", "naive_predict_ms", "speedup", "people_in_view",
        "ms_per_frame_per_person")


def measure_startup(model: str, runtime: str, device: str, clip: str | Path, max_people: int = 1) -> dict:
    """Launch to first label of `actionlens run` on `clip` at its own pace, and its peak memory.

    Returns:
        {"first_label_s": seconds, or None when no frame got a label,
         "run_peak_rss_mb": the run's peak resident memory, MiB}
    """
    cmd = [sys.executable, "-m", "app", "run", "--source", str(clip), "--model", str(model),
           "--runtime", runtime, "--device", device, "--events", "/dev/stdout", "--max-people", str(max_people)]
    first, peak = None, 0.0
    # stderr to a file: a pipe nobody reads until stdout ends could fill and stall the child.
    with tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            for line in proc.stdout:  # one event line per frame: memory is read as it runs
                peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
                # The first label shown: "" (no decision yet) is not one.
                if first is None and line.startswith("{") and json.loads(line).get("label"):
                    first = time.monotonic() - started
            code = proc.wait(timeout=120)
        finally:
            if proc.poll() is None:  # interrupted, or a line we could not read: no orphan left
                proc.kill()
                proc.wait()
        if code != 0:
            err.seek(0)
            last = (err.read().strip().splitlines() or ["no output"])[-1]
            raise BenchChildFailed(f"`actionlens run --runtime {runtime}` on {clip} failed: {last}")
    return {"first_label_s": first, "run_peak_rss_mb": peak}


def measure_runtime(args: argparse.Namespace, runtime: str, clip: str | Path | None = None) -> dict:
    """`actionlens bench --runtime R` in a child process, plus `measure_startup` on `clip`
    (default: `--clip`, else the demo clip)."""
    from app.paths import DEMO_CLIP

    people = ["--people", str(args.people)] if args.people else []
    if args.people and args.people_data:
        people += ["--people-data", str(args.people_data)]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        cmd = [sys.executable, "-m", "app", "bench", "--runtime", runtime, "--model", str(args.model),
               "--device", args.device, "--frames", str(args.frames),
               "--soak-seconds", str(args.soak_seconds), "--json", str(out), *people]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchChildFailed(f"`actionlens bench --runtime {runtime}` failed: "
                               f"{(done.stderr.strip().splitlines() or ['no output'])[-1]}")
        figures = json.loads(out.read_text())
    figures.update(measure_startup(args.model, runtime, args.device, clip or args.clip or DEMO_CLIP,
                                   max_people=args.people or 1))
    return figures


def main(args: argparse.Namespace) -> int:
    """Prints the two runtimes' figures side by side and writes them to --json."""
    from model.bundle import read_bundle_files

    read_bundle_files(args.model)  # a wrong folder is one line now, not two children's failures
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        clip = None
        if args.people and not args.clip:
            from app.cli.bench_people import people_clip

            clip = people_clip(args.people, tmp, args.people_data)  # `run` starts on the people the bench sees
        for runtime in RUNTIMES:
            print(f"measuring {runtime} ...", file=sys.stderr, flush=True)
            results[runtime] = measure_runtime(args, runtime, clip)
    names = [results[r].get("runtime", r) for r in RUNTIMES]
    print(f"{'':<22} " + " ".join(f"{n:>12}" for n in names))
    for row in ROWS:
        cells = []
        for runtime in RUNTIMES:
            value = results[runtime].get(row)
            cells.append(f"{value:>12.2f}" if isinstance(value, float)
                         else f"{'-' if value is None else value:>12}")
        print(f"{row:<22} " + " ".join(cells))
    print(f"{'device':<22} " + " ".join(f"{results[r]['device']:>12}" for r in RUNTIMES))
    if args.json:
        record = {"date": time.strftime("%Y-%m-%d"), **results}
        Path(args.json).write_text(json.dumps(record, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0
