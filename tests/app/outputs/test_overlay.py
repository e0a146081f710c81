from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from app.outputs.headline import headline
from app.outputs.overlay import MIN_HEIGHT, overlay_size, picture_size, render_overlay, status_text
from app.results import NO_PERSON, UNKNOWN, Result

LABELS = ("walk", "run", "idle")


def make_result(label: str = "walk", conf: float = 0.8, surprise: float | None = None) -> Result:
    probs = np.array([0.8, 0.15, 0.05]) if label == "walk" else np.array([0.4, 0.35, 0.25])
    return Result(3, 0.1, label, conf, probs, probs, LABELS, surprise=surprise)


def grey(h: int, w: int) -> np.ndarray:
    return np.full((h, w, 3), 127, np.uint8)


@pytest.mark.parametrize("h, w", [(64, 64), (720, 1280), (240, 320), (MIN_HEIGHT, 200)])
def test_shape_dtype_and_overlay_size(h, w):
    out = render_overlay(grey(h, w), make_result(), status="25 fps | 40 ms")
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3
    assert out.shape[:2] == overlay_size(h, w)
    assert out.shape[0] >= MIN_HEIGHT and out.shape[0] % 2 == 0 and out.shape[1] % 2 == 0


def test_small_clips_are_upscaled_large_frames_kept():
    assert picture_size(64, 64) == (MIN_HEIGHT, MIN_HEIGHT)
    assert picture_size(720, 1280) == (720, 1280)
    oh, ow = picture_size(120, 160)
    assert oh == MIN_HEIGHT and ow % 2 == 0 and abs(ow / oh - 160 / 120) < 0.01


def test_the_panel_grows_with_the_picture():
    # Seen at 1080p: the bars covered the whole upper body. The panel sits beside the picture
    # and keeps its share of the frame, so 1080p reads like 640x480, only sharper.
    small, large = overlay_size(480, 640), overlay_size(1080, 1920)
    assert abs((small[1] - 640) / 480 - (large[1] - 1920) / 1080) < 0.01
    assert abs((small[0] - 480) / 480 - (large[0] - 1080) / 1080) < 0.01


def test_input_is_not_modified():
    img = np.random.default_rng(0).integers(0, 255, (720, 1280, 3), np.uint8)
    before = img.copy()
    out = render_overlay(img, make_result(), status="x", preview=np.zeros((64, 64, 1)))
    np.testing.assert_array_equal(img, before)
    assert not np.shares_memory(out, img)


@pytest.mark.parametrize("shape", [(64, 64), (64, 64, 1), (64, 64, 4)])
def test_gray_and_bgra_inputs(shape):
    out = render_overlay(np.full(shape, 90, np.uint8), make_result())
    assert out.shape == (*overlay_size(64, 64), 3)


def test_bad_image_names_the_argument():
    with pytest.raises(ValueError, match=r"`image` must be.*Received: image.shape=\(4, 4, 2\)"):
        render_overlay(np.zeros((4, 4, 2), np.uint8), None)


@pytest.mark.parametrize("h, w", [(480, 640), (1080, 1920)])
def test_nothing_but_the_skeleton_is_drawn_over_the_picture(h, w):
    # The headline box sat over heads and raised hands, the bars over an arm, the inset over a
    # foot: now the picture comes out as it went in, whatever the panel and status say.
    img = np.random.default_rng(1).integers(0, 255, (h, w, 3), np.uint8)
    out = render_overlay(img, make_result(surprise=0.01), status="source 30.0 fps | LiteRT on CPU",
                         preview=np.ones((64, 64, 1), np.float32))
    np.testing.assert_array_equal(out[:h, :w], img)


def panel(out: np.ndarray, h: int = 720, w: int = 1280) -> np.ndarray:
    return out[:h, w:].astype(int)


def test_label_panel_says_deciding_before_a_result():
    img = grey(720, 1280)
    none = render_overlay(img, None)
    walk = render_overlay(img, make_result())
    assert np.abs(panel(walk) - panel(none)).sum() > 0
    assert headline(None).text == "deciding…"  # the panel's words: as the window says them


def green(a: np.ndarray) -> int:
    return int(((a[..., 1] > 180) & (a[..., 2] < 120)).sum())


def amber(a: np.ndarray) -> int:
    return int(((a[..., 2] > 220) & (a[..., 0] < 80)).sum())


def test_uncertain_and_idle_look_different_from_a_label():
    img = grey(720, 1280)
    walk = panel(render_overlay(img, make_result("walk")))
    unsure = panel(render_overlay(img, make_result(UNKNOWN, 0.4)))
    idle = panel(render_overlay(img, make_result("idle", 0.8)))
    # The confident label is green, "uncertain" amber (strong red), idle grey (no hue).
    assert green(walk) > 100 and amber(walk) == 0
    assert amber(unsure) > 100 and green(unsure) == 0
    assert green(idle) < green(walk) // 10 and amber(idle) == 0


