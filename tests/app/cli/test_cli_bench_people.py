"""`actionlens bench --people N` (app/cli/bench_people.py, app/cli/bench.py): real people side by side.

The clip is made from ../shared/data; those tests skip without it. The bad-input
tests need nothing but a folder.
"""

from __future__ import annotations

import json

import pytest

from app.cli.bench_people import COLUMN_HEIGHT, COLUMN_WIDTH, PEOPLE, people_clip
from app.cli.main import main
from model.errors import DatasetError
from tests.engine_fixtures import pose_bundle_fixture, tiny_bundle_fixture  # noqa: F401 (fixtures)
from tests.model.pose.conftest import pose_paths  # noqa: F401
from tests.paths import SHARED_DATA
from tests.video_fixtures import read_video


@pytest.fixture
def shared_data():
    if not (SHARED_DATA / PEOPLE[0][0]).is_file():
        pytest.skip(f"{SHARED_DATA} is missing: the real clips (../shared/data) are not on this machine")
    return SHARED_DATA


def test_missing_footage_is_one_line_naming_the_clip_and_the_option(tmp_path):
    with pytest.raises(DatasetError) as err:
        people_clip(2, tmp_path, data=tmp_path / "nowhere")
    message = str(err.value)
    assert "nowhere" in message and "--people-data" in message and "\n" not in message


def test_more_people_than_the_footage_holds_is_refused(tmp_path):
    with pytest.raises(DatasetError, match=f"1 to {len(PEOPLE)}"):
        people_clip(len(PEOPLE) + 1, tmp_path, data=tmp_path)


def test_bench_people_with_a_pixel_model_is_one_line_and_exit_2(tiny_bundle, capfd):
    assert main(["bench", "--model", str(tiny_bundle), "--runtime", "litert", "--people", "2"]) == 2
    err = capfd.readouterr().err.strip()
    assert err.startswith("actionlens: error: ") and "pose model" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("runtime", ["litert", "both"])
def test_bench_people_without_the_footage_is_one_line_and_exit_2(runtime, pose_bundle, tmp_path, capfd):  # noqa: F811
    code = main(["bench", "--model", str(pose_bundle), "--runtime", runtime, "--people", "2",
                 "--people-data", str(tmp_path)])
    assert code == 2
    err = capfd.readouterr().err.strip()
    assert err.startswith("actionlens: error: bench --people: ") and "--people-data" in err
    assert len(err.splitlines()) == 1  # before any model loads or child starts


@pytest.mark.shared
def test_the_clip_puts_each_real_person_in_their_own_column(shared_data, tmp_path):
    path = people_clip(3, tmp_path / "not yet made", data=shared_data, max_frames=40)  # made for it
    frames = read_video(path)
    assert len(frames) == 40
    assert frames[0].shape == (COLUMN_HEIGHT, 3 * COLUMN_WIDTH, 3)
    # Three different rooms and people: no column is a copy of another.
    columns = [frames[0][:, k * COLUMN_WIDTH:(k + 1) * COLUMN_WIDTH].astype(int) for k in range(3)]
    assert all(abs(columns[a] - columns[b]).mean() > 10 for a, b in ((0, 1), (1, 2), (0, 2)))


@pytest.mark.shared
@pytest.mark.slow
def test_bench_people_follows_everyone_and_reports_ms_per_person(shared_data, pose_bundle, pose_paths,  # noqa: F811
                                                                 monkeypatch, tmp_path):
    monkeypatch.setenv("ACTIONLENS_POSE_DIR", str(pose_paths["detector"].parent))
    out = tmp_path / "b.json"
    assert main(["bench", "--model", str(pose_bundle), "--runtime", "litert", "--people", "2",
                 "--people-data", str(shared_data), "--frames", "30", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["people"] == 2
    # Both ud810 people are found and followed on most timed frames.
    assert 1.5 <= figures["people_in_view"] <= 2.0, figures["people_in_view"]
    assert figures["ms_per_frame_per_person"] == pytest.approx(
        figures["engine_ms_per_frame"] / figures["people_in_view"])
    assert figures["live_frames_classified"] > 0
