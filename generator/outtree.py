"""The files of an output folder as the generator sees them (standard library only)."""

from __future__ import annotations

from pathlib import Path

# Tool caches and build output a developer may leave inside generated/: not ours to compare.
IGNORED = frozenset({"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache", "dist", "build"})


def files_on_disk(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by its relative POSIX path, minus ``IGNORED`` folders."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not IGNORED.intersection(path.relative_to(root).parts)
    }
