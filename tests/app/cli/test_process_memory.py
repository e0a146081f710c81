"""Tests for app/cli/process_memory.py: the memory figures `bench` and its side-by-side runs read."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from app.cli.process_memory import current_rss_mb, own_peak_rss_mb, peak_rss_mb


def test_the_peak_holds_memory_since_freed_and_the_current_figure_does_not():
    before = current_rss_mb()
    block = np.ones(64 * 1024 * 1024 // 8)  # 64 MiB, touched
    held = current_rss_mb()
    del block  # a block this big is its own mapping: freeing it hands it back to the system
    after = current_rss_mb()
    assert held - before > 48 and held - after > 48
    # The kernel folds per-thread counts into the high-water mark lazily: a page or so behind.
    assert own_peak_rss_mb() > held - 1


def test_another_process_is_read_by_its_id_and_a_gone_one_is_unknown():
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        peak = peak_rss_mb(child.pid)
        assert peak is not None and 0 < peak < own_peak_rss_mb()
    finally:
        child.communicate(b"")
    assert peak_rss_mb(child.pid) is None  # reaped: no /proc entry
