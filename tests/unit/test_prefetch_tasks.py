"""How prefetch splits a generation into worker tasks (render/prefetch.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from generator.render.plan import BATCH_SIZE, BATCHED_STEPS, PROVIDER_STEPS
from generator.render.prefetch import _tasks


@pytest.mark.parametrize("providers", [0, 1, 6, BATCH_SIZE, BATCH_SIZE + 1, 100])
def test_every_step_of_every_provider_is_one_task_item(providers: int) -> None:
    tasks = _tasks(providers)
    done = Counter((provider, step) for indexes, step in tasks for provider in indexes)
    assert done == Counter((p, s) for p in range(providers) for s in range(len(PROVIDER_STEPS)))


def test_batched_steps_come_first_in_chunks_and_the_rest_one_provider_each() -> None:
    tasks = _tasks(100)
    batched = [task for task in tasks if task[1] in BATCHED_STEPS]
    assert tasks[: len(batched)] == batched  # the longest tasks are submitted first
    assert len(batched) == len(BATCHED_STEPS) * -(-100 // BATCH_SIZE)
    assert all(1 <= len(indexes) <= BATCH_SIZE for indexes, _ in batched)
    assert all(len(indexes) == 1 for indexes, step in tasks[len(batched) :])
    # A small run gives each batched step to one worker only (one library start-up).
    assert [task for task in _tasks(6) if task[1] in BATCHED_STEPS] == [
        (tuple(range(6)), step) for step in sorted(BATCHED_STEPS)
    ]
