from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from app.outputs.event_log import (
    EventLog,
    OutputError,
    Segment,
    SegmentTracker,
    read_segments,
    write_segments,
)
from app.results import UNDECIDED, UNKNOWN, Result

LABELS = ("walk", "run", "idle")
JSON_KEYS = {"frame", "time", "label", "confidence", "probs", "surprise", "latency_ms",
             "inference_ms", "device", "count"}


def make_result(i: int, label: str = "walk", surprise: float | None = None) -> Result:
    probs = np.array([0.7, 0.2, 0.1])
    return Result(i, i / 30, label, 0.7, probs, probs, LABELS, surprise=surprise,
                  latency_ms=12.5, inference_ms=4.25)


def test_jsonl_one_line_per_frame_with_schema(tmp_path):
    path = tmp_path / "events.jsonl"
    with EventLog(path) as log:
        log.write(make_result(0))
        log.write(make_result(1, UNKNOWN, surprise=0.0125))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    rows = [json.loads(line) for line in lines]
    assert all(set(r) == JSON_KEYS for r in rows)
    assert rows[0]["frame"] == 0 and rows[0]["label"] == "walk" and rows[0]["surprise"] is None
    assert rows[1]["surprise"] == pytest.approx(0.0125) and rows[1]["label"] == UNKNOWN
    assert rows[0]["probs"] == {"walk": 0.7, "run": 0.2, "idle": 0.1}


def test_lines_are_on_disk_before_close(tmp_path):
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    try:
        log.write(make_result(0))
        # A crash right now must not lose this line.
        assert len(path.read_text(encoding="utf-8").splitlines()) == 1
    finally:
        log.close()
    log.close()  # idempotent


def test_write_after_close_raises(tmp_path):
    log = EventLog(tmp_path / "e.jsonl")
    log.close()
    with pytest.raises(OutputError, match="closed"):
        log.write(make_result(0))


def test_unwritable_path_fails_at_open(tmp_path):
    missing = tmp_path / "no_such_folder" / "events.jsonl"
    with pytest.raises(OutputError, match="no_such_folder") as info:
        EventLog(missing)
    assert "\n" not in str(info.value)
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(OutputError, match="does not exist"):
        EventLog(not_a_folder / "events.jsonl")
    with pytest.raises(OutputError, match="is a folder"):
        EventLog(tmp_path)


def test_read_only_folder_fails_at_open(tmp_path, monkeypatch):
    # chmod cannot be trusted here (root ignores it), so fake the permission check.
    monkeypatch.setattr("app.outputs.files.os.access", lambda path, mode: False)
    with pytest.raises(OutputError, match="not writable"):
        EventLog(tmp_path / "events.jsonl")
    assert not (tmp_path / "events.jsonl").exists()


def scripted_tracker(include_uncertain: bool = True) -> SegmentTracker:
    tracker = SegmentTracker(include_uncertain=include_uncertain)
    script = ["walk"] * 3 + [UNKNOWN] * 2 + ["run"] * 4
    confs = [0.6, 0.8, 0.7, 0.3, 0.5, 0.9, 0.9, 0.8, 0.8]
    for i, (label, conf) in enumerate(zip(script, confs, strict=True)):
        tracker.update(i * 0.5, label, conf)
    tracker.finish(4.5)
    return tracker


def test_segments_from_a_scripted_sequence():
    segments = scripted_tracker().segments
    assert [(s.start, s.end, s.label, s.frames) for s in segments] == [
        (0.0, 1.5, "walk", 3),
        (1.5, 2.5, UNKNOWN, 2),
        (2.5, 4.5, "run", 4),
    ]
    assert [s.mean_confidence for s in segments] == pytest.approx([0.7, 0.4, 0.85])
    assert [s.uncertain for s in segments] == [False, True, False]


def test_uncertain_segments_can_be_excluded():
    assert [s.label for s in scripted_tracker(include_uncertain=False).segments] == ["walk", "run"]


