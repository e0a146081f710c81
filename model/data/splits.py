"""Train/test splits by group, so no person is in both.

A model scored on clips of people it trained on learns who, not what; every
split here keeps each `ClipRecord.group` entirely on one side.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from model.data.manifests import ClipRecord
from model.errors import DatasetError

Fold = tuple[str, list[ClipRecord], list[ClipRecord]]


def groups_of(records: Sequence[ClipRecord]) -> list[str]:
    """The sorted unique groups of `records`."""
    return sorted({r.group for r in records})


def holdout_split(
    records: Sequence[ClipRecord], holdout_groups: Iterable[str] | str
) -> tuple[list[ClipRecord], list[ClipRecord]]:
    """Splits records into train and test by group.

    Args:
        records: all clips.
        holdout_groups: the groups that go to the test side (one name or several).

    Returns:
        (train, test): test holds every record of `holdout_groups`, train the rest.

    Raises:
        DatasetError: a group is unknown, none is given, or nothing is left to train on.
    """
    wanted = {holdout_groups} if isinstance(holdout_groups, str) else set(holdout_groups)
    known = groups_of(records)
    unknown = sorted(wanted - set(known))
    if unknown:
        raise DatasetError(
            f"Unknown holdout group(s) {', '.join(unknown)}. Known groups: {', '.join(known)}"
        )
    if not wanted:
        raise DatasetError(f"`holdout_groups` is empty; name at least one of: {', '.join(known)}")
    train = [r for r in records if r.group not in wanted]
    test = [r for r in records if r.group in wanted]
    if not train:
        raise DatasetError(
            f"Holding out {', '.join(sorted(wanted))} leaves nothing to train on; hold out fewer groups."
        )
    return train, test


def leave_one_group_out(records: Sequence[ClipRecord]) -> list[Fold]:
    """One fold per group: test on that group, train on all other records.

    Args:
        records: all clips; at least 2 groups.

    Returns:
        [(group, train, test), ...] sorted by group.

    Raises:
        DatasetError: fewer than 2 groups.
    """
    known = groups_of(records)
    if len(known) < 2:
        raise DatasetError(
            f"Leave-one-group-out needs at least 2 groups. Received: {known}. "
            "Give clips of different people different groups."
        )
    return [(g, *holdout_split(records, [g])) for g in known]


def folds_by_dataset(records: Sequence[ClipRecord]) -> dict[str, list[Fold]]:
    """The leave-one-group-out folds, filed under the dataset of their test group.

    Each fold still trains on all other records (of every dataset); this only
    files it so a report can give a score per dataset. A group found in several
    datasets is filed under each.

    Args:
        records: all clips.

    Returns:
        {dataset: [(group, train, test), ...]} with datasets and groups sorted.
    """
    out: dict[str, list[Fold]] = {}
    for fold in leave_one_group_out(records):
        for dataset in sorted({r.dataset for r in fold[2]}):
            out.setdefault(dataset, []).append(fold)
    return dict(sorted(out.items()))


def check_disjoint(train: Sequence[ClipRecord], test: Sequence[ClipRecord]) -> None:
    """Raises `DatasetError` if any group or file is on both sides."""
    shared = sorted({r.group for r in train} & {r.group for r in test})
    if shared:
        raise DatasetError(f"Groups in both train and test: {', '.join(shared)}. Split by group.")
    files = sorted(str(p) for p in {r.path for r in train} & {r.path for r in test})
    if files:
        raise DatasetError(f"Files in both train and test: {', '.join(files[:3])}. Split by group.")
