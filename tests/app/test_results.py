"""What a Result says about itself: the surprise as people read it."""

from app.results import surprise_text


def test_surprise_keeps_two_significant_digits_at_every_scale():
    # At four decimals a good prediction (~3e-5) read 0.0000, as if nothing were measured.
    assert surprise_text(3.14e-5) == "3.1e-05"
    assert surprise_text(0.0123) == "0.012"
    assert surprise_text(None) == "–"
