"""Spec text reaches generated files only through the escaping filters, in every template.

The static check reads each template's Jinja syntax tree: every ``{{ ... }}`` must end in
a filter that is safe for the file's language, call a macro (whose own outputs are checked
the same way), or print a literal the template author wrote. The property tests then prove
each filter safe for any text at all.
"""

from __future__ import annotations

import ast
import io
import math
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import nodes

from generator.errors import RenderError
from generator.render.env import make_env
from generator.render.escape import (
    Code,
    annotation,
    code,
    comment_text,
    docstring_text,
    dotted_name,
    identifier,
    md_block,
    md_cell,
    md_code,
    md_inline,
    md_link,
    md_text,
    py_literal,
)
from generator.render.model_shape import check_model_module

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

PYTHON = frozenset({"py", "doc", "comment", "ident", "dotted", "annotation", "input_annotation",
                    "param_annotation", "code"})
MARKDOWN = frozenset({"md", "md_inline", "md_cell", "md_code", "md_code_cell", "md_link", "md_block", "code", "ident",
                      "dotted"})
CONFIG = frozenset({"json", "comment", "code"})
# Which filters make a value safe, by the language of the file a template renders.
SAFE_FILTERS = {".py.jinja": PYTHON, ".md.jinja": MARKDOWN, ".yml.jinja": CONFIG, ".toml.jinja": CONFIG,
                "LICENSE.jinja": frozenset({"line", "code"})}
# The scaffold renders a YAML spec for the author to edit from their own provider id; it is not generated code.
NOT_CHECKED = ("scaffold/",)


def _templates() -> list[str]:
    names = sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.jinja"))
    return [name for name in names if not name.startswith(NOT_CHECKED)]


def _safe_filters(name: str) -> frozenset[str]:
    if name.startswith("_macros/"):
        return PYTHON  # the macros build Python code
    return next(filters for suffix, filters in SAFE_FILTERS.items() if name.endswith(suffix))


def _outputs(tree: nodes.Template) -> Iterator[nodes.Expr]:
    for output in tree.find_all(nodes.Output):
        for child in output.nodes:
            if not isinstance(child, nodes.TemplateData):
                yield child


def _is_safe(expr: nodes.Expr, safe: frozenset[str], macros: set[str]) -> bool:
    if isinstance(expr, nodes.Const):
        return True  # a literal the template author wrote
    if isinstance(expr, nodes.CondExpr):
        return _is_safe(expr.expr1, safe, macros) and (expr.expr2 is None or _is_safe(expr.expr2, safe, macros))
    if isinstance(expr, nodes.Filter):
        return expr.name in safe
    if isinstance(expr, nodes.Call):
        func = expr.node
        return (isinstance(func, nodes.Name) and func.name in macros) or (
            isinstance(func, nodes.Getattr) and isinstance(func.node, nodes.Name) and func.node.name in macros)
    return False


def _unsafe_outputs(name: str) -> list[str]:
    env = make_env(TEMPLATES)
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    tree = env.parse(source)
    # Macros defined here and template modules imported as a name ({% import ... as client %}).
    macros = {macro.name for macro in tree.find_all(nodes.Macro)}
    macros |= {node.target for node in tree.find_all(nodes.Import)}
    safe = _safe_filters(name)
    return [f"{name}:{expr.lineno}: {type(expr).__name__}" for expr in _outputs(tree)
            if not _is_safe(expr, safe, macros)]


def test_every_template_is_checked() -> None:
    names = _templates()
    assert len(names) >= 20
    assert {"client/client.py.jinja", "_macros/client.jinja", "models/bases.py.jinja",
            "docs/provider.md.jinja", "package/pyproject.toml.jinja"} <= set(names)


@pytest.mark.parametrize("name", _templates())
def test_every_output_goes_through_an_escaping_filter(name: str) -> None:
    assert _unsafe_outputs(name) == []


def test_the_check_catches_raw_output(tmp_path: Path) -> None:
    # The check itself must be able to fail: a raw print, a concatenation, an unsafe filter.
    env = make_env(tmp_path)
    for source in ('"""{{ title }}"""', "{{ a ~ b|py }}", "{{ title|upper }}", "{{ title|safe }}"):
        tree = env.parse(source)
        assert not all(_is_safe(expr, PYTHON, set()) for expr in _outputs(tree)), source


