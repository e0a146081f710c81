"""Reading TF_CONFIG, the cluster description `--strategy multiworker` trains on.

Every worker is started with the same cluster and its own task::

    TF_CONFIG='{"cluster": {"worker": ["host-a:23456", "host-b:23456"]},
                "task": {"type": "worker", "index": 0}}'

The chief is the one "chief" task when the cluster names one, else worker 0;
it also leads the coordination service the others connect to. Everything here
is plain Python, so a bad TF_CONFIG is reported before TensorFlow is imported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from model.errors import ClusterError

# MultiWorkerMirroredStrategy trains with "chief" and "worker" tasks only; parameter
# servers and evaluators belong to other strategies.
JOBS = ("chief", "worker")

_EXAMPLE = ('TF_CONFIG=\'{"cluster": {"worker": ["host-a:23456", "host-b:23456"]}, '
            '"task": {"type": "worker", "index": 0}}\'')


@dataclass(frozen=True)
class Cluster:
    """This worker's place in the cluster.

    Attributes:
        chief: address of the "chief" task, or None when worker 0 is the chief.
        workers: addresses of the "worker" tasks, in index order.
        task_type: "chief" or "worker".
        index: this task's index within its job.
    """

    chief: str | None
    workers: tuple[str, ...]
    task_type: str
    index: int

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every task's address, the chief first."""
        return ((self.chief,) if self.chief else ()) + self.workers

    @property
    def address(self) -> str:
        """This task's own address (where it listens)."""
        return self.chief if self.task_type == "chief" else self.workers[self.index]

    @property
    def is_chief(self) -> bool:
        """Whether this task writes the bundle, card and logs."""
        return self.task_type == "chief" or (self.chief is None and self.index == 0)

    @property
    def chief_address(self) -> str:
        return self.chief or self.workers[0]

    @property
    def num_workers(self) -> int:
        return len(self.addresses)

    @property
    def rank(self) -> int:
        """0 for the chief, then 1, 2, ... in TF_CONFIG order: seeds each worker's data stream."""
        return self.addresses.index(self.address)

    @property
    def peers(self) -> tuple[str, ...]:
        """The addresses this task waits for while joining: the others for the chief, else the chief."""
        if self.is_chief:
            return tuple(a for a in self.addresses if a != self.address)
        return (self.chief_address,)

    def describe(self) -> str:
        role = "the chief" if self.is_chief else f"not the chief ({self.chief_address} is)"
        return f"{self.task_type} {self.index} at {self.address}, {role}, {self.num_workers} workers in all"


def read_tf_config(environ: Mapping[str, str] | None = None) -> Cluster:
    """Parses and checks TF_CONFIG.

    Args:
        environ: where to read TF_CONFIG from; defaults to `os.environ`.

    Returns:
        The `Cluster`.

    Raises:
        ClusterError: TF_CONFIG is unset, not JSON, or lacks a valid cluster or task.
    """
    raw = (os.environ if environ is None else environ).get("TF_CONFIG", "")
    if not raw.strip():
        raise ClusterError(
            "`--strategy multiworker` reads the cluster from the TF_CONFIG environment variable; "
            f"set it on every worker, e.g. {_EXAMPLE}. Received: TF_CONFIG is not set"
        )
    try:
        spec = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ClusterError(f"TF_CONFIG must be JSON ({err}). Received: TF_CONFIG={_short(raw)}") from None
    if not isinstance(spec, dict):
        raise ClusterError(f"TF_CONFIG must be a JSON object with \"cluster\" and \"task\". "
                           f"Received: TF_CONFIG={_short(raw)}")
    chief, workers = _read_cluster(spec.get("cluster"), raw)
    task_type, index = _read_task(spec.get("task"), raw)
    size = 1 if task_type == "chief" else len(workers)
    if task_type == "chief" and chief is None or task_type == "worker" and not workers:
        raise ClusterError(f"TF_CONFIG's task type {task_type!r} has no entry in \"cluster\". "
                           f"Received: TF_CONFIG={_short(raw)}")
    if not 0 <= index < size:
        raise ClusterError(
            f"TF_CONFIG's task index must be in 0..{size - 1}: the cluster lists {size} "
            f"{task_type} address(es). Received: \"index\": {index}"
        )
    return Cluster(chief=chief, workers=workers, task_type=task_type, index=index)


def _read_cluster(cluster, raw: str) -> tuple[str | None, tuple[str, ...]]:
    if not isinstance(cluster, dict) or not cluster:
        raise ClusterError(f"TF_CONFIG needs a \"cluster\" object listing the workers' host:port addresses, "
                           f"e.g. {_EXAMPLE}. Received: TF_CONFIG={_short(raw)}")
    unknown = sorted(set(cluster) - set(JOBS))
    if unknown:
        raise ClusterError(f"TF_CONFIG's \"cluster\" may list only {' and '.join(JOBS)} tasks for "
                           f"multi-worker training. Received: {', '.join(map(repr, unknown))}")
    lists = {}
    for job, addresses in cluster.items():
        if not isinstance(addresses, list) or not all(_is_address(a) for a in addresses):
            raise ClusterError(f"TF_CONFIG's \"cluster\".{job} must be a list of \"host:port\" strings. "
                               f"Received: {json.dumps(addresses)[:120]}")
        lists[job] = tuple(addresses)
    chief = lists.get("chief", ())
    if len(chief) > 1:
        raise ClusterError(f"TF_CONFIG's cluster may have one chief. Received: \"chief\": {list(chief)}")
    everyone = chief + lists.get("worker", ())
    if not everyone:
        raise ClusterError(f"TF_CONFIG's \"cluster\" lists no worker. Received: TF_CONFIG={_short(raw)}")
    repeated = sorted({a for a in everyone if everyone.count(a) > 1})
    if repeated:
        raise ClusterError(f"Each task in TF_CONFIG needs its own host:port. Received: {', '.join(repeated)} "
                           "more than once")
    return (chief[0] if chief else None), lists.get("worker", ())


def _read_task(task, raw: str) -> tuple[str, int]:
    if not isinstance(task, dict):
        raise ClusterError("TF_CONFIG needs a \"task\" object saying which worker this is, e.g. "
                           f"\"task\": {{\"type\": \"worker\", \"index\": 0}}. Received: TF_CONFIG={_short(raw)}")
    task_type, index = task.get("type"), task.get("index")
    if task_type not in JOBS:
        raise ClusterError(f"TF_CONFIG's task \"type\" must be one of {', '.join(JOBS)}. "
                           f"Received: \"type\": {json.dumps(task_type)}")
    # bool is an int to Python, but "index": true is a typo, not worker 1.
    if not isinstance(index, int) or isinstance(index, bool):
        raise ClusterError(f"TF_CONFIG's task \"index\" must be a whole number. "
                           f"Received: \"index\": {json.dumps(index)}")
    return task_type, index


def _is_address(value) -> bool:
    if not isinstance(value, str) or ":" not in value:
        return False
    host, port = value.rsplit(":", 1)
    return bool(host) and port.isdigit() and 0 < int(port) < 65536


def _short(raw: str, limit: int = 100) -> str:
    flat = " ".join(raw.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
