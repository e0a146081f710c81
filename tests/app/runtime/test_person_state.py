"""One tracked person's window: when they are judged, and what their first steps look like."""

from __future__ import annotations

import numpy as np

from app.runtime.person_state import PersonState
from app.settings import SmoothingSettings
from model.config import ModelConfig

FPS = 10.0


def _state(decide_from: int) -> PersonState:
    config = ModelConfig(labels=("idle", "wave", "other"), frames=8, decide_from=decide_from, fps=FPS,
                         background_label="other")
    return PersonState(config, SmoothingSettings(), t=0.0, nobody=np.zeros(2, np.float32))


def _walk_in(state: PersonState, steps: int) -> list[int] | None:
    """The person seen for `steps` more frames, each embedding its step number (1, 2, ...)."""
    for _ in range(steps):
        k = getattr(state, "seen_steps", 0) + 1
        state.seen_steps = k
        state.append(k / FPS, np.full(2, k, np.float32), True)
    return state.window(8)


def test_a_whole_window_model_judges_a_new_person_once_half_its_steps_hold_them():
    state = _state(decide_from=0)
    positions = _walk_in(state, 3)
    assert state.nobody(positions)
    positions = _walk_in(state, 1)  # four of eight steps: judged, the older four steps of nobody
    assert not state.nobody(positions)
    assert state.ring.embeddings(positions)[:, 0].tolist() == [0] * 4 + [1, 2, 3, 4]


def test_a_decide_from_model_judges_a_new_person_from_their_first_step_held():
    state = _state(decide_from=5)
    positions = _walk_in(state, 4)
    assert state.nobody(positions)  # four real steps: fewer than the five it decides from
    positions = _walk_in(state, 1)
    assert not state.nobody(positions)
    # The three older steps are the person's first step held (a still start), not nobody.
    emb = state.ring.embeddings(positions)[:, 0]
    assert emb.tolist() == [1, 1, 1, 1, 2, 3, 4, 5]
