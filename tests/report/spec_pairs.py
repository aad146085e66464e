"""Scenario pairs: a base folder of specs, and a scenario's edits turning a copy of it into the later version.

A scenario file (``scenarios/<name>.yaml``) lists ``edits``: ``{file, replace, with}``
replaces text that must occur exactly once, ``{add: name}`` brings a spec from ``data/extra``,
``{remove: name}`` deletes one. ``also`` names extra specs present in both versions.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BASE = HERE / "data" / "specs"
EXTRA = HERE / "data" / "extra"
SCENARIOS = HERE / "scenarios"


def scenario_names() -> list[str]:
    return sorted(path.stem for path in SCENARIOS.glob("*.yaml"))


def spec_pair(name: str, root: Path) -> tuple[Path, Path]:
    """Write ``root/before/specs`` and ``root/after/specs`` for scenario ``name``; return both folders."""
    scenario = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
    before, after = root / "before" / "specs", root / "after" / "specs"
    shutil.copytree(BASE, before)
    for extra in scenario.get("also", []):
        shutil.copy(EXTRA / extra, before / extra)
    shutil.copytree(before, after)
    for edit in scenario["edits"]:
        apply_edit(after, edit)
    return before, after


def apply_edit(folder: Path, edit: dict[str, str]) -> None:
    if "add" in edit:
        shutil.copy(EXTRA / edit["add"], folder / edit["add"])
    elif "remove" in edit:
        (folder / edit["remove"]).unlink()
    else:
        path = folder / edit["file"]
        text = path.read_text(encoding="utf-8")
        count = text.count(edit["replace"])
        assert count == 1, f"{edit['replace']!r} occurs {count} times in {edit['file']}, expected once"
        path.write_text(text.replace(edit["replace"], edit["with"]), encoding="utf-8")
