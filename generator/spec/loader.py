"""Read a spec YAML file into plain data plus the source mark of every node.

Marks are keyed by the node's path (a tuple of mapping keys and list
indexes), so later stages can point at the exact line of any value; key
marks do the same for the keys of mappings, for errors about a key itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Diagnostic, SourceMark

PathKey = tuple[str | int, ...]

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"


class _SpecLoader(yaml.SafeLoader):
    """SafeLoader whose only booleans are true/false.

    YAML 1.1 also reads on/off/yes/no/y/n as booleans, which silently turns an
    enum value 'on' into True and a field named 'no' into the key 'False'.
    """


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SpecLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"), list("tTfF"))

def _fast_loader() -> type | None:
    """A loader on libyaml's parser, or None where PyYAML was built without it.

    It composes the same nodes, with the same marks, about ten times faster; the
    Python parser stays the reference for syntax errors (libyaml words them differently).
    """
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None

    class _CSpecLoader(CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _CSpecLoader.yaml_implicit_resolvers = _SpecLoader.yaml_implicit_resolvers
    return _CSpecLoader


_FastSpecLoader = _fast_loader()


def _compose(text: str) -> yaml.Node | None:
    """The document's node tree; syntax errors raise as the Python parser words them."""
    if _FastSpecLoader is not None:
        try:
            return yaml.compose(text, Loader=_FastSpecLoader)
        except yaml.YAMLError:
            pass  # re-read below for the reference message and position
    return yaml.compose(text, Loader=_SpecLoader)


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


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: dict[PathKey, SourceMark] = {}
        self.key_marks: dict[PathKey, SourceMark] = {}
        self.problems: list[Diagnostic] = []
        self._constructor = _SpecLoader("")

    def mark(self, node: yaml.Node) -> SourceMark:
        return SourceMark(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.marks[path] = self.mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node)
            if not isinstance(key, (str, int, float, bool)):
                self.problems.append(Diagnostic(self.mark(key_node), _dotted(path), "mapping keys must be scalars"))
                continue
            key_path = (*path, str(key))
            first = self.key_marks.get(key_path)
            if first is not None:
                # The first definition is kept, so later stages see what the reader saw first.
                message = (f"duplicate key '{key}' (first defined at line {first.line}); "
                           "a key may appear only once in a mapping")
                self.problems.append(Diagnostic(self.mark(key_node), _dotted(key_path), message))
                continue
            self.key_marks[key_path] = self.mark(key_node)
            result[str(key)] = self.build(value_node, key_path)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return None
        # YAML 1.1 reads 16:9 as the base-60 integer 969; ratios must stay text.
        if node.tag in (_INT_TAG, _FLOAT_TAG) and ":" in node.value:
            return node.value
        return self._constructor.construct_object(node, deep=True)


def _dotted(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def dotted_path(path: PathKey) -> str:
    """Render a node path the way diagnostics show it: ``a.b[2].c``."""
    return _dotted(path)


def _syntax_error(display_name: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = f"invalid YAML: {exc.problem or exc.context}"
    # The problem is often found lines after its cause (an unclosed '{'); the context says where that began.
    if exc.problem and exc.context and exc.problem_mark and exc.context_mark:
        start = exc.context_mark
        message += f" ({exc.context} at line {start.line + 1}, column {start.column + 1})"
    return Diagnostic(SourceMark(display_name, line, column), "", message)


def _is_null(root: yaml.Node) -> bool:
    # A lone '---' or 'null' is a document holding nothing, just like an empty file.
    return isinstance(root, yaml.ScalarNode) and root.tag == _NULL_TAG


def load_spec_file(path: Path, display_name: str) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """Parse one spec file; syntax errors come back as diagnostics, never raised."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic(SourceMark(display_name, 1, 1), "", f"cannot read file: {exc}")]
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(display_name, exc)]
    if root is None or _is_null(root):
        return None, [Diagnostic(SourceMark(display_name, 1, 1), "", "the file is empty; expected a provider spec")]
    builder = _Builder(display_name)
    data = builder.build(root, ())
    return LoadedSpec(display_name, data, builder.marks, builder.key_marks), builder.problems
