"""The list of files one generation emits, rendered in memory before anything is written.

Each kind of output is one emitter: a function of the Jinja environment, the
template folder and every provider's IR that returns its files. New kinds of
output (OpenAPI documents, package metadata, the docs site) add an emitter here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import jinja2

from generator.ir.nodes import ProviderIR
from generator.render.doc_snippets import provider_snippets
from generator.render.docs_site import docs_site
from generator.render.env import make_env
from generator.render.format import format_python
from generator.render.imports import bases_imports, catalog_imports, client_imports, params_imports
from generator.render.mock_data import MOCK_DATA_FILE, mock_data_json
from generator.render.models import render_models
from generator.render.openapi import openapi
from generator.render.output import PACKAGE, OutputFile, header, render
from generator.render.package_meta import package_meta

Emitter = Callable[[jinja2.Environment, Path, list[ProviderIR]], list[OutputFile]]


ModuleContext = Callable[[ProviderIR], dict[str, object]]


def _imports(find: Callable[[ProviderIR], object]) -> ModuleContext:
    return lambda provider: {"imports": find(provider)}


# Each module of a provider's package: its template and what it is given besides the
# provider (models.py is datamodel-code-generator's, not a template's).
_TEMPLATED_MODULES: dict[str, tuple[str, ModuleContext | None]] = {
    "__init__.py": ("package/provider_init.py.jinja", None),
    "bases.py": ("models/bases.py.jinja", _imports(bases_imports)),
    "catalog.py": ("models/catalog.py.jinja", _imports(catalog_imports)),
    "params.py": ("models/params.py.jinja", _imports(params_imports)),
    "client.py": ("client/client.py.jinja", _imports(client_imports)),
}
PROVIDER_MODULES = ("__init__.py", "models.py", "bases.py", "catalog.py", "params.py", "client.py")


def provider_module(env: jinja2.Environment, provider: ProviderIR, name: str) -> OutputFile:
    """One formatted module of a provider's package (its docs page is docs_site's)."""
    py_header = header(provider.spec_file)
    path = f"{PACKAGE}/{provider.id}/{name}"
    if name == "models.py":
        text = render_models(provider, PACKAGE, py_header)
    else:
        template, context = _TEMPLATED_MODULES[name]
        extra = {} if context is None else context(provider)
        text = render(env, template, provider=provider, package=PACKAGE, header=py_header, **extra)
    return OutputFile(path, format_python(text, path))


def providers(env: jinja2.Environment, template_dir: Path, irs: list[ProviderIR]) -> list[OutputFile]:
    return [provider_module(env, provider, name) for provider in irs for name in PROVIDER_MODULES]


def runtime(env: jinja2.Environment, template_dir: Path, irs: list[ProviderIR]) -> list[OutputFile]:
    """The shared runtime, copied verbatim (it is hand-written, formatted source)."""
    return [
        OutputFile(f"{PACKAGE}/_runtime/{path.name}", path.read_text(encoding="utf-8"))
        for path in sorted((template_dir / "runtime").glob("*.py"))
    ]


def mock_data_files(env: jinja2.Environment, template_dir: Path, irs: list[ProviderIR]) -> list[OutputFile]:
    """Each provider's ``mockdata.json``: data, not code, so it needs no formatting."""
    return [OutputFile(f"{PACKAGE}/{provider.id}/{MOCK_DATA_FILE}", mock_data_json(provider)) for provider in irs]


EMITTERS: tuple[Emitter, ...] = (runtime, providers, mock_data_files, openapi, package_meta, docs_site)

ProviderStep = Callable[[jinja2.Environment, ProviderIR], object]
# The expensive work of a generation, one provider at a time and independent between
# providers: render/prefetch.py runs these in workers to fill the content store first.
PROVIDER_STEPS: tuple[ProviderStep, ...] = (
    *(partial(provider_module, name=name) for name in PROVIDER_MODULES),
    provider_snippets,
)
# Steps whose library pays a start-up on its first call in each process (datamodel-code-
# generator imports and builds its own machinery, about 0.6 s): prefetch gives each task of
# such a step up to BATCH_SIZE providers (~2 s of work), so that a small run pays the
# start-up in one worker, not in all, and a large one still spreads over every worker.
BATCHED_STEPS: frozenset[int] = frozenset({PROVIDER_MODULES.index("models.py")})
BATCH_SIZE = 16


def plan_outputs(template_dir: Path, irs: list[ProviderIR], env: jinja2.Environment | None = None) -> list[OutputFile]:
    """Every file of ``generated/``, sorted by path."""
    env = env or make_env(template_dir)
    files = [file for emit in EMITTERS for file in emit(env, template_dir, irs)]
    return sorted(files, key=lambda file: file.path)
