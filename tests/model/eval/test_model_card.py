"""MODEL_CARD.md: every measured figure shows up, and a missing one says so."""

from __future__ import annotations

import pytest

from model.config import ModelConfig
from model.eval.model_card import render_model_card

CONFIG = ModelConfig(labels=("idle", "wave", "walk"), frames=8, size=32, fps=10.0)


def _fold_row(clip_acc: float, window_acc: float) -> dict:
    return {"clip_accuracy": clip_acc, "window_accuracy": window_acc, "clips": 6, "windows": 30, "groups": 2}


def _predictor(psnr: float, split: str = "") -> dict:
    out = {"mse": 0.00123, "psnr": psnr, "ssim": 0.812, "mse_copy_last": 0.00456,
           "psnr_copy_last": 23.4, "ssim_copy_last": 0.701, "pairs": 40}
    return {**out, "split": split} if split else out


def test_minimal_card_describes_the_input_and_says_what_was_not_measured():
    card = render_model_card(CONFIG, {})
    assert card.startswith("# ActionLens model card")
    assert "`cnn_lstm`" in card
    assert "windows of 8 frames (4 to 32 allowed), 32x32 gray, sampled at 10 fps" in card
    assert "0.7 s of motion per window" in card  # (8 - 1) / 10 fps
    assert "`idle`, `wave`, `walk`" in card
    assert "Not measured for this bundle (train with `--cv`)" in card
    for absent in ("Held-out groups", "Next-frame predictor", "Checkpoint", "parameters"):
        assert absent not in card


def test_cv_table_lists_each_dataset_with_its_accuracies():
    metrics = {
        "params": 123456,
        "cv": {"folds": [], "per_dataset": {"kth": _fold_row(0.5, 0.25), "weizmann": _fold_row(0.875, 0.6)}},
    }
    card = render_model_card(CONFIG, metrics)
    assert "123,456 parameters" in card
    assert "## Leave-one-group-out accuracy" in card
    assert "| kth | 2 | 6 | 50.0% | 30 | 25.0% |" in card
    assert "| weizmann | 2 | 6 | 87.5% | 30 | 60.0% |" in card
    assert "Not measured for this bundle (train with `--cv`)" not in card


def test_loso_table_gives_each_held_out_source_its_known_accuracy_and_false_alarms():
    fold = {"source": "kth", "known_clips": 4, "known_clip_accuracy": 0.75, "none_windows": 40,
            "false_alarm_rate": 0.1, "threshold": 0.55}
    loso = {"threshold": 0.6, "folds": [fold],
            "pooled": {"known_clips": 4, "known_clip_accuracy": 0.75, "none_windows": 40,
                       "false_alarm_rate": 0.1}}
    config = CONFIG.replace(labels=(*CONFIG.labels, "other"), background_label="other", unknown_below=0.6)
    card = render_model_card(config, {"loso": loso})
    assert "## Leave-one-source-out" in card
    assert "| kth | 4 | 75.0% | 40 | 10.0% | 0.55 | n/a |" in card
    # The pooled row was scored at the folds' thresholds, not at the overall one (0.60).
    assert "| **all** | 4 | 75.0% | 40 | 10.0% | 0.55 | n/a |" in card
    two = {**loso, "folds": [fold, {**fold, "source": "arid", "threshold": 0.7}]}
    assert "| **all** | 4 | 75.0% | 40 | 10.0% | each its own | n/a |" in render_model_card(config, {"loso": two})
    fold["known_best_guess_accuracy"] = 1.0
    loso["pooled"]["known_best_guess_accuracy"] = 1.0
    card = render_model_card(config, {"loso": loso})
    assert "| kth | 4 | 75.0% | 40 | 10.0% | 0.55 | 100.0% |" in card
    assert "`other` is the background class" in card and "calibrated on sources held out" in card


def test_holdout_section_names_the_groups_and_the_clip_count():
    holdout = {
        "clip_accuracy": 2 / 3, "window_accuracy": 0.5,
        "clips": [{"group": "p9"}, {"group": "p9"}, {"group": "p7"}],
    }
    card = render_model_card(CONFIG, {"holdout": holdout})
    assert "## Held-out groups" in card
    assert "Clip accuracy 66.7%, window accuracy 50.0% over 3 clips of p7, p9" in card


@pytest.mark.parametrize(("key", "title"), [("predictor", "real clips"), ("predictor_moving_mnist", "Moving MNIST")])
def test_predictor_sections_compare_with_copying_the_last_frame(key, title):
    card = render_model_card(CONFIG, {key: _predictor(27.5, split="held-out groups")})
    assert f"## Next-frame predictor ({title})" in card
    assert "| predictor | 0.00123 | 27.50 | 0.812 |" in card
    assert "| copy last frame | 0.00456 | 23.40 | 0.701 |" in card
    assert "40 pairs, held-out groups." in card


def test_interim_checkpoint_is_marked_and_notes_come_last():
    notes = "## Data\n\nRecorded in one office; expect worse results outdoors.\n"
    card = render_model_card(CONFIG, {"epoch": 2, "trained": "2025-01-01", "command": "actionlens train"},
                             notes=notes)
    assert "saved after epoch 2 of a run that had not finished" in card
    assert "2025-01-01 with `actionlens train`" in card
    assert card.rstrip().endswith("expect worse results outdoors.")


def test_architecture_comparison_table():
    archs = [
        {"arch": "cnn_lstm", "params": 50000, "clip_accuracy": 0.9, "window_accuracy": 0.8,
         "ms_per_frame": 1.234, "note": "Same folds for every row."},
        {"arch": "convlstm", "params": 70000, "clip_accuracy": 0.7, "window_accuracy": 0.6,
         "ms_per_frame": 5.0},
    ]
    card = render_model_card(CONFIG, {"architectures": archs})
    assert "| `cnn_lstm` | 50,000 | 90.0% | 80.0% | 1.23 |" in card
    assert "| `convlstm` | 70,000 | 70.0% | 60.0% | 5.00 |" in card
    assert "Same folds for every row." in card


def test_evaluations_table_has_window_and_on_screen_figures_and_reads_older_entries():
    base = {"known_clips": 9, "known_clip_accuracy": 5 / 9, "none_windows": 0, "false_alarm_rate": None,
            "threshold": 0.95, "date": "2026-12-01", "command": "actionlens evaluate ..."}
    metrics = {"evaluations": {
        "older": base,  # recorded before on-screen figures were kept
        "newer": {**base, "none_windows": 260, "false_alarm_rate": 0.15,
                  "on_screen": {"known_clip_accuracy": 1 / 3, "none_frames": 1547, "false_alarm_rate": 0.063}},
    }}
    card = render_model_card(ModelConfig(labels=("a", "b")), metrics)
    assert "| older | 9 | 55.6% | n/a | 0 | n/a | n/a | n/a | 0.95 | 2026-12-01 |" in card
    assert "| newer | 9 | 55.6% | 33.3% | 260 | 15.0% | 1547 | 6.3% | 0.95 | 2026-12-01 |" in card
