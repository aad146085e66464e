"""A spec file's text as the YAML parser gets it: bounded in size, UTF-8, every character readable.

The characters YAML refuses to read (raw control characters, U+FFFE/U+FFFF) are
noted with their position and replaced by U+FFFD, so the rest of the file is still
parsed and checked in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import Diagnostic, SourceMark
from generator.spec.characters import character_problem, replace_unreadable, unreadable_characters
from generator.spec.located import MAX_PROBLEMS, ProblemLog, SourcePositions

# The largest shipped spec is about 20 KB; reading stops here so a huge file costs nothing.
MAX_FILE_BYTES = 1 << 20


@dataclass(frozen=True)
class RawFlaw:
    """A character YAML refused to read: where it is (line, column) and what it is."""

    position: tuple[int, int]
    problem: str


@dataclass(frozen=True)
class SpecSource:
    """The text to parse, how to locate an index in it, and the characters taken out of it."""

    text: str
    positions: SourcePositions
    flaws: tuple[RawFlaw, ...]


def _located(display_name: str, message: str) -> Diagnostic:
    return Diagnostic(SourceMark(display_name, 1, 1), "", message)


def _not_utf8(display_name: str, data: bytes, exc: UnicodeDecodeError) -> Diagnostic:
    # Everything before the first bad byte decodes, so its lines and columns are known.
    before = data[: exc.start].decode("utf-8")
    mark = SourcePositions(display_name, before).mark(len(before))
    message = (f"cannot read file: it is not UTF-8 text (byte 0x{data[exc.start]:02X}: {exc.reason}); "
               "save it as UTF-8")
    return Diagnostic(mark, "", message)


def read_spec_source(path: Path, display_name: str, log: ProblemLog) -> SpecSource | None:
    """The file's text ready for YAML, or None with the reason in ``log``."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        log.add(_located(display_name, f"cannot read file: {exc}"))
        return None
    if len(data) > MAX_FILE_BYTES:
        log.add(_located(display_name, "the file is larger than 1 MiB, far more than any provider spec "
                         "(the largest is about 20 KB); check that this is the spec you meant"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        log.add(_not_utf8(display_name, data, exc))
        return None
    positions = SourcePositions(display_name, text)
    readable = replace_unreadable(text)
    # One more than the log keeps, so that a file full of them ends with the "more problems" note.
    flaws = tuple(RawFlaw(_line_column(positions.mark(index)), character_problem(char))
                  for index, char in unreadable_characters(text, MAX_PROBLEMS + 1))
    return SpecSource(readable, positions, flaws)


def _line_column(mark: SourceMark) -> tuple[int, int]:
    return mark.line, mark.column
