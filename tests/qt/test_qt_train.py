"""The Collect panel's Train button: a real child training run next to a live window.

The child is the real `python -m app train --from ... --progress json` on a tiny
base bundle (16 px, 4-frame windows); the window's engine is the FakeEngine,
which takes its labels from the bundle's config.json, so switching models shows
in the labels on screen.
"""

from __future__ import annotations

import pytest

from app.outputs.clip_dataset import count_clips
from app.qt.widgets.collect_panel import CollectPanel
from model.bundle import load_bundle
from tests.transfer_helpers import make_tiny_base
from tests.video_fixtures import write_motion_clip

# A child process imports TensorFlow and trains; on a busy 2-core machine that can take a while.
TRAIN_TIMEOUT = 240_000
TIMEOUT = 8000


@pytest.fixture
def base(tmp_path):
    return make_tiny_base(tmp_path / "base")


def _dataset(root, labels=("up", "right"), per_class: int = 3, n_frames: int = 30):
    for label in labels:
        for k in range(per_class):
            write_motion_clip(root / label / f"{k}.avi", label, n_frames=n_frames, start=3 * k)
    return root


def _running(qtbot, window, clip, base):
    window.start(None, base)
    window.open_source(str(clip), loop=True)  # loops, so frames keep coming while it trains
    qtbot.waitUntil(lambda: window.model_info is not None and window.frames_with_result > 3, timeout=TIMEOUT)
    window.tabs.setCurrentWidget(window.collect_panel)


def test_train_makes_a_bundle_while_the_window_plays_and_switching_shows_its_labels(
        qtbot, window, engine, clip, base, tmp_path):
    _running(qtbot, window, clip, base)
    _dataset(tmp_path / "dataset")
    process, box = window.trainer.process, window.collect_panel.train_box
    painted_while_training = []
    window.frame_shown.connect(lambda *_: painted_while_training.append(1) if process.running else None)
    with qtbot.waitSignal(process.trained, timeout=TRAIN_TIMEOUT) as done:
        box.train_button.click()
        assert process.running and not box.train_button.isEnabled() and box.cancel_button.isEnabled()
    event = done.args[0]
    assert len(painted_while_training) > 10  # the GUI thread kept painting frames the whole time
    bundle = load_bundle(event["bundle"])
    assert bundle.config.labels == ("idle", "right", "up")
    assert (bundle.config.size, bundle.config.frames) == (16, 4)
    assert "Estimated accuracy on a new clip" in box.result_label.text()
    assert "expect less for other people or rooms" in box.result_label.text()
    assert "right 3, up 3" in box.result_label.text()
    assert box.use_button.isVisible() and box.train_button.isEnabled()

    box.use_button.click()
    qtbot.waitUntil(lambda: window.model_info["path"] == event["bundle"], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.view.shown_result is not None
                    and window.view.shown_result.labels == ("idle", "right", "up"), timeout=TIMEOUT)
    assert engine.load_calls == [str(base), event["bundle"]]


def test_cancel_stops_the_child_and_keeps_the_model(qtbot, window, engine, clip, base, tmp_path):
    _running(qtbot, window, clip, base)
    _dataset(tmp_path / "dataset")
    process, box = window.trainer.process, window.collect_panel.train_box
    with qtbot.waitSignal(process.progressed, timeout=TRAIN_TIMEOUT):
        box.train_button.click()
    with qtbot.waitSignal(process.cancelled, timeout=TIMEOUT):
        box.cancel_button.click()
    assert not process.running
    assert box.result_label.text() == "Training cancelled; the current model keeps running."
    assert box.train_button.isEnabled() and not box.use_button.isVisible()
    assert list(window.trainer.models_dir.iterdir()) == []  # the half-written bundle is gone
    assert engine.load_calls == [str(base)] and window.model_info["path"] == str(base)


def test_a_failed_run_says_why_in_one_line(qtbot, window, clip, base, tmp_path):
    _running(qtbot, window, clip, base)
    _dataset(tmp_path / "dataset", n_frames=6)  # 0.24 s: shorter than the 0.4 s window
    process, box = window.trainer.process, window.collect_panel.train_box
    with qtbot.waitSignal(process.failed, timeout=TRAIN_TIMEOUT):
        box.train_button.click()
    text = box.result_label.text()
    assert text.startswith("Training failed: No clip of") and "\n" not in text
    assert text.endswith("The current model keeps running.")
    assert window.model_info["path"] == str(base)


def test_train_does_not_start_without_two_classes(qtbot, window, clip, base, tmp_path):
    _running(qtbot, window, clip, base)
    _dataset(tmp_path / "dataset", labels=("up",))
    assert window.trainer.start() is False
    assert "at least 2 classes" in window.collect_panel.train_box.result_label.text()
    assert not window.trainer.process.running


def test_countdown_before_a_live_clip_and_a_second_click_cancels_it(qtbot, tmp_path):
    panel = CollectPanel(tmp_path / "dataset", is_live=lambda: True)
    qtbot.addWidget(panel)
    panel.label_edit.setText("wave")
    panel.countdown_spin.setValue(1)
    with qtbot.waitSignal(panel.clip_requested, timeout=TIMEOUT) as sig:
        panel.record_button.click()
        assert panel.counting_down and panel.state_label.text() == "Recording “wave” in 1…"
    assert sig.args == ["wave", 3.0] and not panel.counting_down
    panel.record_button.click()
    assert panel.record_button.text() == "Cancel countdown"
    panel.record_button.click()
    assert not panel.counting_down and panel.state_label.text() == "countdown cancelled"


def test_a_bad_label_is_refused_before_the_countdown(qtbot, tmp_path):
    panel = CollectPanel(tmp_path / "dataset", is_live=lambda: True)
    qtbot.addWidget(panel)
    panel.label_edit.setText("two words")
    panel.record_button.click()
    assert not panel.counting_down and "`label`" in panel.state_label.text()


def test_warnings_for_thin_classes_and_clips_shorter_than_a_window(qtbot, tmp_path):
    root = _dataset(tmp_path / "dataset", labels=("up",), per_class=2)
    write_motion_clip(root / "right" / "short.avi", "right", n_frames=10)  # 0.4 s at 25 fps
    panel = CollectPanel(root)
    qtbot.addWidget(panel)
    panel.seconds_spin.setValue(0.5)
    panel.set_model_window(1.0)  # the up clips are 1.2 s
    warning = panel.warning_label.text()
    assert "Clips of 0.5 s are shorter than one model window (1.0 s)" in warning
    assert "up: 2 clips; record at least 3." in warning
    assert "right: 1 clip is shorter than one model window" in warning
    assert [panel.counts_list.item(i).text() for i in range(2)] == ["right: 1 clip (1 too short)", "up: 2 clips"]
    assert panel.counts == count_clips(root)
