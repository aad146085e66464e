"""libyaml composes the same nodes, with the same marks, as the Python parser it replaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec import loader

ROOT = Path(__file__).resolve().parents[2]
SPEC_FILES = sorted(ROOT.glob("specs/*.yaml")) + sorted(ROOT.glob("tests/bad_specs/*.yaml"))
TRICKY = [
    "a: on\nb: 16:9\nc: 1:1\nd: yes\ne: True\nf: 0x1F\ng: 1_000\nh: ~\ni: 2026-01-01\n",
    "名前: 中文说明\nratios: ['16:9', 21:9]\n  nested: 1\n",
    "x: [1,\n",
    "- a\n b: 2\n",
]


def _nodes(node: Any, out: list[Any]) -> list[Any]:
    if node is None:  # an empty document
        return out
    out.append((type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column,
                node.value if isinstance(node, yaml.ScalarNode) else None))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _nodes(key, out)
            _nodes(value, out)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _nodes(item, out)
    return out


def _compose(text: str, loader_class: Any) -> list[Any] | str:
    try:
        return _nodes(yaml.compose(text, Loader=loader_class), [])
    except yaml.YAMLError:
        return "syntax error"


@pytest.mark.skipif(loader._FastSpecLoader is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", [path.read_text(encoding="utf-8") for path in SPEC_FILES] + TRICKY)
def test_libyaml_and_python_parsers_agree(text: str) -> None:
    assert _compose(text, loader._FastSpecLoader) == _compose(text, loader._SpecLoader)


def test_syntax_errors_keep_the_python_parsers_wording(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("provider:\n  id: x\n  name: [unclosed\n", encoding="utf-8")
    loaded, problems = loader.load_spec_file(spec, "specs/broken.yaml")
    assert loaded is None
    assert [str(p) for p in problems] == [
        ("specs/broken.yaml:4:1: error: invalid YAML: expected ',' or ']', but got '<stream end>' "
         "(while parsing a flow sequence at line 3, column 9)")
    ]
