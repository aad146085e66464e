"""Every Python file of a generation reaches black already in black's layout.

black formats twice when its input changes (a stability pass), so a template or
a datamodel-code-generator shape that prelayout does not lay out the black way
doubles black's share of a cold generation (bench figure 1). The output stays
correct either way; this test names the files that would cost the second pass.
"""

from __future__ import annotations

from pathlib import Path

import black
import pytest

import generator.render.format as format_module
from generator.pipeline import generate
from generator.render.prelayout import prelayout

ROOT = Path(__file__).resolve().parents[2]


def test_generated_python_needs_one_black_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, str] = {}
    real_format = format_module._format

    def capture(source: str, path: str) -> str:
        seen[path] = source
        return real_format(source, path)

    monkeypatch.setattr(format_module, "_format", capture)
    generate(ROOT / "specs", ROOT / "templates", jobs=1)

    assert len(seen) > 30  # every module and docs example of six providers
    two_passes = []
    for path, source in sorted(seen.items()):
        laid_out = prelayout(format_module.sort_imports(source, path))
        if black.format_str(laid_out, mode=format_module._BLACK_MODE) != laid_out:
            two_passes.append(path)
    assert two_passes == []
