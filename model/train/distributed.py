"""Multi-worker training with `tf.distribute.MultiWorkerMirroredStrategy`.

Every worker runs the same program on the same clips. Joining is bounded: a
worker that cannot reach the others within `timeout_s` fails with one line
naming the address it waited for. Each worker then draws its own share of
every global batch from its own random stream, gradients are summed across
workers after each step, and all workers end with the same weights.

Keras 3 (up to at least 3.15) cannot `fit` under this strategy as it ships,
and `prepare_model` works around its two faults (keras-team/keras#20585).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable

from model.errors import ClusterError
from model.train.tf_config import Cluster, read_tf_config

# Used when training asks for the strategy before the command line joined with its own timeout.
DEFAULT_TIMEOUT_S = 120.0
# A peer silent for this long is taken for dead. Generous: a starved 2-core machine may stall a beat.
HEARTBEAT_S = 30
# Workers draw windows from streams seeded `seed + SEED_STRIDE * rank`, far apart so no two coincide.
SEED_STRIDE = 100_003

_joined: tuple[Cluster, object] | None = None


def join_cluster(cluster: Cluster, timeout_s: float = DEFAULT_TIMEOUT_S):
    """Connects this worker to the others; returns the strategy (one per process).

    Must run before anything else starts TensorFlow's runtime in this process.

    Args:
        cluster: from `read_tf_config`.
        timeout_s: how long to wait for every worker to join, in seconds.

    Raises:
        ClusterError: a worker did not join in time, or this worker cannot listen on its address.
    """
    global _joined
    if _joined is not None:
        return _joined[1]
    if timeout_s <= 0:
        raise ClusterError(f"`--connect-timeout` must be positive seconds. Received: {timeout_s}")
    from model.backend import import_keras

    import_keras()
    import tensorflow as tf
    from tensorflow.compiler.xla.tsl.protobuf import coordination_config_pb2
    from tensorflow.python.eager import context

    ms = int(timeout_s * 1000)
    jobs = [coordination_config_pb2.CoordinatedJob(name="chief", num_tasks=1)] if cluster.chief else []
    if cluster.workers:
        jobs.append(coordination_config_pb2.CoordinatedJob(name="worker", num_tasks=len(cluster.workers)))
    # The strategy configures this itself when nothing is set, but with no bound on how long
    # the chief waits for the others to register: a missing worker would hang it for good.
    context.context().configure_coordination_service(
        service_type="standalone",
        service_leader=f"/job:{'chief' if cluster.chief else 'worker'}/replica:0/task:0",
        cluster_register_timeout_in_ms=ms, heartbeat_timeout_in_ms=HEARTBEAT_S * 1000,
        shutdown_barrier_timeout_in_ms=ms, coordinated_jobs=jobs,
    )
    context.context().coordination_service.cluster_register_with_barrier = True
    try:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    except tf.errors.OpError as err:
        raise _join_error(cluster, timeout_s, err) from None
    _joined = (cluster, strategy)
    return strategy


def _join_error(cluster: Cluster, timeout_s: float, err) -> ClusterError:
    import tensorflow as tf

    me = f"{cluster.task_type} {cluster.index}"
    if isinstance(err, tf.errors.DeadlineExceededError):
        waited = "the other workers at " if cluster.is_chief else "the chief at "
        return ClusterError(
            f"{me} waited {timeout_s:g} s for {waited}{', '.join(cluster.peers)} and gave up: start every "
            "worker within that time (or raise --connect-timeout) and check TF_CONFIG's addresses and "
            f"that those ports are open. Received: this worker is {cluster.address}"
        )
    if "gRPC server" in str(err):
        return ClusterError(
            f"{me} cannot listen on {cluster.address}, its own address in TF_CONFIG: the port is taken "
            f"or the host is not this machine. Received: {_first_line(err)}"
        )
    return ClusterError(f"{me} could not join the workers at {', '.join(cluster.peers)}. "
                        f"Received: {_first_line(err)}")


def multiworker_strategy():
    """The strategy this process joined with, joining with TF_CONFIG and the default timeout if none."""
    if _joined is None:
        return join_cluster(read_tf_config())
    return _joined[1]


def joined_cluster() -> Cluster | None:
    """This process's place in the cluster, or None when it has not joined one."""
    return _joined[0] if _joined else None


def is_multiworker(strategy) -> bool:
    return _joined is not None and strategy is _joined[1]


