"""load_records on both layouts, its errors, and decoding clips into model-ready frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.config import ModelConfig
from model.data.decoding import read_video, resample_indices
from model.data.loading import load_clip_frames, load_dataset, to_model_input
from model.data.manifests import ClipRecord, labels_of, load_records
from model.errors import DatasetError
from model.preprocess import preprocess_frame
from tests.video_fixtures import (
    frame_index,
    make_class_tree,
    make_manifest_tree,
    truncate,
    write_clip,
)

ROWS = [
    ("a/wave_1.avi", "wave", "p1", "setA"),
    ("a/wave_2.avi", "wave", "p2", "setA"),
    ("b/bend_1.avi", "bend", "p1", "setB"),
]


@pytest.fixture
def config() -> ModelConfig:
    return ModelConfig(
        labels=("idle", "bend", "wave"), frames=4, min_frames=2, size=16, color="gray", fps=10.0
    )


def test_manifest_layout_reads_label_group_and_dataset(tmp_path):
    root = make_manifest_tree(tmp_path / "data", ROWS, n_frames=5)
    records = load_records(root)
    assert [
        (r.path.relative_to(root).as_posix(), r.label, r.group, r.dataset) for r in records
    ] == sorted(ROWS)
    assert labels_of(records) == ["bend", "wave"]
    assert load_records(root / "manifest.csv") == records


def test_manifest_row_with_missing_file_names_the_row(tmp_path):
    root = make_manifest_tree(tmp_path / "data", ROWS, n_frames=5)
    (root / "a/wave_2.avi").unlink()
    with pytest.raises(DatasetError, match=r"line 3: video a/wave_2.avi not found"):
        load_records(root)


def test_manifest_without_group_column_is_rejected(tmp_path):
    (tmp_path / "manifest.csv").write_text("path,label\nx.avi,wave\n")
    with pytest.raises(DatasetError, match="lacks column.*group"):
        load_records(tmp_path)


def test_class_folder_layout_derives_groups(tmp_path):
    root = make_class_tree(
        tmp_path / "ucf",
        {
            "Wave": ["v_Wave_g01_c01.avi", "v_Wave_g02_c01.avi"],
            "Bend": ["v_Bend_g01_c02.avi", "solo.avi"],
        },
        n_frames=3,
    )
    records = load_records(root)
    got = {r.path.name: (r.label, r.group, r.dataset) for r in records}
    assert got == {
        "v_Wave_g01_c01.avi": ("Wave", "g01", "ucf"),
        "v_Wave_g02_c01.avi": ("Wave", "g02", "ucf"),
        "v_Bend_g01_c02.avi": ("Bend", "g01", "ucf"),
        "solo.avi": ("Bend", "solo", "ucf"),
    }


def test_groups_csv_overrides_and_must_list_every_video(tmp_path):
    root = make_class_tree(tmp_path / "d", {"wave": ["a.avi"], "bend": ["b.avi"]}, n_frames=3)
    (root / "groups.csv").write_text("path,group\nwave/a.avi,anna\nbend/b.avi,bob\n")
    assert {r.path.name: r.group for r in load_records(root)} == {"a.avi": "anna", "b.avi": "bob"}
    (root / "groups.csv").write_text("path,group\nwave/a.avi,anna\n")
    with pytest.raises(DatasetError, match="no row for bend/b.avi"):
        load_records(root)


def test_bad_data_folders_raise_one_line_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    one = make_class_tree(tmp_path / "one", {"wave": ["a.avi", "b.avi"]}, n_frames=3)
    cases = [
        (tmp_path / "missing", "Data path not found"),
        (tmp_path / "empty", "No videos found"),
        (one, "Only one class"),
    ]
    for path, message in cases:
        with pytest.raises(DatasetError, match=message) as info:
            load_records(path)
        assert "\n" not in str(info.value)
    (one / "bend").mkdir()
    with pytest.raises(DatasetError, match=r"Class folder .*bend has no videos"):
        load_records(one)


@pytest.mark.parametrize("color", ["gray", "rgb"])
def test_clip_frames_equal_preprocess_frame_of_the_resampled_frames(tmp_path, config, color):
    cfg = config.replace(color=color)
    path = write_clip(tmp_path / "c.avi", n_frames=30, fps=25.0)
    clip = load_clip_frames(ClipRecord(path, "wave", "p1"), cfg)
    frames, fps = read_video(path)
    picks = resample_indices(len(frames), fps, cfg.fps)
    assert clip.dtype == np.uint8 and clip.shape == (len(picks), 16, 16, cfg.channels)
    expected = np.stack([preprocess_frame(frames[i], cfg) for i in picks])
    got = to_model_input(clip)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_25_and_30_fps_clips_look_alike_at_10_fps(tmp_path, config):
    slow = load_clip_frames(
        ClipRecord(write_clip(tmp_path / "a.avi", 30, 25.0), "wave", "p"), config
    )
    fast = load_clip_frames(
        ClipRecord(write_clip(tmp_path / "b.avi", 36, 30.0), "wave", "p"), config
    )
    assert len(slow) == len(fast) == 12
    # Frame k of each should be the source frame shown nearest to k / 10 s.
    for clip, src in ((slow, 25.0), (fast, 30.0)):
        times = np.array([frame_index(f) for f in clip]) / src
        assert np.all(np.abs(times - np.arange(12) / 10.0) <= 0.5 / src + 1e-9)


def test_load_dataset_skips_damaged_files_with_a_warning_each(tmp_path, config, capsys):
    good = ClipRecord(write_clip(tmp_path / "good.avi", 20), "wave", "p1")
    cut = ClipRecord(truncate(write_clip(tmp_path / "cut.avi", 40), keep=0.5), "wave", "p2")
    junk_path = tmp_path / "junk.avi"
    junk_path.write_bytes(b"not a video" * 100)
    junk = ClipRecord(junk_path, "bend", "p3")
    loaded, warnings = load_dataset([good, cut, junk], config, progress=True)
    assert [r for r, _ in loaded] == [good]
    assert len(warnings) == 2
    assert "cut.avi" in warnings[0] and "junk.avi" in warnings[1]
    assert "Loading clips 3/3" in capsys.readouterr().err
    with pytest.raises(DatasetError, match="None of the 2 clips"):
        load_dataset([cut, junk], config, progress=False)


def test_relabel_maps_then_folds_unknown_labels_into_the_background():
    from model.data.manifests import parse_label_map, relabel

    records = [ClipRecord(Path(f"{x}.avi"), x, "g", "d") for x in ("wave", "jump", "boxing", "bend")]
    mapping = parse_label_map(["wave=wave_one_hand"])
    out = relabel(records, mapping, known=["wave_one_hand", "bend"], background="other")
    assert [r.label for r in out] == ["wave_one_hand", "other", "other", "bend"]
    assert [r.label for r in relabel(records, mapping)] == ["wave_one_hand", "jump", "boxing", "bend"]
    with pytest.raises(DatasetError, match="FROM=TO.*Received: 'wave'"):
        parse_label_map(["wave"])
