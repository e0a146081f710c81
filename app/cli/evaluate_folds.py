"""`actionlens evaluate --held-out-sources`: the bundle's leave-one-source-out folds at any threshold.

`train --loso` keeps each fold's window probabilities (`loso_probs.npz`). Scoring them
again takes milliseconds, so a user choosing *Settings → Unknown below* can see what a
threshold does on sources the model never saw before moving it, without training again.
"""

from __future__ import annotations

from pathlib import Path


def held_out_sources(model_dir: str | Path, threshold: float | None) -> dict:
    """Scores the folds kept in a bundle at one threshold, and at every calibration threshold.

    Args:
        model_dir: the bundle folder, holding `loso_probs.npz`.
        threshold: an action needs at least this probability; None: the bundle's own.

    Returns:
        {"threshold", "folds": [per-source open-set report with "source"], "pooled",
        "curve": [{"threshold", "known_clip_accuracy", "false_alarm_rate"} per threshold]}.

    Raises:
        BundleError: no such model folder, or no readable config.json.
        DatasetError: the bundle has no fold probabilities, or unreadable ones.
    """
    from model.bundle import load_config
    from model.errors import DatasetError
    from model.eval.fold_probs import FOLD_PROBS_FILE, load_fold_probs, threshold_curve
    from model.eval.open_set import open_set_report, pool_open_set

    config = load_config(model_dir)  # a mistyped folder says so, not "train with --loso"
    path = Path(model_dir) / FOLD_PROBS_FILE
    if not path.is_file():
        raise DatasetError(
            f"{model_dir} has no {FOLD_PROBS_FILE}: "
            + ("it was trained before `--loso` kept its folds (its model card has their figures at its own "
               "threshold)" if _has_loso_figures(model_dir) else "it was trained without `--loso`")
            + ". Train again with --loso to score other thresholds."
        )
    sources, folds = load_fold_probs(path)
    if threshold is None:
        threshold = config.unknown_below
    reports = [{"source": s, **open_set_report(*fold, threshold=threshold)} for s, fold in zip(sources, folds, strict=True)]
    return {"threshold": float(threshold), "folds": reports, "pooled": pool_open_set(reports),
            "curve": threshold_curve(folds)}


def _has_loso_figures(model_dir: str | Path) -> bool:
    import json

    from model.bundle import METRICS_FILE

    try:
        return "loso" in json.loads((Path(model_dir) / METRICS_FILE).read_text())
    except (OSError, ValueError):
        return False


def print_held_out_sources(report: dict, model_dir) -> None:
    """Prints `held_out_sources`' figures as a table and a threshold curve."""

    def pct(x) -> str:
        return "-" if x is None else f"{x:.1%}"

    print(f"{model_dir}: leave-one-source-out folds (each a model trained without that source), "
          f"all at unknown below {report['threshold']:.2f}:")
    print(f"  {'source':<12}  {'known clips':>11}  {'named right':>11}  {'best guess':>10}  "
          f"{'other windows':>13}  {'false alarms':>12}")
    for row in [*report["folds"], {"source": "all", **report["pooled"]}]:
        print(f"  {row['source']:<12}  {row['known_clips']:>11}  {pct(row['known_clip_accuracy']):>11}  "
              f"{pct(row.get('known_best_guess_accuracy')):>10}  {row['none_windows']:>13}  "
              f"{pct(row['false_alarm_rate']):>12}")
    print("  every threshold, all folds pooled (named right / false alarms):")
    for point in report["curve"]:
        print(f"    {point['threshold']:.2f}  {pct(point['known_clip_accuracy']):>6} / {pct(point['false_alarm_rate'])}")
