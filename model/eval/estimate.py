"""An honest accuracy estimate for a head taught on a few clips: leave one out.

With five clips a class there is no test set to spare, and the training
accuracy of a head on cached embeddings is close to 100% whatever it will do
on the next clip. So each session (clip group) is held out in turn: a head
trained on the others, from the same cached embeddings, decides the held-out
clips, and the figure is the share decided right. Clips without a known
session are their own group (leave-one-clip-out).

A clip's decision is the arg-max of its windows' mean probabilities, as in
`model.eval.evaluate`; a clip called idle, or the background class, is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from model.config import ModelConfig

# Windows of a held-out clip start every this many embeddings.
EVAL_STRIDE = 2


def session_folds(records: Sequence, max_folds: int) -> tuple[str, list[list[int]]]:
    """Groups clip indices into folds, one session each (merged round-robin past `max_folds`).

    Returns:
        (method, folds): method is "leave-one-clip-out" when every clip is its
        own group, else "leave-one-session-out"; folds are lists of clip indices.
    """
    groups = sorted({r.group for r in records})
    by_clip = len(groups) == len(records)
    if len(groups) < 2:  # one session: each clip is held out alone
        groups, key = [str(i) for i in range(len(records))], lambda i, r: str(i)
        by_clip = True
    else:
        key = lambda i, r: r.group  # noqa: E731
    slot = {g: n % max(1, max_folds) for n, g in enumerate(groups)}
    folds: dict[int, list[int]] = {}
    for i, r in enumerate(records):
        folds.setdefault(slot[key(i, r)], []).append(i)
    method = "leave-one-clip-out" if by_clip else "leave-one-session-out"
    if len(groups) > max_folds:
        method += f" ({max_folds} folds)"
    return method, [folds[k] for k in sorted(folds)]


def leave_one_out(clips: Sequence, extra: dict[str, np.ndarray], config: ModelConfig, trainer,
                  epochs: int, stride: int, max_folds: int,
                  progress: Callable[[int, int], None] | None = None) -> dict:
    """Holds out each session, trains a head on the rest, and decides the held-out clips.

    Args:
        clips: `EmbeddedClip`s (view 0 is the clip as recorded).
        extra: {label: windows (n, steps, embed_dim)} added to every fold's training (idle, background).
        config: the new bundle's config.
        trainer: a `HeadTrainer`; its head is refitted per fold.
        epochs: passes per fold.
        stride: embeddings between training window starts.
        max_folds: the most folds.
        progress: called as progress(folds done, folds) after each fold.

    Returns:
        {"method", "folds", "clips", "correct", "clip_accuracy", "window_accuracy",
        "per_class": {label: {"clips", "correct"}}, "rows": per-clip
        {"path", "label", "decided"}} plus "probs" and "clip_ids" (window
        probabilities, for calibrating the unknown threshold; not JSON).
    """
    from model.train.head import cut_windows, training_set, window_steps

    records = [c.record for c in clips]
    method, folds = session_folds(records, max_folds)
    steps, index = window_steps(config), {name: i for i, name in enumerate(config.labels)}
    decided: dict[int, int] = {}
    probs_all, ids_all, win_hits, win_total = [], [], 0, 0
    for n, fold in enumerate(folds, 1):
        held = set(fold)
        x, y, w = training_set([c for i, c in enumerate(clips) if i not in held], extra, config, stride)
        trainer.fit(x, y, w, epochs)
        for i in fold:
            windows = cut_windows(clips[i].views[0], steps, EVAL_STRIDE)
            probs = trainer.predict(windows)
            decided[i] = int(probs.mean(0).argmax())
            win_hits += int((probs.argmax(-1) == index[clips[i].label]).sum())
            win_total += len(probs)
            probs_all.append(probs)
            ids_all.append(np.full(len(probs), i, np.int32))
        if progress is not None:
            progress(n, len(folds))
    rows, per_class = [], {}
    for i, clip in enumerate(clips):
        said = config.labels[decided[i]]
        rows.append({"path": str(clip.record.path), "label": clip.label, "decided": said})
        row = per_class.setdefault(clip.label, {"clips": 0, "correct": 0})
        row["clips"] += 1
        row["correct"] += int(said == clip.label)
    correct = sum(r["correct"] for r in per_class.values())
    return {
        "method": method, "folds": len(folds), "clips": len(clips), "correct": correct,
        "clip_accuracy": correct / max(1, len(clips)),
        "window_accuracy": win_hits / max(1, win_total),
        "per_class": dict(sorted(per_class.items())), "rows": rows,
        "probs": np.concatenate(probs_all), "clip_ids": np.concatenate(ids_all),
    }


def estimate_line(estimate: dict | None) -> str:
    """One line a person can read, e.g. "13 of 15 clips (87%) right, leave-one-clip-out"."""
    if not estimate:
        return "no estimate (it needs at least two clips or sessions)"
    return (f"{estimate['correct']} of {estimate['clips']} clips ({estimate['clip_accuracy']:.0%}) right, "
            f"{estimate['method']}")


def estimate_markdown(metrics: dict) -> str:
    """The model card section for a bundle taught with `actionlens train --from`."""
    taught = metrics.get("taught", {})
    est = metrics.get("estimate")
    lines = [
        "## Taught on your clips",
        "",
        f"Started from `{taught.get('from', 'n/a')}`: its per-frame encoder was kept frozen and only the "
        f"temporal head was trained, on {taught.get('clips', 'n/a')} clips "
        f"in {taught.get('seconds', 'n/a')} s.",
        "",
    ]
    if est:
        lines += [
            f"**Estimated accuracy on a new clip: {est['clip_accuracy']:.0%}** ({est['correct']} of "
            f"{est['clips']} clips, {est['method']}: each held-out clip was decided by a head trained "
            "without it). With this few clips the figure is rough; more clips per class, from "
            "more sessions, make it both higher and surer. It is measured on your own clips, "
            "so it says how the model does on another take of the same people in the same room "
            "and light: expect less for other people or rooms (a model estimated at 9 of 9 named "
            "5 of 9 clips of another person, docs/benchmarks.md).",
            "",
            "| label | clips | decided right |",
            "|---|---|---|",
        ]
        lines += [f"| `{label}` | {row['clips']} | {row['correct']} |" for label, row in est["per_class"].items()]
    else:
        lines.append("No leave-one-out estimate was made.")
    return "\n".join(lines) + "\n"
