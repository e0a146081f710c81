"""Stable ids for the people in view: this frame's poses matched to last frame's tracks.

Each frame's poses are matched to the live tracks by keypoint similarity with
scipy's `linear_sum_assignment` (the Hungarian method), as norfair matches
keypoints: the cost of a (track, pose) pair is the mean distance between their
landmarks that both see, over the track's body size, and a pair further apart than
a person moves in the time since the track's last pose (`max_cost`) is never
matched: a crop that slid onto someone else starts a new id there instead of
carrying the old one over. A track that finds no pose
is kept for `MAX_GAP_S` (a short occlusion, two people crossing) and then ends;
a pose that matches no track starts a new id. A person who leaves and comes back
later gets a new id.

A new id born where a track ended (or went missing) moments ago is the same
person renamed: `id_switches` counts those.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.pose.multi_detect import overlap
from model.pose.same_person import landmark_distance

# Half a second covers one person passing in front of another at walking pace.
MAX_GAP_S = 0.5
# Mean landmark distance, in twice the body size, above which a pose is not that track's
# person: 0.2 from one frame to the next plus 0.8 a second of gap (0.6 after MAX_GAP_S).
# Measured on real clips: the same person's pose is at most 0.12 from the last at 30 fps
# (dance, street, sidewalk), 0.2 a frame at 10 fps (vtest), 0.3 after 0.3 s missing;
# the crops that slid onto another pedestrian (pedestrians.avi) were 0.29 to 0.58.
MATCH_COST = 0.2
MATCH_COST_PER_S = 0.8
# A new id within this long of a track ending, on the same place, counts as a switch.
SWITCH_WINDOW_S = 1.0
# Frames a pose must be matched before its id is shown (a one-frame false find is never drawn).
MIN_HITS = 3


@dataclass
class Track:
    """One person's track.

    Attributes:
        id: 1, 2, ... in order of appearance; never reused.
        pose: the last matched `Pose`.
        last_seen: source seconds of the last match.
        hits: frames matched so far.
        box: (x0, y0, x1, y1) of the last match, image pixels.
    """

    id: int
    pose: object
    last_seen: float
    hits: int = 1
    box: tuple = field(default=(0.0, 0.0, 0.0, 0.0))

    @property
    def confirmed(self) -> bool:
        return self.hits >= MIN_HITS


class PeopleTracker:
    """Assigns ids to the poses of each frame."""

    def __init__(self):
        self.tracks: list[Track] = []
        self._next_id = 1
        self._ended: list[tuple[float, tuple]] = []  # (when, last box) of tracks that ended
        self.id_switches = 0
        self.ids_issued = 0

    def reset(self) -> None:
        """Forgets every track (a seek, a new source); ids start again at 1."""
        self.__init__()

    def update(self, poses: list, t: float) -> dict[int, object | None]:
        """Matches this frame's poses to the tracks.

        Args:
            poses: this frame's `model.pose.landmarks.Pose`s.
            t: the frame's source time, seconds.

        Returns:
            {id: this frame's pose, or None while the track is missing} for every
            live track, in id order.
        """
        alive = []
        for track in self.tracks:
            if t - track.last_seen > MAX_GAP_S:
                self._ended.append((track.last_seen, track.box))  # gone too long: a return is someone new
            else:
                alive.append(track)
        self.tracks = alive
        self._ended = [(when, box) for when, box in self._ended if t - when <= SWITCH_WINDOW_S]
        rows, cols = self._match(poses, t)
        for r, c in zip(rows, cols, strict=True):
            track, pose = self.tracks[r], poses[c]
            track.pose, track.last_seen, track.box = pose, t, pose.box()
            track.hits += 1
        matched = set(cols)
        for p, pose in enumerate(poses):
            if p not in matched:
                self._start(pose, t)
        out = {track.id: (track.pose if track.last_seen == t else None) for track in self.tracks}
        return dict(sorted(out.items()))

    def _match(self, poses: list, t: float) -> tuple[list[int], list[int]]:
        if not self.tracks or not poses:
            return [], []
        cost = np.array([[_cost(track.pose, pose) for pose in poses] for track in self.tracks])
        gate = np.array([max_cost(t - track.last_seen) for track in self.tracks])
        if cost.shape == (1, 1):
            # One person, one track: nothing to assign (and no scipy to load for it).
            return ([0], [0]) if cost[0, 0] <= gate[0] else ([], [])
        # Pairs past the gate cost more than any within it, so they never displace a valid pair.
        # Imported here: scipy.optimize costs about 100 MB and a second of start-up, and a run
        # that never sees two people at once (`--max-people 1`, or one person in view) never needs it.
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(np.where(cost <= gate[:, None], cost, 1e6))
        keep = cost[rows, cols] <= gate[rows]
        return [int(r) for r in rows[keep]], [int(c) for c in cols[keep]]

    def _start(self, pose, t: float) -> None:
        box = pose.box()
        missing = [tr.box for tr in self.tracks if tr.last_seen < t]
        if any(overlap(box, old) > 0.5 for old in [b for _, b in self._ended] + missing):
            self.id_switches += 1
        self.tracks.append(Track(self._next_id, pose, t, box=box))
        self._next_id += 1
        self.ids_issued += 1


def max_cost(gap_s: float) -> float:
    """The largest `_cost` at which a pose is still the person of a track last seen `gap_s` ago."""
    return MATCH_COST + MATCH_COST_PER_S * max(gap_s, 0.0)


def _cost(a, b) -> float:
    """`model.pose.same_person.landmark_distance` of two poses, in twice the body size of `a`."""
    size = float(np.linalg.norm(np.asarray(a.body_top) - np.asarray(a.hip_centre))) or 1.0
    return landmark_distance(a, b) / (2.0 * size)
