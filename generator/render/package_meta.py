"""The generated SDK as a distribution: top-level package, public errors, pyproject, README, licence.

``generated/`` is the SDK's project root: ``python -m build`` there makes the
sdist and the wheel of the ``imagerelay`` package and nothing else (the docs
stay in the source tree).

Version scheme (PEP 440, public, no local part, so an index accepts it):
``<GENERATOR_VERSION>.<N>``, where ``N`` is the first 8 hex digits of
``SPEC_DIGEST`` read as a number. Same generator and same specs give the same
version on every machine; any change to what the specs say gives another one.
The fourth release segment orders arbitrarily between two spec revisions of one
generator release, so a release meant to supersede another bumps the generator
version (``generator/version.py``) as well.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NoReturn

import jinja2

from generator.errors import RenderError
from generator.ir.nodes import ProviderIR
from generator.release import current_version
from generator.render.doc_snippets import QuickStart, provider_snippets
from generator.render.format import format_python
from generator.render.output import PACKAGE, OutputFile, header, render
from generator.version import GENERATOR_VERSION

# Exact pin: the backend decides the wheel's bytes (hatchling writes reproducible archives).
BUILD_REQUIRES = ("hatchling==1.33.0",)
# What the copied runtime imports (pydantic_core comes with, and is pinned by, pydantic).
# rich draws the command line's progress bars; only the `imagerelay` command imports it.
DEPENDENCIES = ("httpx>=0.27,<1", "pydantic>=2.7,<3", "rich>=13,<16")
# `pip install imagerelay[mock]`: the mock relays (imagerelay.mock, `imagerelay mock`).
OPTIONAL_DEPENDENCIES = {"mock": ("starlette>=0.40,<2", "uvicorn>=0.30,<1", "python-multipart>=0.0.9")}
REQUIRES_PYTHON = ">=3.11"
LICENSE_HOLDER = "relaygen contributors"
DIGEST_LENGTH = 12
# Top-level names that are not exception classes but are re-exported lazily.
RUNTIME_EXPORTS = {
    "Image": "._runtime.images",
    # One interface across relays (runtime facade.py).
    "GenerateResult": "._runtime.facade",
    "agenerate": "._runtime.facade",
    "generate": "._runtime.facade",
}


@dataclass(frozen=True)
class SdkRelease:
    """What identifies one build of the SDK."""

    version: str
    spec_digest: str
    generator_version: str


@dataclass(frozen=True)
class ReadmeQuickStart:
    """One provider's README example: the docs' first quick start (same code, so the
    docs-example tests cover the README too)."""

    provider: ProviderIR
    start: QuickStart


@dataclass(frozen=True)
class LazyExport:
    """A top-level name and where it is loaded from on first use.

    ``source`` is ``"."`` for a subpackage (``from . import name``), else the
    relative module that defines ``name``.
    """

    name: str
    source: str


def _no_json_spelling(value: Any) -> NoReturn:
    """json.dumps hook: refuse values whose spelling could vary between runs (sets, objects)."""
    raise RenderError(f"IR value of type {type(value).__name__} has no canonical form for the spec digest")


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copies of every leaf (same JSON, several times faster)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def spec_digest(irs: list[ProviderIR]) -> str:
    """sha256 (first DIGEST_LENGTH hex digits) of every provider's IR as canonical JSON.

    The IR is everything the generator read from the specs, so the digest moves
    with any edit that changes the output, and not with comments or layout.
    """
    data = [_plain(ir) for ir in sorted(irs, key=lambda ir: ir.id)]
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_no_json_spelling)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def sdk_release(irs: list[ProviderIR]) -> SdkRelease:
    """The release of the generation being rendered: its version (``generator/release.py``)
    and the digest of its specs."""
    return SdkRelease(current_version(), _digest_of(tuple(irs)), GENERATOR_VERSION)


# The package metadata and the changelog both need the digest of one generation;
# IR nodes are frozen (hashable), so the second asks for a digest already computed.
@lru_cache(maxsize=4)
def _digest_of(irs: tuple[ProviderIR, ...]) -> str:
    return spec_digest(list(irs))


def runtime_error_names(template_dir: Path) -> tuple[str, ...]:
    """The exception classes of the runtime's errors module, read from its source.

    Read rather than listed here, so a new runtime error is public without a
    generator change.
    """
    source = (template_dir / "runtime" / "errors.py").read_text(encoding="utf-8")
    bases = {
        node.name: {base.id for base in node.bases if isinstance(base, ast.Name)}
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef)
    }
    roots = {"Exception", "UserWarning"}  # warnings are the SDK's to export too
    errors = set(roots)
    while grown := {name for name, parents in bases.items() if parents & errors} - errors:
        errors |= grown
    return tuple(sorted(errors - roots))


def export_order(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 expects in ``__all__``: CONSTANTS, then Classes, then the rest."""
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


