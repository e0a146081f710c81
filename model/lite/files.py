"""What a bundle's TFLite files are, and whether they still match its Keras models.

lite.json records, for each converted part, the file, the Keras file it came
from (by SHA-256) and how far LiteRT's output was from Keras's when it was
written. A part whose Keras file has changed since is stale and is not used.
Nothing here imports TensorFlow.
"""

from __future__ import annotations

import json
from pathlib import Path

from model.pose.fetch import sha256_of as file_sha256

LITE_FILE = "lite.json"
LITE_FORMAT = 1
# Largest difference from Keras, on the same input, that a converted part may show.
# Measured on the shipped bundle: 3e-7 (encoder), 1e-8 (head), 1.5e-7 (predictor).
TOLERANCE = 1e-4

# part -> (TFLite file, the Keras file it is converted from)
PARTS = {
    "encoder": ("encoder.tflite", "classifier.keras"),
    "head": ("head.tflite", "classifier.keras"),
    "classifier": ("classifier.tflite", "classifier.keras"),
    "predictor": ("predictor.tflite", "predictor.keras"),
}


def read_lite_record(folder: str | Path) -> dict:
    """The folder's lite.json, or {} when it has none or it cannot be read."""
    path = Path(folder) / LITE_FILE
    try:
        record = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    if not isinstance(record, dict) or record.get("format") != LITE_FORMAT:
        return {}
    return record


def keras_hashes(bundle_folder: str | Path) -> dict[str, str | None]:
    """SHA-256 of each Keras file the parts come from, None where the bundle has none."""
    found = {}
    for keras_file in sorted({keras_file for _, keras_file in PARTS.values()}):
        source = Path(bundle_folder) / keras_file
        found[keras_file] = file_sha256(source) if source.is_file() else None
    return found


def current_parts(lite_folder: str | Path, bundle_folder: str | Path,
                  hashes: dict[str, str | None] | None = None) -> dict[str, Path]:
    """The TFLite parts in `lite_folder` that match the Keras files in `bundle_folder` now.

    Args:
        lite_folder: where lite.json and the .tflite files are (the bundle, or a cache).
        bundle_folder: where classifier.keras and predictor.keras are.
        hashes: `keras_hashes(bundle_folder)`, when the caller has them already.

    Returns:
        part name -> .tflite path, for the parts that exist, passed their check
        when written, and came from the Keras file that is there now.
    """
    lite_folder = Path(lite_folder)
    hashes = keras_hashes(bundle_folder) if hashes is None else hashes
    found = {}
    for name, entry in read_lite_record(lite_folder).get("parts", {}).items():
        if name not in PARTS or not isinstance(entry, dict) or not entry.get("ok"):
            continue
        tflite, keras_file = PARTS[name]
        if (hashes[keras_file] and entry.get("source_sha256") == hashes[keras_file]
                and (lite_folder / tflite).is_file()):
            found[name] = lite_folder / tflite
    return found


def complete(parts: dict, bundle_folder: str | Path) -> bool:
    """Whether `parts` (from `current_parts`) are all a runtime needs for this bundle:
    an encoder and head, or a whole classifier; and a predictor when the bundle has one."""
    classifier = {"encoder", "head"} <= set(parts) or "classifier" in parts
    has_predictor = (Path(bundle_folder) / PARTS["predictor"][1]).is_file()
    return classifier and ("predictor" in parts or not has_predictor)


def lite_card_section(record: dict) -> str:
    """The model card's account of the LiteRT files (from `read_lite_record`); "" without them."""
    parts = record.get("parts") or {}
    if not parts:
        return ""
    lines = ["", "## Runtime files", "",
             "What the app runs without TensorFlow (LiteRT), each checked against its Keras model "
             f"on random inputs when written ({record.get('written', 'date unknown')}); a part "
             "whose Keras file has changed since is converted again on load.", "",
             "| part | file | input | max abs difference vs Keras |", "|---|---|---|---|"]
    for name, entry in parts.items():
        shape = "(" + ", ".join("time" if d is None else str(d) for d in entry.get("input_shape", [])) + ")"
        diff = (f"{entry['max_abs_diff']:.1e}" if entry.get("ok")
                else f"not usable: {entry.get('error', 'failed')}")
        lines.append(f"| {name} | `{entry.get('file', '')}` | {shape} | {diff} |")
    return "\n".join(lines) + "\n"
