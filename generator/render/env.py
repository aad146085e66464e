"""The Jinja environment every template renders in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2


def py_literal(value: Any) -> str:
    """A Python literal for str/int/float/bool/None values and tuples of them."""
    if isinstance(value, tuple):
        inner = ", ".join(py_literal(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def docstring_text(value: str) -> str:
    """Text safe inside a triple-quoted docstring."""
    return value.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()


def md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ").strip()


def make_env(template_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = py_literal
    env.filters["doc"] = docstring_text
    env.filters["cell"] = md_cell
    env.filters["tuple_"] = tuple
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env
