"""The generator's own version: the release segment of every SDK version it emits.

Kept equal to ``[project].version`` in the repository's pyproject.toml (a unit
test checks), so a generated SDK names the generator release that made it.
"""

from __future__ import annotations

GENERATOR_VERSION = "0.1.0"
