"""The model card of a pose bundle: what it sees, what it knows, and how it did on sources it never saw."""

from __future__ import annotations

from collections import Counter

from model.config import ModelConfig
from model.eval.model_card import _evaluations_section
from model.pose.fetch import CREDIT


def _pct(x) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _rate(x) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _threshold_source(metrics: dict) -> str:
    """Where the shipped threshold came from, as the card's words after it ("" if not known)."""
    if any((metrics.get(k) or {}).get("set_by_option") for k in ("loso", "group_folds")):
        return " (set by `--unknown-below`; the folds below are scored at it)"
    if (metrics.get("group_folds") or {}).get("calibrated_here"):
        return " (calibrated on people held out of training, group k-fold)"
    return " (calibrated on sources held out of training)" if metrics.get("loso") else ""


def render_pose_card(config: ModelConfig, metrics: dict, notes: str = "") -> str:
    """Renders MODEL_CARD.md for a pose bundle.

    Args:
        config: the bundle's config (`features`="pose").
        metrics: metrics.json: trained, command, params, clips, loso, evaluations.
        notes: extra Markdown appended verbatim (data, limits, figures measured later).

    Returns:
        Markdown text.
    """
    heads = (f"two LSTM({config.lstm_units}), one on the last {config.fast_frames} steps at {config.fps:g} fps "
             f"and one on the whole window at {config.fps / 2:g} fps -> softmax" if config.fast_frames
             else f"LSTM({config.lstm_units}) -> softmax")
    if config.short_head_frames:
        heads += ("; beside it, a second head, trained apart (its own dense layers -> "
                  f"LSTM({config.lstm_units}) on the last {config.short_head_frames} steps at {config.fps:g} fps -> "
                  "softmax); the app shows the mean of the two heads' probabilities")
    lines = [
        "# ActionLens model card",
        "",
        f"- **Architecture:** pose CNN-LSTM: BlazePose (frozen) -> per-frame dense layers -> {heads} "
        f"({metrics.get('params', 'n/a')} trainable parameters)",
        f"- **Pose model:** {CREDIT}; run with LiteRT where installed, else TensorFlow Lite",
        f"- **Input:** windows of {config.frames} steps at {config.fps:g} fps "
        f"({(config.frames - 1) / config.fps:.1f} s"
        + (f"; it decides from {config.first_window} steps, the older ones the first held" if config.still_start else "")
        + "); each step the directions of 11 bones (torso, upper "
        "arms, forearms, hands, thighs, shins) in the picture and in BlazePose's world coordinates, so size "
        "and place in the picture do not matter, and a bend cue (the torso's height in the picture against "
        "the thighs' length, which falls in a bend seen from the side or the front); a bone the model does "
        "not see is zeros; the LSTM also sees each step's change from the one before "
        f"(pose features version {config.pose_version})",
        f"- **Labels:** {', '.join(f'`{x}`' for x in config.labels)}"
        + (f" (`{config.background_label}`: a person moving, but as none of the actions; shown as "
           "`unknown`)" if config.background_label else ""),
        "- **States on screen:** an action, `idle` (a person, still), `unknown` (a person moving otherwise), "
        "`no person` (nobody in view in most of the window)",
        f"- **Unknown below:** {config.unknown_below:.2f}{_threshold_source(metrics)}",
        f"- **Trained:** {metrics.get('trained', 'n/a')} on {metrics.get('clips', 'n/a')} clips with "
        f"`{metrics.get('command', 'n/a')}`"
        + (f"; held out of all training: {', '.join(metrics['holdout_groups'])}"
           if metrics.get("holdout_groups") else ""),
    ]
    loso = metrics.get("loso")
    if loso:
        p, screen = loso["pooled"], loso.get("on_screen") or {}
        lines += [
            "",
            "## Leave one source out",
            "",
            f"Each source held out of training in turn, then tested; unknown below {loso['threshold']:.2f} "
            + ("(the threshold that did best on these held-out sources)." if loso.get("calibrated_here", True)
               else "(the shipped threshold, set by `--unknown-below`)." if loso.get("set_by_option")
               else "(the shipped threshold, calibrated across people below)."),
            "",
            f"- **On screen** (every frame through the app's smoothing and dwell; a known clip counts when its "
            f"own label is shown longest, idle aside): **{screen.get('named', 'n/a')} of "
            f"{screen.get('known_clips', 'n/a')} known clips named**, **{_rate(screen.get('false_alarm_rate'))} "
            f"of {screen.get('none_frames', 'n/a')} frames** of other motion given an action label.",
            f"- Per window (the mean of a clip's windows): {_pct(p['known_clip_accuracy'])} of "
            f"{p['known_clips']} known clips named, best guess {_pct(p.get('known_best_guess_accuracy'))}, "
            f"{_rate(p['false_alarm_rate'])} of {p['none_windows']} other windows.",
            "",
            "| held-out source | known clips | named on screen | false alarms on screen | named per window "
            "| false alarms per window |",
            "|---|---|---|---|---|---|",
        ]
        for row in loso["folds"]:
            scr = row.get("on_screen") or {}
            lines.append(f"| {row['source']} | {row['known_clips']} | {_pct(scr.get('known_clip_accuracy'))} | "
                         f"{_rate(scr.get('false_alarm_rate'))} | {_pct(row['known_clip_accuracy'])} | "
                         f"{_rate(row['false_alarm_rate'])} |")
        lines += _unlearnt_line(loso.get("unlearnt_clips"), "no other source")
        lines += _per_label_table(loso.get("on_screen_clips") or [], by_fold=True)
    folds = metrics.get("group_folds")
    if folds:
        screen, p = folds.get("on_screen") or {}, folds["pooled"]
        lines += [
            "",
            f"## Across people (group {folds['k']}-fold over all sources)",
            "",
            "Every person (group) of every source held out once, in one of "
            f"{folds['k']} folds, at the threshold above ({folds['threshold']:.2f}); the rooms are seen in "
            "training, the people are not.",
            "",
            f"- **On screen: {screen.get('named', 'n/a')} of {screen.get('known_clips', 'n/a')} known clips "
            # One decimal: 160 of 178 is 89.9%, which a whole percent would round up to a goal of 90%.
            f"named ({_rate(screen.get('known_clip_accuracy'))})**, **{_rate(screen.get('false_alarm_rate'))} "
            f"of {screen.get('none_frames', 'n/a')} frames** of other motion given an action label.",
            f"- Per window: {_pct(p['known_clip_accuracy'])} of {p['known_clips']} known clips named, "
            f"{_rate(p['false_alarm_rate'])} of {p['none_windows']} other windows.",
        ]
        lines += _unlearnt_line(folds.get("unlearnt_clips"), "no other person")
        lines += _per_label_table(folds.get("on_screen_clips") or [], by_fold=False)
    lines += _evaluations_section(metrics)
    if notes:
        lines += ["", notes.strip()]
    return "\n".join(lines) + "\n"


