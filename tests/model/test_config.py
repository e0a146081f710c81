"""ModelConfig: validation messages, derived shapes and the JSON round trip."""

from __future__ import annotations

import dataclasses
import json

import pytest

from model.config import ARCHITECTURES, ModelConfig


def test_defaults_are_valid_and_shapes_follow_size_and_color():
    cfg = ModelConfig()
    assert cfg.channels == 1
    assert cfg.frame_shape == (cfg.size, cfg.size, 1)
    assert cfg.window_shape == (cfg.frames, cfg.size, cfg.size, 1)
    assert cfg.num_classes == len(cfg.labels)

    rgb = ModelConfig(color="rgb", size=32, frames=8)
    assert rgb.channels == 3
    assert rgb.frame_shape == (32, 32, 3)
    assert rgb.window_shape == (8, 32, 32, 3)


def test_unknown_arch_lists_the_valid_ones():
    with pytest.raises(ValueError) as err:
        ModelConfig(arch="transformer")
    msg = str(err.value)
    assert "`arch`" in msg
    for arch in ARCHITECTURES:
        assert arch in msg
    assert "Received: arch='transformer'" in msg


def test_every_listed_arch_is_accepted():
    for arch in ARCHITECTURES:
        assert ModelConfig(arch=arch).arch == arch


def test_unknown_color_is_refused():
    with pytest.raises(ValueError, match=r"`color`.*'gray'.*'rgb'.*Received: color='bgr'"):
        ModelConfig(color="bgr")


def test_a_single_label_is_refused():
    with pytest.raises(ValueError, match=r"`labels` must name at least 2 classes.*Received: labels=\['wave'\]"):
        ModelConfig(labels=("wave",))


def test_duplicate_labels_are_refused():
    with pytest.raises(ValueError, match=r"`labels` must be unique\. Received: labels=\['wave', 'idle', 'wave'\]"):
        ModelConfig(labels=("wave", "idle", "wave"))


@pytest.mark.parametrize(
    ("min_frames", "frames", "max_frames"),
    [(8, 4, 16), (4, 16, 8), (0, 4, 8), (4, 4, 3)],
)
def test_min_frames_frames_max_frames_must_be_ordered(min_frames, frames, max_frames):
    with pytest.raises(ValueError) as err:
        ModelConfig(min_frames=min_frames, frames=frames, max_frames=max_frames)
    msg = str(err.value)
    assert "1 <= `min_frames` <= `frames` <= `max_frames`" in msg
    assert f"min_frames={min_frames}, frames={frames}, max_frames={max_frames}" in msg


def test_equal_min_frames_and_max_frames_are_allowed():
    cfg = ModelConfig(min_frames=8, frames=8, max_frames=8)
    assert (cfg.min_frames, cfg.frames, cfg.max_frames) == (8, 8, 8)


@pytest.mark.parametrize(("size", "fps"), [(4, 10.0), (64, 0.0), (64, -5.0)])
def test_tiny_size_or_non_positive_fps_is_refused(size, fps):
    with pytest.raises(ValueError, match=rf"`size` must be >= 8 and `fps` > 0.*size={size}"):
        ModelConfig(size=size, fps=fps)


def test_config_is_frozen_and_replace_returns_a_checked_copy():
    cfg = ModelConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.size = 32  # type: ignore[misc]
    small = cfg.replace(size=32, arch="renet")
    assert (small.size, small.arch) == (32, "renet")
    assert (cfg.size, cfg.arch) == (64, "cnn_lstm")
    with pytest.raises(ValueError, match="`arch`"):
        cfg.replace(arch="nope")


def test_json_round_trip_keeps_every_field(tmp_path):
    cfg = ModelConfig(
        labels=("idle", "wave", "jump"),
        frames=12,
        min_frames=6,
        max_frames=24,
        size=48,
        color="rgb",
        fps=12.5,
        arch="renet",
        embed_dim=16,
        lstm_units=8,
        frame_wise=True,
        symmetric_labels=("wave",),
        idle_label="",
        extra={"dataset": "weizmann", "seed": 3},
    )
    path = tmp_path / "config.json"
    cfg.save(path)
    data = json.loads(path.read_text())
    assert data["labels"] == ["idle", "wave", "jump"]
    assert data["arch"] == "renet"
    loaded = ModelConfig.load(path)
    assert loaded == cfg
    assert isinstance(loaded.labels, tuple)
    assert isinstance(loaded.symmetric_labels, tuple)


