"""Helpers for the train command tests: tiny options, manifest rows, a spy on training."""

from __future__ import annotations

import csv
from pathlib import Path

import model.train.classifier

# Tiny but real: 16 px, 4-frame windows, 1-2 epochs of 2 batches of 4.
TINY = ["--size", "16", "--frames", "4", "--epochs", "1", "--steps", "2", "--batch", "4"]


def add_rows(root: Path, rows: list[tuple[str, str, str]]) -> None:
    """Appends (path, label, group) rows to root/manifest.csv."""
    with (root / "manifest.csv").open("a", newline="") as f:
        csv.writer(f).writerows([[p, label, group, "toy"] for p, label, group in rows])


class TrainSpy:
    """Wraps `model.train.classifier.train_classifier` to record which groups each run trained on."""

    def __init__(self, stop_after_epoch: int | None = None):
        self.calls: list[dict] = []
        self.real = model.train.classifier.train_classifier
        self.stop_after_epoch = stop_after_epoch

    def __call__(self, clips, config, settings, **kwargs):
        self.calls.append({"groups": {r.group for r, _ in clips}, "files": {r.path.name for r, _ in clips},
                           "val_clips": list(kwargs.get("val_clips", ())),
                           "balance_sources": settings.balance_sources})
        save = kwargs.get("on_epoch_end")
        if self.stop_after_epoch is not None:
            def save_then_stop(m, epoch, logs):
                save(m, epoch, logs)
                if epoch + 1 == self.stop_after_epoch:
                    raise KeyboardInterrupt  # as Ctrl-C would, just after the epoch's save

            kwargs["on_epoch_end"] = save_then_stop
        return self.real(clips, config, settings, **kwargs)
