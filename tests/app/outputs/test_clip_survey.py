"""Surveying a collected dataset: clips per label, clips shorter than a window, and advice."""

from __future__ import annotations

from app.outputs.clip_survey import LabelSurvey, advice, clip_seconds, survey
from tests.video_fixtures import write_motion_clip


def test_survey_counts_clips_and_those_shorter_than_the_window(tmp_path):
    write_motion_clip(tmp_path / "up" / "a.avi", "up", n_frames=50)  # 2 s at 25 fps
    write_motion_clip(tmp_path / "up" / "b.avi", "up", n_frames=10)  # 0.4 s
    (tmp_path / ".hidden").mkdir()
    assert abs(clip_seconds(tmp_path / "up" / "a.avi") - 2.0) < 1e-6
    assert survey(tmp_path, 1.6) == [LabelSurvey("up", 2, 1)]
    assert survey(tmp_path) == [LabelSurvey("up", 2, 0)]
    assert survey(tmp_path / "missing") == []


def test_advice_names_what_to_record():
    lines = advice([LabelSurvey("up", 1, 1)], 1.6)
    assert lines == ["Record clips of at least 2 classes (a \"nothing\" class counts).",
                     "up: 1 clip; record at least 3.",
                     "up: 1 clip is shorter than one model window (1.6 s) and cannot teach it."]
    assert advice([LabelSurvey("up", 3), LabelSurvey("nothing", 4)]) == []
