"""Pose training data: clips -> cached pose tracks -> augmented, balanced windows of features.

Every clip's landmarks are computed once (`model.pose.track`); each epoch's
windows are then cut from skeleton views (`model.train.pose_augment`), so
training never touches pixels. Windows are weighted so that each class counts
as much as any other and, within a class, each source as much as any other:
seven repositories' jumping jacks must not drown the one room that shows a bend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from model.config import ModelConfig
from model.data.manifests import ClipRecord
from model.pose.features import FEATURE_DIM
from model.pose.track import PoseTrack, track_clip
from model.train.head import cut_windows
from model.train.pose_augment import SkeletonAugment, held_starts, view_features
from model.train.pose_definitions import (
    JACK_LABEL,
    ONE_HAND_LABEL,
    RAISE_LABEL,
    WAVE_LABEL,
    lowered_once,
    raised_hand,
    reached_once,
    wave_window_labels,
    with_elbow_at,
    with_standing_legs,
    without_legs,
)
from model.train.pose_legs import legs_seen, lend_legs, standing_labels
from model.train.pose_rest import (
    MAX_REST,
    MIN_PRESENT,
    at_rest,
    held_windows,
    idle_windows,
    present_share,
    rest_share,
)
from model.train.pose_sweeps import swept_across, swept_once

# The source name of jumping jacks taught as waves over standing legs: one source, so seven
# repositories of jacks do not outweigh the real waves.
JACKS_SOURCE = "jacks over standing legs"
# The source name of one-hand waves' rises held and lowered with no swing, taught as `other`.
REACH_SOURCE = "a hand raised and lowered"
# A wave's upper arm is turned to between these degrees above level: a hello's low elbow to overhead.
ELBOW_DEG = (-55.0, 60.0)
# Steps a reach's hand stays up: a sip to a short phone call.
REACH_HOLD = (2, 16)
# Held raised-hand windows, as a share of the others: one source of `other` among many.
RAISED_HAND_SHARE = 0.03


@dataclass
class PoseClip:
    """One labelled clip with its landmarks.

    Attributes:
        record: the clip's `ClipRecord` (label already mapped).
        track: its `PoseTrack` at the clip's own frame rate.
    """

    record: ClipRecord
    track: PoseTrack

    @property
    def source(self) -> str:
        return source_of(self.record)


def source_of(record: ClipRecord) -> str:
    """Where a clip was filmed: its dataset (in extra/public, one per repository), or, for ud810, its person."""
    if record.dataset == "ud810":
        # ud810 is one office; its two people are the nearest thing to two sources it has.
        return record.group
    return record.dataset or record.group


def load_pose_clips(records: Sequence[ClipRecord], tracker, cache_dir,
                    progress: Callable[[int, int, str], None] | None = None) -> list[PoseClip]:
    """Tracks (or reads from the cache) every clip's poses.

    Args:
        records: the clips.
        tracker: a `PoseTracker`.
        cache_dir: the cache folder (`poses/` inside it).
        progress: called as progress(done, total, name) after each clip.

    Returns:
        One `PoseClip` per record, in order.
    """
    out = []
    for k, rec in enumerate(records):
        out.append(PoseClip(rec, track_clip(rec.path, tracker, cache_dir)))
        if progress is not None:
            progress(k + 1, len(records), rec.path.name)
    return out


def plain_features(clips: Sequence[PoseClip], config: ModelConfig) -> list[np.ndarray]:
    """Each clip as it is (no augmentation) at the model's fps: a list of (t, FEATURE_DIM)."""
    return [view_features(c.track, config.fps, None, SkeletonAugment(), False) for c in clips]


