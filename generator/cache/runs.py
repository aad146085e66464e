"""The no-op check: was this output folder made from exactly these inputs, and is it intact?

After each generation the inputs digest and, per written file, its hash, size
and modification time are recorded per output folder. A later run whose inputs
digest matches, over a folder with the same files, has nothing to do. Like
git's index, a file whose size and mtime are unchanged is taken as unchanged;
any other is read and hashed. A hand edit, deleted file, stray file,
spec/template/generator change or tool upgrade makes it a miss, and the run
generates as usual.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from generator.outtree import output_paths

_FORMAT = 2


def _record_path(cache_dir: Path, out_dir: Path) -> Path:
    name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:32]
    return cache_dir / "runs" / f"{name}.json"


def _unchanged(path: Path, entry: object) -> bool:
    if not (isinstance(entry, list) and len(entry) == 3):
        return False
    sha, size, mtime_ns = entry
    try:
        stat = path.stat()
    except OSError:
        return False
    if (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns):
        return True
    return bool(stat.st_size == size and hashlib.sha256(path.read_bytes()).hexdigest() == sha)


def is_current(cache_dir: Path, out_dir: Path, digest: str) -> int | None:
    """The number of files when ``out_dir`` is what ``digest``'s inputs generate, else None."""
    try:
        record = json.loads(_record_path(cache_dir, out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != _FORMAT or record.get("inputs") != digest:
        return None
    files = record.get("files")
    if not isinstance(files, dict) or not out_dir.is_dir() or output_paths(out_dir) != sorted(files):
        return None
    if not all(_unchanged(out_dir / path, entry) for path, entry in files.items()):
        return None
    return len(files)


def record_run(cache_dir: Path, out_dir: Path, digest: str, files: Mapping[str, bytes]) -> None:
    """Remember that ``out_dir`` now holds ``files``, generated from ``digest``'s inputs."""
    try:
        entries = {}
        for path, data in files.items():
            stat = (out_dir / path).stat()
            entries[path] = [hashlib.sha256(data).hexdigest(), stat.st_size, stat.st_mtime_ns]
        text = json.dumps({"format": _FORMAT, "inputs": digest, "files": entries}, sort_keys=True)
        target = _record_path(cache_dir, out_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, target)
    except OSError:
        return  # without a record the next run simply generates again
