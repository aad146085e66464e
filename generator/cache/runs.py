"""The no-op check: was this output folder made from exactly these inputs, and is it intact?

After each generation the inputs digest and the hash of every written file are
recorded per output folder. A later run whose inputs digest matches, over a
folder whose files still hash the same, has nothing to do. Any hand edit,
deleted file, stray file, spec/template/generator change or tool upgrade makes
it a miss, and the run generates as usual.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from generator.outtree import files_on_disk

_FORMAT = 1


def _record_path(cache_dir: Path, out_dir: Path) -> Path:
    name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:32]
    return cache_dir / "runs" / f"{name}.json"


def _hashes(files: Mapping[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}


def is_current(cache_dir: Path, out_dir: Path, digest: str) -> int | None:
    """The number of files when ``out_dir`` is what ``digest``'s inputs generate, else None."""
    try:
        record = json.loads(_record_path(cache_dir, out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != _FORMAT or record.get("inputs") != digest:
        return None
    files = record.get("files")
    if not isinstance(files, dict) or _hashes(files_on_disk(out_dir)) != files:
        return None
    return len(files)


def record_run(cache_dir: Path, out_dir: Path, digest: str, files: Mapping[str, bytes]) -> None:
    """Remember that ``out_dir`` now holds ``files``, generated from ``digest``'s inputs."""
    path = _record_path(cache_dir, out_dir)
    text = json.dumps({"format": _FORMAT, "inputs": digest, "files": _hashes(files)}, sort_keys=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError:
        return  # without a record the next run simply generates again