def _unlearnt_line(clips: list[dict] | None, whose: str) -> list[str]:
    """The held-out clips no fold could be scored on, as a Markdown bullet (none: no line).

    Args:
        clips: `unlearnt_clips` rows: path, label, fold.
        whose: who else lacked the action, e.g. "no other person".
    """
    if not clips:
        return []
    by_label = Counter(c["label"] for c in clips)
    folds = sorted({c["fold"].split(":")[0] for c in clips})
    return [f"- Not scored: {len(clips)} held-out clips whose action {whose} in training had "
            f"({', '.join(f'`{k}` {v}' for k, v in sorted(by_label.items()))}; held out in "
            f"{', '.join(folds)}): a fold cannot name what it never saw."]


def _per_label_table(clips: list[dict], by_fold: bool) -> list[str]:
    """Markdown rows of clips named on screen per label (per held-out source with `by_fold`),
    and the false alarms on the clips of other motion, from a fold run's `on_screen_clips`."""
    named: dict[tuple[str, str], list[int]] = {}
    alarms: dict[str, list[float]] = {}
    taken_for: dict[str, Counter] = {}
    for c in clips:
        where = c.get("fold", "").split(":")[0] if by_fold else "all"
        if "correct" in c:
            cell = named.setdefault((where, c["label"]), [0, 0])
            cell[0] += bool(c["correct"])
            cell[1] += 1
        elif "false_alarm_rate" in c:
            cell = alarms.setdefault(where, [0.0, 0])
            cell[0] += c["false_alarm_rate"] * c.get("decided", 0)
            cell[1] += c.get("decided", 0)
            taken_for.setdefault(where, Counter()).update(c.get("alarms_as") or {})
    if not named and not alarms:
        return []
    head = "held-out source | " if by_fold else ""
    out = ["", f"| {head}label | named on screen |", "|---|" + ("---|" if by_fold else "") + "---|"]
    for (where, label), (hit, n) in sorted(named.items()):
        out.append(f"| {where + ' | ' if by_fold else ''}`{label}` | {hit} of {n} |")
    for where, (fired, n) in sorted(alarms.items()):
        if n:
            top = ", ".join(f"`{k}` {v}" for k, v in taken_for.get(where, Counter()).most_common(3))
            out.append(f"| {where + ' | ' if by_fold else ''}other motion | {fired / n:.1%} of {n} frames "
                       "given an action label" + (f" (most taken for {top})" if top else "") + " |")
    return [*out, ""]
