"""Read a spec YAML file into plain data plus the source mark of every node.

Marks are keyed by the node's path (a tuple of mapping keys and list
indexes), so later stages can point at the exact line of any value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Diagnostic, SourceMark

PathKey = tuple[str | int, ...]

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"


@dataclass(frozen=True)
class LoadedSpec:
    """A parsed spec document and where each of its nodes came from."""

    file: str
    data: Any
    marks: dict[PathKey, SourceMark]

    def mark_of(self, path: PathKey) -> SourceMark:
        """The mark of ``path`` or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return mark
        return SourceMark(self.file, 1, 1)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: dict[PathKey, SourceMark] = {}
        self.problems: list[Diagnostic] = []
        self._constructor = yaml.SafeLoader("")

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
            key_text = str(key)
            if key_text in result:
                self.problems.append(
                    Diagnostic(self.mark(key_node), _dotted((*path, key_text)), f"duplicate key '{key_text}'")
                )
                continue
            result[key_text] = self.build(value_node, (*path, key_text))
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


def load_spec_file(path: Path, display_name: str) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """Parse one spec file; syntax errors come back as diagnostics, never raised."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic(SourceMark(display_name, 1, 1), "", f"cannot read file: {exc}")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"invalid YAML: {exc.problem or exc.context}"
        return None, [Diagnostic(SourceMark(display_name, line, column), "", message)]
    if root is None:
        return None, [Diagnostic(SourceMark(display_name, 1, 1), "", "the file is empty; expected a provider spec")]
    builder = _Builder(display_name)
    data = builder.build(root, ())
    return LoadedSpec(display_name, data, builder.marks), builder.problems
