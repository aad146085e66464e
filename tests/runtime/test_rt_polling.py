from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from imagerelay._runtime.errors import ContentPolicyError, TaskFailedError, WaitTimeoutError
from rt_helpers import Recorder, Task, make_client


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def poller(*states: dict[str, Any]) -> tuple[Callable[[], Task], list[Task]]:
    seen: list[Task] = []
    queue = list(states)

    def poll() -> Task:
        state = queue.pop(0) if len(queue) > 1 else queue[0]
        task = Task.model_validate({"id": "t1", **state})
        seen.append(task)
        return task

    return poll, seen


def waiting_client(clock: FakeClock) -> Any:
    client = make_client(Recorder())
    client._sleep = clock.sleep
    client._monotonic = clock
    return client


def wait(clock: FakeClock, poll: Callable[[], Task], deadline: float = 900.0, **settings: Any) -> Task:
    client = waiting_client(clock)
    with client._deadline_scope(deadline, method="wait"):
        result: Task = client._wait(poll, task_id="t1", **settings)
    return result


def test_wait_until_success_with_backoff_and_progress() -> None:
    clock = FakeClock()
    poll, seen = poller(
        {"status": "queued"},
        {"status": "running", "progress": 10},
        {"status": "running", "progress": "55%"},
        {"status": "running", "progress": 90},
        {"status": "running", "progress": 99},
        {"status": "succeeded", "progress": 100, "results": [{"url": "https://cdn.test/z.png"}]},
    )
    progress: list[tuple[str, float | None]] = []
    result = wait(
        clock,
        poll,
        poll_interval=2.0,
        max_poll_interval=5.0,
        on_progress=lambda s, p: progress.append((s, p)),
    )
    assert result.status == "succeeded" and [i.url for i in result.images()] == [
        "https://cdn.test/z.png"
    ]
    assert len(seen) == 6
    assert clock.sleeps == [2.0, 3.0, 4.5, 5.0, 5.0]
    assert progress == [
        ("queued", None),
        ("running", 0.1),
        ("running", 0.55),
        ("running", 0.9),
        ("running", 0.99),
        ("succeeded", 1.0),
    ]


def test_failure_raises_with_provider_error_text() -> None:
    clock = FakeClock()
    poll, _ = poller({"status": "running"}, {"status": "failed", "error": "upstream model crashed"})
    with pytest.raises(TaskFailedError) as caught:
        wait(clock, poll)
    assert caught.value.task_status == "failed"
    assert caught.value.provider_message == "upstream model crashed"
    assert str(caught.value).startswith("task failed with status 'failed': upstream model crashed")


def test_violation_raises_content_policy_error() -> None:
    clock = FakeClock()
    poll, _ = poller({"status": "violation", "error": "prompt rejected"})
    with pytest.raises(ContentPolicyError) as caught:
        wait(clock, poll)
    assert caught.value.provider_message == "prompt rejected"
    assert clock.sleeps == []


def test_deadline_raises_wait_timeout() -> None:
    clock = FakeClock()
    poll, seen = poller({"status": "running", "progress": 40})
    with pytest.raises(WaitTimeoutError) as caught:
        wait(clock, poll, deadline=25, poll_interval=10, max_poll_interval=10)
    assert clock.sleeps == [10, 10, 5]  # the last sleep is cut to the deadline
    assert len(seen) == 3  # no poll at the deadline: it would have no time left
    error = caught.value
    assert (error.task_id, error.task_status, error.progress, error.elapsed) == ("t1", "running", 0.4, 25)
    assert str(error).startswith(
        "task 't1' still 'running', 40% done after 25s, its deadline (deadline=25); "
        "keep waiting with wait('t1', deadline=...)"
    )


def test_unknown_status_keeps_waiting_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    poll, _ = poller({"status": "weird"}, {"status": "weird"}, {"status": "succeeded"})
    assert wait(clock, poll).status == "succeeded"
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["unknown task status 'weird'; still waiting"]