def test_a_label_held_while_the_next_dwells_is_grey_not_green():
    # "run" is still shown while "walk" (80%) dwells, as the window shows it: muted.
    probs = np.array([0.8, 0.15, 0.05])
    held = panel(render_overlay(grey(720, 1280), Result(3, 0.1, "run", 0.15, probs, probs, LABELS)))
    walk = panel(render_overlay(grey(720, 1280), make_result("walk")))
    assert green(held) < green(walk) // 10 and amber(held) == 0


def test_preview_appears_at_the_foot_of_the_panel():
    img = grey(720, 1280)
    result = make_result(surprise=0.02)
    plain = render_overlay(img, result)
    preview = np.zeros((64, 64, 1), np.float32)
    preview[16:48, 16:48] = 1.0
    with_float = render_overlay(img, result, preview=preview)
    with_uint8 = render_overlay(img, result, preview=np.full((32, 48, 3), 255, np.uint8))
    foot = (slice(360, 720), slice(1280, None))
    assert np.abs(with_uint8[foot].astype(int) - plain[foot]).sum() > 0
    # The preview's black and white pixels land there.
    assert (with_float[foot] == 0).all(axis=-1).sum() > 1000
    assert (with_float[foot] == 255).all(axis=-1).sum() > 1000


def test_status_line_draws_in_the_band_under_the_picture():
    img = grey(720, 1280)
    plain = render_overlay(img, make_result())
    status = render_overlay(img, make_result(), status="24.8 fps | 41 ms | CPU \u2026")
    band = (slice(720, None), slice(0, 400))
    assert np.abs(status[band].astype(int) - plain[band]).sum() > 0
    np.testing.assert_array_equal(status[:720], plain[:720])


def test_top_k_zero_draws_no_bars():
    img = grey(720, 1280)
    bars = render_overlay(img, make_result(), top_k=3)
    no_bars = render_overlay(img, make_result(), top_k=0)
    assert np.abs(panel(bars) - panel(no_bars)).sum() > 0


def test_no_bars_while_nobody_is_in_view():
    # Three 0% bars under "no person" read as a verdict on nothing.
    img = grey(720, 1280)
    zeros = np.zeros(3)
    nobody = Result(3, 0.1, NO_PERSON, 1.0, zeros, zeros, LABELS)
    assert np.array_equal(render_overlay(img, nobody, top_k=3), render_overlay(img, nobody, top_k=0))


def test_the_bars_name_the_background_class_unknown():
    probs = np.array([0.1, 0.7, 0.2])
    result = Result(3, 0.1, UNKNOWN, 0.7, probs, probs, ("walk", "other", "idle"), background_label="other")
    assert [name for name, _ in result.shown_top_k(3)] == ["unknown", "idle", "walk"]
    assert [name for name, _ in result.top_k(3)] == ["other", "idle", "walk"]  # events keep the class
    assert "other" not in headline(result).detail


def test_output_modules_stay_headless_and_light():
    code = (
        "import sys, app.outputs.overlay, app.outputs.recorder, app.outputs.event_log, app.runtime.smoothing; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PyQt6', 'tensorflow', 'keras')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_status_text_names_the_device_and_what_runs_the_models():
    stats = {"capture_fps": 30.0, "model_fps": 29.9, "inference_ms": 11.6, "latency_ms": 20.4,
             "dropped": 0, "device": "CPU", "runtime": "LiteRT"}
    assert status_text(stats) == ("source 30.0 fps | model 29.9 fps | inference 12 ms | "
                                  "latency 20 ms | dropped 0 | LiteRT on CPU")
    assert status_text({**stats, "runtime": ""}).endswith("| dropped 0 | CPU")  # no model yet


def test_a_long_status_line_shrinks_to_fit_a_small_frame():
    # Seen on a 640x480 clip: "... | LiteRT on" and the device cut off at the right edge.
    img = grey(480, 640)
    line = ("source 41.7 fps | model 41.7 fps | inference 23 ms | latency 804 ms | dropped 0 | "
            "LiteRT on CPU")
    out = render_overlay(img, make_result(), status=line)
    strip = out[480:, :, :].min(axis=2)  # the status text is white on a dark band
    cols = np.flatnonzero((strip > 200).any(axis=0))
    width = out.shape[1]
    # As much room at the right as at the left: nothing runs into the edge.
    assert len(cols) and cols.max() <= width - cols.min(), (cols.min(), cols.max())
