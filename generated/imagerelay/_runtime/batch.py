"""``imagerelay batch``: many generate requests, resumable, never submitting twice.

A journal (SQLite, in the output folder) records each item's state before and after every
step that may start paid work. A re-run after Ctrl-C or a crash skips finished items,
resumes submitted tasks by polling their recorded id, and never re-sends an item whose
request may have reached the relay without an answer ("uncertain"): that could bill twice.

States: pending -> submitting -> (submitted, with a task id) -> done | failed | uncertain;
``unsent`` is a failure that provably started no paid work (refused, rate limited, not
connected), which a re-run tries again.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .canonical import CanonicalRequest
from .errors import InvalidRequestError, RateLimitError, RelayError, WaitTimeoutError
from .facade import Plan, canonical_of, client_class, no_candidate, plan, safe_to_retry_elsewhere
from .paths import find_first
from .retries import retry_after

__all__ = ["BatchFile", "BatchSummary", "read_requests", "run_batch"]

JOURNAL = ".imagerelay-batch.sqlite"
_FIELDS = ("prompt", "provider", "model", "aspect_ratio", "size", "images", "n", "output_format")


@dataclass(frozen=True)
class BatchItem:
    key: str
    request: CanonicalRequest
    provider: str | list[str] | None


@dataclass(frozen=True)
class BatchSummary:
    """Counts by final state, and each item that did not finish with why."""

    counts: dict[str, int]
    problems: list[tuple[str, str, str]]  # (item, state, reason)


class BatchFile:
    """A batch file checked whole, read again item by item when iterated: a long batch is
    never held in memory at once (only its ids, to refuse one used twice)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        problems, count = [], 0
        for _, found in self._parsed():
            if isinstance(found, str):
                problems.append(found)
            else:
                count += 1
        if problems:
            raise InvalidRequestError(problems, subject="batch file")
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[BatchItem]:
        for _, found in self._parsed():
            if isinstance(found, str):  # the file changed since it was checked
                raise InvalidRequestError([found], subject="batch file")
            yield found

    def _parsed(self) -> Iterator[tuple[int, BatchItem | str]]:
        """(line number, the item or what is wrong with it) for each non-blank line."""
        seen: set[str] = set()
        with self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield number, _item(line, f"{self.path.name}:{number}", str(number), seen)


def _item(line: str, where: str, default_key: str, seen: set[str]) -> BatchItem | str:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"{where}: not JSON ({exc.msg})"
    if not isinstance(data, dict) or not isinstance(data.get("prompt"), str):
        return f"{where}: needs an object with a text 'prompt'"
    unknown = sorted(set(data) - {*_FIELDS, "id"})
    if unknown:
        return f"{where}: unknown field(s) {', '.join(unknown)}"
    key = str(data.get("id", default_key))
    if key in seen:
        return f"{where}: id {key!r} is used twice"
    seen.add(key)
    images = tuple(Path(image) for image in data.get("images") or ())
    request = CanonicalRequest(data["prompt"], data.get("model"), data.get("aspect_ratio"), data.get("size"),
                               images, data.get("n"), data.get("output_format"))
    return BatchItem(key, request, data.get("provider"))


def read_requests(path: Path) -> BatchFile:
    """One JSON object per line: ``prompt`` and the optional generate fields, and ``id``.
    Every line is checked now (InvalidRequestError lists each problem); items are read
    again, one at a time, as the batch runs."""
    return BatchFile(path)


_FACTS = ("provider", "model", "endpoint", "task_id", "paths", "reason")
_UPSERT = (f"INSERT INTO items VALUES (?, ?, {', '.join('?' for _ in _FACTS)}) ON CONFLICT(key) DO UPDATE SET "
           "state = excluded.state, " + ", ".join(f"{name} = COALESCE(excluded.{name}, {name})" for name in _FACTS))


