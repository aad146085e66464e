"""The project venv imports the SDK from ``generated/`` without pytest's path (issue 14, item 8).

``make`` installs ``generated/`` in editable mode when it builds the venv and after every
``make generate``, so a script run anywhere with the venv's Python gets the current
generation, not a stale copy and not ModuleNotFoundError.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import imagerelay, imagerelay.gemini_12ai as provider
print(imagerelay.__file__)
print(provider.__file__)
print(imagerelay.__version__)
"""


def test_the_venv_imports_the_current_generation_from_anywhere(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", PROGRAM], cwd=tmp_path, env=env, capture_output=True,
                            text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    package, provider, version = result.stdout.splitlines()
    assert Path(package) == ROOT / "generated" / "imagerelay" / "__init__.py"
    assert Path(provider) == ROOT / "generated" / "imagerelay" / "gemini_12ai" / "__init__.py"
    init = (ROOT / "generated" / "imagerelay" / "__init__.py").read_text(encoding="utf-8")
    assert f'__version__ = "{version}"' in init