def test_from_dict_names_unknown_keys():
    data = ModelConfig().to_dict()
    data["frame_rate"] = 30
    with pytest.raises(ValueError, match=r"Unknown keys in model config: \['frame_rate'\]"):
        ModelConfig.from_dict(data)


def test_from_dict_validates_like_the_constructor():
    data = ModelConfig().to_dict()
    data["labels"] = ["only"]
    with pytest.raises(ValueError, match="at least 2 classes"):
        ModelConfig.from_dict(data)


def test_summary_names_arch_window_and_labels():
    line = ModelConfig(labels=("idle", "wave"), frames=16, size=64, fps=10.0).summary()
    assert line == "cnn_lstm: 16 frames x 64x64x1 (gray) at 10 fps, 2 classes: idle, wave"


def test_a_config_saved_before_normal_flow_loads_as_motion_pairs(tmp_path):
    old = ModelConfig(labels=("idle", "wave"), motion=True).to_dict()
    del old["motion_input"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(old))
    # Bundles trained before "flow" existed must keep feeding their encoder what it learnt on.
    assert ModelConfig.load(path).motion_input == "pair"


def test_decide_from_sets_the_still_start_and_is_checked():
    assert ModelConfig().first_window == 16 and ModelConfig().still_start == 0
    early = ModelConfig(frames=24, decide_from=16)
    assert (early.first_window, early.still_start) == (16, 8)
    with pytest.raises(ValueError, match=r"`decide_from`.*Received: decide_from=30, min_frames=4, frames=24"):
        ModelConfig(frames=24, decide_from=30)
    with pytest.raises(ValueError, match="decide_from=2"):
        ModelConfig(frames=24, decide_from=2)
    pose = ModelConfig(labels=("idle", "wave"), features="pose", frames=24, decide_from=16)
    assert pose.summary() == "cnn_lstm on BlazePose landmarks: 24 steps at 10 fps (deciding from 16), 2 classes: idle, wave"


def test_two_rates_are_named_in_the_summary_and_checked():
    both = ModelConfig(labels=("idle", "wave"), features="pose", frames=32, decide_from=16, fast_frames=16)
    assert both.summary() == ("cnn_lstm on BlazePose landmarks: 32 steps at 10 fps, seen whole at 5 fps and "
                              "the last 16 at 10 fps (deciding from 16), 2 classes: idle, wave")
    assert both.replace(short_head_frames=12).summary().endswith(
        "(deciding from 16), and a second head on the last 12 at 10 fps, the two averaged, 2 classes: idle, wave")
    with pytest.raises(ValueError, match=r"`fast_frames`.*fast_frames=16, frames=16"):
        both.replace(frames=16, decide_from=0)
    with pytest.raises(ValueError, match=r"features='pixels'"):
        ModelConfig(frames=32, fast_frames=16)
    with pytest.raises(ValueError, match=r"frame_wise=True"):
        both.replace(frame_wise=True)


def test_a_config_saved_before_two_rates_has_one(tmp_path):
    old = ModelConfig(labels=("idle", "wave"), features="pose").to_dict()
    del old["fast_frames"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(old))
    assert ModelConfig.load(path).fast_frames == 0


def test_a_config_saved_before_decide_from_decides_on_full_windows(tmp_path):
    old = ModelConfig(labels=("idle", "wave")).to_dict()
    del old["decide_from"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(old))
    assert ModelConfig.load(path).still_start == 0


@pytest.mark.parametrize(("field", "label"), [("needs_legs", "jumping_jack"), ("needs_repeats", "wave_two_hands")])
def test_a_gate_must_name_a_label_of_a_pose_model_and_older_configs_have_none(field, label):
    labels = ("idle", "jumping_jack", "other", "wave_two_hands")
    with pytest.raises(ValueError, match=field):
        ModelConfig(labels=labels, features="pose", **{field: ("star_jump",)})
    with pytest.raises(ValueError, match=field):
        ModelConfig(labels=labels, **{field: (label,)})  # pixels
    with pytest.raises(ValueError, match="sequence of names"):
        ModelConfig(labels=labels, features="pose", **{field: label})
    saved = ModelConfig(labels=labels, features="pose", **{field: (label,)})
    assert ModelConfig.from_dict(saved.to_dict()) == saved
    older = saved.to_dict()
    del older[field]
    assert getattr(ModelConfig.from_dict(older), field) == ()