class Journal:
    """The items' states, committed at once: what a re-run reads to never submit twice."""

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(folder / JOURNAL, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        # Each state change is committed on its own. In WAL mode NORMAL writes it to the log
        # without an fsync per commit: a crash or kill of this process loses nothing; only
        # a power cut may lose the last changes (a re-run then finds those items earlier in
        # their lifecycle: "submitting" items become "uncertain", never re-sent).
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, state TEXT NOT NULL, "
                        "provider TEXT, model TEXT, endpoint TEXT, task_id TEXT, paths TEXT, reason TEXT)")
        # A first run has no item to resume: its items need no lookup before they start.
        self.fresh = self.db.execute("SELECT 1 FROM items LIMIT 1").fetchone() is None

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT state, provider, model, endpoint, task_id, paths, reason FROM items "
                              "WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return dict(zip(("state", "provider", "model", "endpoint", "task_id", "paths", "reason"), row, strict=True))

    def set(self, key: str, state: str, **facts: str) -> None:
        """Record ``state`` and the facts given; facts not given keep their recorded value."""
        unknown = set(facts) - set(_FACTS)
        if unknown:
            raise ValueError(f"unknown journal fact(s): {', '.join(sorted(unknown))}")
        # One statement (an upsert), so a state and its facts are committed together.
        self.db.execute(_UPSERT, (key, state, *(facts.get(name) for name in _FACTS)))

    def summary(self, keys: list[str]) -> BatchSummary:
        """Counts by state of ``keys`` (an item never started counts as pending), and each one
        not done with its state and reason, in the order of ``keys``."""
        recorded = {key: (state, reason or "") for key, state, reason in
                    self.db.execute("SELECT key, state, reason FROM items WHERE state != 'done'")}
        done = {key for (key,) in self.db.execute("SELECT key FROM items WHERE state = 'done'")}
        counts: dict[str, int] = {}
        problems = []
        for key in keys:
            state, reason = ("done", "") if key in done else recorded.get(key, ("pending", ""))
            counts[state] = counts.get(state, 0) + 1
            if state != "done":
                problems.append((key, state, reason))
        return BatchSummary(counts, problems)

    def close(self) -> None:
        self.db.close()


class _Pauses:
    """A shared back-off per provider: a 429 for one worker holds every worker's next submit."""

    def __init__(self) -> None:
        self.until: dict[str, float] = {}

    async def wait(self, provider: str) -> None:
        delay = self.until.get(provider, 0.0) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def hold(self, provider: str, seconds: float) -> None:
        self.until[provider] = max(self.until.get(provider, 0.0), time.monotonic() + seconds)


async def run_batch(items: Iterable[BatchItem], folder: Path, *, concurrency: int = 8, poll_interval: float = 2.0,
                    resubmit_uncertain: bool = False,
                    on_item: Callable[[str, str, str], None] | None = None) -> BatchSummary:
    """Run every item not already done; see the module doc for what a re-run does.
    ``on_item(key, state, reason)`` follows each item as its turn ends."""
    folder.mkdir(parents=True, exist_ok=True)
    journal = Journal(folder)
    clients: dict[str, Any] = {}
    pauses, queue = _Pauses(), iter(items)
    keys: list[str] = []  # in file order: the order workers take items in
    try:
        async def client_for(provider: str) -> Any:
            if provider not in clients:
                clients[provider] = client_class(provider, "AsyncClient")()
            return clients[provider]

        async def worker() -> None:
            # A fixed set of workers takes items in turn: memory stays flat however long the
            # batch, where a task per item would hold every item's coroutine at once.
            for item in queue:
                keys.append(item.key)
                await _run_item(item, journal, folder, client_for, pauses, poll_interval, resubmit_uncertain)
                if on_item is not None:
                    record = journal.get(item.key) or {"state": "pending", "reason": ""}
                    on_item(item.key, record["state"], record["reason"] or "")

        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
        return journal.summary(keys)
    finally:
        for client in clients.values():
            await client.aclose()
        journal.close()


