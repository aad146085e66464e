"""The YAML parsers a spec is read with, and how their errors become located diagnostics.

libyaml's parser (when PyYAML was built with it) composes the same nodes with the
same marks about ten times faster. The Python parser is the reference: a file
libyaml rejects is read again by the Python parser, whose wording the diagnostics use.
"""

from __future__ import annotations

import re
from typing import TypeAlias

import yaml
from yaml.error import Mark
from yaml.reader import ReaderError
from yaml.scanner import ScannerError

from generator.errors import Diagnostic, SourceMark
from generator.spec.located import SourcePositions

BOOL_TAG = "tag:yaml.org,2002:bool"
MERGE_TAG = "tag:yaml.org,2002:merge"

# libyaml's limit; PyYAML would call int() on any number of digits.
_MAX_VERSION_DIGITS = 9


class SpecLoader(yaml.SafeLoader):
    """The Python parser, whose only booleans are true/false.

    YAML 1.1 also reads on/off/yes/no/y/n as booleans, which silently turns an
    enum value 'on' into True and a field named 'no' into the key 'False'.
    Two inputs crash PyYAML's scanner with a ValueError; they raise the syntax
    errors libyaml reports for them instead.
    """

    def scan_yaml_directive_number(self, start_mark: Mark) -> int:
        length = 0
        while "0" <= self.peek(length) <= "9":
            length += 1
        if length > _MAX_VERSION_DIGITS:
            self.forward(_MAX_VERSION_DIGITS)
            raise ScannerError("while scanning a %YAML directive", start_mark,
                               "found extremely long version number", self.get_mark())
        return super().scan_yaml_directive_number(start_mark)

    def scan_flow_scalar_non_spaces(self, double: bool, start_mark: Mark) -> list[str]:
        try:
            return super().scan_flow_scalar_non_spaces(double, start_mark)
        except (ValueError, OverflowError):
            # chr() of a \U escape past U+10FFFF; the reader stands at the escape's digits.
            raise ScannerError("while scanning a double-quoted scalar", start_mark,
                               "found invalid Unicode character escape code", self.get_mark()) from None


SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SpecLoader.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"), list("tTfF"))

LoaderClass: TypeAlias = type[yaml.SafeLoader] | type[yaml.CSafeLoader]

LIBYAML_LOADER: LoaderClass | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _LibyamlSpecLoader(yaml.CSafeLoader):
        """libyaml's parser resolving plain scalars exactly as SpecLoader does."""

    _LibyamlSpecLoader.yaml_implicit_resolvers = SpecLoader.yaml_implicit_resolvers
    LIBYAML_LOADER = _LibyamlSpecLoader


def spec_loaders() -> list[LoaderClass]:
    """The parsers to try, in order: libyaml when present, then the reference Python parser."""
    return [SpecLoader] if LIBYAML_LOADER is None else [LIBYAML_LOADER, SpecLoader]


def compose(text: str, loader: LoaderClass) -> yaml.Node | None:
    """The document's node tree, read by ``loader``."""
    return yaml.compose(text, Loader=loader)


def yaml_error_diagnostic(exc: yaml.YAMLError, positions: SourcePositions) -> Diagnostic:
    """Any error PyYAML raises, located in the file."""
    if isinstance(exc, yaml.MarkedYAMLError):
        return _syntax_error(positions.file, exc)
    if isinstance(exc, ReaderError):
        # Its position is an index into the text (it carries no mark); source.py keeps these out.
        message = f"invalid YAML: the character U+{exc.character:04X} cannot be read ({exc.reason})"
        return Diagnostic(positions.mark(exc.position), "", message)
    return Diagnostic(SourceMark(positions.file, 1, 1), "", f"invalid YAML: {exc}")


def _syntax_error(display_name: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = f"invalid YAML: {exc.problem or exc.context}"
    # The problem is often found lines after its cause (an unclosed '{'); the context says where that began.
    if exc.problem and exc.context and exc.problem_mark and exc.context_mark:
        start = exc.context_mark
        message += f" ({exc.context} at line {start.line + 1}, column {start.column + 1})"
    return Diagnostic(SourceMark(display_name, line, column), "", message)
