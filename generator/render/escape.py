"""The only ways spec text enters a generated file: one filter per context.

Each filter is total over every possible input string: it returns a form that is
safe in its context whatever the text holds (quotes, backslashes, newlines, NUL,
lone surrogates, bidi controls), or raises RenderError for a value that is not
text at all. Templates print spec-derived values only through these filters;
``tests/unit/test_template_escaping.py`` checks that over the whole template set.

Python: ``py`` (a literal), ``doc`` (inside a triple-quoted docstring), ``comment``
(after ``#``), ``ident`` (a name the checker has already validated), ``annotation``
(a type expression the IR spelled), ``code`` (a fragment the render stage built
itself). Markdown: ``md`` (prose), ``md_inline`` (prose on one line), ``md_cell``
(a table cell), ``md_code`` (an inline code span), ``md_block`` (a fenced code
block). YAML and TOML values: ``json``.
"""

from __future__ import annotations

import ast
import json
import keyword
import math
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from generator.errors import RenderError
from generator.ir.nodes import TypeIR
from generator.ir.types import input_annotation

# Characters that may change how source is read or shown: controls, surrogates,
# format characters (bidi overrides: "Trojan Source"), line and paragraph separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})


class Code(str):
    """Source text built by the render stage from checked names and escaped literals."""

    __slots__ = ()


def _escape_char(char: str) -> str:
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


def _is_unsafe(char: str, keep: str) -> bool:
    return char not in keep and unicodedata.category(char) in _UNSAFE_CATEGORIES


def _escape_unsafe(text: str, keep: str = "") -> str:
    """Every unsafe character (but those in ``keep``) as a backslash escape."""
    return "".join(_escape_char(char) if _is_unsafe(char, keep) else char for char in text)


# -- Python ---------------------------------------------------------------------------


def py_literal(value: Any) -> Code:
    """A Python literal for str/int/float/bool/None and lists, tuples and dicts of them."""
    if value is None or isinstance(value, bool):
        return Code(repr(value))
    if isinstance(value, str):
        # repr escapes every non-printable character (controls, surrogates, format chars).
        return Code(repr(value))
    if isinstance(value, int):
        return Code(_int_literal(value))
    if isinstance(value, float):
        return Code(repr(value) if math.isfinite(value) else f'float("{value}")')
    if isinstance(value, tuple):
        inner = ", ".join(py_literal(item) for item in value)
        return Code(f"({inner},)" if len(value) == 1 else f"({inner})")
    if isinstance(value, list):
        return Code("[" + ", ".join(py_literal(item) for item in value) + "]")
    if isinstance(value, dict):
        return Code("{" + ", ".join(f"{py_literal(key)}: {py_literal(item)}" for key, item in value.items()) + "}")
    raise RenderError(f"no Python literal for a value of type {type(value).__name__}: {value!r:.60}")


def _int_literal(value: int) -> str:
    try:
        return repr(value)
    except ValueError:  # beyond the int->str digit limit; hex has none and is still exact
        return hex(value)


def docstring_text(value: str) -> Code:
    """Text that stays inside a ``\"\"\"...\"\"\"`` docstring, whatever it holds."""
    # Stripped first: the quote escaping below must see the text's real last character.
    text = _escape_unsafe(str(value).strip().replace("\\", "\\\\"), keep="\n\t")
    # A quote that starts a run of quotes, or ends the text, could close the docstring.
    return Code(re.sub(r'"(?="|$)', r'\\"', text))


_CODING = re.compile(r"coding([:=])")


def comment_text(value: str) -> Code:
    """Text for a ``#`` comment: one line, nothing the tokenizer or an editor reads as code."""
    text = " ".join(_escape_unsafe(str(value), keep="\t\n").split())
    # PEP 263 reads "coding:" on the first two lines as the file's encoding.
    return Code(_CODING.sub(r"coding \1", text))


def identifier(value: str) -> Code:
    """A name the checker validated; anything else is a generator bug, never emitted."""
    if not (isinstance(value, str) and value.isidentifier() and value.isascii() and not keyword.iskeyword(value)):
        raise RenderError(f"{value!r} is not a Python identifier; the spec checker should have rejected it")
    return Code(value)


def dotted_name(value: str) -> Code:
    """A module path of identifiers, absolute (``imagerelay.acme``) or relative (``.``, ``.._runtime.errors``)."""
    text = str(value)
    rest = text.lstrip(".")
    dots = text[: len(text) - len(rest)]
    if not rest and dots:
        return Code(dots)
    return Code(dots + ".".join(identifier(part) for part in rest.split(".")))


# Nodes a type annotation built by the IR may hold: names, attributes, subscripts,
# string/number literals (Literal[...]), unions (|) and tuples of them.
_ANNOTATION_NODES = (ast.Expression, ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.BinOp, ast.BitOr,
                     ast.Tuple, ast.Load)


