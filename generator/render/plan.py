"""The list of files one generation emits, rendered in memory before anything is written.

Each kind of output is one emitter: a function of the Jinja environment, the
template folder and every provider's IR that returns its files. New kinds of
output (OpenAPI documents, package metadata, the docs site) add an emitter here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2

from generator.ir.nodes import ProviderIR
from generator.render.docs_site import docs_site
from generator.render.env import make_env
from generator.render.format import format_python
from generator.render.imports import bases_imports, catalog_imports, client_imports
from generator.render.models import render_models
from generator.render.openapi import openapi
from generator.render.output import PACKAGE, OutputFile, header, render
from generator.render.package_meta import package_meta

Emitter = Callable[[jinja2.Environment, Path, list[ProviderIR]], list[OutputFile]]


def _provider_files(env: jinja2.Environment, provider: ProviderIR) -> list[OutputFile]:
    """Package modules of one provider (its docs page is docs_site's)."""
    py_header = header(provider.spec_file)
    base = f"{PACKAGE}/{provider.id}"
    context = {"provider": provider, "package": PACKAGE, "header": py_header}
    python = {
        f"{base}/__init__.py": render(env, "package/provider_init.py.jinja", **context),
        f"{base}/models.py": render_models(provider, PACKAGE, py_header),
        f"{base}/bases.py": render(env, "models/bases.py.jinja", imports=bases_imports(provider), **context),
        f"{base}/catalog.py": render(env, "models/catalog.py.jinja", imports=catalog_imports(provider), **context),
        f"{base}/client.py": render(env, "client/client.py.jinja", imports=client_imports(provider), **context),
    }
    return [OutputFile(path, format_python(text, path)) for path, text in python.items()]


def providers(env: jinja2.Environment, template_dir: Path, irs: list[ProviderIR]) -> list[OutputFile]:
    return [file for provider in irs for file in _provider_files(env, provider)]


def runtime(env: jinja2.Environment, template_dir: Path, irs: list[ProviderIR]) -> list[OutputFile]:
    """The shared runtime, copied verbatim (it is hand-written, formatted source)."""
    return [
        OutputFile(f"{PACKAGE}/_runtime/{path.name}", path.read_text(encoding="utf-8"))
        for path in sorted((template_dir / "runtime").glob("*.py"))
    ]


EMITTERS: tuple[Emitter, ...] = (runtime, providers, openapi, package_meta, docs_site)


def plan_outputs(template_dir: Path, irs: list[ProviderIR], env: jinja2.Environment | None = None) -> list[OutputFile]:
    """Every file of ``generated/``, sorted by path."""
    env = env or make_env(template_dir)
    files = [file for emit in EMITTERS for file in emit(env, template_dir, irs)]
    return sorted(files, key=lambda file: file.path)
