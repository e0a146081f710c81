"""Tests for app/outputs/lines.py and the logs built on it: whole lines through a kill, a
full disk and a removed folder; readers that skip a torn last line with a warning."""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

from app.outputs import lines as lines_module
from app.outputs.event_log import EventLog, Segment, read_events, read_segments
from app.outputs.lines import LineWriter, TornLineWarning, read_lines
from app.outputs.segment_file import SegmentFile
from app.results import Result
from tests.paths import REPO
from tests.process_helpers import reaped, sigkill, whole_json_lines


def make_result(i: int) -> Result:
    probs = np.array([0.7, 0.3])
    return Result(i, i / 10, "walk", 0.7, probs, probs, ("walk", "run"))


def test_each_line_is_in_the_file_as_soon_as_it_is_written(tmp_path):
    log = LineWriter(tmp_path / "a.log")
    for i in range(3):
        assert log.write_line(f"line {i}")
        assert (tmp_path / "a.log").read_text() == "".join(f"line {j}\n" for j in range(i + 1))
    log.close()
    log.close()


def test_a_short_write_on_a_full_disk_is_cut_back_to_whole_lines(tmp_path, monkeypatch):
    log = LineWriter(tmp_path / "a.log", "events file")
    assert log.write_line("x" * 40)
    real_write = os.write

    def full_disk(fd, data):
        if fd != log._fd:
            return real_write(fd, data)
        if os.fstat(fd).st_size >= 60:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data[:10])  # what a nearly full disk does: a short write

    monkeypatch.setattr(lines_module.os, "write", full_disk)
    assert not log.write_line("y" * 40)
    assert not log.write_line("z")  # stays stopped, does not raise
    monkeypatch.undo()
    assert log.error == (f"Writing events file {tmp_path / 'a.log'} stopped after 1 lines: "
                         "No space left on device; the lines before are kept.")
    assert (tmp_path / "a.log").read_text() == "x" * 40 + "\n"
    log.close()


def test_dev_full_stops_the_event_log_with_one_line(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    path = tmp_path / "events.jsonl"
    path.symlink_to("/dev/full")  # every write fails with ENOSPC, as on a full disk
    log = EventLog(path)
    assert not log.write(make_result(0))
    assert "No space left on device" in log.error and "\n" not in log.error
    assert not log.write(make_result(1))
    log.close()


def test_a_removed_folder_is_noticed(tmp_path, monkeypatch):
    monkeypatch.setattr(lines_module, "FSYNC_EVERY_S", 0.0)  # check on every line
    folder = tmp_path / "logs"
    folder.mkdir()
    log = EventLog(folder / "events.jsonl")
    assert log.write(make_result(0))
    shutil.rmtree(folder)
    assert not log.write(make_result(1))
    assert "deleted (or its folder removed)" in log.error
    log.close()


def test_read_lines_skips_a_torn_last_line_with_a_warning(tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_text('{"frame": 0}\n{"frame": 1}\n{"fra')
    with pytest.warns(TornLineWarning, match=r"old\.jsonl: skipped a torn last line"):
        assert read_events(path) == [{"frame": 0}, {"frame": 1}]
    path.write_bytes(b'{"frame": 0}\n\x00\x00\x00\x00')  # what a power cut can leave
    with pytest.warns(TornLineWarning):
        assert read_events(path) == [{"frame": 0}]
    path.write_text('{"frame": 0}\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_lines(path) == ['{"frame": 0}']


def test_damage_before_the_last_line_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"frame": 0}\nnot json\n{"frame": 2}\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl: line 2 is not JSON"):
        read_events(path)


def test_csv_segments_are_written_as_they_close(tmp_path):
    path = tmp_path / "s.csv"
    segments = [Segment(0.0, 1.0, "walk", 0.8, 10), Segment(1.0, 2.5, "run, fast", 0.6, 15)]
    out = SegmentFile(path)
    assert out.update(segments[:1])
    with open(path, newline="") as f:  # readable before the run ends
        assert list(csv.reader(f)) == [["start", "end", "label", "mean_confidence", "frames", "person", "count"],
                                       ["0.0", "1.0", "walk", "0.8", "10", "", "0"]]
    assert out.update(segments)
    out.close()
    assert read_segments(path) == segments
    assert out.update(segments) and path.read_text().count("\n") == 3  # nothing twice


def test_json_segments_are_a_valid_list_at_every_step(tmp_path):
    path = tmp_path / "s.json"
    out = SegmentFile(path)
    assert json.loads(path.read_text()) == []
    out.update([Segment(0.0, 1.0, "walk", 0.8, 10)])
    assert read_segments(path) == [Segment(0.0, 1.0, "walk", 0.8, 10)]
    out.close()


KILLED_LOGGER = """
import sys
import numpy as np
from app.outputs.event_log import EventLog
from app.results import Result
log = EventLog(sys.argv[1])
probs = np.array([0.7, 0.3])
i = 0
while True:
    # Long lines, so that a kill can land in the middle of one if lines were not written whole.
    log.write(Result(i, i / 10, "walk" * 500, 0.7, probs, probs, ("walk", "run")))
    i += 1
    if i % 100 == 0:
        print(i, flush=True)
"""


def test_sigkill_mid_log_leaves_only_whole_lines(tmp_path):
    path = tmp_path / "killed.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_LOGGER, str(path)], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with reaped(proc):
        while int(proc.stdout.readline() or -1) < 2000:
            assert proc.poll() is None, proc.communicate(timeout=30)[1]
        sigkill(proc)
    events = whole_json_lines(path)
    assert len(events) >= 2000
    assert [e["frame"] for e in events] == list(range(len(events)))


def test_lines_go_through_a_pipe(tmp_path, monkeypatch):
    # `--events /dev/stdout | jq`: a pipe has no disk to fsync to, and that is no reason to stop.
    monkeypatch.setattr(lines_module, "FSYNC_EVERY_S", 0.0)
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.extend(fifo.read_text().splitlines()))
    reader.start()
    writer = LineWriter(fifo, "events file")
    assert all(writer.write_line(f'{{"frame": {i}}}') for i in range(5))
    writer.close()
    reader.join(timeout=5)
    assert writer.error is None
    assert received == [f'{{"frame": {i}}}' for i in range(5)]


def test_dev_stdout_redirected_to_a_file_keeps_every_line(tmp_path):
    # `run --events /dev/stdout > out.txt`: a second open of the file would write at its own
    # offset, and what the process prints to stdout afterwards would overwrite the first lines.
    code = (
        "from app.outputs.lines import LineWriter\n"
        "w = LineWriter('/dev/stdout', 'events file')\n"
        "for i in range(3):\n"
        "    w.write_line(f'event {i}')\n"
        "w.close()\n"
        "print('summary', flush=True)\n"
    )
    out = tmp_path / "out.txt"
    with open(out, "w") as f:
        subprocess.run([sys.executable, "-c", code], stdout=f, check=True, cwd=REPO, timeout=60)
    assert out.read_text().splitlines() == ["event 0", "event 1", "event 2", "summary"]
