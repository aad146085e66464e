"""Realistic one-provider doc changes for the incremental regeneration figure (2b).

Two kinds, as vendor docs change: a new value in an aspect-ratio enum, and a reworded
endpoint description. Each edit is new text (never seen by the cache before), and carries
a marker that must show up in the regenerated output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ADD_RATIO = "add aspect ratio"
REWORD_ENDPOINT = "reword endpoint description"
EDIT_KINDS = (ADD_RATIO, REWORD_ENDPOINT)

# Ratios vendors add to image APIs, tried in order; the first one the spec lacks is used.
_NEW_RATIOS = ("5:3", "3:5", "2:1", "1:2", "7:4", "4:7", "32:9", "9:32", "12:5", "5:12")

_TOP_LEVEL_KEY = re.compile(r"^([a-z_]+):")
_ENUM_NAME = re.compile(r"^  ([A-Za-z0-9_]+):[ \t]*$")
_RATIO_FORMAT = re.compile(r"^    format: ratio[ \t]*$")
_INLINE_VALUES = re.compile(r"^(    values: \[.*)\][ \t]*$")
_BLOCK_DESCRIPTION = re.compile(r"^[ ]*description: [|>][-+]?[ \t]*$")


@dataclass(frozen=True)
class SpecEdit:
    provider: str
    kind: str
    marker: str  # text the regenerated output must contain

    def describe(self) -> str:
        return f"{self.provider}: {self.kind} ({self.marker!r})"


def apply_edit(spec_path: Path, kind: str, revision: int) -> SpecEdit:
    """Edit the spec file in place; a provider without a ratio enum gets the description edit."""
    text = spec_path.read_text(encoding="utf-8")
    edited = None
    if kind == ADD_RATIO:
        edited = add_aspect_ratio(text)
    if edited is None:
        kind = REWORD_ENDPOINT
        edited = reword_endpoint_description(text, revision)
    new_text, marker = edited
    spec_path.write_text(new_text, encoding="utf-8")
    return SpecEdit(spec_path.stem, kind, marker)


def add_aspect_ratio(text: str) -> tuple[str, str] | None:
    """Append a ratio the spec does not mention to its first ``format: ratio`` enum with an inline list."""
    value = next((ratio for ratio in _NEW_RATIOS if f'"{ratio}"' not in text), None)
    if value is None:
        return None
    lines = text.splitlines(keepends=True)
    section, is_ratio = "", False
    for number, line in enumerate(lines):
        top = _TOP_LEVEL_KEY.match(line)
        if top:
            section = top[1]
        elif section == "enums" and _ENUM_NAME.match(line):
            is_ratio = False
        elif section == "enums" and _RATIO_FORMAT.match(line):
            is_ratio = True
        elif section == "enums" and is_ratio and (values := _INLINE_VALUES.match(line)):
            lines[number] = f'{values[1]}, "{value}"]\n'
            return "".join(lines), f'"{value}"'
    return None


def reword_endpoint_description(text: str, revision: int) -> tuple[str, str]:
    """Add a sentence to the first block description under ``endpoints:`` (else the first one)."""
    marker = f"Revised in doc revision {revision}: the relay now states its per-account rate limit."
    lines = text.splitlines(keepends=True)
    start = next((n for n, line in enumerate(lines) if line.startswith("endpoints:")), 0)
    header = next((n for n in range(start, len(lines)) if _BLOCK_DESCRIPTION.match(lines[n])), None)
    if header is None:
        header = next((n for n, line in enumerate(lines) if _BLOCK_DESCRIPTION.match(line)), None)
    if header is None:
        raise ValueError("the spec has no block description to reword")
    following = next(line for line in lines[header + 1:] if line.strip())
    indent = following[: len(following) - len(following.lstrip(" "))]
    lines.insert(header + 1, f"{indent}{marker}\n")
    return "".join(lines), marker
