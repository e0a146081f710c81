"""Settings changed in the panel reach the engine live and are remembered."""

from __future__ import annotations

from PyQt6.QtCore import QSettings

from app.qt.settings_store import SettingsStore, settings_from_json, settings_to_json
from app.settings import EngineSettings, SmoothingSettings

TIMEOUT = 5000


def test_settings_reach_engine_and_persist(qtbot, window, engine, clip, model_dir, tmp_path):
    window.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: window.model_info is not None, timeout=TIMEOUT)
    panel = window.settings_panel
    assert panel.window_spin.isEnabled()
    assert (panel.window_spin.minimum(), panel.window_spin.maximum()) == (2, 16)
    assert panel.window_spin.value() == 4  # the model's default

    panel.window_spin.setValue(8)
    panel.stride_spin.setValue(2)
    panel.enter_spin.setValue(0.7)
    qtbot.waitUntil(lambda: bool(engine.settings_calls) and engine.settings_calls[-1].window == 8,
                    timeout=TIMEOUT)
    last = engine.settings_calls[-1]
    assert last.stride == 2 and last.smoothing.enter == 0.7

    panel._class_boxes["wave"].setValue(0.8)
    qtbot.waitUntil(lambda: engine.settings_calls[-1].smoothing.class_enter == {"wave": 0.8},
                    timeout=TIMEOUT)
    # The source kept playing: settings never reopen it.
    shown = window.view.shown_index
    qtbot.waitUntil(lambda: window.view.shown_index != shown, timeout=TIMEOUT)

    window.store.sync()
    reread = SettingsStore(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    saved = reread.engine_settings()
    assert saved.window == 8 and saved.stride == 2 and saved.smoothing.class_enter == {"wave": 0.8}


def test_exit_threshold_never_exceeds_enter(qtbot, window, engine):
    panel = window.settings_panel
    panel.exit_spin.setValue(0.5)
    panel.enter_spin.setValue(0.3)
    qtbot.waitUntil(lambda: bool(engine.settings_calls), timeout=TIMEOUT)
    s = engine.settings_calls[-1].smoothing
    assert s.exit <= s.enter == 0.3


def test_settings_json_round_trip():
    settings = EngineSettings(window=12, stride=3, smoothing=SmoothingSettings(
        ema=0.5, enter=0.7, exit=0.3, min_dwell_s=1.0, class_enter={"wave": 0.9}))
    assert settings_from_json(settings_to_json(settings)) == settings


def test_saved_settings_are_applied_at_start(qtbot, store, engine, dialogs):
    from app.qt.main_window import MainWindow

    store.set_engine_settings(EngineSettings(stride=3))
    win = MainWindow(engine, store, camera_lister=lambda: [])
    qtbot.addWidget(win)
    assert engine.settings_calls and engine.settings_calls[-1].stride == 3
    assert win.settings_panel.stride_spin.value() == 3
    win.close()


def test_unknown_below_quotes_what_it_does_on_sources_the_model_never_saw(qtbot):
    from app.qt.widgets.settings_panel import SettingsPanel

    panel = SettingsPanel()
    qtbot.addWidget(panel)
    assert panel.held_out_label.text() == ""  # no model yet: nothing to quote
    curve = [{"threshold": 0.3, "known_clip_accuracy": 0.36, "false_alarm_rate": 0.22},
             {"threshold": 0.6, "known_clip_accuracy": 0.28, "false_alarm_rate": 0.141},
             {"threshold": 0.95, "known_clip_accuracy": 0.0, "false_alarm_rate": 0.015}]
    panel.set_model_info({"labels": ("idle", "wave"), "unknown_below": 0.95, "held_out_curve": curve})
    # At the model's own threshold ("model" in the box), then at the nearest measured one to 0.62.
    assert panel.held_out_label.text() == "Unseen sources at 0.95: 0% of actions named, 2% false alarms."
    panel.enter_spin.setValue(0.65)
    assert panel.held_out_label.text() == "Unseen sources at 0.60: 28% of actions named, 14% false alarms."
    # A bundle trained before the folds were kept quotes its card's figures, at its own threshold only.
    pooled = {"known_clip_accuracy": 0.0, "false_alarm_rate": 0.015}
    panel.set_model_info({"labels": ("idle", "wave"), "unknown_below": 0.95, "held_out_pooled": pooled})
    assert panel.held_out_label.text() == ("Unseen sources at 0.95: 0% of actions named, 2% false alarms "
                                           "(other thresholds: retrain with \u2011\u2011loso).")
    panel.set_model_info({"labels": ("idle", "wave"), "unknown_below": 0.6})
    assert panel.held_out_label.text() == "No figures on unseen sources (train with \u2011\u2011loso)."


def test_the_loaded_model_is_said_in_a_line_that_fits_and_its_summary_is_at_hand(qtbot, window, clip, model_dir):
    window.start(str(clip), model_dir)
    qtbot.waitUntil(lambda: window.model_info is not None, timeout=8000)
    labels = window.model_info["labels"]
    # The whole summary ran past the status bar's permanent fields and was cut mid-word.
    assert window.statusBar().currentMessage() == f"Model loaded: {model_dir.name}, {len(labels)} classes"
    assert window.settings_panel.model_path.toolTip() == window.model_info["summary"]
