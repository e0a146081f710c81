"""The status bar shows the BlazePose download's bytes and rate while it runs (FetchBar)."""

from __future__ import annotations

import threading

from app.qt.widgets.fetch_bar import FetchBar

TIMEOUT = 5000
_TOTAL = 36_000_000


def _from_loader_thread(engine, *updates) -> None:
    # The engine reports bytes from its loader thread, as the real one does during pip's download.
    def report():
        for done, total in updates:
            engine.events.emit(engine.events.fetch_progressed, done, total)

    worker = threading.Thread(target=report)
    worker.start()
    worker.join()


def test_the_window_shows_bytes_while_the_models_download_and_hides_the_bar_after(qtbot, window, engine):
    assert window.fetch_bar.isHidden()
    _from_loader_thread(engine, (0, _TOTAL), (9_000_000, _TOTAL))
    qtbot.waitUntil(lambda: window.fetch_bar.isVisible() and "9.0 of 36.0 MB" in window.fetch_bar.text(),
                    timeout=TIMEOUT)
    assert window.fetch_bar.value() == 250 and window.fetch_bar.text().endswith("MB/s")
    _from_loader_thread(engine, (_TOTAL, _TOTAL))
    qtbot.waitUntil(window.fetch_bar.isHidden, timeout=TIMEOUT)


def test_a_failed_download_takes_the_bar_away(qtbot, window, engine):
    _from_loader_thread(engine, (1_000_000, _TOTAL))
    qtbot.waitUntil(window.fetch_bar.isVisible, timeout=TIMEOUT)
    with qtbot.waitSignal(window.bridge.model_failed, timeout=TIMEOUT):
        engine.events.emit(engine.events.model_failed, "could not download mediapipe==0.10.21 (offline)")
    qtbot.waitUntil(window.fetch_bar.isHidden, timeout=TIMEOUT)


def test_an_unknown_total_is_a_busy_bar_with_the_bytes(qtbot):
    bar = FetchBar()
    qtbot.addWidget(bar)
    bar.on_bytes(3_000_000, 0)
    assert bar.maximum() == 0 and "3.0 MB" in bar.format() and not bar.isHidden()
