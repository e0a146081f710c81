"""Child processes in the fault tests: killed as the OOM killer would, always reaped, logs read back."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def reaped(proc: subprocess.Popen) -> Iterator[subprocess.Popen]:
    """Runs the block with `proc`; however the block ends, `proc` is dead and reaped after it."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def sigkill(proc: subprocess.Popen) -> None:
    """SIGKILL, which no handler sees (as the OOM killer or a segfault), then reap."""
    proc.kill()
    proc.communicate(timeout=30)


def whole_json_lines(path: str | Path) -> list[dict]:
    """Every line of a JSON-lines file, parsed; fails if the last line was cut in half."""
    text = Path(path).read_text()
    assert text.endswith("\n"), f"{path}: a line was cut in half"
    return [json.loads(line) for line in text.splitlines()]
