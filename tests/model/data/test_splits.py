"""Group splits: no group is ever on both sides, and bad group names say which exist."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.data.manifests import ClipRecord
from model.data.splits import (
    check_disjoint,
    folds_by_dataset,
    groups_of,
    holdout_split,
    leave_one_group_out,
)
from model.errors import DatasetError


def _records(seed: int = 0, n: int = 40) -> list[ClipRecord]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        dataset = "ud810" if rng.random() < 0.4 else "weizmann4"
        group = f"{dataset}-g{int(rng.integers(0, 4))}"
        label = ["wave", "bend", "jump"][int(rng.integers(0, 3))]
        out.append(ClipRecord(Path(f"/data/{i}.avi"), label, group, dataset))
    return out


def _assert_clean_split(train, test, records):
    assert {r.group for r in train}.isdisjoint({r.group for r in test})
    assert sorted(map(str, (r.path for r in train + test))) == sorted(str(r.path) for r in records)
    check_disjoint(train, test)


@pytest.mark.parametrize("seed", range(5))
def test_holdout_never_leaks_a_group(seed):
    records = _records(seed)
    groups = groups_of(records)
    train, test = holdout_split(records, groups[:2])
    _assert_clean_split(train, test, records)
    assert {r.group for r in test} == set(groups[:2])


def test_holdout_accepts_one_name_and_rejects_unknown_or_empty():
    records = _records()
    train, test = holdout_split(records, "ud810-g1")
    assert {r.group for r in test} == {"ud810-g1"}
    with pytest.raises(
        DatasetError, match=r"Unknown holdout group\(s\) nobody\. Known groups: ud810-g0, "
    ):
        holdout_split(records, ["nobody"])
    with pytest.raises(DatasetError, match="empty"):
        holdout_split(records, [])
    with pytest.raises(DatasetError, match="nothing to train on"):
        holdout_split(records, groups_of(records))


@pytest.mark.parametrize("seed", range(5))
def test_leave_one_group_out_has_one_clean_fold_per_group(seed):
    records = _records(seed)
    folds = leave_one_group_out(records)
    assert [g for g, _, _ in folds] == groups_of(records)
    for group, train, test in folds:
        _assert_clean_split(train, test, records)
        assert {r.group for r in test} == {group}


def test_folds_by_dataset_files_each_fold_under_its_test_dataset():
    records = _records()
    by_dataset = folds_by_dataset(records)
    assert list(by_dataset) == ["ud810", "weizmann4"]
    for dataset, folds in by_dataset.items():
        for group, train, test in folds:
            assert group.startswith(dataset)
            assert {r.dataset for r in test} == {dataset}
            # Training still uses the other dataset's clips.
            assert len({r.dataset for r in train}) == 2
            _assert_clean_split(train, test, records)


def test_one_group_cannot_be_split_and_leaks_are_caught():
    one = [ClipRecord(Path(f"/d/{i}.avi"), "wave" if i % 2 else "bend", "solo") for i in range(4)]
    with pytest.raises(DatasetError, match="at least 2 groups"):
        leave_one_group_out(one)
    with pytest.raises(DatasetError, match="Groups in both train and test: solo"):
        check_disjoint(one[:2], one[2:])
