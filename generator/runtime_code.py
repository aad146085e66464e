"""Modules of the SDK runtime (``templates/runtime``), loaded for the generator's own use.

Where the generator must judge a value the way generated clients will (a size-table cell
against a pixel rule, a doc's example against a spec's rules), it runs the runtime's code
rather than a second copy of it, so the two cannot disagree.
"""

from __future__ import annotations

import importlib
import sys
import types
from functools import cache
from pathlib import Path
from typing import Any

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "templates" / "runtime"
_PACKAGE = "_relaygen_runtime_code"


@cache
def runtime_module(name: str) -> Any:
    """``templates/runtime/<name>.py`` under a private package name (the runtime's own
    ``__init__`` would pull in httpx); its relative imports resolve within the runtime."""
    if _PACKAGE not in sys.modules:
        package = types.ModuleType(_PACKAGE)
        package.__path__ = [str(RUNTIME_DIR)]
        sys.modules[_PACKAGE] = package
    return importlib.import_module(f"{_PACKAGE}.{name}")
