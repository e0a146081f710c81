"""BlazePose as a pipeline of named stages: detect, region, crop, landmarks, track, features.

Each stage is a small unit that can run and be tested alone:

- `fetch`: the two BlazePose models that the mediapipe 0.10.21 wheel ships,
  fetched once from the package registry, hash-checked and cached;
- `runtime`: a TFLite interpreter (LiteRT, else TensorFlow's) behind one call;
- `detector`: image -> the best person detection (box and 4 keypoints);
- `region`: a detection, or the last frame's landmarks, -> a rotated square crop;
- `landmarks`: the crop -> 33 body landmarks in image pixels, with visibility;
- `tracker`: the state that carries from frame to frame;
- `features`: landmarks -> a vector that the room, the camera distance and the
  position in the picture do not change;
- `track`: a whole clip's poses as arrays, computed once and cached.
"""
