"""Stage 1: the BlazePose person detector, image -> the most confident person.

The detector sees the whole frame letterboxed to 224x224 and scores 2254 SSD
anchors. Each box comes with 4 keypoints; keypoint 0 is the hip centre and
keypoint 1 sets the body's size (the distance) and its rotation (the direction),
which is all the next stage needs to place the landmark crop.
Constants are those of mediapipe's pose_detection_cpu.pbtxt.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

INPUT_SIZE = 224
# One anchor size per cell: strides 8, 16, then 32 three times (merged into one 7x7 grid).
ANCHOR_STRIDES = (8, 16, 32, 32, 32)
ANCHORS_PER_LAYER = 2  # aspect ratio 1.0 and its interpolated scale; fixed anchor size
ANCHOR_OFFSET = 0.5
MIN_SCORE = 0.5
# Detections overlapping the best one by more than this are the same person (NMS).
NMS_IOU = 0.3
SCORE_CLIP = 100.0
NUM_KEYPOINTS = 4
HIP_CENTRE_KEYPOINT = 0
BODY_SIZE_KEYPOINT = 1


def ssd_anchors() -> np.ndarray:
    """Anchor centres in [0, 1] of the detector's input: (2254, 2), as (x, y)."""
    centres = []
    k = 0
    while k < len(ANCHOR_STRIDES):
        stride, same = ANCHOR_STRIDES[k], 0
        while k + same < len(ANCHOR_STRIDES) and ANCHOR_STRIDES[k + same] == stride:
            same += 1
        cells = int(np.ceil(INPUT_SIZE / stride))
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + ANCHOR_OFFSET) / cells, (ys + ANCHOR_OFFSET) / cells], -1).reshape(-1, 1, 2)
        centres.append(np.repeat(grid, ANCHORS_PER_LAYER * same, axis=1).reshape(-1, 2))
        k += same
    return np.concatenate(centres).astype(np.float32)


@dataclass(frozen=True)
class Detection:
    """One person found by the detector, in image pixels.

    Attributes:
        score: confidence in [0, 1].
        box: (x0, y0, x1, y1).
        keypoints: (4, 2) as (x, y); 0 is the hip centre, 1 the body-size point.
    """

    score: float
    box: tuple[float, float, float, float]
    keypoints: np.ndarray


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, float, float, float]:
    """Fits an RGB image into a size x size square without distorting it.

    Returns:
        (square uint8 (size, size, 3), scale, pad_x, pad_y): an image point p
        lands at p * scale + pad in the square.
    """
    h, w = image.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    pad_x, pad_y = (size - nw) / 2, (size - nh) / 2
    out = np.zeros((size, size, 3), np.uint8)
    x0, y0 = int(pad_x), int(pad_y)
    out[y0 : y0 + nh, x0 : x0 + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    return out, scale, float(x0), float(y0)


class PoseDetector:
    """Finds the most confident person in a frame.

    Args:
        model: a `TFLiteModel` of pose_detection.tflite.
    """

    def __init__(self, model):
        self.model = model
        self._anchors = ssd_anchors()
        self._input = np.zeros((1, INPUT_SIZE, INPUT_SIZE, 3), np.float32)

    def __call__(self, rgb: np.ndarray) -> Detection | None:
        """Detects.

        Args:
            rgb: uint8 (h, w, 3), RGB.

        Returns:
            The best `Detection` (overlapping ones averaged), or None below `MIN_SCORE`.
        """
        square, scale, pad_x, pad_y = letterbox(rgb, INPUT_SIZE)
        np.multiply(square, 2.0 / 255.0, out=self._input[0], casting="unsafe")
        self._input -= 1.0  # the detector takes [-1, 1]
        outputs = self.model(self._input)
        raw_boxes = next(o for o in outputs if o.shape[-1] == 4 + 2 * NUM_KEYPOINTS)[0]
        logits = next(o for o in outputs if o.shape[-1] == 1)[0, :, 0]
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)))
        keep = np.flatnonzero(scores >= MIN_SCORE)
        if keep.size == 0:
            return None
        decoded = decode_boxes(raw_boxes[keep], self._anchors[keep])
        best = int(np.argmax(scores[keep]))
        ious = box_iou(decoded[best, :4], decoded[:, :4])
        same = ious > NMS_IOU
        weights = scores[keep][same]
        merged = (decoded[same] * weights[:, None]).sum(0) / weights.sum()
        # Back from the letterboxed square to image pixels.
        pts = merged.reshape(-1, 2) * INPUT_SIZE
        pts = (pts - (pad_x, pad_y)) / scale
        box = (float(pts[0, 0]), float(pts[0, 1]), float(pts[1, 0]), float(pts[1, 1]))
        return Detection(float(scores[keep][best]), box, pts[2:].astype(np.float32))



def decode_boxes(raw: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """Raw detector rows -> boxes and keypoints in [0, 1] of the detector's square.

    Args:
        raw: (n, 12): box centre offset (x, y), size (w, h), then 4 keypoint
            offsets (x, y), in input pixels relative to each anchor.
        anchors: (n, 2) anchor centres in [0, 1].

    Returns:
        (n, 12): x0, y0, x1, y1, then the 4 keypoints as (x, y).
    """
    raw = raw / INPUT_SIZE
    cx, cy = raw[:, 0] + anchors[:, 0], raw[:, 1] + anchors[:, 1]
    half_w, half_h = raw[:, 2] / 2, raw[:, 3] / 2
    kps = raw[:, 4:].reshape(-1, NUM_KEYPOINTS, 2) + anchors[:, None, :]
    boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], -1)
    return np.concatenate([boxes, kps.reshape(-1, 2 * NUM_KEYPOINTS)], -1)


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Overlap (intersection over union) of one (4,) box with (n, 4) boxes, each (x0, y0, x1, y1)."""
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = lambda b: (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])  # noqa: E731
    return inter / np.maximum(area(box) + area(boxes) - inter, 1e-9)