async def _run_item(item: BatchItem, journal: Journal, folder: Path, client_for: Any, pauses: _Pauses,
                    poll_interval: float, resubmit_uncertain: bool) -> None:
    record = None if journal.fresh else journal.get(item.key)
    state = record["state"] if record else "pending"
    if state in ("done", "failed"):
        return
    if state == "submitting" and not resubmit_uncertain:
        # The request may have reached the relay with no answer recorded: never send it again.
        journal.set(item.key, "uncertain", reason="interrupted after sending, before the reply; "
                    "not re-sent (it may have been billed): check the relay, or pass --resubmit-uncertain")
        return
    if state == "uncertain" and not resubmit_uncertain:
        return
    if state == "submitted" and record is not None and record["task_id"]:
        await _finish_task(item, journal, folder, client_for, record, poll_interval)
        return
    await _submit(item, journal, folder, client_for, pauses, poll_interval)


async def _submit(item: BatchItem, journal: Journal, folder: Path, client_for: Any, pauses: _Pauses,
                  poll_interval: float) -> None:
    plans, skipped = plan(item.request, item.provider)
    if not plans:
        journal.set(item.key, "failed", reason=str(no_candidate(skipped)))
        return
    chosen: Plan = plans[0]
    canonical = canonical_of(chosen.provider, chosen.endpoint.name)
    facts = {"provider": chosen.provider, "model": chosen.model, "endpoint": chosen.endpoint.name}
    for _ in range(5):
        await pauses.wait(chosen.provider)
        journal.set(item.key, "submitting", **facts)
        client = await client_for(chosen.provider)
        try:
            if canonical.poll is not None:
                submitted = await getattr(client, chosen.endpoint.name)(**chosen.arguments)
                task_id = find_first(submitted.to_wire(), canonical.poll[0])
                if not isinstance(task_id, str):
                    journal.set(item.key, "uncertain", reason=f"the submit reply has no task id at {canonical.poll[0]!r}")
                    return
                journal.set(item.key, "submitted", task_id=task_id)
                await _finish_task(item, journal, folder, client_for, journal.get(item.key) or {}, poll_interval)
                return
            reply = await _reply(client, chosen)
            await _save(item, journal, folder, client, reply)
            return
        except RateLimitError as exc:
            # Refused before any work: every worker holds off this provider, then this item retries.
            pauses.hold(chosen.provider, _hint(exc))
            journal.set(item.key, "unsent", reason=str(exc))
        except RelayError as exc:
            journal.set(item.key, "unsent" if safe_to_retry_elsewhere(exc, chosen.provider) else "failed", reason=str(exc))
            return


def _hint(error: RateLimitError) -> float:
    import httpx

    return retry_after(httpx.Headers(error.headers)) or 5.0


def _stem(key: str) -> str:
    """A file-name stem from an item id: the id comes from the batch file, so no path parts."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", key).lstrip(".") or "item"


async def _reply(client: Any, chosen: Plan) -> Any:
    method = getattr(client, chosen.endpoint.name)
    if chosen.delivery == "sse":
        stream = await method(**chosen.arguments)
        async with stream:
            await stream.collect()
        return stream
    return await method(**chosen.arguments)


async def _finish_task(item: BatchItem, journal: Journal, folder: Path, client_for: Any, record: dict[str, Any],
                       poll_interval: float) -> None:
    client = await client_for(record["provider"])
    poll = canonical_of(record["provider"], record["endpoint"]).poll
    wait_method = poll[1] if poll else "wait"
    try:
        final = await getattr(client, wait_method)(record["task_id"], poll_interval=poll_interval,
                                                   max_poll_interval=max(poll_interval, 15.0))
        await _save(item, journal, folder, client, final)
    except WaitTimeoutError as exc:
        journal.set(item.key, "submitted", reason=str(exc))  # still running: a re-run waits again
    except RelayError as exc:
        journal.set(item.key, "failed", reason=str(exc))


async def _save(item: BatchItem, journal: Journal, folder: Path, client: Any, reply: Any) -> None:
    paths = await client.save_images(reply, folder, stem=_stem(item.key))
    journal.set(item.key, "done", paths=json.dumps([str(path) for path in paths]), reason="")
