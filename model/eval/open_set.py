"""Open-set evaluation: does the model name its actions, and stay quiet on everything else?

A closed-set score rewards a model that names the nearest class for anything that
moves. These figures count that as a failure:

- known-clip accuracy: clips of the model's own actions (and idle) whose decision
  is exactly their label; a clip called "unknown" is wrong;
- false-alarm rate: the share of windows given an action label on clips where none
  of the model's actions happens (its background class, labels it does not know,
  or footage passed as "none of these").

The decision is the app's, without its smoothing over time: the background class
or a top probability under the threshold is "unknown", the idle class is idle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from model.config import ModelConfig

UNKNOWN = -1  # the decision index of "unknown"
UNDECIDED = ""  # the app's label before its first decision (app.results.UNDECIDED; model/ imports no app/)
# The thresholds tried when calibrating; finer steps only fit the noise of a few dozen clips.
THRESHOLDS = tuple(np.round(np.arange(0.30, 0.96, 0.05), 2))
# The most windows of held-out footage with none of the actions that a calibrated threshold
# may label as one: smoothed on screen that is about 12% of frames, under the 15% a tool allows.
MAX_FALSE_ALARMS = 0.15


def decide(probs: np.ndarray, config: ModelConfig, threshold: float) -> np.ndarray:
    """The shown decision for each row of probabilities.

    Args:
        probs: (n, classes) probabilities.
        config: gives the labels, the idle and the background class.
        threshold: an action needs at least this probability.

    Returns:
        (n,) int: a class index, or `UNKNOWN`.
    """
    probs = np.asarray(probs)
    top = probs.argmax(-1)
    out = top.copy()
    idle = config.labels.index(config.idle_label) if config.idle_label in config.labels else None
    for i, (k, p) in enumerate(zip(top, probs.max(-1), strict=True)):
        if k == idle:
            continue
        if config.labels[k] == config.background_label or p < threshold:
            out[i] = UNKNOWN
    return out


def window_probs(classifier, config: ModelConfig, clips: Sequence[tuple[object, np.ndarray]],
                 stride: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of every evaluation window of every clip, whatever its label.

    Args:
        classifier: (batch, time, h, w, c) -> (batch, classes).
        config: gives the window length.
        clips: (record, uint8 frames (t, size, size, c)) pairs.
        stride: window stride in model frames.

    Returns:
        (probs (n, classes), clip_ids (n,)).
    """
    from model.data.pipeline import make_eval_windows
    from model.eval.evaluate import predict_windows

    # Labels the model does not know still have windows; their label index is unused here.
    named = [(c, r.label if r.label in config.labels else config.labels[0]) for r, c in clips]
    x, _, clip_ids = make_eval_windows(named, config, stride=stride)
    return predict_windows(classifier, x), clip_ids


def open_set_report(probs: np.ndarray, clip_ids: np.ndarray, records: Sequence, config: ModelConfig,
                    threshold: float) -> dict:
    """Known-clip accuracy and false-alarm rate for one threshold.

    Args:
        probs: (n, classes) window probabilities, from `window_probs`.
        clip_ids: (n,) index into `records` of each window's clip.
        records: the clips' records (their `label`, `path`, `dataset`).
        config: the model's config.
        expected: per clip, (what it is by the label definitions, shown frames to skip before
            scoring it), where that differs from its record's label: a two-hand wave clip whose
            arms make one sweep is a side arm raise, and a wave is one only from its second
            swing (`model.train.pose_definitions.clip_expectation`). None: the records' labels.
        threshold: an action needs at least this probability.

    Returns:
        {"threshold", "known_clip_accuracy", "known_best_guess_accuracy" (the top class
        among the known labels, whatever the threshold), "known_clips", "false_alarm_rate",
        "none_windows", "none_clips", "clips": per-clip rows}.
    """
    known = set(config.action_labels) | ({config.idle_label} if config.idle_label in config.labels else set())
    actions = {config.labels.index(a) for a in config.action_labels}
    known_ids = np.array(sorted(config.labels.index(k) for k in known))
    win = decide(probs, config, threshold)
    rows, hits, guesses, n_known, alarms, n_none = [], 0, 0, 0, 0, 0
    for cid in np.unique(clip_ids):
        rec = records[int(cid)]
        mine = clip_ids == cid
        clip_decision = int(decide(probs[mine].mean(0, keepdims=True), config, threshold)[0])
        said = "unknown" if clip_decision == UNKNOWN else config.labels[clip_decision]
        row = {"path": str(rec.path), "dataset": getattr(rec, "dataset", ""), "label": rec.label,
               "decided": said, "windows": int(mine.sum())}
        if rec.label in known:
            n_known += 1
            hits += said == rec.label
            row["correct"] = said == rec.label
            # The closed-set view: would its best guess among what it knows be right? It shows
            # an encoder that transfers but a threshold or background class that hides it.
            mean = probs[mine].mean(0)
            row["best_guess"] = config.labels[int(known_ids[int(mean[known_ids].argmax())])]
            guesses += row["best_guess"] == rec.label
        else:
            fired = int(np.isin(win[mine], list(actions)).sum())
            alarms += fired
            n_none += int(mine.sum())
            row["false_alarm_rate"] = round(fired / max(int(mine.sum()), 1), 4)
        rows.append(row)
    return {"threshold": float(threshold), **_rates(hits, n_known, alarms, n_none, "windows", rows),
            "known_best_guess_accuracy": guesses / n_known if n_known else None}