def distribute_batches(strategy, make_local: Callable[[int, int], object], global_batch: int, seed: int,
                       what: str = "--batch"):
    """Gives each worker its share of every global batch, from its own random stream.

    Args:
        strategy: from `join_cluster`.
        make_local: (per-replica batch, seed) -> an endless tf.data.Dataset of (x, y) batches.
        global_batch: windows per step over all workers.
        seed: the run's seed; worker k draws from `seed + SEED_STRIDE * k`.
        what: the option `global_batch` came from, for the error.

    Returns:
        (distributed dataset for `fit`, element spec of one worker's batches).

    Raises:
        ClusterError: `global_batch` does not split evenly over the replicas.
    """
    replicas = strategy.num_replicas_in_sync
    if global_batch % replicas:
        raise ClusterError(f"`{what}` is split evenly over the {replicas} replicas of all workers, so it "
                           f"must be a multiple of {replicas}. Received: {what} {global_batch}")
    specs = []

    def per_worker(context):
        local = make_local(context.get_per_replica_batch_size(global_batch),
                           seed + SEED_STRIDE * context.input_pipeline_id)
        specs.append(local.element_spec)
        return local

    data = strategy.distribute_datasets_from_function(per_worker)
    return data, specs[0]


def prepare_model(model, strategy, batch_spec) -> None:
    """Lets `model.fit` run under MultiWorkerMirroredStrategy (keras-team/keras#20585).

    Keras's fit fails there twice. Before training it reduces a whole (x, y)
    batch across workers only to learn its shapes, and the strategy cannot
    reduce a tuple; `batch_spec` gives the shapes instead. After each step it
    averages each scalar metric over axis 0, which a scalar lacks; giving each
    metric shape (1,) makes that axis the replicas, so the logs hold the mean
    over all workers.

    Args:
        model: compiled inside `strategy.scope()`.
        strategy: from `join_cluster`.
        batch_spec: one replica's (x, y) `tf.TensorSpec`s, from `distribute_batches`.
    """
    import tensorflow as tf

    def symbolic_build(iterator=None, data_batch=None):
        with strategy.scope():
            model._symbolic_build(data_batch=batch_spec)

    def as_vectors(step):
        def wrapped(data):
            return tf.nest.map_structure(lambda v: tf.reshape(v, (1,)), step(data))

        return wrapped

    model._maybe_symbolic_build = symbolic_build
    model.train_step = as_vectors(model.train_step)
    model.test_step = as_vectors(model.test_step)
    synchronize_batch_norm(model)


def synchronize_batch_norm(model) -> int:
    """Makes every BatchNormalization in `model` use the statistics of the global batch.

    The strategy sums gradients, so the trainable weights of all workers agree, but
    each worker would normalise by (and keep moving statistics of) its own share of
    the batch only: the chief would save statistics of half the data, unlike the other
    workers and unlike one machine with the same global batch. Set on the layers, not
    in their config, so the plain copy that is saved (`local_copy`) loads anywhere.

    Returns:
        The number of layers changed.
    """
    from model.backend import import_keras

    keras = import_keras()
    changed = 0
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.synchronized = True
            changed += 1
    return changed


def check_workers_agree(strategy, settings: str) -> None:
    """Fails on every worker unless all were started with the same `settings`.

    Workers that build different models (other labels, sizes) or take other
    numbers of steps would otherwise hang in their first exchange.

    Args:
        strategy: from `join_cluster`.
        settings: a text that every worker must share, e.g. the config and schedule.

    Raises:
        ClusterError: the workers' texts differ.
    """
    import tensorflow as tf

    # The strategy reduces by SUM or MEAN only, not MIN or MAX. Summing (1, d, d*d) over the
    # workers gives (n, S, Q), and n*Q == S*S holds exactly when every digest d is the same;
    # every worker gets the same sums, so all fail or none. 20 bits keep n*Q well inside int64.
    digest = int.from_bytes(hashlib.sha256(settings.encode()).digest()[:3], "big") >> 4
    mine = tf.constant([1, digest, digest * digest], tf.int64)
    n, total, squares = (int(v) for v in strategy.reduce("SUM", mine, axis=None))
    if n * squares != total * total:
        cluster = joined_cluster()
        raise ClusterError(
            "The workers were started with different data or options (labels, frames, size, epochs, steps, "
            "batch, seed...): start every worker with the same command and the same clips. Received: "
            f"{cluster.task_type} {cluster.index} has {_short(settings)}"
        )


@contextlib.contextmanager
def lost_contact():
    """Turns a peer lost mid-training (crashed, stopped, unreachable) into one line."""
    import tensorflow as tf

    try:
        yield
    except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.AbortedError,
            tf.errors.CancelledError) as err:
        cluster = joined_cluster()
        raise ClusterError(
            f"{cluster.task_type} {cluster.index} lost contact with the other workers "
            f"({', '.join(a for a in cluster.addresses if a != cluster.address)}) during training: one of them "
            f"stopped or failed; see its output. Received: {_first_line(err)}"
        ) from None


def local_copy(model, build: Callable[[], object]):
    """A plain model with `model`'s weights, for predicting on one worker alone.

    A model built under the strategy predicts only with every worker taking
    part; evaluation and export after training happen on each worker alone.
    """
    copy = build()
    copy.set_weights(model.get_weights())
    return copy


def _first_line(err) -> str:
    text = getattr(err, "message", None) or str(err)
    return _short(text.strip().splitlines()[0] if text.strip() else type(err).__name__)


def _short(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
