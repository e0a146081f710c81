"""Writes MODEL_CARD.md from a config and the figures that were measured for it.

Only measured numbers go in; a section whose figures are missing says so
rather than showing a blank table.
"""

from __future__ import annotations

from model.config import ModelConfig


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * float(x):.1f}%"


def render_model_card(config: ModelConfig, metrics: dict, notes: str = "") -> str:
    """Renders the model card.

    Args:
        config: the bundle's config.
        metrics: the bundle's metrics.json content (keys: trained, command, cv,
            holdout, params, predictor, predictor_moving_mnist, architectures, speed).
        notes: extra Markdown (data sources, known limits) appended verbatim.

    Returns:
        Markdown text.
    """
    lines = [
        "# ActionLens model card",
        "",
        f"- **Architecture:** `{config.arch}` ({metrics.get('params', 'n/a'):,} parameters)"
        if isinstance(metrics.get("params"), int) else f"- **Architecture:** `{config.arch}`",
        f"- **Input:** windows of {config.frames} frames ({config.min_frames} to {config.max_frames} allowed), "
        f"{config.size}x{config.size} {config.color}, sampled at {config.fps:g} fps "
        f"({(config.frames - 1) / config.fps:.1f} s of motion per window)",
        f"- **Labels:** {', '.join(f'`{label}`' for label in config.labels)}"
        + (f" (`{config.background_label}` is the background class: motion that is none of the "
           f"actions, shown as `unknown`)" if config.background_label else ""),
        f"- **Unknown below:** {config.unknown_below:.2f} smoothed probability"
        + (" (calibrated on sources held out of training)" if metrics.get("loso") else ""),
        f"- **Crop:** {'follows the moving region (a square around recent motion)' if config.crop else 'whole frame'}",
        f"- **Encoder sees:** {_encoder_input(config)}",
        f"- **Trained:** {metrics.get('trained', 'n/a')} with `{metrics.get('command', 'n/a')}`",
    ]
    if metrics.get("epoch"):
        # Only the per-epoch saves carry "epoch"; a finished run replaces them.
        lines.append(
            f"- **Checkpoint:** saved after epoch {metrics['epoch']} of a run that had not finished "
            "(it was stopped, or is still going); held-out figures are measured at the end"
        )
    lines.append("")
    cv = metrics.get("cv")
    lines += ["## Leave-one-group-out accuracy", ""]
    if cv:
        lines += [
            "Each group (person) is held out in turn; the model trained on the rest is tested on it.",
            "",
            "| dataset | groups | clips | clip accuracy | windows | window accuracy |",
            "|---|---|---|---|---|---|",
        ]
        for name, row in cv["per_dataset"].items():
            lines.append(
                f"| {name} | {row['groups']} | {row['clips']} | {_pct(row['clip_accuracy'])} | "
                f"{row['windows']} | {_pct(row['window_accuracy'])} |"
            )
        lines.append("")
    else:
        lines += ["Not measured for this bundle (train with `--cv`).", ""]
    lines += _open_world_section(config, metrics) + _evaluations_section(metrics)
    holdout = metrics.get("holdout")
    if holdout:
        groups = sorted({str(row.get("group", "")) for row in holdout["clips"]} - {""})
        lines += [
            "## Held-out groups",
            "",
            f"Clip accuracy {_pct(holdout['clip_accuracy'])}, window accuracy "
            f"{_pct(holdout['window_accuracy'])} over {len(holdout['clips'])} clips"
            + (f" of {', '.join(groups)}" if groups else "")
            + "; these groups were used neither to train nor to pick an epoch.",
            "",
        ]
    archs = metrics.get("architectures")
    if archs:
        lines += [
            "## Architectures on the same splits",
            "",
            "| architecture | parameters | clip accuracy | window accuracy | ms per frame (CPU) |",
            "|---|---|---|---|---|",
        ]
        for row in archs:
            lines.append(
                f"| `{row['arch']}` | {row['params']:,} | {_pct(row['clip_accuracy'])} | "
                f"{_pct(row['window_accuracy'])} | {row['ms_per_frame']:.2f} |"
            )
        lines += ["", archs[0].get("note", ""), ""]
    for key, title in (("predictor", "real clips"), ("predictor_moving_mnist", "Moving MNIST")):
        p = metrics.get(key)
        if p:
            lines += [
                f"## Next-frame predictor ({title})",
                "",
                "| | MSE | PSNR (dB) | SSIM |",
                "|---|---|---|---|",
                f"| predictor | {p['mse']:.5f} | {p['psnr']:.2f} | {p['ssim']:.3f} |",
                f"| copy last frame | {p['mse_copy_last']:.5f} | {p['psnr_copy_last']:.2f} | "
                f"{p['ssim_copy_last']:.3f} |",
                "",
                f"{p.get('pairs', 'n/a')} pairs{', ' + p['split'] if p.get('split') else ''}.",
                "",
            ]
    if notes:
        lines += [notes.strip(), ""]
    return "\n".join(lines)