def test_the_code_filter_refuses_plain_text() -> None:
    with pytest.raises(RenderError):
        code("__import__('os')")
    assert code(Code("from . import models")) == "from . import models"


def test_rendering_refuses_raw_text_as_code(tmp_path: Path) -> None:
    (tmp_path / "t.py.jinja").write_text("x = 1\n{{ line|code }}\n", encoding="utf-8")
    env = make_env(tmp_path)
    with pytest.raises(RenderError):
        env.get_template("t.py.jinja").render(line="import os")


# -- every filter is safe for any text --------------------------------------------------

# Any code point, and strings over the few characters that end strings, comments and markup,
# where the dangerous combinations (a quote before a space, a backslash at the end) are dense.
ANY_TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)) | st.text(
    st.sampled_from(list("\"'\\ \n\t\r\x00`#<>[]()|:=-a\u2028\u202e\ud800"))) | st.sampled_from([
    '"""', "'''", 'x"', "x\\", "\\", "C:\\Users\\new\\doc.txt", "\\N{", "a\nimport os", "\r\nx = 1", "\0",
    "\ud800", "\u202e", "\u2028", "# coding: latin-1", "`", "``x``", "<script>", "[a](b.md)", "|", "-->",
    'a" ', 'x"\n', '"\t', ' "" ', "\\ ",
])
JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)


def _python_text(source: str) -> str:
    # Generated files are written as UTF-8; a lone surrogate would not even encode.
    return source.encode("utf-8").decode("utf-8")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(JSON_LIKE)
def test_py_literal_is_the_value(value: object) -> None:
    source = _python_text(py_literal(value))
    tree = ast.parse(source, mode="eval")
    assert not any(isinstance(node, ast.Call) and not _is_float_call(node) for node in ast.walk(tree))
    result = eval(compile(tree, "<literal>", "eval"), {"__builtins__": {"float": float}})
    assert _same(result, value)


def _is_float_call(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id == "float"


def _same(result: object, value: object) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return isinstance(result, float) and math.isnan(result)
    if isinstance(value, list):
        return isinstance(result, list) and len(result) == len(value) and all(map(_same, result, value))
    if isinstance(value, dict):
        return isinstance(result, dict) and list(result) == list(value) and all(
            _same(result[key], item) for key, item in value.items())
    return type(result) is type(value) and result == value


@settings(max_examples=300, deadline=None, derandomize=True)
@given(ANY_TEXT)
def test_docstrings_cannot_be_closed_early(text: str) -> None:
    source = _python_text(f'def f():\n    """{docstring_text(text)}"""\n')
    tree = ast.parse(source)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef) and len(tree.body) == 1 and len(function.body) == 1
    doc = ast.get_docstring(function, clean=False)
    assert doc is not None
    visible = "".join(char for char in text if char.isprintable() or char in "\n\t").strip()
    assert all(char in doc for char in visible if char not in '\\"')


@settings(max_examples=300, deadline=None, derandomize=True)
@given(ANY_TEXT)
def test_comments_stay_one_comment(text: str) -> None:
    comment = comment_text(text)
    source = _python_text(f"# {comment}\nx = 1\n")
    assert ast.dump(ast.parse(source)) == ast.dump(ast.parse("x = 1\n"))
    tokens = [token for token in tokenize.generate_tokens(io.StringIO(source).readline)
              if token.type == tokenize.COMMENT]
    assert len(tokens) == 1
    assert "coding:" not in comment and "coding=" not in comment


@settings(max_examples=200, deadline=None, derandomize=True)
@given(ANY_TEXT)
def test_identifiers_are_checked_not_trusted(text: str) -> None:
    try:
        name = identifier(text)
    except RenderError:
        return
    assert name.isidentifier() and name.isascii()
    tree = ast.parse(f"{name} = 1")
    assert isinstance(tree.body[0], ast.Assign)


@pytest.mark.parametrize("text", ["None", "class", "a b", "a;b", "x\n", "é", "", "1a", "a.b"])
def test_identifier_refuses(text: str) -> None:
    with pytest.raises(RenderError):
        identifier(text)


