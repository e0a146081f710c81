"""A process's resident memory, in MiB, as `bench` and its side-by-side runs read it.

Its own module so that `bench` (this process) and `bench_compare` (its children) share
it without importing each other.
"""

from __future__ import annotations

import resource

# Every *_mb figure is in MiB, so the peak and the samples compare.
MIB = 1024 * 1024


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """A process's peak resident memory since it started its program, MiB; None if unknown.

    VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over `exec`, so a child
    started from a big process (a test run holding TensorFlow) reports the parent's peak.
    """
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / MIB  # in kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def own_peak_rss_mb() -> float:
    """This process's peak resident memory, MiB (getrusage's where /proc has none)."""
    peak = peak_rss_mb()
    # ru_maxrss is in KiB on Linux.
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MIB


def current_rss_mb() -> float:
    """This process's resident memory now, MiB (its peak where /proc has none)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() / MIB
    except OSError:
        return own_peak_rss_mb()
