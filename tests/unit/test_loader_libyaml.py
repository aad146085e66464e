"""libyaml composes the same nodes, with the same marks, as the Python parser it replaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.spec import loader, yaml_parsers

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


@pytest.mark.skipif(yaml_parsers.LIBYAML_LOADER is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", [path.read_text(encoding="utf-8") for path in SPEC_FILES] + TRICKY)
def test_libyaml_and_python_parsers_agree(text: str) -> None:
    assert _compose(text, yaml_parsers.LIBYAML_LOADER) == _compose(text, yaml_parsers.SpecLoader)


def test_syntax_errors_keep_the_python_parsers_wording(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("provider:\n  id: x\n  name: [unclosed\n", encoding="utf-8")
    loaded, problems = loader.load_spec_file(spec, "specs/broken.yaml")
    assert loaded is None
    assert [str(p) for p in problems] == [
        ("specs/broken.yaml:4:1: error: invalid YAML: expected ',' or ']', but got '<stream end>' "
         "(while parsing a flow sequence at line 3, column 9)")
    ]


# One line per rejection of tests/unit/test_loader_hostile.py: both parsers must give the same diagnostics and data.
HOSTILE = [
    "a: !foo x\nb: !!int one\nc: !!set {x}\nd: !!binary aGk=\ne: !!python/object:os.system {}\nf: !<%00> x\n",
    "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
    "id: 2024-05-01\nat: 2024-05-01T10:00:00Z\nn: 0x1F\no: 017\np: 16:9\n200: a\ntrue: b\nnull: c\n",
    "a: x\x00y\nb: \x07\n# \x1b\n",
    'a: "\\0"\nb: "\\a"\nc: "\\e"\nd: "\\x85"\ne: "\\u202e"\n',
    'a: "\\ud800"\n',
    'a: "\\U00110000"\n',
    f"a: {'9' * 5000}\nb: .inf\nc: -.inf\nd: .nan\ne: 1.0e+999\n",
    "a: &x [1, *x]\n",
    "a: &x 1\nb: &x 2\nc: *y\n",
    "a: " + "[" * 300 + "]" * 300 + "\n",
    "a: " + "[" * 1000 + "]" * 1000 + "\n",
    "".join(" " * i + f"k{i}:\n" for i in range(300)),
    "- " * 1000 + "x\n",
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    ),
    "a: 1\n---\nb: 2\n",
    "a: {b: 1\nc: !foo 2\n",
]


def _load_all(tmp_path: Path, text: str) -> tuple[Any, list[str]]:
    spec = tmp_path / "hostile.yaml"
    spec.write_text(text, encoding="utf-8")
    loaded, problems = loader.load_spec_file(spec, "specs/x.yaml")
    kept = None if loaded is None else (loaded.data, loaded.marks, loaded.key_marks)
    return kept, [str(p) for p in problems]


@pytest.mark.skipif(yaml_parsers.LIBYAML_LOADER is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", HOSTILE)
def test_both_parsers_reject_hostile_files_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    with_libyaml = _load_all(tmp_path, text)
    monkeypatch.setattr(yaml_parsers, "LIBYAML_LOADER", None)
    assert _load_all(tmp_path, text) == with_libyaml
    assert with_libyaml[1]  # every one of them is rejected
