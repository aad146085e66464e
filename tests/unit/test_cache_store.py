"""The content store: hits return exactly what was computed, damage is a miss, never an error."""

from __future__ import annotations

import os
import time
from pathlib import Path

from generator.cache.store import ContentStore, active_store, memoized, using_store


def _counting(value: str, calls: list[str]) -> str:
    calls.append(value)
    return value


def test_second_call_is_a_hit_across_store_instances(tmp_path: Path) -> None:
    calls: list[str] = []
    first = ContentStore(tmp_path)
    assert first.memoized("step", ("a",), lambda: _counting("A", calls)) == "A"
    again = ContentStore(tmp_path)  # a later run reading the same folder
    assert again.memoized("step", ("a",), lambda: _counting("other", calls)) == "A"
    assert calls == ["A"]
    assert (first.misses, again.hits) == (1, 1)


def test_keys_separate_steps_and_input_boundaries(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    assert store.key("s", "ab", "c") != store.key("s", "a", "bc")
    assert store.key("s", "x") != store.key("t", "x")
    store.put("s", ("ab", "c"), "1")
    assert store.lookup("s", ("a", "bc")) is None


def test_damaged_entry_is_a_miss_and_is_recomputed(tmp_path: Path) -> None:
    ContentStore(tmp_path).put("step", ("a",), "good value")
    (entry,) = (tmp_path / "objects").glob("*/*")
    entry.write_bytes(entry.read_bytes()[:-3])  # e.g. a disk that filled up mid-write elsewhere
    calls: list[str] = []
    assert ContentStore(tmp_path).memoized("step", ("a",), lambda: _counting("good value", calls)) == "good value"
    assert calls == ["good value"]
    assert ContentStore(tmp_path).lookup("step", ("a",)) == "good value"  # rewritten whole


def test_unwritable_cache_folder_costs_speed_not_correctness(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    store = ContentStore(blocker)
    assert store.memoized("step", ("a",), lambda: "v") == "v"
    assert ContentStore(blocker).lookup("step", ("a",)) is None


def test_memory_only_store_keeps_entries_for_the_run(tmp_path: Path) -> None:
    store = ContentStore(None)
    calls: list[str] = []
    for _ in range(3):
        store.memoized("step", ("a",), lambda: _counting("v", calls))
    assert calls == ["v"]
    other = ContentStore(None)
    other.merge(store.entries())
    assert other.lookup("step", ("a",)) == "v"


def test_prune_removes_only_idle_entries(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    store.put("step", ("old",), "1")
    store.put("step", ("new",), "2")
    old_path = next(p for p in (tmp_path / "objects").glob("*/*") if p.name == store.key("step", "old")[2:])
    month_ago = time.time() - 31 * 24 * 3600
    os.utime(old_path, (month_ago, month_ago))
    assert store.prune() == 1
    fresh = ContentStore(tmp_path)
    assert (fresh.lookup("step", ("old",)), fresh.lookup("step", ("new",))) == (None, "2")


def test_memoized_without_active_store_just_computes() -> None:
    assert active_store() is None
    calls: list[str] = []
    memoized("step", ("a",), lambda: _counting("v", calls))
    memoized("step", ("a",), lambda: _counting("v", calls))
    assert calls == ["v", "v"]
    with using_store(ContentStore(None)) as store:
        assert active_store() is store
        memoized("step", ("a",), lambda: _counting("v", calls))
        memoized("step", ("a",), lambda: _counting("v", calls))
    assert calls == ["v", "v", "v"]
    assert active_store() is None
