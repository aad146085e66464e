"""A content-addressed store for the results of pure, expensive render steps.

An entry's key hashes the generator fingerprint, the step's name and every
input of the step, so a hit returns exactly what the step would compute: the
cache can make a run faster, never different. Entries live in memory for the
run and, unless disabled, on disk across runs; a damaged disk entry (it carries
its own checksum) is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from generator.cache.fingerprint import generator_fingerprint

# Entries no run has used for this long are removed when a run finishes.
_MAX_IDLE_SECONDS = 30 * 24 * 3600


class ContentStore:
    def __init__(self, directory: Path | None) -> None:
        """``directory=None`` keeps entries for this process only (``--no-cache``)."""
        self.directory = directory
        self._memory: dict[str, str] = {}
        self.hits = 0
        self.misses = 0

    def key(self, step: str, *inputs: str) -> str:
        digest = hashlib.sha256(generator_fingerprint().encode())
        for part in (step, *inputs):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def lookup(self, step: str, inputs: tuple[str, ...]) -> str | None:
        """The value stored for this step and these inputs, if any."""
        key = self.key(step, *inputs)
        found = self._memory.get(key)
        if found is None:
            found = self._read(key)
            if found is not None:
                self._memory[key] = found
        return found

    def put(self, step: str, inputs: tuple[str, ...], value: str) -> None:
        key = self.key(step, *inputs)
        self._memory[key] = value
        self._write(key, value)

    def memoized(self, step: str, inputs: tuple[str, ...], compute: Callable[[], str]) -> str:
        """``compute()``, or its earlier result for the same step and inputs."""
        found = self.lookup(step, inputs)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        value = compute()
        self.put(step, inputs, value)
        return value

    def entries(self) -> dict[str, str]:
        """This run's entries, to hand to another process's store."""
        return dict(self._memory)

    def merge(self, entries: Mapping[str, str]) -> None:
        self._memory.update(entries)

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / "objects" / key[:2] / key[2:]

    def _read(self, key: str) -> str | None:
        if self.directory is None:
            return None
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        checksum, _, payload = data.partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            path.unlink(missing_ok=True)
            return None
        os.utime(path)  # marks the entry as used, for prune()
        return payload.decode("utf-8")

    def _write(self, key: str, value: str) -> None:
        if self.directory is None:
            return
        payload = value.encode("utf-8")
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
            os.replace(tmp, path)
        except OSError:
            # A read-only or full cache folder costs speed, not correctness.
            return

    def prune(self, max_idle_seconds: float = _MAX_IDLE_SECONDS) -> int:
        """Remove entries unused for ``max_idle_seconds``; returns how many went."""
        if self.directory is None or not (self.directory / "objects").is_dir():
            return 0
        cutoff = time.time() - max_idle_seconds
        removed = 0
        for path in (self.directory / "objects").glob("*/*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed


_active: ContentStore | None = None


def active_store() -> ContentStore | None:
    """The store of the generation in progress, or None outside one (steps then just compute)."""
    return _active


@contextmanager
def using_store(store: ContentStore) -> Iterator[ContentStore]:
    global _active
    previous, _active = _active, store
    try:
        yield store
    finally:
        _active = previous


def memoized(step: str, inputs: tuple[str, ...], compute: Callable[[], str]) -> str:
    """Memoise ``compute`` in the active store, if any."""
    store = _active
    return compute() if store is None else store.memoized(step, inputs, compute)