def test_dotted_names() -> None:
    assert dotted_name(".") == "."
    assert dotted_name(".._runtime.errors") == ".._runtime.errors"
    assert dotted_name("imagerelay.acme") == "imagerelay.acme"
    for bad in ("imagerelay.class", "a..b", "a.b;import os", ".x y"):
        with pytest.raises(RenderError):
            dotted_name(bad)


@pytest.mark.parametrize("text", ["str | None", "list[models.Part | ImageSource]", "Literal['a', \"b\\n\"]",
                                  "catalog.ModelId", "dict[str, Any]"])
def test_annotations_that_are_types(text: str) -> None:
    assert annotation(text) == text


@pytest.mark.parametrize("text", ["__import__('os')", "x if y else z", "lambda: 1", "[i for i in x]", "a; b",
                                  "str)\nimport os\n(", "f'{x}'", "x := 1"])
def test_annotations_that_run_code_are_refused(text: str) -> None:
    with pytest.raises(RenderError):
        annotation(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(ANY_TEXT)
def test_markdown_text_holds_no_html_or_links(text: str) -> None:
    for render in (md_text, md_inline, md_cell):
        out = render(text)
        outside = _outside_code_spans(out)
        # CommonMark raw HTML and autolinks start with "<" and an ASCII letter, "/", "!" or "?".
        assert not re.search(r"<[A-Za-z/!?]", outside)
        assert "](" not in outside.replace("\\]", "")
    assert "\n" not in md_inline(text) and "\n" not in md_cell(text)


def _outside_code_spans(text: str) -> str:
    return re.sub(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", text, flags=re.DOTALL)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(ANY_TEXT)
def test_code_spans_and_blocks_hold_the_text(text: str) -> None:
    span = md_code(text)
    fence = span[: len(span) - len(span.lstrip("`"))]
    inner = span[len(fence) : -len(fence)]
    assert fence * 1 not in inner  # the fence never appears inside
    block = md_block(text, "python")
    first, _, rest = block.partition("\n")
    assert first.startswith("```") and first.endswith("python")
    fence = first[: -len("python")]
    assert rest.endswith("\n" + fence)
    assert fence not in rest[: -len(fence) - 1]


def test_links_are_encoded() -> None:
    assert md_link("acme.md") == "acme.md"
    assert md_link("x).md") == "x%29.md"
    assert md_link("a b.md#size-tables") == "a%20b.md#size-tables"


def test_the_environment_uses_these_filters() -> None:
    env = make_env(TEMPLATES)
    template = env.from_string('"""{{ x|doc }}"""\n# {{ x|comment }}\ny = {{ x|py }}\n')
    source = template.render(x='"""\nimport os\n"""')
    tree = ast.parse(source)
    assert [type(node).__name__ for node in tree.body] == ["Expr", "Assign"]
    assert isinstance(env.undefined, type) and issubclass(env.undefined, jinja2.StrictUndefined)


# -- models.py comes from datamodel-code-generator: its output is checked instead ----------

MODEL = '''from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from imagerelay._runtime.model import RelayModel


class Part(RelayModel):
    """Doc with ""\\" quotes."""

    text: Annotated[str | None, Field(alias="Text", description='x"""\\n__import__("os")', pattern="^a$")] = None
    mode: Literal["a", "b"] = "a"
    size: Annotated[int, Field(ge=-1, le=4)] = 1
'''


def test_a_declarative_models_module_passes() -> None:
    check_model_module(MODEL, "models.py")


@pytest.mark.parametrize("extra", [
    "RELAYGEN_CANARY_1()\n",
    "import os\n",
    "class X(RelayModel):\n    x: int = __import__('os').getpid()\n",
    "class X(RelayModel):\n    x: int = RELAYGEN_CANARY_1\n",
    "class X(RelayModel):\n    def f(self) -> None: ...\n",
    "class X(RelayModel):\n    x: Annotated[int, Field(default_factory=lambda: 1)]\n",
    "class X(RelayModel):\n    \"\"\"doc\"\"\"\n    RELAYGEN_CANARY_1()\n",
    "@dataclass\nclass X(RelayModel):\n    x: int\n",
])
def test_code_in_a_models_module_is_refused(extra: str) -> None:
    with pytest.raises(RenderError):
        check_model_module(MODEL + "\n\n" + extra, "models.py")
