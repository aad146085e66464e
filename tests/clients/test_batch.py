"""``imagerelay batch`` (issue 15, item 5): resumable, and never submitting an item twice.

A local fal-shaped queue server (submit, status, result, image) counts every POST. The batch
runs in a child process that is SIGKILLed mid-run and then run again: every item finishes
and the server saw exactly one submit per item.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from imagerelay._runtime.batch import JOURNAL, read_requests
from imagerelay.errors import InvalidRequestError

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010804000000b51c0c020000000b4944415478da63fcff1f0003030200efa0"
    "ef1d0000000049454e44ae426082"
)
GENERATED = Path(__file__).resolve().parents[2] / "generated"


class Queue(BaseHTTPRequestHandler):
    """fal's queue API, each task finishing ``delay`` seconds after its submit."""

    delay: ClassVar[float] = 0.6
    submits: ClassVar[list[str]] = []
    started: ClassVar[dict[str, float]] = {}
    lock: ClassVar[threading.Lock] = threading.Lock()

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: Any) -> None:
        self._send(200, json.dumps(data).encode())

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        task = uuid.uuid4().hex
        with self.lock:
            self.submits.append(body["prompt"])
            self.started[task] = time.monotonic()
        self._json({"request_id": task, "status": "IN_QUEUE"})

    def do_GET(self) -> None:
        host = f"http://{self.headers['host']}"
        parts = self.path.strip("/").split("/")
        if parts[0] == "img":
            self._send(200, PNG, "image/png")
            return
        task = parts[3]
        done = time.monotonic() - self.started.get(task, time.monotonic()) >= self.delay
        if parts[-1] == "status":
            self._json({"status": "COMPLETED" if done else "IN_PROGRESS"})
        else:
            self._json({"images": [{"url": f"{host}/img/{task}.png", "content_type": "image/png"}]})

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def queue() -> Iterator[tuple[str, type[Queue]]]:
    handler = type("Handler", (Queue,), {"submits": [], "started": {}, "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _batch(url: str, requests: Path, out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "FAL_KEY": "fal-SECRET-key", "FAL_QUEUE_BASE_URL": url, "PYTHONPATH": str(GENERATED)}
    return subprocess.Popen([sys.executable, "-m", "imagerelay", "batch", str(requests), "-o", str(out),
                             "--concurrency", "4", "--poll-interval", "0.05"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _states(out: Path) -> dict[str, str]:
    if not (out / JOURNAL).exists():
        return {}
    db = sqlite3.connect(out / JOURNAL)
    try:
        return dict(db.execute("SELECT key, state FROM items").fetchall())
    except sqlite3.OperationalError:  # the child has not created its table yet
        return {}
    finally:
        db.close()


def test_a_killed_batch_resumes_without_submitting_anything_twice(
    queue: tuple[str, type[Queue]], tmp_path: Path
) -> None:
    url, handler = queue
    requests = tmp_path / "requests.jsonl"
    requests.write_text("".join(json.dumps({"id": f"fox-{n}", "prompt": f"a fox, take {n}", "provider": "fal_queue"})
                                + "\n" for n in range(12)), encoding="utf-8")
    out = tmp_path / "out"
    first = _batch(url, requests, out)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and list(_states(out).values()).count("done") < 3:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    before = _states(out)
    assert 3 <= list(before.values()).count("done") < 12, before  # killed mid-run
    assert "submitted" in before.values() or len(before) < 12

    second = _batch(url, requests, out)
    stdout, stderr = second.communicate(timeout=60)
    states = _states(out)
    uncertain = sorted(key for key, state in states.items() if state == "uncertain")
    # Killed between sending and the reply: never re-sent (it may be billed), reported instead.
    assert second.returncode == (0 if not uncertain else 5), stderr
    assert all(state in ("done", "uncertain") for state in states.values()), states
    assert len(handler.submits) == len(set(handler.submits))  # no item was submitted twice
    done = sorted(key for key, state in states.items() if state == "done")
    assert {f"a fox, take {key.removeprefix('fox-')}" for key in done} <= set(handler.submits)
    assert len(done) + len(uncertain) == 12 and len(uncertain) <= 4  # at most one per worker
    assert sorted(path.name for path in out.glob("fox-*.png")) == sorted(
        f"{key}-1.png" for key, state in states.items() if state == "done")
    assert "fal-SECRET-key" not in stdout + stderr
    assert "done" in stdout


def test_the_batch_file_is_checked_before_anything_is_sent(tmp_path: Path) -> None:
    requests = tmp_path / "bad.jsonl"
    requests.write_text('{"prompt": "ok"}\nnot json\n{"prompt": 3}\n{"id": "a", "prompt": "x", "colour": "red"}\n'
                        '{"id": "a", "prompt": "y"}\n{"id": "a", "prompt": "z"}\n', encoding="utf-8")
    with pytest.raises(InvalidRequestError) as raised:
        read_requests(requests)
    assert raised.value.problems == [
        "bad.jsonl:2: not JSON (Expecting value)",
        "bad.jsonl:3: needs an object with a text 'prompt'",
        "bad.jsonl:4: unknown field(s) colour",
        "bad.jsonl:6: id 'a' is used twice",
    ]


def test_the_batch_file_is_read_item_by_item_after_its_check(tmp_path: Path) -> None:
    requests = tmp_path / "batch.jsonl"
    requests.write_text("".join(json.dumps({"id": f"i{n}", "prompt": f"p{n}"}) + "\n" for n in range(3))
                        + "\n", encoding="utf-8")
    batch = read_requests(requests)
    assert len(batch) == 3
    assert [(item.key, item.request.prompt) for item in batch] == [("i0", "p0"), ("i1", "p1"), ("i2", "p2")]
    assert [item.key for item in batch] == ["i0", "i1", "i2"]  # each pass reads the file again
    # A file changed under a running batch is refused where it went wrong, not half-read silently.
    with requests.open("a", encoding="utf-8") as more:
        more.write('{"id": "i0", "prompt": "again"}\n')
    with pytest.raises(InvalidRequestError, match=r"batch.jsonl:5: id 'i0' is used twice"):
        list(batch)


def test_the_journal_keeps_facts_not_given_and_refuses_unknown_ones(tmp_path: Path) -> None:
    from imagerelay._runtime.batch import Journal

    journal = Journal(tmp_path)
    assert journal.fresh
    journal.set("a", "submitting", provider="fal_queue", model="fal-ai/flux/dev", endpoint="submit")
    journal.set("a", "submitted", task_id="t-1")
    journal.set("a", "done", paths='["a-1.png"]', reason="")
    journal.set("b", "failed", reason="HTTP 500")
    assert journal.get("a") == {"state": "done", "provider": "fal_queue", "model": "fal-ai/flux/dev",
                                "endpoint": "submit", "task_id": "t-1", "paths": '["a-1.png"]', "reason": ""}
    summary = journal.summary(["b", "a", "c"])
    assert summary.counts == {"failed": 1, "done": 1, "pending": 1}
    assert summary.problems == [("b", "failed", "HTTP 500"), ("c", "pending", "")]
    with pytest.raises(ValueError, match="unknown journal fact"):
        journal.set("a", "done", colour="red")
    journal.close()
    reopened = Journal(tmp_path)
    assert not reopened.fresh and reopened.get("b") == {"state": "failed", "provider": None, "model": None,
                                                       "endpoint": None, "task_id": None, "paths": None,
                                                       "reason": "HTTP 500"}
    reopened.close()