def _rates(hits: int, n_known: int, alarms: int, n_none: int, unit: str, rows: list[dict]) -> dict:
    """The figures both reports share; `unit` names what false alarms are counted in."""
    return {
        "known_clip_accuracy": hits / n_known if n_known else None,
        "known_clips": n_known,
        "false_alarm_rate": alarms / n_none if n_none else None,
        f"none_{unit}": n_none,
        "none_clips": sum(1 for r in rows if "false_alarm_rate" in r),
        "clips": rows,
    }


def calibrate(folds: Sequence[tuple[np.ndarray, np.ndarray, Sequence, ModelConfig]],
              max_false_alarms: float = MAX_FALSE_ALARMS) -> float:
    """The threshold that best separates known actions from everything else on held-out data.

    Args:
        folds: (probs, clip_ids, records, config) per held-out source, from models
            that never saw that source.
        max_false_alarms: the most false alarms (share of windows) a threshold may give.

    Returns:
        Among the thresholds in `THRESHOLDS` whose pooled false-alarm rate is within
        `max_false_alarms`, the one that maximises known-clip accuracy minus false-alarm
        rate; ties go to the higher threshold (fewer false alarms). When none is
        within, the highest: naming less beats naming anything that moves.
    """
    best, best_score = THRESHOLDS[-1], -np.inf
    for threshold in THRESHOLDS:
        reports = [open_set_report(p, ids, recs, cfg, threshold) for p, ids, recs, cfg in folds]
        pooled = pool_open_set(reports)
        alarms = pooled["false_alarm_rate"] or 0.0
        if alarms > max_false_alarms:
            continue
        score = (pooled["known_clip_accuracy"] or 0.0) - alarms
        if score >= best_score:
            best, best_score = float(threshold), score
    return best


def pool_open_set(reports: Sequence[dict]) -> dict:
    """Known-clip accuracy and false-alarm rate over several reports, weighted by their counts."""
    known = sum(r["known_clips"] for r in reports)
    hits = sum((r["known_clip_accuracy"] or 0.0) * r["known_clips"] for r in reports)
    windows = sum(r["none_windows"] for r in reports)
    alarms = sum((r["false_alarm_rate"] or 0.0) * r["none_windows"] for r in reports)
    # Reports saved before the best guess was kept have none: pooled, it is then unknown.
    have_guess = all("known_best_guess_accuracy" in r for r in reports)
    guesses = sum((r.get("known_best_guess_accuracy") or 0.0) * r["known_clips"] for r in reports)
    return {
        "known_clip_accuracy": hits / known if known else None,
        "known_best_guess_accuracy": guesses / known if known and have_guess else None,
        "known_clips": known,
        "false_alarm_rate": alarms / windows if windows else None,
        "none_windows": windows,
        "none_clips": sum(r["none_clips"] for r in reports),
    }


def on_screen_report(shown: Sequence[Sequence[str]], records: Sequence, config: ModelConfig,
                     expected: Sequence[tuple[str, int]] | None = None) -> dict:
    """Known clips named and frames falsely labelled, as the app shows them (smoothed, with dwell).

    Args:
        shown: per clip, the label shown on each of its frames (an action, idle,
            "unknown", or "" before the first decision), e.g. from
            `app.runtime.replay.shown_labels`.
        records: the clips' records (their `label`).
        config: the model's config.

    Returns:
        {"known_clip_accuracy": known clips whose label shown longest, idle aside,
        is theirs (an idle clip: idle shown longest), "known_clips",
        "false_alarm_rate": share of frames of the other clips that show an action,
        "none_frames": frames of the other clips with a decision, "none_clips",
        "too_short": clips shorter than one window, which show nothing and are left
        out of every figure (a known clip with a window but no decision is not named),
        "clips": per-clip rows}.
    """
    actions = set(config.action_labels)
    idle = config.idle_label if config.idle_label in config.labels else None
    known = actions | ({idle} if idle else set())
    rows, hits, n_known, alarms, n_none = [], 0, 0, 0, 0
    for i, (labels, rec) in enumerate(zip(shown, records, strict=True)):
        truth, skip = expected[i] if expected is not None else (rec.label, 0)
        scored = labels[skip:] if skip < len(labels) else labels[-1:]
        # "" is the app's label before its first decision has held its dwell: it claims nothing,
        # so it is neither a clip's label nor a frame that could have been a false alarm.
        decided = [label for label in scored if label != UNDECIDED]
        counts = Counter(decided)
        row = {"path": str(rec.path), "dataset": getattr(rec, "dataset", ""), "label": truth,
               "frames": len(labels), "decided": len(decided)}
        if truth != rec.label or skip:
            row.update(manifest_label=rec.label, scored_from_frame=skip)
        if not labels:
            # The app shows nothing before its first full window: there is nothing to score.
            row["shown"] = None
        elif truth in known:
            busy = Counter({k: n for k, n in counts.items() if k != idle}) if truth != idle else counts
            # A clip the app never decided on was not named.
            said = busy.most_common(1)[0][0] if busy else (idle if counts else UNDECIDED)
            row.update(shown=said, correct=said == truth)
            n_known += 1
            hits += said == truth
        else:
            fired = sum(n for k, n in counts.items() if k in actions)
            row["false_alarm_rate"] = round(fired / len(decided), 4) if decided else 0.0
            if fired:
                # Which action a look-alike is taken for is what the next training change needs.
                row["alarms_as"] = {k: n for k, n in counts.most_common() if k in actions}
            alarms += fired
            n_none += len(decided)
        rows.append(row)
    return {**_rates(hits, n_known, alarms, n_none, "frames", rows),
            "too_short": sum(1 for r in rows if not r["frames"])}
