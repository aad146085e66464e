"""Where things are in a spec file: node paths, positions in its text, and the problems found.

Every stage of loading (reading the file, the YAML event pass, building data)
reports into one ``ProblemLog`` so that a file is judged in one run.
"""

from __future__ import annotations

import bisect
import re

from generator.errors import Diagnostic, SourceMark

PathKey = tuple[str | int, ...]

# A hostile file could hold a problem every two bytes; past this many, more lines help nobody.
MAX_PROBLEMS = 100

# What YAML counts as a line break, for marks (both parsers agree): CRLF is one break.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def dotted_path(path: PathKey) -> str:
    """Render a node path the way diagnostics show it: ``a.b[2].c``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class SourcePositions:
    """Turns an index into the file's text into the line and column a YAML mark would give."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self._text = text
        self._line_starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def mark(self, index: int) -> SourceMark:
        line = bisect.bisect_right(self._line_starts, index)
        start = self._line_starts[line - 1]
        # PyYAML's reader does not count a byte order mark as a column.
        return SourceMark(self.file, line, index - start - self._text.count("\ufeff", start, index) + 1)


class ProblemLog:
    """The diagnostics of one file, capped so that a file of garbage gives a readable report."""

    def __init__(self) -> None:
        self._found: list[Diagnostic] = []
        self._first_dropped: Diagnostic | None = None

    def add(self, problem: Diagnostic) -> None:
        if len(self._found) < MAX_PROBLEMS:
            self._found.append(problem)
            return
        self._first_dropped = self._first_dropped or problem

    def merge(self, other: ProblemLog) -> None:
        for problem in other._found:
            self.add(problem)
        self._first_dropped = self._first_dropped or other._first_dropped

    def sorted(self) -> list[Diagnostic]:
        """Every problem found, in file order, with one closing line if some were left out."""
        found = sorted(self._found, key=lambda d: (d.mark, d.path, d.message))
        if self._first_dropped is not None:
            note = (f"more than {MAX_PROBLEMS} problems; the first one not shown is here: "
                    "fix these and check again")
            found.append(Diagnostic(self._first_dropped.mark, "", note))
        return found
