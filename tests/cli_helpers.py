"""Running `actionlens` in-process for tests, and checking its one-line user errors."""

from __future__ import annotations

import contextlib
import io

from app.cli.main import main


def run(*argv) -> tuple[int, str, str]:
    """Runs the CLI in this process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def user_error(code: int, err: str) -> str:
    """Checks a bad-input exit (2, no traceback, one error line, last) and returns that line."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert [line for line in lines if line.startswith("actionlens: error:")] == lines[-1:], err
    return lines[-1]