def _quick_starts(env: jinja2.Environment, irs: list[ProviderIR]) -> list[ReadmeQuickStart]:
    """Each provider's first docs quick start (its first endpoint with a documented example)."""
    starts = []
    for provider in irs:
        documented = provider_snippets(env, provider).quick_starts
        if documented:
            starts.append(ReadmeQuickStart(provider, documented[0]))
    return starts


def _package_init(env: jinja2.Environment, irs: list[ProviderIR], release: SdkRelease,
                  errors: tuple[str, ...]) -> str:
    lazy = [LazyExport(provider.id, ".") for provider in irs]
    lazy += [LazyExport(name, ".errors") for name in errors]
    lazy += [LazyExport(name, module) for name, module in RUNTIME_EXPORTS.items()]
    exports = sorted(["PROVIDERS", "SPEC_DIGEST", *(item.name for item in lazy)], key=export_order)
    return render(env, "package/package_init.py.jinja", providers=irs, package=PACKAGE, release=release,
                  lazy=sorted(lazy, key=lambda item: item.name), exports=exports, header=header("specs/*.yaml"))


def package_meta(env: jinja2.Environment, template_dir: Path, irs: list[ProviderIR]) -> list[OutputFile]:
    """``imagerelay/__init__.py``, ``imagerelay/errors.py``, ``py.typed`` and the project files."""
    release = sdk_release(irs)
    errors = runtime_error_names(template_dir)
    python = {
        f"{PACKAGE}/__init__.py": _package_init(env, irs, release, errors),
        f"{PACKAGE}/__main__.py": render(env, "package/main.py.jinja", package=PACKAGE, header=header("specs/*.yaml")),
        f"{PACKAGE}/mock.py": render(env, "package/mock.py.jinja", package=PACKAGE, header=header("specs/*.yaml")),
        f"{PACKAGE}/errors.py": render(env, "package/errors.py.jinja", package=PACKAGE,
                                       errors=tuple(sorted(errors, key=export_order)),
                                       header=header("templates/runtime/errors.py")),
    }
    files = [OutputFile(path, format_python(text, path)) for path, text in python.items()]
    project = {"package": PACKAGE, "release": release, "build_requires": BUILD_REQUIRES,
               "dependencies": DEPENDENCIES, "optional_dependencies": OPTIONAL_DEPENDENCIES, "requires_python": REQUIRES_PYTHON, "holder": LICENSE_HOLDER}
    files += [
        OutputFile(f"{PACKAGE}/py.typed", ""),
        OutputFile("pyproject.toml", render(env, "package/pyproject.toml.jinja", header=header("specs/*.yaml"),
                                            **project)),
        OutputFile("README.md", render(env, "package/README.md.jinja", header=header("specs/*.yaml", "<!--"),
                                       providers=irs, quick_starts=_quick_starts(env, irs), **project)),
        OutputFile("LICENSE", render(env, "package/LICENSE.jinja", holder=LICENSE_HOLDER)),
    ]
    return files
