"""`--strategy multiworker` for the train commands: join the cluster first, and let only the chief write.

Every worker runs the whole command, so every worker saves a bundle, a card
and TensorBoard logs; a worker that is not the chief saves them into a
temporary folder that is removed when the command ends.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Long enough to start the workers by hand on a few machines; --connect-timeout changes it.
CONNECT_TIMEOUT_S = 120.0


def add_cluster_options(p: argparse.ArgumentParser) -> None:
    """--strategy and --connect-timeout."""
    p.add_argument("--strategy", choices=("none", "mirrored", "multiworker"), default="none",
                   help="mirrored: every GPU here; multiworker: the machines TF_CONFIG lists")
    p.add_argument("--connect-timeout", type=float, default=CONNECT_TIMEOUT_S, metavar="SECONDS",
                   help="with multiworker: how long to wait for every worker to join")


@contextlib.contextmanager
def worker_scope(args: argparse.Namespace, *, read_out: bool = False) -> Iterator[argparse.Namespace]:
    """Joins the cluster under `--strategy multiworker`; yields the options this worker runs with.

    The chief runs with `args` as given. Another worker gets `--out` (and
    `--logdir`) inside a temporary folder, removed on exit, however it exits.

    Args:
        args: the parsed command line, with `strategy`, `connect_timeout`, `out` and maybe `logdir`.
        read_out: the command also reads `--out` (train-predictor adds to a bundle there), so a
            worker that is not the chief starts from a copy of it.

    Raises:
        ClusterError: bad TF_CONFIG, or the workers could not all join in time.
    """
    if getattr(args, "strategy", "none") != "multiworker":
        yield args
        return
    from model.train.distributed import join_cluster
    from model.train.tf_config import read_tf_config

    cluster = read_tf_config()
    print(f"multiworker: this is {cluster.describe()}; waiting for the others", file=sys.stderr)
    join_cluster(cluster, timeout_s=args.connect_timeout)
    if cluster.is_chief:
        yield args
        return
    with tempfile.TemporaryDirectory(prefix="actionlens-worker-") as tmp:
        out = Path(tmp) / "bundle"
        if read_out and Path(args.out).is_dir():
            shutil.copytree(args.out, out)
        logdir = str(Path(tmp) / "logs") if getattr(args, "logdir", None) else None
        yield argparse.Namespace(**{**vars(args), "out": str(out), "logdir": logdir})
        print(f"multiworker: not the chief, so this worker's copy was discarded; "
              f"the chief ({cluster.chief_address}) wrote {args.out}", file=sys.stderr)