def _encoder_input(config: ModelConfig) -> str:
    if not config.motion:
        return "each frame as it is"
    if config.motion_input == "flow":
        return "normal flow between window frames (how the picture moved, not what it looks like)"
    return "each frame with its change from the previous window frame"


def _open_world_section(config: ModelConfig, metrics: dict) -> list[str]:
    loso = metrics.get("loso")
    lines = ["## Leave-one-source-out: rooms and cameras it never saw", ""]
    if not loso:
        return lines + ["Not measured for this bundle (train with `--loso`).", ""]
    lines += [
        "Each source (dataset: its people, rooms and cameras) is held out in turn; a model trained on "
        "the others is tested on it. *Known clips*: clips of actions that model knows, named right "
        "(`unknown` counts as wrong). *False alarms*: windows given an action label on clips of anything "
        "else. Each source is scored at the threshold calibrated on the other sources. *Best guess "
        "right*: known clips whose most probable known label is theirs, at any threshold (n/a for "
        "folds measured before this was kept). *Learnt from*: the training clips, all from other sources, "
        "of each action the held-out source has.",
        "",
        "| held-out source | known clips | named right | windows of other motion | false alarms | threshold "
        "| best guess right | learnt from |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in loso["folds"]:
        lines.append(
            f"| {row['source']} | {row['known_clips']} | {_pct(row['known_clip_accuracy'])} | "
            f"{row['none_windows']} | {_pct(row['false_alarm_rate'])} | {row['threshold']:.2f} | "
            f"{_pct(row.get('known_best_guess_accuracy'))} | {_trained_on(row.get('trained_on'))} |"
        )
    pooled = loso["pooled"]
    # Each fold was scored at its own threshold; one number here would read as the one they all used.
    used = {round(float(f["threshold"]), 2) for f in loso["folds"]}
    threshold = f"{used.pop():.2f}" if len(used) == 1 else "each its own"
    lines.append(
        f"| **all** | {pooled['known_clips']} | {_pct(pooled['known_clip_accuracy'])} | "
        f"{pooled['none_windows']} | {_pct(pooled['false_alarm_rate'])} | {threshold} | "
        f"{_pct(pooled.get('known_best_guess_accuracy'))} | |"
    )
    return lines + [""]


def _trained_on(counts: dict | None) -> str:
    """`{"wave": 5, "bend": 1}` as "bend 1, wave 5"; n/a for folds saved before this was kept."""
    if counts is None:
        return "n/a"
    return ", ".join(f"{label} {n}" for label, n in sorted(counts.items())) or "none"


def _evaluations_section(metrics: dict) -> list[str]:
    """Open-set figures of this very bundle, kept by `actionlens evaluate --record NAME`."""
    evaluations = metrics.get("evaluations")
    if not evaluations:
        return []
    lines = [
        "## This model on other footage",
        "",
        "Measured on this bundle with `actionlens evaluate --record`, two ways. *Windows*: window by window, "
        "without the app's smoothing over time; a known clip is named right when the decision on its mean "
        "probabilities is its label, a false alarm is a window given an action label. *On screen*: every "
        "frame played through the app's smoothing and dwell, as the app's window and `actionlens run` show "
        "it; a known clip is named right when the label shown longest (an action clip's idle frames aside) "
        "is its own, a false alarm is a frame showing an action on footage where none of its actions happens.",
        "",
        "| footage | known clips | named right: windows | named right: on screen | other motion: windows "
        "| false alarms: windows | other motion: frames | false alarms: on screen | threshold | date |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in evaluations.items():
        screen = row.get("on_screen") or {}
        lines.append(
            f"| {name} | {row['known_clips']} | {_pct(row['known_clip_accuracy'])} | "
            f"{_pct(screen.get('known_clip_accuracy'))} | {row['none_windows']} | "
            f"{_pct(row['false_alarm_rate'])} | {screen.get('none_frames', 'n/a')} | "
            f"{_pct(screen.get('false_alarm_rate'))} | {row['threshold']:.2f} | {row['date']} |"
        )
    lines.append("")
    lines += [f"- {name}: `{row['command']}`" for name, row in evaluations.items()]
    return lines + [""]
