"""What the GUI remembers between runs, kept in QSettings (organisation "ActionLens")."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from PyQt6.QtCore import QSettings

from app.settings import EngineSettings, SmoothingSettings

ORGANISATION = "ActionLens"
APPLICATION = "ActionLens"
MAX_RECENT = 8


def settings_to_json(settings: EngineSettings) -> str:
    """EngineSettings as a JSON string."""
    return json.dumps(dataclasses.asdict(settings), sort_keys=True)


def settings_from_json(text: str) -> EngineSettings:
    """Parses `settings_to_json` output; unknown keys are ignored.

    Raises:
        ValueError: the text is not JSON or holds values the settings reject.
    """
    d = json.loads(text)
    if not isinstance(d, dict):
        raise ValueError(f"Expected a JSON object for engine settings. Received: {text[:80]!r}")
    smooth_fields = {f.name for f in dataclasses.fields(SmoothingSettings)}
    engine_fields = {f.name for f in dataclasses.fields(EngineSettings)} - {"smoothing"}
    smooth = {k: v for k, v in (d.get("smoothing") or {}).items() if k in smooth_fields}
    engine = {k: v for k, v in d.items() if k in engine_fields}
    return EngineSettings(**engine, smoothing=SmoothingSettings(**smooth))


class SettingsStore:
    """Typed access to the GUI's QSettings.

    Args:
        qsettings: where to keep values; default is the user's "ActionLens" settings.
            Tests pass an .ini file in a temporary folder.
    """

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.qsettings = qsettings or QSettings(ORGANISATION, APPLICATION)

    def engine_settings(self, default: EngineSettings | None = None) -> EngineSettings:
        """The saved engine settings, or `default` when none (or unreadable) are saved."""
        default = default or EngineSettings()
        text = self.qsettings.value("engine/settings", "", type=str)
        if not text:
            return default
        try:
            return settings_from_json(text)
        except (ValueError, TypeError):
            return default  # written by another version; starting from defaults is the fix

    def set_engine_settings(self, settings: EngineSettings) -> None:
        """Remembers `settings` for the next start."""
        self.qsettings.setValue("engine/settings", settings_to_json(settings))

    def recent_files(self) -> list[str]:
        """Recently opened files that still exist, newest first."""
        value = self.qsettings.value("sources/recent", [], type=list) or []
        return [p for p in value if isinstance(p, str) and Path(p).is_file()][:MAX_RECENT]

    def add_recent_file(self, path: str | Path) -> None:
        """Puts `path` first in the recent files (at most MAX_RECENT)."""
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        self.qsettings.setValue("sources/recent", files[:MAX_RECENT])

    def path(self, key: str, default: Path) -> Path:
        """A remembered folder ("model_dir", "dataset_dir", "output_dir")."""
        value = self.qsettings.value(f"paths/{key}", "", type=str)
        return Path(value) if value else default

    def set_path(self, key: str, path: str | Path) -> None:
        """Remembers a folder under `key` (see `path`)."""
        self.qsettings.setValue(f"paths/{key}", str(path))

    def sync(self) -> None:
        """Writes pending changes to disk now."""
        self.qsettings.sync()
