"""A first pass over the YAML event stream, before any node tree is built.

PyYAML's composer and our builder recurse, and the builder expands aliases, so a
hostile file could exhaust the stack, the memory or the clock before any later
check runs. This pass reads one event at a time, without recursion, and stops
at the first hard limit:

- nesting deeper than ``MAX_DEPTH`` levels, counting what aliases expand to;
- more than ``MAX_VALUES`` values once aliases are expanded (the billion-laughs bomb).

It also reports what the spec language leaves out of YAML: explicit tags, merge
keys, recursive, undefined or twice-defined anchors, and a second document. The
last three, like the hard limits, keep the tree from being composed at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml import AliasEvent, CollectionEndEvent, CollectionStartEvent, DocumentStartEvent, Event, ScalarEvent

from generator.errors import Diagnostic, SourceMark
from generator.spec.characters import clean_text
from generator.spec.located import PathKey, ProblemLog, SourcePositions, dotted_path
from generator.spec.yaml_parsers import LoaderClass, spec_loaders, yaml_error_diagnostic

# Real specs nest about 15 levels; the limit keeps every recursion far from Python's.
MAX_DEPTH = 64
# Real specs hold a few thousand values; a bomb of aliases is stopped long before it costs time.
MAX_VALUES = 100_000

_CORE_TAG_PREFIX = "tag:yaml.org,2002:"
_SHOWN_TAG_LENGTH = 40


@dataclass
class _OpenNode:
    """A mapping or list whose end has not been read yet."""

    path: PathKey
    is_mapping: bool
    anchor: str | None
    values_before: int
    height: int = 1  # levels of nesting it holds, itself included, aliases expanded
    index: int = 0
    key: str | None = None
    expect_key: bool = True


@dataclass(frozen=True)
class _Anchored:
    """What an alias to a finished anchored node repeats."""

    values: int
    height: int


@dataclass
class EventCheck:
    """What the event pass found, and whether the tree may be composed."""

    loader: LoaderClass
    log: ProblemLog = field(default_factory=ProblemLog)
    fatal: bool = False
    values: int = 0
    depth: int = 0  # deepest nesting seen, aliases expanded


def check_events(text: str, positions: SourcePositions) -> EventCheck:
    """Check the event stream of ``text``; the result names the parser that read it without error."""
    *fast, reference = spec_loaders()
    for loader in fast:
        guard = _EventGuard(positions, loader)
        try:
            guard.read(text)
            return guard.result
        except yaml.YAMLError:
            pass  # read again below, for the reference parser's wording and position
    guard = _EventGuard(positions, reference)
    try:
        guard.read(text)
    except yaml.YAMLError as exc:
        guard.result.log.add(yaml_error_diagnostic(exc, positions))
        guard.result.fatal = True
    return guard.result


def _shown_tag(tag: str) -> str:
    # libyaml keeps a tag as a C string: cut it at a NUL as libyaml does, so both parsers name the same tag.
    tag = tag.split("\0", 1)[0]
    if tag.startswith(_CORE_TAG_PREFIX):
        tag = "!!" + tag[len(_CORE_TAG_PREFIX):]
    elif not tag.startswith("!"):
        tag = f"!<{tag}>"
    return clean_text(tag if len(tag) <= _SHOWN_TAG_LENGTH else tag[:_SHOWN_TAG_LENGTH] + "...")


class _EventGuard:
    def __init__(self, positions: SourcePositions, loader: LoaderClass) -> None:
        self.file = positions.file
        self.result = EventCheck(loader)
        self.open: list[_OpenNode] = []
        # An anchor maps to None while its node is still open: an alias to it then is recursive.
        self.anchors: dict[str, _Anchored | None] = {}
        self.anchor_lines: dict[str, int] = {}
        self.documents = 0

    def read(self, text: str) -> None:
        for event in yaml.parse(text, Loader=self.result.loader):
            if not self.feed(event):
                return

    def feed(self, event: Event) -> bool:
        """Take one event; False once a hard limit is passed and reading must stop."""
        if isinstance(event, DocumentStartEvent):
            return self._document(event)
        if isinstance(event, ScalarEvent):
            return self._scalar(event)
        if isinstance(event, AliasEvent):
            return self._alias(event)
        if isinstance(event, CollectionStartEvent):
            return self._open_collection(event)
        if isinstance(event, CollectionEndEvent):
            self._close_collection()
        return True

    def _report(self, event: Event, path: PathKey, message: str, fatal: bool = False) -> None:
        mark = event.start_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.result.log.add(Diagnostic(SourceMark(self.file, line, column), dotted_path(path), message))
        self.result.fatal = self.result.fatal or fatal

    def _place(self, key_text: str | None) -> tuple[PathKey, bool]:
        """The path of the node starting now, and whether it is a mapping key."""
        if not self.open:
            return (), False
        parent = self.open[-1]
        if not parent.is_mapping:
            parent.index += 1
            return (*parent.path, parent.index - 1), False
        is_key = parent.expect_key
        if is_key:
            # A key that is not a scalar has no name; what it holds is placed at the mapping.
            parent.key = None if key_text is None else clean_text(key_text)
        parent.expect_key = not is_key
        return (parent.path if parent.key is None else (*parent.path, parent.key)), is_key

    def _document(self, event: DocumentStartEvent) -> bool:
        self.documents += 1
        if self.documents == 1:
            return True
        self._report(event, (), "a spec file holds one YAML document; "
                     "move the document that starts here to a file of its own", fatal=True)
        return False

    def _check_tag(self, event: ScalarEvent | CollectionStartEvent, path: PathKey, instead: str) -> None:
        if event.tag is not None:
            self._report(event, path, f"YAML tags such as {_shown_tag(event.tag)} are not part of the "
                         f"spec language; {instead}")

    def _new_anchor(self, event: ScalarEvent | CollectionStartEvent, path: PathKey) -> str | None:
        """The anchor the node defines, if any and if it is not a second definition."""
        name = event.anchor
        if name is None:
            return None
        first = self.anchor_lines.get(name)
        if first is not None:
            # Both composers refuse to read on, so this stops the tree from being built.
            self._report(event, path, f"the anchor &{name} is already defined at line {first}; "
                         "give each anchor its own name", fatal=True)
            return None
        mark = event.start_mark
        self.anchor_lines[name] = mark.line + 1 if mark is not None else 1
        return name

    def _scalar(self, event: ScalarEvent) -> bool:
        path, is_key = self._place(event.value)
        self._check_tag(event, path, "quote the value to make it text")
        if is_key and event.tag is None and event.implicit[0] and event.value == "<<":
            self._report(event, path[:-1], "merge keys (<<) are not supported; write the keys out")
        anchor = self._new_anchor(event, path)
        if anchor is not None:
            self.anchors[anchor] = _Anchored(values=1, height=0)
        return is_key or self._count(event, path, 1, None)

    def _alias(self, event: AliasEvent) -> bool:
        path, is_key = self._place(None)
        name = event.anchor or ""
        if name not in self.anchor_lines:
            self._report(event, path, f"the alias *{name} refers to no anchor; "
                         f"define &{name} before it, or write the value out", fatal=True)
            return True
        target = self.anchors.get(name)
        if target is None:
            self._report(event, path, f"the alias *{name} is inside the node it refers to (a recursive alias); "
                         "spec data is a tree: write the repeated part out", fatal=True)
            return True
        if len(self.open) + target.height > MAX_DEPTH:
            self._report(event, path, f"the alias *{name} nests the spec deeper than {MAX_DEPTH} levels here "
                         "once expanded; no spec needs that many: alias a smaller part", fatal=True)
            return False
        self._grow(target.height)
        return is_key or self._count(event, path, target.values, name)

    def _open_collection(self, event: CollectionStartEvent) -> bool:
        path, is_key = self._place(None)
        self._check_tag(event, path, "remove it and write a plain mapping or list")
        if len(self.open) >= MAX_DEPTH:
            self._report(event, path, f"the spec nests deeper than {MAX_DEPTH} levels here; "
                         "no spec needs that many (the shipped ones need about 15): flatten this part",
                         fatal=True)
            return False
        anchor = self._new_anchor(event, path)
        if anchor is not None:
            self.anchors[anchor] = None
        is_mapping = isinstance(event, yaml.MappingStartEvent)
        self.open.append(_OpenNode(path, is_mapping, anchor, self.result.values))
        self.result.depth = max(self.result.depth, len(self.open))
        return is_key or self._count(event, path, 1, None)

    def _close_collection(self) -> None:
        node = self.open.pop()
        if node.anchor is not None:
            self.anchors[node.anchor] = _Anchored(self.result.values - node.values_before, node.height)
        self._grow(node.height)

    def _grow(self, height: int) -> None:
        """Note a child ``height`` levels deep in the innermost open node."""
        if self.open:
            self.open[-1].height = max(self.open[-1].height, height + 1)
        self.result.depth = max(self.result.depth, len(self.open) + height)

    def _count(self, event: Event, path: PathKey, values: int, alias: str | None) -> bool:
        self.result.values += values
        if self.result.values <= MAX_VALUES:
            return True
        if alias is None:
            message = (f"the spec holds more than {MAX_VALUES:,} values here; "
                       "no spec needs that many: shorten it")
        else:
            message = (f"the alias *{alias} repeats {values:,} values and takes the spec past "
                       f"{MAX_VALUES:,} values; aliases may share a part of a spec, not multiply it: use fewer")
        self._report(event, path, message, fatal=True)
        return False
