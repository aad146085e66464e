"""The Jinja environment every template renders in."""

from __future__ import annotations

import keyword
from pathlib import Path

import jinja2

from generator.render.escape import FILTERS


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
    env.filters.update(FILTERS)
    env.filters["tuple_"] = tuple
    env.tests["is_identifier"] = lambda name: str(name).isidentifier() and not keyword.iskeyword(str(name))
    return env


def compile_all(env: jinja2.Environment) -> None:
    """Load every template now, e.g. once before forking workers that all need them."""
    for name in env.list_templates(extensions=["jinja"]):
        env.get_template(name)
