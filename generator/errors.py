"""Diagnostics shared by every stage: one located message shape, typed errors."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SourceMark:
    """A position in a spec file; line and column are 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a spec: where it is, which node, and what is wrong."""

    mark: SourceMark
    path: str
    message: str

    def __str__(self) -> str:
        where = f"at {self.path}: " if self.path else ""
        # One line, whatever spec text the message quotes: newlines and controls are shown escaped.
        return _one_line(f"{self.mark}: error: {where}{self.message}")


def _one_line(text: str) -> str:
    return "".join(_escaped(char) if unicodedata.category(char) in _UNPRINTED else char for char in text)


# Controls, surrogates, format characters (bidi), line and paragraph separators.
_UNPRINTED = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


class RelaygenError(Exception):
    """Base of every error the generator raises on purpose."""


class SpecError(RelaygenError):
    """One or more specs are invalid; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.mark, d.path, d.message))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class RenderError(RelaygenError):
    """A template or formatter failed on a valid spec (a generator bug)."""
