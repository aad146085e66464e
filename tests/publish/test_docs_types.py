"""Every ```python block of the generated docs passes ``mypy --strict`` (issue 14, item 1).

Nested parameters take a model or a dict of its wire keys, typed by the provider's
``params.XParam`` TypedDicts, so the docs' dict-style examples (and users' programs) type
check as written. ``test_docs_examples.py`` runs the same blocks against the fixtures.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from test_docs_examples import DOCS, python_blocks

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
BIN = Path(sys.executable).parent


def test_every_docs_example_passes_mypy_strict(tmp_path: Path) -> None:
    blocks = [block for page in sorted(DOCS.rglob("*.md")) for block in python_blocks(page) if not block.skipped]
    assert len(blocks) >= 40
    names: dict[str, str] = {}
    for index, block in enumerate(blocks):
        path = tmp_path / f"example_{index:03d}.py"
        path.write_text(block.code, encoding="utf-8")
        names[path.name] = block.id
    args = [str(BIN / "mypy"), "--config-file", "pyproject.toml", "--strict", "--follow-imports=silent",
            "--cache-dir", str(tmp_path / "cache"), str(tmp_path)]
    done = subprocess.run(args, cwd=GENERATED, capture_output=True, text=True, check=False, timeout=300)
    # Name each failure by its docs page and line, not the temporary file.
    report = re.sub(r"[^\s]*(example_\d{3}\.py)", lambda m: names.get(m.group(1), m.group(1)), done.stdout)
    assert done.returncode == 0, report
