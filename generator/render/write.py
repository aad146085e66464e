"""Write the planned files atomically, or compare them with what is on disk."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from generator.outtree import files_on_disk
from generator.render.output import OutputFile


def stale_files(root: Path, files: Iterable[OutputFile]) -> list[str]:
    """Paths under ``root`` that differ from, lack or add to the planned output."""
    wanted = {file.path: file.content.encode("utf-8") for file in files}
    present = files_on_disk(root)
    changed = [path for path, data in wanted.items() if present.get(path) != data]
    extra = [path for path in present if path not in wanted]
    return sorted(changed + extra)


def write_tree(root: Path, files: Iterable[OutputFile]) -> None:
    """Replace ``root`` with exactly ``files``; an interrupted run leaves the old tree whole.

    Everything is written into a sibling temporary folder first, then swapped in
    with renames, so readers see either the old tree or the new one.
    """
    root = root.resolve()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        for file in files:
            target = staging / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.content.encode("utf-8"))
        _swap(staging, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, root: Path) -> None:
    if not root.exists():
        os.replace(staging, root)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
    retired.rmdir()
    os.replace(root, retired)
    try:
        os.replace(staging, root)
    except OSError:
        os.replace(retired, root)
        raise
    shutil.rmtree(retired, ignore_errors=True)
