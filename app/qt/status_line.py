"""The one-line status: source and model rates, timings, drops and device."""

from __future__ import annotations


def status_text(stats: dict, skipped_paints: int = 0) -> str:
    """Formats `Engine.stats()` for the status bar and for recorded frames.

    Args:
        stats: {"capture_fps", "model_fps", "inference_ms", "latency_ms", "dropped",
            "device", ...}; missing keys read as 0.
        skipped_paints: frames the GUI did not paint because a newer one had arrived.

    Returns:
        e.g. "source 30.0 fps | model 29.8 fps | inference 12 ms | latency 48 ms | dropped 0 | CPU".
    """
    parts = [
        f"source {float(stats.get('capture_fps', 0.0)):.1f} fps",
        f"model {float(stats.get('model_fps', 0.0)):.1f} fps",
        f"inference {float(stats.get('inference_ms', 0.0)):.0f} ms",
        f"latency {float(stats.get('latency_ms', 0.0)):.0f} ms",
        f"dropped {int(stats.get('dropped', 0))}",
    ]
    if skipped_paints:
        parts.append(f"unpainted {skipped_paints}")
    parts.append(str(stats.get("device", "") or "no device"))
    return " | ".join(parts)
