"""Counts made by eye: a manifest's optional count column and the counts CSV."""

from __future__ import annotations

import pytest

from model.data.counts import read_counts
from model.data.manifests import load_records
from model.errors import DatasetError


def _clips(folder, names):
    for name in names:
        (folder / name).write_bytes(b"not decoded here")


def test_manifest_count_column_is_optional(tmp_path):
    _clips(tmp_path, ["a.mp4", "b.mp4"])
    (tmp_path / "manifest.csv").write_text("path,label,group,count\na.mp4,jj,g1,7\nb.mp4,idle,g2,\n")
    records = {r.path.name: r for r in load_records(tmp_path)}
    assert records["a.mp4"].count == 7
    assert records["b.mp4"].count is None
    (tmp_path / "manifest.csv").write_text("path,label,group\na.mp4,jj,g1\nb.mp4,idle,g2\n")
    assert [r.count for r in load_records(tmp_path)] == [None, None]


def test_manifest_count_that_is_not_a_number_is_named(tmp_path):
    _clips(tmp_path, ["a.mp4", "b.mp4"])
    (tmp_path / "manifest.csv").write_text("path,label,group,count\na.mp4,jj,g1,many\nb.mp4,idle,g2,1\n")
    with pytest.raises(DatasetError, match="`count` must be a whole number.*'many'"):
        load_records(tmp_path)


def test_counts_csv_skips_comments_and_reads_paths_under_a_root(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _clips(data, ["a.mp4"])
    csv = tmp_path / "counts.csv"
    csv.write_text("# counted by eye\npath,label,count,note\na.mp4,jumping_jack,4,\"up, down\"\n")
    (record,) = read_counts(csv, data)
    assert (record.path.name, record.label, record.count) == ("a.mp4", "jumping_jack", 4)
    with pytest.raises(DatasetError, match="--counts-root"):
        read_counts(csv)
