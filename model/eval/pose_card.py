"""The model card of a pose bundle: what it sees, what it knows, and how it did on sources it never saw."""

from __future__ import annotations

from model.config import ModelConfig
from model.eval.model_card import _evaluations_section
from model.pose.fetch import CREDIT


def _pct(x) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _rate(x) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def render_pose_card(config: ModelConfig, metrics: dict, notes: str = "") -> str:
    """Renders MODEL_CARD.md for a pose bundle.

    Args:
        config: the bundle's config (`features`="pose").
        metrics: metrics.json: trained, command, params, clips, loso, evaluations.
        notes: extra Markdown appended verbatim (data, limits, figures measured later).

    Returns:
        Markdown text.
    """
    lines = [
        "# ActionLens model card",
        "",
        f"- **Architecture:** pose CNN-LSTM: BlazePose (frozen) -> per-frame dense layers -> "
        f"LSTM({config.lstm_units}) -> softmax ({metrics.get('params', 'n/a')} trainable parameters)",
        f"- **Pose model:** {CREDIT}; run with LiteRT where installed, else TensorFlow Lite",
        f"- **Input:** windows of {config.frames} steps at {config.fps:g} fps "
        f"({(config.frames - 1) / config.fps:.1f} s); each step the directions of 9 bones (torso, upper "
        "arms, forearms, thighs, shins) in the picture and in BlazePose's world coordinates, so size and "
        "place in the picture do not matter; a bone the model does not see is zeros; the LSTM also sees "
        "each step's change from the one before",
        f"- **Labels:** {', '.join(f'`{x}`' for x in config.labels)}"
        + (f" (`{config.background_label}`: a person moving, but as none of the actions; shown as "
           "`unknown`)" if config.background_label else ""),
        "- **States on screen:** an action, `idle` (a person, still), `unknown` (a person moving otherwise), "
        "`no person` (nobody in view in most of the window)",
        f"- **Unknown below:** {config.unknown_below:.2f}"
        + (" (calibrated on sources held out of training)" if metrics.get("loso") else ""),
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
            "(the threshold that did best on these held-out sources).",
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
    lines += _evaluations_section(metrics)
    if notes:
        lines += ["", notes.strip()]
    return "\n".join(lines) + "\n"
