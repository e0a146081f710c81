"""NumPy images to QImage without a colour round trip."""

from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QImage


def to_qimage(image: np.ndarray) -> QImage:
    """Wraps a decoded OpenCV image as a QImage that owns a copy of the pixels.

    Args:
        image: uint8 gray (h, w) or (h, w, 1), BGR (h, w, 3) or BGRA (h, w, 4).

    Returns:
        A QImage in Grayscale8, BGR888 or ARGB32 format (BGRA's byte order on
        little-endian machines), detached from the NumPy buffer.
    """
    img = np.asarray(image)
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    img = np.ascontiguousarray(img)
    h, w = img.shape[:2]
    if img.ndim == 2:
        fmt = QImage.Format.Format_Grayscale8
    elif img.shape[2] == 3:
        fmt = QImage.Format.Format_BGR888
    elif img.shape[2] == 4:
        fmt = QImage.Format.Format_ARGB32
    else:
        raise ValueError(
            "`image` must be gray (h, w), BGR (h, w, 3) or BGRA (h, w, 4). "
            f"Received: shape={img.shape}"
        )
    # copy(): the QImage must not point into a NumPy buffer the engine may reuse or free.
    return QImage(img.data, w, h, img.strides[0], fmt).copy()
