"""The status bar's download bar: bytes and rate while the BlazePose models download."""

from __future__ import annotations

from PyQt6.QtWidgets import QProgressBar, QWidget

from app.fetch_rate import ByteRate

# Steps of the bar: bytes do not fit a QProgressBar's int range for every download.
_STEPS = 1000


class FetchBar(QProgressBar):
    """Hidden until a download reports bytes; hides itself when the last byte has come."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextVisible(True)
        self.setMaximumWidth(360)
        self.setRange(0, _STEPS)
        self.setToolTip("The BlazePose pose models (about 36 MB), downloaded once and kept "
                        "in ~/.cache/actionlens")
        self._rate = ByteRate()
        self.hide()

    def on_bytes(self, done: int, total: int) -> None:
        """Shows (bytes so far, total bytes; 0: unknown) as "BlazePose 12.0 of 35.6 MB, 2.1 MB/s"."""
        self._rate.update(done, total)
        if total > 0:
            self.setRange(0, _STEPS)
            self.setValue(int(_STEPS * min(done, total) / total))
        else:
            self.setRange(0, 0)  # a busy bar: the server did not say how much
        self.setFormat(f"BlazePose {self._rate.text()}")
        self.setVisible(not self._rate.finished)

    def end(self, *_why) -> None:
        """Hides the bar (the model loaded, or the download failed and said why)."""
        self.hide()
        self._rate = ByteRate()
