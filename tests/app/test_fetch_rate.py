"""A download's bytes and rate in words (app/fetch_rate.py), on a clock the test sets."""

from __future__ import annotations

from app.fetch_rate import ByteRate


def _meter(times: list[float]) -> ByteRate:
    clock = iter(times)
    return ByteRate(clock=lambda: next(clock), span_s=3.0)


def test_bytes_of_the_total_and_the_rate():
    meter = _meter([0.0, 1.0, 2.0])
    meter.update(0, 36_000_000)
    assert meter.rate == 0.0 and meter.text() == "0.0 of 36.0 MB, 0.0 MB/s"
    meter.update(2_000_000, 36_000_000)
    meter.update(4_000_000, 36_000_000)
    assert meter.rate == 2_000_000 and meter.text() == "4.0 of 36.0 MB, 2.0 MB/s"
    assert not meter.finished


def test_the_rate_follows_the_last_seconds_so_a_stall_shows():
    meter = _meter([0.0, 1.0, 2.0, 3.0, 7.0, 8.0])
    for done in (0, 5_000_000, 10_000_000, 15_000_000, 15_000_000, 15_000_000):
        meter.update(done, 30_000_000)
    assert meter.rate == 0.0 and meter.text().endswith("0.0 MB/s")


def test_an_unknown_total_and_the_end():
    meter = _meter([0.0, 2.0])
    meter.update(0, 0)
    meter.update(3_000_000, 0)
    assert meter.text() == "3.0 MB, 1.5 MB/s" and not meter.finished
    done = _meter([0.0])
    done.update(10, 10)
    assert done.finished
