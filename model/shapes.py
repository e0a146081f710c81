"""Shape checks that say what was expected, what came, and how to fix it.

Every public entry point that takes frames calls one of these before touching a
model, so a wrong shape fails with one readable line instead of a stack of
TensorFlow internals. The hints cover the mistakes behind the classic Keras
questions: frames on the last axis, a frame where a window is due, a window
where a batch is due, and layer sizes passed as `input_shape`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class ShapeError(ValueError):
    """A tensor had the wrong shape; the message says expected, received and a fix."""


def _fmt(shape: Sequence) -> str:
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _expected(name: str, axes: str, frame_shape: Sequence[int], time: int | None, batch: bool) -> str:
    dims = (["batch"] if batch else []) + ["time" if time is None else str(time)]
    dims += [str(d) for d in frame_shape]
    return f"`{name}` must have shape ({axes}) = ({', '.join(dims)})"


def check_window(
    x,
    frame_shape: Sequence[int],
    *,
    batch: bool = True,
    time: int | None = None,
    min_time: int = 1,
    max_time: int | None = None,
    name: str = "frames",
) -> np.ndarray:
    """Checks frames against (batch, time, h, w, c) or (time, h, w, c).

    Args:
        x: array-like of frames.
        frame_shape: the model's (h, w, c).
        batch: whether a leading batch axis is expected.
        time: exact window length, or None for any length in [min_time, max_time].
        min_time: shortest window accepted when `time` is None.
        max_time: longest window accepted when `time` is None.
        name: the argument's name, for the message.

    Returns:
        `x` as a float32 numpy array, unchanged in shape.

    Raises:
        ShapeError: with expected and received shapes and a hint for common mistakes.
    """
    x = _as_array(x, name)
    h, w, c = (int(d) for d in frame_shape)
    axes = "batch, time, h, w, c" if batch else "time, h, w, c"
    want_rank = 5 if batch else 4
    head = _expected(name, axes, frame_shape, time, batch)
    got = f"Received: {name}.shape={_fmt(x.shape)}"
    if x.ndim != want_rank:
        raise ShapeError(f"{head}. {got}. {_rank_hint(x.shape, (h, w, c), batch)}".rstrip())
    if tuple(x.shape[-3:]) != (h, w, c):
        raise ShapeError(f"{head}. {got}. {_frame_hint(x.shape, (h, w, c), batch)}".rstrip())
    t = x.shape[1] if batch else x.shape[0]
    if time is not None and t != time:
        raise ShapeError(f"{head}. {got}. The window has {t} frames, the model takes {time}.")
    if time is None and (t < min_time or (max_time is not None and t > max_time)):
        bounds = f"between {min_time} and {max_time}" if max_time else f"at least {min_time}"
        raise ShapeError(f"{head}. {got}. The window must hold {bounds} frames; it holds {t}.")
    return x.astype(np.float32, copy=False)


def check_frame(x, frame_shape: Sequence[int], *, name: str = "frame") -> np.ndarray:
    """Checks one preprocessed frame against (h, w, c).

    Args:
        x: array-like, one frame.
        frame_shape: the model's (h, w, c).
        name: the argument's name, for the message.

    Returns:
        `x` as a float32 numpy array.

    Raises:
        ShapeError: with expected and received shapes and a hint for common mistakes.
    """
    x = _as_array(x, name)
    frame_shape = tuple(int(d) for d in frame_shape)
    if x.shape != frame_shape:
        hint = ""
        if x.ndim == 4 and tuple(x.shape[1:]) == frame_shape:
            hint = " This is a window of frames; pass one frame, e.g. x[-1]."
        elif x.ndim == 3 and x.shape[:2] == frame_shape[:2]:
            hint = f" The model takes {frame_shape[2]} channel(s); see `ModelConfig.color`."
        elif x.ndim == 2 and frame_shape[2] == 1:
            hint = " Add the channel axis: x[..., None]."
        elif x.ndim == 3 and x.shape[2] == frame_shape[2]:
            hint = " Resize it with model.preprocess.preprocess_frame."
        raise ShapeError(
            f"`{name}` must have shape (h, w, c) = {_fmt(frame_shape)}. "
            f"Received: {name}.shape={_fmt(x.shape)}.{hint}"
        )
    return x.astype(np.float32, copy=False)


def check_input_shape(input_shape: Sequence, frame_shape: Sequence[int] | None = None) -> tuple:
    """Checks an `input_shape` given to a TimeDistributed frame model.

    Args:
        input_shape: (time, h, w, c), without the batch axis; time may be None.
        frame_shape: if given, the (h, w, c) the config promises.

    Returns:
        `input_shape` as a tuple.

    Raises:
        ShapeError: for a wrong rank, non-positive or missing sizes, or frames that
            differ from `frame_shape`; hints cover hidden-layer sizes and a batch axis.
    """
    shape = tuple(input_shape)
    head = (
        "`input_shape` of a TimeDistributed frame model must be (time, h, w, c), without "
        "the batch axis, e.g. (None, 64, 64, 1)."
    )
    got = f"Received: input_shape={_fmt(shape)}"
    if len(shape) != 4:
        hint = ""
        if len(shape) == 2:
            hint = (
                " Two numbers look like hidden-layer sizes (time, units) or (units, units); "
                "`input_shape` describes the frames that go in, not the layers."
            )
        elif len(shape) == 5:
            hint = " Drop the batch axis: input_shape=x.shape[1:]."
        elif len(shape) == 3:
            hint = " That is one frame (h, w, c); add the time axis: (None, h, w, c)."
        raise ShapeError(f"{head} {got}.{hint}")
    if not all(_is_size(d) for d in shape[1:]) or not (shape[0] is None or _is_size(shape[0])):
        raise ShapeError(
            f"{head} h, w and c must be positive integers; only time may be None. {got}."
        )
    if frame_shape is not None and tuple(shape[1:]) != tuple(frame_shape):
        raise ShapeError(
            f"{head} The config gives frames of {_fmt(tuple(frame_shape))}. {got}."
        )
    return shape


def _as_array(x, name: str) -> np.ndarray:
    try:
        return np.asarray(x)
    except ValueError:
        # numpy refuses ragged input; list the shapes so the odd frame is easy to find.
        pass
    shapes = []
    for item in x:
        try:
            shape = _fmt(np.shape(item))
        except ValueError:
            shape = "ragged"
        if shape not in shapes:
            shapes.append(shape)
    raise ShapeError(
        f"`{name}` must be frames of one shape, stacked into one array. "
        f"Received: {len(x)} items of shapes {', '.join(shapes[:4])}. "
        "Pass every frame through model.preprocess.preprocess_frame so they match."
    ) from None


def _is_size(d) -> bool:
    return isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0


def _rank_hint(shape: tuple, frame_shape: tuple, batch: bool) -> str:
    h, w, c = frame_shape
    rank = 5 if batch else 4
    if len(shape) == rank - 1 and tuple(shape[-3:]) == frame_shape:
        if batch:
            return "This is one window (time, h, w, c); add the batch axis: x[None]."
        return "This is one frame (h, w, c); a window of several frames is needed (time, h, w, c)."
    if len(shape) == rank - 2 and tuple(shape[-3:]) == frame_shape:
        return "This is one frame (h, w, c); a batch of windows is needed: stack frames on axis 0, then x[None]."
    if len(shape) == rank - 1 and c == 1 and tuple(shape[-2:]) == (h, w):
        return "The channel axis is missing; add it with x[..., None]."
    spatial = shape[1:3] if batch else shape[0:2]
    if len(shape) == rank - 1 and (
        tuple(spatial) == (h, w) or (spatial[0] == spatial[1] and shape[-1] not in (1, 3, 4))
    ):
        # (samples, h, w, time): the classic "frames on the last axis" layout.
        fix = "np.moveaxis(x, -1, 1)" if batch else "np.moveaxis(x, -1, 0)"
        hint = (
            f"The frames look like they are on the last axis. Move them with {fix} "
            "(not reshape, which scrambles pixels), then "
        )
        if c == 1:
            return hint + f"add the channel axis with [..., None] to get {_moved(shape, batch)}."
        return hint + f"give each frame its {c} channels (h, w, {c})."
    if len(shape) == rank + 1 and tuple(shape[-3:]) == frame_shape:
        return "There is an extra axis; a batch of windows is (batch, time, h, w, c)."
    return ""


def _moved(shape: tuple, batch: bool) -> str:
    if batch:
        return _fmt((shape[0], shape[3], shape[1], shape[2], 1))
    return _fmt((shape[2], shape[0], shape[1], 1))


def _frame_hint(shape: tuple, frame_shape: tuple, batch: bool) -> str:
    h, w, c = frame_shape
    if tuple(shape[-3:-1]) == (h, w) and shape[-1] != c:
        return (
            f"Frames have {shape[-1]} channel(s), the model takes {c}. "
            "Pass raw frames through model.preprocess.preprocess_frame, which converts colour."
        )
    if shape[-3] == c and tuple(shape[-2:]) == (h, w):
        return "The channels look like they come first; move them last with np.moveaxis(x, -3, -1)."
    return f"Frames must be {h}x{w}x{c}; resize them with model.preprocess.preprocess_frame."
