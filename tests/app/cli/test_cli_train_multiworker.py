"""`--strategy multiworker` end to end: two workers on loopback, and the ways a cluster goes wrong.

The two-worker runs start real processes on ports chosen free at run time; a
bad TF_CONFIG is caught before TensorFlow starts, so those tests run in-process.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from model.bundle import load_bundle
from tests.app.cli import multiworker_helpers as mw
from tests.cli_helpers import run, user_error

# Two workers each import TensorFlow and build a model: about 15 s on an idle 2-core machine.
RUN_TIMEOUT_S = 240


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory) -> dict:
    """`actionlens train` on two loopback workers, recording each one's weights."""
    tmp = tmp_path_factory.mktemp("multiworker")
    data = mw.make_class_folders(tmp / "data")
    ports = mw.free_ports(2)
    temp_before = set(Path(tempfile.gettempdir()).glob("actionlens-worker-*"))
    argv = ["train", "--data", data, "--out", tmp / "bundle", *mw.TINY, "--strategy", "multiworker",
            "--cache", tmp / "cache", "--connect-timeout", "60"]
    started = time.monotonic()
    procs = [mw.start_worker(argv, mw.tf_config(ports, i), weights=tmp / f"weights{i}") for i in range(2)]
    results = mw.finish(procs, RUN_TIMEOUT_S)
    return {"tmp": tmp, "data": data, "ports": ports, "results": results,
            "seconds": time.monotonic() - started, "temp_before": temp_before}


@pytest.mark.slow
def test_two_workers_train_one_bundle_that_loads_and_predicts(two_workers):
    for rc, _, err in two_workers["results"]:
        assert rc == 0, err
    bundle = load_bundle(two_workers["tmp"] / "bundle")  # safe mode
    assert bundle.labels == ("idle", "down", "right", "up")
    cfg = bundle.config  # the time axis is free in the model, so its shape comes from the config
    x = np.random.default_rng(0).random((2, cfg.frames, cfg.size, cfg.size, 1), np.float32)
    probs = np.asarray(bundle.classifier.predict(x, verbose=0))
    assert probs.shape == (2, 4) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    metrics = json.loads((two_workers["tmp"] / "bundle" / "metrics.json").read_text())
    assert "--strategy multiworker" in metrics["command"]


@pytest.mark.slow
def test_only_the_chief_writes(two_workers):
    (_, chief_out, _), (_, other_out, other_err) = two_workers["results"]
    assert f"wrote {two_workers['tmp'] / 'bundle'}" in chief_out
    assert f"the chief (localhost:{two_workers['ports'][0]}) wrote" in other_err
    # The non-chief wrote into a temporary folder of its own, and that folder is gone.
    temp = [line.split()[-1] for line in other_out.splitlines() if line.startswith("wrote ")]
    assert temp and all("actionlens-worker-" in path and not Path(path).exists() for path in temp)
    leftovers = set(Path(tempfile.gettempdir()).glob("actionlens-worker-*")) - two_workers["temp_before"]
    assert not leftovers
    assert [p.name for p in two_workers["tmp"].iterdir() if p.name.startswith("bundle")] == ["bundle"]


@pytest.mark.slow
def test_training_moved_the_weights_and_the_workers_end_equal(two_workers):
    tmp = two_workers["tmp"]
    initial = [mw.load_weights(tmp / f"weights{i}" / "initial.npz") for i in range(2)]
    final = [mw.load_weights(tmp / f"weights{i}" / "final.npz") for i in range(2)]
    # The strategy starts every worker from the chief's initial weights...
    assert all(np.array_equal(a, b) for a, b in zip(*initial, strict=True))
    # ...sums their gradients at every step, so they end equal too, and the chief saved that.
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(*final, strict=True))
    saved = load_bundle(tmp / "bundle").classifier.get_weights()
    assert all(np.allclose(a, b) for a, b in zip(saved, final[0], strict=True))
    assert any(not np.allclose(a, b) for a, b in zip(initial[0], final[0], strict=True))


@pytest.mark.slow
def test_train_predictor_on_two_workers_adds_to_the_chiefs_bundle(two_workers, tmp_path):
    base = two_workers["tmp"] / "bundle"
    assert all(rc == 0 for rc, _, _ in two_workers["results"])
    ports = mw.free_ports(2)
    argv = ["train-predictor", "--data", two_workers["data"], "--out", base, "--epochs", "1", "--steps", "2",
            "--batch", "4", "--strategy", "multiworker", "--cache", two_workers["tmp"] / "cache",
            "--connect-timeout", "60"]
    results = mw.finish([mw.start_worker(argv, mw.tf_config(ports, i)) for i in range(2)], RUN_TIMEOUT_S)
    for rc, _, err in results:
        assert rc == 0, err
    assert load_bundle(base).predictor is not None
    assert f"wrote {base / 'predictor.keras'}" in results[0][1]


@pytest.mark.slow
def test_a_worker_alone_gives_up_in_bounded_time_naming_the_chief(tmp_path):
    chief, me = mw.free_ports(2)
    argv = ["train", "--data", mw.make_class_folders(tmp_path / "data", people=1), "--out", tmp_path / "b", *mw.TINY,
            "--strategy", "multiworker", "--connect-timeout", "3"]
    started = time.monotonic()
    [(rc, _, err)] = mw.finish([mw.start_worker(argv, mw.tf_config([chief, me], 1))], RUN_TIMEOUT_S)
    # 3 s of waiting; the rest is importing TensorFlow, which a busy 2-core machine makes slow.
    assert time.monotonic() - started < 90
    line = user_error(rc, err)
    assert f"waited 3 s for the chief at localhost:{chief}" in line
    assert not (tmp_path / "b").exists()


BAD_TF_CONFIGS = {
    "unset": (None, "TF_CONFIG is not set"),
    "not JSON": ("{'cluster': nope", "TF_CONFIG must be JSON"),
    "missing task": ('{"cluster": {"worker": ["localhost:1234", "localhost:1235"]}}',
                     'TF_CONFIG needs a "task" object'),
    "index out of range": ('{"cluster": {"worker": ["localhost:1234", "localhost:1235"]}, '
                           '"task": {"type": "worker", "index": 2}}', 'Received: "index": 2'),
}


@pytest.mark.parametrize("case", BAD_TF_CONFIGS)
@pytest.mark.parametrize("command", ["train", "train-predictor"])
def test_bad_tf_config_is_one_line_and_exit_2(case, command, tmp_path, monkeypatch):
    value, expected = BAD_TF_CONFIGS[case]
    if value is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", value)
    # Read before any clip: the data folder need not even exist.
    code, _, err = run(command, "--data", tmp_path / "nothing", "--out", tmp_path / "b",
                       "--strategy", "multiworker")
    line = user_error(code, err)
    assert expected in line and "TF_CONFIG" in line
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "b").exists()


def test_train_from_refuses_multiworker_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["localhost:1234"]}, "task": {"type": "worker", "index": 0}}')
    code, _, err = run("train", "--from", "--data", tmp_path, "--out", tmp_path / "b", "--strategy", "multiworker")
    line = user_error(code, err)
    assert "`--from` trains only a small head" in line and line.endswith("--strategy multiworker")