def test_update_returns_the_closed_segment_and_finish_defaults_to_last_time():
    tracker = SegmentTracker()
    assert tracker.update(0.0, "walk", 1.0) is None
    closed = tracker.update(1.0, "run", 1.0)
    assert closed == Segment(0.0, 1.0, "walk", 1.0, 1)
    tracker.update(2.0, "run", 0.5)
    assert tracker.finish()[-1] == Segment(1.0, 2.0, "run", 0.75, 2)
    assert SegmentTracker().finish() == []


def test_frames_before_the_first_decision_are_in_no_segment():
    tracker = SegmentTracker()
    for i, label in enumerate([UNDECIDED] * 3 + ["walk"] * 2):
        tracker.update(i * 0.5, label, 0.9)
    tracker.update(3.0, UNDECIDED, 0.9)  # a reset: walk ends here
    tracker.update(3.5, "run", 0.8)
    segments = tracker.finish(4.0)
    assert [(s.start, s.end, s.label, s.frames) for s in segments] == [(1.5, 3.0, "walk", 2), (3.5, 4.0, "run", 1)]


def test_seek_backwards_starts_a_new_segment():
    tracker = SegmentTracker()
    tracker.update(5.0, "walk", 1.0)
    tracker.update(5.5, "walk", 1.0)
    tracker.update(1.0, "walk", 1.0)
    segments = tracker.finish(2.0)
    assert [(s.start, s.end) for s in segments] == [(5.0, 5.5), (1.0, 2.0)]


def assert_same_segments(got: list[Segment], expected: list[Segment]) -> None:
    # Files keep 4 decimals, so compare numbers to that precision.
    assert [(s.label, s.frames) for s in got] == [(s.label, s.frames) for s in expected]
    for a, b in zip(got, expected, strict=True):
        assert (a.start, a.end, a.mean_confidence) == pytest.approx(
            (b.start, b.end, b.mean_confidence), abs=1e-4)


def test_csv_round_trip(tmp_path):
    segments = scripted_tracker().segments
    path = write_segments(tmp_path / "segments.csv", segments)
    with open(path, newline="") as f:
        reader = csv.reader(f)
        # `person` is whose segment it is when several people are followed; empty for one.
        # `count`: its repetitions (0 here: the scripted frames carry none).
        assert next(reader) == ["start", "end", "label", "mean_confidence", "frames", "person", "count"]
        assert next(reader)[-2:] == ["", "0"]
    assert_same_segments(read_segments(path), segments)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_json_round_trip(tmp_path):
    segments = scripted_tracker().segments
    path = write_segments(tmp_path / "segments.json", segments)
    rows = json.loads(path.read_text())
    assert rows[0] == {"start": 0.0, "end": 1.5, "label": "walk", "mean_confidence": 0.7,
                       "frames": 3, "person": None, "count": 0}
    assert_same_segments(read_segments(path), segments)


def test_segments_replace_an_existing_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("old")
    write_segments(path, [])
    assert json.loads(path.read_text()) == []


def test_bad_segment_extension_or_folder(tmp_path):
    with pytest.raises(OutputError, match=r"\.txt.*use \.csv or \.json"):
        write_segments(tmp_path / "segments.txt", [])
    with pytest.raises(OutputError, match="does not exist"):
        write_segments(tmp_path / "missing" / "segments.csv", [])


def test_a_label_waiting_out_its_dwell_is_named_in_the_line(tmp_path):
    # A held label's confidence can be near zero while the next waits its dwell; the line says why.
    path = tmp_path / "events.jsonl"
    waiting = make_result(1)
    waiting.pending = "idle"
    with EventLog(path) as log:
        log.write(make_result(0))
        log.write(waiting)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert "pending" not in rows[0]
    assert rows[1]["pending"] == "idle" and rows[1]["label"] == "walk"
