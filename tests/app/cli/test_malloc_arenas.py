"""The app caps glibc's malloc arenas so its threads do not each keep a heap of their own."""

import os
import subprocess
import sys
import textwrap

import pytest

from app.cli.malloc_arenas import DEFAULT_ARENAS, cap_malloc_arenas

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas are Linux's")

# Eight threads that each allocate; then glibc's own report of its heaps (one per arena).
_THREADS_THEN_HEAPS = textwrap.dedent("""
    import ctypes, sys, tempfile, threading
    import numpy as np
    from app.cli.malloc_arenas import cap_malloc_arenas
    if sys.argv[1] == "cap":
        assert cap_malloc_arenas()
    def work():
        for _ in range(200):
            kept = [np.ones(2000) for _ in range(20)]
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    libc = ctypes.CDLL("libc.so.6")
    libc.fopen.restype = ctypes.c_void_p
    with tempfile.NamedTemporaryFile("r") as report:
        fp = libc.fopen(report.name.encode(), b"w")
        libc.malloc_info(0, ctypes.c_void_p(fp))
        libc.fclose(ctypes.c_void_p(fp))
        print(report.read().count("<heap nr="))
    """)


def _heaps(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run([sys.executable, "-c", _THREADS_THEN_HEAPS, mode], env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    return int(out.stdout.split()[-1])


def test_threads_share_the_capped_arenas():
    try:
        uncapped = _heaps("no")
    except (OSError, subprocess.CalledProcessError) as err:
        pytest.skip(f"this C library has no malloc_info: {err}")
    assert uncapped > DEFAULT_ARENAS, "without the cap each new thread gets an arena of its own"
    assert _heaps("cap") <= DEFAULT_ARENAS


def test_a_users_own_cap_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert cap_malloc_arenas() is False


def test_the_live_commands_cap_the_arenas_and_the_others_do_not(monkeypatch, tmp_path):
    from app.cli import main as cli_main

    calls = []
    monkeypatch.setattr(cli_main, "cap_malloc_arenas", lambda: calls.append(1) or True)
    assert cli_main.main(["info"]) == 0
    assert calls == []
    # A missing file is refused in one line, after the cap: it is set before anything runs.
    assert cli_main.main(["run", "--source", str(tmp_path / "missing.mp4")]) != 0
    assert calls == [1]
