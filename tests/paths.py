"""Where the tests find the repository and the optional shared data beside it."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# ../shared/data beside the checkout: real clips, present on the developers' machines and in CI,
# absent on a user's fresh clone (tests that need it skip, saying so).
SHARED_DATA = REPO.parent / "shared" / "data"
