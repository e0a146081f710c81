"""Starting `actionlens` workers on loopback for the multi-worker tests.

Run as a module (`python -m tests.app.cli.multiworker_helpers train ...`) it is
the real command line, plus a record of each worker's weights: before its first
step (`initial.npz`) and after training (`final.npz`), in the folder named by
ACTIONLENS_TEST_WEIGHTS. Nothing else changes, so what the workers do is what a
user's workers do.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.paths import REPO
from tests.process_helpers import reaped
from tests.video_fixtures import write_motion_clip

# Tiny but real: 8-frame windows of 32 px, a few steps, a global batch that splits over 2 workers.
TINY = ["--frames", "8", "--size", "32", "--epochs", "1", "--steps", "3", "--batch", "4"]


def free_ports(n: int) -> list[int]:
    """`n` loopback ports free right now, all held open together so they differ."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def tf_config(ports: list[int], index: int) -> str:
    """TF_CONFIG for worker `index` of a cluster of workers on these loopback ports."""
    return json.dumps({"cluster": {"worker": [f"localhost:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


def make_class_folders(root: Path, labels=("up", "down", "right"), people: int = 2) -> Path:
    """One folder per class, `people` clips each (p0_..., p1_...): the layout a new user brings."""
    for label in labels:
        for k in range(people):
            write_motion_clip(root / label / f"p{k}_take.avi", label, shade=40 + 30 * k, start=3 * k)
    return root


def start_worker(argv: list, config: str, weights: Path | None = None) -> subprocess.Popen:
    """Starts one worker: `actionlens ARGV` with TF_CONFIG=config, recording weights when asked."""
    env = {**os.environ, "TF_CONFIG": config, "PYTHONPATH": str(REPO)}
    module = "app"
    if weights is not None:
        env["ACTIONLENS_TEST_WEIGHTS"] = str(weights)
        module = "tests.app.cli.multiworker_helpers"
    return subprocess.Popen([sys.executable, "-m", module, *map(str, argv)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(procs: list[subprocess.Popen], timeout: float) -> list[tuple[int, str, str]]:
    """Waits for every worker; kills all of them if any is still running after `timeout` s."""
    results = []
    with contextlib.ExitStack() as stack:
        for proc in procs:
            stack.enter_context(reaped(proc))
        for proc in procs:
            out, err = proc.communicate(timeout=timeout)
            results.append((proc.returncode, out, err))
    return results


def load_weights(path: Path) -> list[np.ndarray]:
    """The arrays a recording worker saved, in the model's order."""
    with np.load(path) as data:
        return [data[f"w{i}"] for i in range(len(data.files))]


def _record_weights() -> None:
    from model.train import distributed

    folder = Path(os.environ["ACTIONLENS_TEST_WEIGHTS"])
    folder.mkdir(parents=True, exist_ok=True)
    prepare, copy = distributed.prepare_model, distributed.local_copy

    def save(name, model):
        np.savez(folder / name, **{f"w{i}": w for i, w in enumerate(model.get_weights())})

    def prepare_and_record(model, strategy, batch_spec):
        save("initial.npz", model)
        return prepare(model, strategy, batch_spec)

    def copy_and_record(model, build):
        result = copy(model, build)
        save("final.npz", result)
        return result

    distributed.prepare_model, distributed.local_copy = prepare_and_record, copy_and_record


if __name__ == "__main__":
    from app.cli.main import main

    _record_weights()
    sys.exit(main(sys.argv[1:]))