def training_windows(clips: Sequence[PoseClip], config: ModelConfig, views: int, stride: int,
                     aug: SkeletonAugment, rng: np.random.Generator, idle_share: float = 0.12,
                     extra: dict[str, np.ndarray] | None = None, background_weight: float = 1.0,
                     max_per_source: int | None = None, background_source_power: float = 0.0
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every training window, with its class index and a balancing weight.

    Args:
        clips: labelled pose clips; their labels must be in `config.labels`.
        config: labels, window length, fps, idle label, symmetric labels.
        views: augmented views per clip (the clip as it is is always one of them).
        stride: model steps between window starts.
        aug: augmentation ranges.
        rng: random source.
        idle_share: idle windows made from held still frames, as a share of the rest.
        extra: {label: windows (n, T, FEATURE_DIM)} learnt as they are, e.g. a base
            bundle's kept background windows; each label's extra counts as one source.
        background_weight: how many classes the background class weighs as.
        max_per_source: at most this many windows of one label from one source, drawn at
            random (None: all). The weights give each source of a label the same say anyway, so
            KARD's 420 clips of other motion need not cost forty thousand windows an epoch.
        background_source_power: how a source's say within the background class grows with
            its windows (see `balance_weights`; 0: every source the same, as for the actions).

    Returns:
        (x float32 (n, T, FEATURE_DIM), y int32 (n,), w float32 (n,)).
    """
    index = {name: i for i, name in enumerate(config.labels)}
    if not config.still_start:
        # A lost bone matters where the still start holds it for most of a window; without one it
        # passes in a step, and teaching it cost a one-rate head clips (card notes, 2026-12-07).
        aug = replace(aug, lose_briefly=0.0)
    plain = plain_features(clips, config)  # the first view of each clip, the donors, idle
    donors, standing = _leg_donors(clips, plain)
    by_definition = RAISE_LABEL in index and WAVE_LABEL in index
    xs, ys, keys = [], [], []

    def add(w: np.ndarray, labels: Sequence[str | None], source: str) -> None:
        w, labels = _usable(w, labels, config, index)
        xs.append(w)
        ys.extend(index[label] for label in labels)
        keys.extend((label, source) for label in labels)

    for clip, as_is in zip(clips, plain, strict=True):
        label = clip.record.label
        mirror_ok = label in config.symmetric_labels
        for v in range(max(1, views)):
            feats = view_features(clip.track, config.fps, rng, aug, mirror_ok,
                                  keep_legs=by_definition and label == JACK_LABEL) if v else as_is
            if v and by_definition and label == RAISE_LABEL and rng.random() < aug.lower_raises:
                feats = lowered_once(feats)
            if v and label == ONE_HAND_LABEL and rng.random() < aug.move_elbow:
                feats = with_elbow_at(feats, float(np.deg2rad(rng.uniform(*ELBOW_DEG))))
            if v and label == ONE_HAND_LABEL and aug.sweep_across and rng.random() < aug.sweep_across:
                once = aug.sweep_once and rng.random() < aug.sweep_once
                feats = (swept_once if once else swept_across)(feats, config.fps, rng)
            if v and label in standing and rng.random() < aug.lend_legs:
                feats = lend_legs(feats, donors, rng)
            feats = with_still_start(feats, config.still_start)
            w = cut_windows(feats, config.frames, stride)
            if v and config.still_start and rng.random() < aug.held_starts:
                w = held_starts(w, config.still_start, rng)
            if by_definition and label == WAVE_LABEL:
                add(w, wave_window_labels(feats, config.frames, stride), clip.source)
            else:
                add(w, [label] * len(w), clip.source)
            if (v and label == ONE_HAND_LABEL and config.background_label in index
                    and rng.random() < aug.reaches):
                reach = reached_once(feats, int(rng.integers(*REACH_HOLD)))
                if reach is not None:
                    reach = cut_windows(reach, config.frames, stride)
                    add(reach, [config.background_label] * len(reach), REACH_SOURCE)
            if by_definition and label == JACK_LABEL and v and len(donors) and rng.random() < aug.jacks_as_waves:
                # The same sweeps over standing legs are a wave (one source: see pose_definitions).
                # Labelled as a wave clip is: a first rise from rest is one sweep, a side arm raise.
                legless = bool(aug.jacks_unseen_legs) and rng.random() < aug.jacks_unseen_legs
                stood = without_legs(feats) if legless else with_standing_legs(feats, donors, rng)
                add(cut_windows(stood, config.frames, stride),
                    wave_window_labels(stood, config.frames, stride), JACKS_SOURCE)
    for label, windows in (extra or {}).items():
        xs.append(np.asarray(windows, np.float32))
        ys += [index[label]] * len(windows)
        keys += [(label, "kept windows")] * len(windows)
    if max_per_source:
        xs, ys, keys = _cap_per_source(np.concatenate(xs), ys, keys, max_per_source, rng)
    held = [f for clip, x in zip(clips, plain, strict=True) if clip.record.label == ONE_HAND_LABEL
            for f in x[raised_hand(x)]] if by_definition and config.background_label in index else []
    if held:
        # A wave is a hand swinging side to side; a hand raised and held (a drink, a phone call)
        # is none of the actions. Only the waves themselves show a raised hand without people's
        # other motion, so their raised frames, held still, teach `other` (one source).
        n_held = int(RAISED_HAND_SHARE * sum(len(x) for x in xs))
        xs.append(held_windows(held, config, n_held, rng))
        ys += [index[config.background_label]] * n_held
        keys += [(config.background_label, "raised hand held")] * n_held
    n_idle = int(idle_share * sum(len(x) for x in xs))
    if config.idle_label in index and n_idle:
        xs.append(idle_windows(plain, config, n_idle, rng))
        ys += [index[config.idle_label]] * n_idle
        keys += [(config.idle_label, "held still")] * n_idle
    x = np.concatenate(xs).astype(np.float32)
    y = np.asarray(ys, np.int32)
    boost = {config.background_label: background_weight} if config.background_label else None
    power = {config.background_label: background_source_power} if config.background_label else None
    return x, y, balance_weights(keys, config.num_classes, index, boost, power)


def _cap_per_source(x: np.ndarray, ys: list[int], keys: list[tuple[str, str]], cap: int,
                    rng: np.random.Generator) -> tuple[list[np.ndarray], list[int], list[tuple[str, str]]]:
    """At most `cap` windows (n, T, F) of each (label, source), drawn at random; the order kept."""
    by_key: dict[tuple[str, str], list[int]] = {}
    for k, key in enumerate(keys):
        by_key.setdefault(key, []).append(k)
    keep = np.sort(np.concatenate([rng.choice(ids, cap, replace=False) if len(ids) > cap else ids
                                   for ids in by_key.values()]).astype(int))
    return [x[keep]], [ys[k] for k in keep], [keys[k] for k in keep]


def _usable(w: np.ndarray, labels: Sequence[str | None], config: ModelConfig, index: dict[str, int]
            ) -> tuple[np.ndarray, list[str]]:
    """Windows (n, T, F) that teach something, with their labels: a person in view, a label given.

    The still start and end of any clip are a person at rest, not its action and not "other"
    motion: taught as either, a person standing in any room would be named, or shown as
    `unknown`. They become real idle windows, with real jitter.
    """
    keep = present_share(w) >= MIN_PRESENT
    resting = rest_share(w) >= MAX_REST
    out = []
    for k, label in enumerate(labels):
        if label is not None and label != config.idle_label and config.idle_label in index and resting[k]:
            label = config.idle_label
        out.append(label)
    keep &= np.array([label is not None for label in out], bool)
    return w[keep], [label for label, k in zip(out, keep, strict=True) if k]


def _leg_donors(clips: Sequence[PoseClip], plain: Sequence[np.ndarray]) -> tuple[np.ndarray, set[str]]:
    """Frames of people at rest with their legs seen (n, FEATURE_DIM), and the labels that stand."""
    by_label: dict[str, list[np.ndarray]] = {}
    donors = []
    for clip, feats in zip(clips, plain, strict=True):
        by_label.setdefault(clip.record.label, []).append(feats)
        if len(feats):
            # Every third: neighbouring frames of one person are nearly the same legs.
            donors.append(feats[at_rest(feats) & legs_seen(feats)][::3])
    pool = np.concatenate(donors) if donors else np.zeros((0, FEATURE_DIM), np.float32)
    return pool, standing_labels(by_label)


def balance_weights(keys: Sequence[tuple[str, str]], num_classes: int, index: dict[str, int],
                    boost: dict[str, float] | None = None, source_power: dict[str, float] | None = None
                    ) -> np.ndarray:
    """Per-window weights: each present class sums to the same; within it, each source's share
    grows as its window count to the label's power in `source_power` (0 if not there).

    Args:
        keys: (label, source) of each window.
        num_classes: classes of the model.
        index: label -> class index.
        boost: {label: factor} for classes that should weigh more than one class, e.g. the
            background class, which stands for every motion that is none of the actions.
        source_power: {label: power}. 0 gives every source of the label the same say, so no
            one room defines an action; 1 gives every window the same; 0.5 (square roots) lets a
            source of hundreds of clips of other motion outweigh one clip from a repository
            without drowning the rest.

    Returns:
        float32 (len(keys),), mean 1.
    """
    keys = list(keys)
    per_key: dict[tuple[str, str], int] = {}
    for k in keys:
        per_key[k] = per_key.get(k, 0) + 1
    power = source_power or {}
    say = {key: float(n) ** power.get(key[0], 0.0) for key, n in per_key.items()}
    label_say: dict[str, float] = {}
    for (label, _), s in say.items():
        label_say[label] = label_say.get(label, 0.0) + s
    classes = len(label_say)
    boost = boost or {}
    w = np.array([boost.get(label, 1.0) * say[(label, src)] / (classes * label_say[label] * per_key[(label, src)])
                  for label, src in keys])
    return (w * len(keys) / max(float(w.sum()), 1e-12)).astype(np.float32) if len(keys) else w.astype(np.float32)


def with_still_start(features: np.ndarray, steps: int) -> np.ndarray:
    """(t, FEATURE_DIM) -> (steps + t, FEATURE_DIM): the first step held `steps` times before.

    The app decides before its buffer holds a whole window (`ModelConfig.decide_from`) by
    holding the oldest step; windows cut from a clip so padded are the ones it sees then.
    """
    if steps <= 0 or not len(features):
        return features
    return np.concatenate([np.repeat(features[:1], steps, axis=0), features])


def eval_windows(clips: Sequence[PoseClip], config: ModelConfig, stride: int = 2
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Windows of each clip as it is, for scoring.

    Returns:
        (x float32 (n, T, FEATURE_DIM), clip_ids int (n,)); windows with nobody in
        view are kept (the app shows `no person` for them) and scored by the caller.
    """
    xs, ids = [], []
    for k, clip in enumerate(clips):
        feats = view_features(clip.track, config.fps, None, SkeletonAugment(), False)
        w = cut_windows(with_still_start(feats, config.still_start), config.frames, stride)
        xs.append(w)
        ids += [k] * len(w)
    if not xs:
        return np.zeros((0, config.frames, FEATURE_DIM), np.float32), np.zeros(0, int)
    return np.concatenate(xs), np.asarray(ids, int)
