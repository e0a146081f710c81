"""Caps glibc's malloc arenas for the live app's process (`gui`, `run`, `bench`), so its memory stays low.

glibc gives each new thread that allocates an arena of its own, up to eight per core, and
an arena keeps the pages freed into it. The capture, inference and GUI threads all allocate, so
the same `actionlens run` of the demo clip on LiteRT peaked anywhere from 164 to 193 MiB resident
in six runs, by which threads had met. With two arenas, six runs peaked at 163 to 178 MiB (median
168 against 179), at the same latency (docs/benchmarks.md, 2026-12-07).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

# mallopt's parameter number for the arena cap (malloc.h's M_ARENA_MAX).
M_ARENA_MAX = -8
# Two, not one, so the capture and inference threads need not take turns at one lock (one arena
# saved under 1 MiB more on the demo clip).
DEFAULT_ARENAS = 2


def cap_malloc_arenas(count: int = DEFAULT_ARENAS) -> bool:
    """Limits this process to `count` malloc arenas, before its threads start.

    Args:
        count: the most arenas glibc may create.

    Returns:
        True when the cap was set. False where there is nothing to set (not Linux, or a C
        library without glibc's mallopt, such as musl) and where the user chose their own
        cap with the MALLOC_ARENA_MAX environment variable, which is left as it is.
    """
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_ARENA_MAX, count))
