"""The files of an output folder as the generator sees them (standard library only)."""

from __future__ import annotations

import os
from pathlib import Path

# Tool caches and build output a developer may leave inside generated/: not ours to compare.
IGNORED = frozenset({"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache", "dist", "build"})


def output_paths(root: Path) -> list[str]:
    """Relative POSIX paths of every file under ``root`` minus ``IGNORED`` folders, sorted."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name not in IGNORED]
        relative = Path(folder).relative_to(root)
        found += [(relative / name).as_posix() for name in files]
    return sorted(found)


def files_on_disk(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by its relative POSIX path, minus ``IGNORED`` folders."""
    if not root.is_dir():
        return {}
    return {path: (root / path).read_bytes() for path in output_paths(root)}
