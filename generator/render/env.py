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


def make_env(template_dir: Path, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """The environment; with ``bytecode_dir``, compiled templates are kept there between runs.

    Jinja checks each cached template against its source's checksum, so a
    stale entry is recompiled rather than used.
    """
    bytecode_cache = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            bytecode_cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
        except OSError:
            bytecode_cache = None  # an unwritable cache folder costs speed, not correctness
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        bytecode_cache=bytecode_cache,
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


def compile_all(env: jinja2.Environment) -> None:
    """Load every template now, e.g. once before forking workers that all need them."""
    for name in env.list_templates(extensions=["jinja"]):
        env.get_template(name)
