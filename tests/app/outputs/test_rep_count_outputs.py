"""The repetition count on its way out: event lines, segments files, the headline and the tags."""

from __future__ import annotations

import csv
import json

import numpy as np

from app.outputs.event_log import EventLog, SegmentTracker, read_segments, write_segments
from app.outputs.headline import headline
from app.outputs.overlay import render_overlay
from app.outputs.panel import ascii_text
from app.outputs.people_segments import PeopleSegments
from app.outputs.segment_file import SegmentFile
from app.results import NO_PERSON, PersonResult, Result, with_count
from tests.app.outputs.test_skeleton import _pose

LABELS = ("idle", "jumping_jack")
PROBS = np.array([0.1, 0.9], np.float32)


def _result(i: int, label: str, count: int, people=None) -> Result:
    return Result(i, i / 10, label, 0.9, PROBS, PROBS, LABELS, count=count, people=people,
                  person_id=people[0].id if people else None)


def _person(pid: int, label: str, count: int) -> PersonResult:
    return PersonResult(pid, label, 0.9, PROBS, PROBS, _pose({0: (100 * pid, 50), 11: (100 * pid + 20, 120)}),
                        count=count)


# A jumping jack counted up to 3 live, then idle (its counter reset), then a new jumping jack.
SCRIPT = [("jumping_jack", 0), ("jumping_jack", 1), ("jumping_jack", 2), ("jumping_jack", 3),
          ("idle", 0), ("idle", 0), ("jumping_jack", 1), ("jumping_jack", 1), (NO_PERSON, 0)]


def test_events_carry_the_count_and_segments_its_total(tmp_path):
    events, csv_path = tmp_path / "e.jsonl", tmp_path / "s.csv"
    tracker, out = SegmentTracker(), SegmentFile(csv_path)
    with EventLog(events) as log:
        for i, (label, count) in enumerate(SCRIPT):
            log.write(_result(i, label, count))
            if tracker.update(i / 10, label, 0.9, count) is not None:
                out.update(tracker.segments)
    out.update(tracker.finish())
    out.close()
    lines = [json.loads(x) for x in events.read_text().splitlines()]
    assert [line["count"] for line in lines] == [count for _, count in SCRIPT]
    # Each segment's total is the count of its last frame, not the next segment's first.
    assert [(s.label, s.count) for s in read_segments(csv_path)] == [
        ("jumping_jack", 3), ("idle", 0), ("jumping_jack", 1), (NO_PERSON, 0)]
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["count"] for r in rows] == ["3", "0", "1", "0"]
    path = write_segments(tmp_path / "s.json", tracker.segments)
    assert [r["count"] for r in json.loads(path.read_text())] == [3, 0, 1, 0]


def test_a_segments_file_from_before_counting_reads_as_no_count(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("start,end,label,mean_confidence,frames,person\n0.0,1.0,wave,0.8,10,\n")
    assert read_segments(path)[0].count == 0


def test_each_person_has_their_own_count_in_events_and_segments():
    people = PeopleSegments()
    script = [([("jumping_jack", 1), ("wave", 0)]), ([("jumping_jack", 2), ("wave", 1)]),
              ([("jumping_jack", 4), ("wave", 2)]), ([("idle", 0), ("wave", 2)])]
    lines = []
    for i, row in enumerate(script):
        persons = [_person(pid, label, count) for pid, (label, count) in enumerate(row, 1)]
        result = _result(i, persons[0].label, persons[0].count, persons)
        lines.append(result.to_json())
        people.update(result)
    assert [[p["count"] for p in line["people"]] for line in lines] == [[1, 0], [2, 1], [4, 2], [0, 2]]
    assert lines[2]["count"] == 4 and lines[2]["person"] == 1
    segments = people.finish(0.4)
    assert sorted((s.person, s.label, s.count) for s in segments) == [
        (1, "idle", 0), (1, "jumping_jack", 4), (2, "wave", 2)]


def test_the_view_shows_the_count_beside_the_label_from_one():
    assert with_count("jumping_jack", 8) == "jumping_jack \u00d78"
    assert with_count("jumping_jack", 0) == "jumping_jack"
    assert headline(_result(0, "jumping_jack", 8)).text == "jumping_jack \u00d78"
    assert headline(_result(0, "jumping_jack", 8)).label == "jumping_jack"  # colour by class, not text
    assert headline(_result(0, "jumping_jack", 0)).text == "jumping_jack"
    # OpenCV's fonts have no times sign: the annotated video says "x8", not "?8".
    assert ascii_text("jumping_jack \u00d78") == "jumping_jack x8"


def test_the_annotated_video_draws_the_count():
    image = np.full((240, 320, 3), 90, np.uint8)
    with_reps = render_overlay(image, _result(0, "jumping_jack", 8))
    without = render_overlay(image, _result(0, "jumping_jack", 0))
    panel = slice(320 * 2, None)  # the panel beside the (upscaled) picture
    assert with_reps.shape == without.shape
    assert (with_reps[:, panel] != without[:, panel]).any()
    tagged = render_overlay(image, _result(0, "jumping_jack", 8, [_person(1, "jumping_jack", 8)]), skeleton=True)
    untagged = render_overlay(image, _result(0, "jumping_jack", 8, [_person(1, "jumping_jack", 0)]), skeleton=True)
    assert (tagged[:, :320 * 2] != untagged[:, :320 * 2]).any()  # the person's tag says x8