def input_type(type_ir: TypeIR) -> Code:
    """A parameter's annotation as callers may pass it: models also as their dicts
    (``params.XParam``); checked like every annotation."""
    return annotation(input_annotation(type_ir))


def param_type(type_ir: TypeIR) -> Code:
    """``input_type`` inside ``params.py``, whose own TypedDicts need no module prefix."""
    return annotation(input_annotation(type_ir, ""))


def annotation(value: str) -> Code:
    """A type expression, parsed to prove it holds no calls, statements or comprehensions."""
    try:
        tree = ast.parse(value, mode="eval")
    except SyntaxError as exc:
        raise RenderError(f"type annotation {value!r:.80} does not parse: {exc.msg}") from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ANNOTATION_NODES):
            raise RenderError(f"type annotation {value!r:.80} holds a {type(node).__name__}")
    return Code(value)


def code(value: str) -> Code:
    """A fragment the render stage built itself (import lines, formatted snippets)."""
    if not isinstance(value, Code):
        raise RenderError(f"raw text printed as code: {value!r:.80}; build it with the escape filters")
    return value


# -- Markdown, YAML, TOML -------------------------------------------------------------

# Outside code spans: a "<" that opens raw HTML or an autolink (a letter, "/", "!" or "?" follows),
# the "]" that makes a link, image or link definition ("](", "][", "]:") and a backslash that
# would escape the next character. Everything else renders as written.
_MD_SPECIAL = re.compile(r"<(?=[A-Za-z/!?])|\](?=[(\[:])|\\(?=[!-/:-@\[-`{-~])")
_MD_ESCAPES = {"<": "&lt;"}
# A code span: a backtick run, the shortest text, the same run again (CommonMark pairing).
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)


def _md_escape(match: re.Match[str]) -> str:
    char = match.group()
    return _MD_ESCAPES.get(char, "\\" + char)


def md_text(value: Any) -> Code:
    """Prose shown as written: its own `code spans` stay, but no HTML, links or images."""
    text = _escape_unsafe(str(value), keep="\n\t")
    parts: list[str] = []
    start = 0
    for span in _CODE_SPAN.finditer(text):
        parts += [_MD_SPECIAL.sub(_md_escape, text[start : span.start()]), span.group()]
        start = span.end()
    parts.append(_MD_SPECIAL.sub(_md_escape, text[start:]))
    return Code("".join(parts))


def md_inline(value: Any) -> Code:
    """Prose on one line (a heading, a list item, a sentence in a paragraph)."""
    return Code(" ".join(md_text(value).split()))


def md_cell(value: Any) -> Code:
    """Prose inside a table cell, where ``|`` must be escaped even in code spans."""
    return Code(md_inline(value).replace("|", "\\|"))


def md_code(value: Any) -> Code:
    """An inline code span holding the text verbatim, whatever backticks it contains."""
    text = " ".join(_escape_unsafe(str(value), keep="\t").split()) or " "
    fence = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Code(f"{fence}{pad}{text}{pad}{fence}")


def md_code_cell(value: Any) -> Code:
    """An inline code span inside a table cell, where ``|`` must be escaped even in code."""
    return Code(md_code(value).replace("|", "\\|"))


def md_link(value: Any) -> Code:
    """A link target: percent-encoded, so it can neither end the link nor add markup."""
    return Code(quote(_escape_unsafe(str(value)), safe="/#.-_~"))


def text_line(value: Any) -> Code:
    """Plain text on one line, unsafe characters escaped (licence and other plain-text files)."""
    return Code(" ".join(_escape_unsafe(str(value), keep="\t").split()))


def md_block(value: Any, language: str = "") -> Code:
    """A fenced code block holding the text verbatim: its fence is longer than any backtick run inside."""
    text = _escape_unsafe(str(value), keep="\n\t")
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return Code(f"{fence}{identifier(language) if language else ''}\n{text}\n{fence}")


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def json_value(value: Any) -> Code:
    """A JSON value, also a valid YAML flow value and (for strings) a TOML basic string."""
    return Code(json.dumps(value, ensure_ascii=True))


FILTERS = {
    "py": py_literal,
    "doc": docstring_text,
    "comment": comment_text,
    "ident": identifier,
    "dotted": dotted_name,
    "annotation": annotation,
    "input_annotation": input_type,
    "param_annotation": param_type,
    "code": code,
    "md": md_text,
    "md_inline": md_inline,
    "md_cell": md_cell,
    "md_code": md_code,
    "md_code_cell": md_code_cell,
    "md_link": md_link,
    "md_block": md_block,
    "line": text_line,
    "json": json_value,
}
