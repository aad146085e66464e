"""Read a spec YAML file into plain data plus the source mark of every node.

Marks are keyed by the node's path (a tuple of mapping keys and list
indexes), so later stages can point at the exact line of any value; key
marks do the same for the keys of mappings, for errors about a key itself.

A spec is untrusted input, read the way a compiler reads source: whatever the
file holds, ``load_spec_file`` returns located diagnostics within bounded time
and memory. The stages, each in its own module: ``source`` (size, UTF-8,
characters YAML cannot read), ``yaml_guard`` (an event pass that bounds nesting
and alias expansion and rejects tags and merge keys before any tree is built),
then composing and building here, where ``scalars`` and ``characters`` judge
each value and key.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Diagnostic, SourceMark
from generator.spec.characters import clean_text, text_problem
from generator.spec.located import PathKey, ProblemLog, dotted_path
from generator.spec.scalars import plain_scalar
from generator.spec.source import RawFlaw, SpecSource, read_spec_source
from generator.spec.yaml_guard import check_events
from generator.spec.yaml_parsers import MERGE_TAG, compose, yaml_error_diagnostic

__all__ = ["LoadedSpec", "PathKey", "dotted_path", "load_spec_file"]


@dataclass(frozen=True)
class LoadedSpec:
    """A parsed spec document and where each of its nodes came from."""

    file: str
    data: Any
    marks: dict[PathKey, SourceMark]
    # Where the key of each mapping entry is written; for block values that is the line above the value.
    key_marks: dict[PathKey, SourceMark] = field(default_factory=dict)

    def mark_of(self, path: PathKey) -> SourceMark:
        """The mark of ``path`` or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return mark
        return SourceMark(self.file, 1, 1)

    def key_mark_of(self, path: PathKey) -> SourceMark:
        """The mark of the key that ``path`` ends in; list items and unknown paths fall back to ``mark_of``."""
        mark = self.key_marks.get(path)
        return mark if mark is not None else self.mark_of(path)


def _is_plain(node: yaml.Node) -> bool:
    # The Python parser marks an unquoted scalar with style None, libyaml with ''.
    return isinstance(node, yaml.ScalarNode) and not node.style


class _Builder:
    """Plain data from a node tree the event pass has bounded (depth and size, aliases expanded)."""

    def __init__(self, file: str, log: ProblemLog, flaws: tuple[RawFlaw, ...]) -> None:
        self.file = file
        self.log = log
        self.marks: dict[PathKey, SourceMark] = {}
        self.key_marks: dict[PathKey, SourceMark] = {}
        # Characters the reader refused, reported here at the scalar that holds them.
        self.flaws = flaws
        self._flaw_positions = [flaw.position for flaw in flaws]
        self._flaws_reported: set[int] = set()
        # An alias builds its node again at every use: report each problem once, at the first (the anchor's) path.
        self._reported: set[tuple[int, str]] = set()
        self._scalars: dict[int, Any] = {}

    def mark(self, node: yaml.Node) -> SourceMark:
        return SourceMark(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def problem(self, node: yaml.Node, path: PathKey, message: str) -> None:
        if (id(node), message) not in self._reported:
            self._reported.add((id(node), message))
            self.log.add(Diagnostic(self.mark(node), dotted_path(path), message))

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.marks[path] = self.mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            if key is None:
                continue
            key_path = (*path, key)
            first = self.key_marks.get(key_path)
            if first is not None:
                # The first definition is kept, so later stages see what the reader saw first.
                self.problem(key_node, key_path, f"duplicate key '{key}' (first defined at line {first.line}); "
                             "a key may appear only once in a mapping")
                continue
            self.key_marks[key_path] = self.mark(key_node)
            result[key] = self.build(value_node, key_path)
        return result

    def _key(self, node: yaml.Node, path: PathKey) -> str | None:
        """The key as written in the file (``200``, ``true`` and ``null`` stay text), or None to skip the entry."""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, path, "mapping keys must be scalars")
            return None
        if node.tag == MERGE_TAG:
            return None  # reported by the event pass
        key = clean_text(node.value)
        self._check_text(node, (*path, key), node.value)
        return key

    def _scalar(self, node: yaml.Node, path: PathKey) -> Any:
        if id(node) in self._scalars:  # built before, through an alias
            return self._scalars[id(node)]
        # Explicit tags were reported by the event pass; a tagged scalar is read as if it had none.
        value: Any = node.value
        if _is_plain(node):
            value, problem = plain_scalar(node.value)
            if problem is not None:
                self.problem(node, path, problem)
        if isinstance(value, str):
            self._check_text(node, path, value)
            value = clean_text(value)
        self._scalars[id(node)] = value
        return value

    def _check_text(self, node: yaml.Node, path: PathKey, text: str) -> None:
        problem = text_problem(text)
        if problem is not None:
            self.problem(node, path, problem if path else f"the file {problem}")
        self._report_flaws_within(node, path)

    def _report_flaws_within(self, node: yaml.Node, path: PathKey) -> None:
        start = (node.start_mark.line + 1, node.start_mark.column + 1)
        end = (node.end_mark.line + 1, node.end_mark.column + 1)
        first = bisect.bisect_left(self._flaw_positions, start)
        for index in range(first, bisect.bisect_left(self._flaw_positions, end)):
            if index not in self._flaws_reported:  # an alias builds the same node again
                self._flaws_reported.add(index)
                flaw = self.flaws[index]
                subject = "contains" if path else "the file contains"  # a document that is one scalar
                self.log.add(Diagnostic(SourceMark(self.file, *flaw.position), dotted_path(path),
                                        f"{subject} {flaw.problem}"))

    def report_remaining_flaws(self) -> None:
        """The refused characters outside any scalar (in comments, between tokens), or never built."""
        for index, flaw in enumerate(self.flaws):
            if index not in self._flaws_reported:
                self.log.add(Diagnostic(SourceMark(self.file, *flaw.position), "", f"the file contains {flaw.problem}"))


def _is_null(root: yaml.Node) -> bool:
    # A lone '---' or 'null' is a document holding nothing, just like an empty file.
    return _is_plain(root) and plain_scalar(root.value) == (None, None)


def _compose_checked(source: SpecSource, log: ProblemLog) -> tuple[bool, yaml.Node | None]:
    """Whether the file could be read, and its node tree (None for an empty document)."""
    checked = check_events(source.text, source.positions)
    log.merge(checked.log)
    if checked.fatal:
        return False, None
    try:
        return True, compose(source.text, checked.loader)
    except yaml.YAMLError as exc:  # the event pass should have found it; still located, never raised
        log.add(yaml_error_diagnostic(exc, source.positions))
        return False, None


def load_spec_file(path: Path, display_name: str) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """Parse one spec file; every problem, whatever the file holds, comes back as a located diagnostic."""
    log = ProblemLog()
    source = read_spec_source(path, display_name, log)
    if source is None:
        return None, log.sorted()
    builder = _Builder(display_name, log, source.flaws)
    read, root = _compose_checked(source, log)
    loaded = None
    if root is not None and not _is_null(root):
        loaded = LoadedSpec(display_name, builder.build(root, ()), builder.marks, builder.key_marks)
    elif read:
        log.add(Diagnostic(SourceMark(display_name, 1, 1), "", "the file is empty; expected a provider spec"))
    builder.report_remaining_flaws()
    return loaded, log.sorted()
