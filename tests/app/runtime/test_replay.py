"""Replaying a file as the app shows it, with and without a lead-in (app/runtime/replay.py)."""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from app.runtime.replay import lead_in_frames, shown_labels


class RecordingProcessor:
    """Stands in for a FrameProcessor: remembers what it was fed, labels from the third frame on."""

    def __init__(self) -> None:
        self.fed: list[tuple[float, float]] = []
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1
        self.fed.clear()

    def process(self, frame):
        self.fed.append((float(frame.image.mean()), frame.source_time))
        return SimpleNamespace(label=f"at {frame.source_time:.1f}") if len(self.fed) >= 3 else None


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "steps.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (32, 32))
    for k in range(6):
        writer.write(np.full((32, 32, 3), 40 * k + 20, np.uint8))
    writer.release()
    return path


def test_a_lead_in_holds_the_first_frame_and_scores_every_frame_of_the_clip(clip):
    processor = RecordingProcessor()
    plain = shown_labels(processor, clip)
    # Without a lead-in the first two frames have no window behind them and show nothing.
    assert len(plain) == 4
    led = shown_labels(processor, clip, lead_in_s=0.5)
    assert processor.resets == 2
    brightness = [round(b / 10) for b, _ in processor.fed]
    assert len(processor.fed) == 5 + 6
    # Five copies of the first frame, then the clip's own frames, on one clock.
    assert len(set(brightness[:6])) == 1 and len(set(brightness[5:])) == 6
    np.testing.assert_allclose([t for _, t in processor.fed], np.arange(11) / 10.0)
    # Only the clip's own frames are scored, and every one of them is.
    assert led == [f"at {t:.1f}" for t in np.arange(5, 11) / 10.0]


def test_lead_in_frames_are_counted_at_the_source_rate_and_never_negative():
    assert lead_in_frames(2.0, 29.97) == 60
    assert lead_in_frames(0.0, 30.0) == 0
    with pytest.raises(ValueError, match="lead_in_s"):
        lead_in_frames(-1.0, 30.0)


class PeopleProcessor:
    """Stands in for a pose FrameProcessor: with max_people above 1 it lists the people of
    `people_by_frame` (frame index -> {id: label}); with 1 it labels every frame "alone"."""

    def __init__(self, people_by_frame: dict[int, dict[int, str]]) -> None:
        from app.settings import EngineSettings

        self.people_by_frame = people_by_frame
        self.settings = EngineSettings()
        self.pose_tracker = object()
        self.passes: list[int] = []

    def update_settings(self, settings) -> None:
        self.settings = settings

    def reset(self) -> None:
        self.passes.append(self.settings.max_people)

    def process(self, frame):
        if self.settings.max_people == 1:
            return SimpleNamespace(label="alone", people=None)
        listed = self.people_by_frame.get(frame.index, {})
        people = [SimpleNamespace(id=pid, label=label) for pid, label in sorted(listed.items())]
        return SimpleNamespace(label=people[0].label if people else "no person", people=people)


def test_the_person_present_longest_is_scored_and_no_person_where_they_are_not_listed(clip):
    from app.runtime.replay import REPLAY_MAX_PEOPLE, shown_labels_of_longest

    # Person 1 is the first listed (the one a single-person view would pick); person 2 stays longer.
    processor = PeopleProcessor({0: {1: "bend"}, 1: {1: "bend", 2: "wave"}, 2: {2: "wave"},
                                 3: {2: "idle"}, 5: {1: "bend", 2: "wave"}})
    labels, people = shown_labels_of_longest(processor, clip)
    assert people == 2
    assert labels == ["no person", "wave", "wave", "idle", "no person", "wave"]
    assert processor.passes == [REPLAY_MAX_PEOPLE]  # one pass, several people followed
    assert processor.settings.max_people == 1  # the caller's settings are put back


def test_a_clip_of_one_person_is_scored_by_the_one_person_replay(clip):
    from app.runtime.replay import REPLAY_MAX_PEOPLE, shown_labels_of_longest

    processor = PeopleProcessor({k: {1: "bend"} for k in range(6)})
    labels, people = shown_labels_of_longest(processor, clip)
    assert people == 1
    # The one-person replay's labels, not the several-people pass's: today's figures, frame by frame.
    assert labels == ["alone"] * 6 == shown_labels(processor, clip)
    assert processor.passes[:2] == [REPLAY_MAX_PEOPLE, 1]


def test_a_pixel_model_replays_once_with_nobody_followed(clip):
    from app.runtime.replay import shown_labels_of_longest

    processor = PeopleProcessor({})
    processor.pose_tracker = None
    labels, people = shown_labels_of_longest(processor, clip)
    assert (labels, people, processor.passes) == (["alone"] * 6, 0, [1])
