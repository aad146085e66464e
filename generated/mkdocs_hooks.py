"""MkDocs hook: the changelog page of the site is ``CHANGELOG.md`` next to ``mkdocs.yml``.

The changelog sits at the root of ``generated/``, outside ``docs/``; it is added
to the site here as ``changelog.md`` instead of being kept twice. Copied
verbatim from ``templates/docs/mkdocs_hooks.py`` by relaygen.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

CHANGELOG = "CHANGELOG.md"
PAGE = "changelog.md"
MISSING = "# Changelog\n\nThis build has no `CHANGELOG.md` next to `mkdocs.yml`.\n"


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    source = Path(config.config_file_path).parent / CHANGELOG
    content = source.read_text(encoding="utf-8") if source.is_file() else MISSING
    files.append(File.generated(config, PAGE, content=content))
    return files
