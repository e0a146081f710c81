"""The model card of a pose bundle: what it sees, what it knows, and how it did on sources it never saw."""

from __future__ import annotations

from model.config import ModelConfig
from model.pose.fetch import CREDIT


def _pct(x) -> str:
    return "n/a" if x is None else f"{x:.0%}"


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
        f"({(config.frames - 1) / config.fps:.1f} s), each step 15 body joints centred on the hips and "
        "scaled by the body (image and world landmarks; unseen joints are zeros)",
        f"- **Labels:** {', '.join(f'`{x}`' for x in config.labels)}"
        + (f" (`{config.background_label}`: a person moving, but as none of the actions; shown as "
           "`unknown`)" if config.background_label else ""),
        "- **States on screen:** an action, `idle` (a person, still), `unknown` (a person moving otherwise), "
        "`no person` (nobody in view in most of the window)",
        f"- **Unknown below:** {config.unknown_below:.2f}"
        + (" (calibrated on sources held out of training)" if metrics.get("loso") else ""),
        f"- **Trained:** {metrics.get('trained', 'n/a')} on {metrics.get('clips', 'n/a')} clips with "
        f"`{metrics.get('command', 'n/a')}`",
    ]
    loso = metrics.get("loso")
    if loso:
        p = loso["pooled"]
        lines += [
            "",
            "## Leave one source out (per window)",
            "",
            f"Each source trained without, then tested; threshold {loso['threshold']:.2f}. Pooled: "
            f"**{_pct(p['known_clip_accuracy'])} of {p['known_clips']} known clips named**, best guess "
            f"{_pct(p.get('known_best_guess_accuracy'))}, **{p['false_alarm_rate']:.1%} false alarms** on "
            f"{p['none_windows']} windows of other motion.",
            "",
            "| held-out source | known clips | named | false alarms | other windows |",
            "|---|---|---|---|---|",
        ]
        for row in loso["folds"]:
            fa = row["false_alarm_rate"]
            lines.append(f"| {row['source']} | {row['known_clips']} | {_pct(row['known_clip_accuracy'])} | "
                         f"{'n/a' if fa is None else f'{fa:.1%}'} | {row['none_windows']} |")
    if notes:
        lines += ["", notes.strip()]
    return "\n".join(lines) + "\n"
