"""Make ``imagerelay._runtime`` importable for the runtime tests.

When the generated package (``generated/imagerelay``, on the path via the
pytest config) exists it is tested as shipped. Until it exists -- or when
``RELAYGEN_RUNTIME_FROM_TEMPLATES=1`` is set while working on the runtime
(run ``pytest tests/runtime`` alone then) -- ``templates/runtime/*.py`` is
copied into a temporary ``imagerelay/_runtime`` package first on sys.path.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "runtime"


def _install_templates() -> None:
    root = Path(tempfile.mkdtemp(prefix="relaygen-runtime-"))
    atexit.register(shutil.rmtree, root, True)
    runtime = root / "imagerelay" / "_runtime"
    runtime.mkdir(parents=True)
    (root / "imagerelay" / "__init__.py").write_text("")
    for source in TEMPLATES.glob("*.py"):
        shutil.copyfile(source, runtime / source.name)
    for name in [m for m in sys.modules if m == "imagerelay" or m.startswith("imagerelay.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()


if (
    os.environ.get("RELAYGEN_RUNTIME_FROM_TEMPLATES") == "1"
    or importlib.util.find_spec("imagerelay") is None
):
    _install_templates()


@pytest.fixture
def sleeps() -> list[float]:
    """Collects the delays a client asked to sleep (tests never really sleep)."""
    return []
