"""The BlazePose body: landmark indices, the bones between them, and left/right mirroring."""

from __future__ import annotations

NUM_LANDMARKS = 33
# The landmark model also returns two points that only place the next frame's crop.
NUM_MODEL_LANDMARKS = 39
AUX_HIP_CENTRE = 33
AUX_BODY_TOP = 34

NOSE = 0
LEFT_EYE, RIGHT_EYE = 2, 5
LEFT_EAR, RIGHT_EAR = 7, 8
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_WRIST, RIGHT_WRIST = 15, 16
LEFT_PINKY, RIGHT_PINKY = 17, 18
LEFT_INDEX, RIGHT_INDEX = 19, 20
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28

# Drawn as the skeleton: (from, to) landmark pairs.
BONES = (
    (LEFT_SHOULDER, RIGHT_SHOULDER), (LEFT_HIP, RIGHT_HIP),
    (LEFT_SHOULDER, LEFT_HIP), (RIGHT_SHOULDER, RIGHT_HIP),
    (LEFT_SHOULDER, LEFT_ELBOW), (LEFT_ELBOW, LEFT_WRIST),
    (RIGHT_SHOULDER, RIGHT_ELBOW), (RIGHT_ELBOW, RIGHT_WRIST),
    (LEFT_HIP, LEFT_KNEE), (LEFT_KNEE, LEFT_ANKLE),
    (RIGHT_HIP, RIGHT_KNEE), (RIGHT_KNEE, RIGHT_ANKLE),
    (NOSE, LEFT_EYE), (NOSE, RIGHT_EYE), (LEFT_EYE, LEFT_EAR), (RIGHT_EYE, RIGHT_EAR),
)


def _mirror_of(index: int) -> int:
    # BlazePose numbers every left point just before its right twin, except the nose.
    pairs = [(1, 4), (2, 5), (3, 6), (7, 8), (9, 10)] + [(k, k + 1) for k in range(11, 33, 2)]
    for a, b in pairs:
        if index == a:
            return b
        if index == b:
            return a
    return index


# MIRROR[k] is the landmark that k becomes when the picture is flipped left to right.
MIRROR = tuple(_mirror_of(k) for k in range(NUM_LANDMARKS))
