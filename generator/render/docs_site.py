"""The docs site: Markdown pages under ``docs/`` and the ``mkdocs.yml`` that builds them.

Pages: an index, the capability matrix, one page per provider (with runnable
sync and async programs), errors and retries, an API reference (mkdocstrings reads the
package's docstrings when the site is built), and the changelog. The changelog
is ``CHANGELOG.md`` at the root of ``generated/``, outside ``docs/``; the copied
``mkdocs_hooks.py`` adds it to the site as ``changelog.md`` at build time.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from generator.ir.capabilities import provider_capabilities
from generator.ir.nodes import ProviderIR
from generator.render.doc_snippets import provider_snippets
from generator.render.output import PACKAGE, OutputFile, header, render

DOCS_DIR = "docs"
HOOKS = "mkdocs_hooks.py"
CHANGELOG_PAGE = "changelog.md"


def docs_site(env: jinja2.Environment, template_dir: Path, irs: list[ProviderIR]) -> list[OutputFile]:
    shared = {"providers": irs, "package": PACKAGE}
    md_header = header("specs/*.yaml", "<!--")
    pages = {
        "index.md": render(env, "docs/index.md.jinja", header=md_header, changelog=CHANGELOG_PAGE, **shared),
        "errors.md": render(env, "docs/errors.md.jinja", header=md_header, **shared),
        "reference/index.md": render(env, "docs/reference.md.jinja", header=md_header, **shared),
        "one_interface.md": render(env, "docs/one_interface.md.jinja", header=md_header, **shared),
        "capabilities.md": render(
            env,
            "docs/capabilities.md.jinja",
            header=md_header,
            capabilities=[provider_capabilities(provider) for provider in irs],
            **shared,
        ),
    }
    for provider in irs:
        pages[f"{provider.id}.md"] = render(
            env,
            "docs/provider.md.jinja",
            header=header(provider.spec_file, "<!--"),
            provider=provider,
            package=PACKAGE,
            snippets=provider_snippets(env, provider),
        )
        pages[f"reference/{provider.id}.md"] = render(
            env,
            "docs/provider_reference.md.jinja",
            header=header(provider.spec_file, "<!--"),
            provider=provider,
            package=PACKAGE,
        )
    config = render(
        env,
        "docs/mkdocs.yml.jinja",
        header=header("specs/*.yaml"),
        docs_dir=DOCS_DIR,
        hooks=HOOKS,
        changelog=CHANGELOG_PAGE,
        **shared,
    )
    hooks = (template_dir / "docs" / HOOKS).read_text(encoding="utf-8")
    return [
        *(OutputFile(f"{DOCS_DIR}/{name}", text) for name, text in sorted(pages.items())),
        OutputFile("mkdocs.yml", config),
        OutputFile(HOOKS, hooks),
    ]
