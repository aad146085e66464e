"""Write the planned files atomically, or compare them with what is on disk."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from generator.outtree import files_on_disk
from generator.render.output import OutputFile
from generator.render.swap import discard, make_staging, output_lock, settle, swap_in


def stale_files(root: Path, files: Iterable[OutputFile]) -> list[str]:
    """Paths under ``root`` that differ from, lack or add to the planned output."""
    wanted = {file.path: file.content.encode("utf-8") for file in files}
    present = files_on_disk(root)
    changed = [path for path, data in wanted.items() if present.get(path) != data]
    extra = [path for path in present if path not in wanted]
    return sorted(changed + extra)


def write_tree(root: Path, files: Iterable[OutputFile]) -> None:
    """Replace ``root`` with exactly ``files``; an interrupted run leaves the old tree whole.

    Everything is written into a sibling staging folder first, then swapped in (see
    ``generator.render.swap``), so readers see either the old tree or the new one. Under a lock
    that makes concurrent writers take turns, leftovers of interrupted earlier runs are repaired
    or removed first. Errors are ``OSError``s; whatever fails, the old tree is left as it was.
    """
    root = root.resolve()
    root.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(root):
        settle(root)
        staging = make_staging(root)
        try:
            _write_files(staging, files)
            previous = swap_in(staging, root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # what is left, the next run removes
            raise
        if previous is not None:
            discard(previous, staging)


def recover_output(root: Path) -> bool:
    """Settle ``root`` after an interrupted run without writing a new tree; True if it was restored.

    A run killed in the middle of a swap without atomic exchange can leave no ``root``; this puts
    the previous tree back and removes staging leftovers, so that ``--check`` compares the real
    output. ``write_tree`` does the same on its own.
    """
    root = root.resolve()
    if not root.parent.is_dir():
        return False
    with output_lock(root):
        return settle(root)


def _write_files(staging: Path, files: Iterable[OutputFile]) -> None:
    for file in files:
        target = staging / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content.encode("utf-8"))
