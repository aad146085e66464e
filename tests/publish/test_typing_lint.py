"""The generated package passes ``mypy --strict`` and ``ruff check`` with its own config.

Also: a typed user program checks clean, typical mistakes are reported, every
package module names its public API in a sorted ``__all__`` whose names resolve,
and ``import imagerelay`` loads nothing heavy.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.render.package_meta import export_order

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
PACKAGE_DIR = GENERATED / "imagerelay"
DATA = Path(__file__).resolve().parent / "data"
BIN = Path(sys.executable).parent


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "MYPYPATH"}}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300)


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for this module's mypy runs: independent of the repository's, shared between them."""
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(cache: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """mypy --strict with the SDK's own config, run in generated/ so ``imagerelay`` is its source.

    Errors are reported for the targets only (a user program's check is about the
    program; the package has its own test), and every run can share one cache.
    """
    args = [str(BIN / "mypy"), "--config-file", "pyproject.toml", "--strict", "--follow-imports=silent",
            "--cache-dir", str(cache)]
    return _run([*args, *targets], cwd=GENERATED)


def test_generated_package_passes_mypy_strict(mypy_cache: Path) -> None:
    result = _mypy(mypy_cache, "imagerelay")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Success: no issues found in \d+ source files", result.stdout), result.stdout


def test_typed_user_program_passes_mypy_strict(mypy_cache: Path) -> None:
    result = _mypy(mypy_cache, str(DATA / "user_program.py"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_typical_mistakes_are_type_errors(mypy_cache: Path) -> None:
    program = DATA / "user_program_mistakes.py"
    marked = {number for number, line in enumerate(program.read_text(encoding="utf-8").splitlines(), 1)
              if "# error:" in line}
    result = _mypy(mypy_cache, str(program))
    reported = {int(number) for number in re.findall(r"user_program_mistakes\.py:(\d+): error:", result.stdout)}
    assert result.returncode == 1, result.stdout + result.stderr
    assert reported == marked, result.stdout


def test_generated_tree_passes_ruff() -> None:
    # --no-cache: a .ruff_cache inside generated/ would be an extra file to the drift check.
    result = _run([str(BIN / "ruff"), "check", "--no-cache", "generated"], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _package_modules() -> list[Path]:
    """The package's public modules: top-level ``__init__``/``errors`` and each provider's ``__init__``."""
    providers = sorted(path for path in PACKAGE_DIR.glob("*/__init__.py") if not path.parent.name.startswith("_"))
    return [PACKAGE_DIR / "__init__.py", PACKAGE_DIR / "errors.py", *providers]


def _declared_all(path: Path) -> list[str]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"{path.relative_to(ROOT)} has no __all__")


@pytest.mark.parametrize("path", _package_modules(), ids=lambda path: str(path.relative_to(PACKAGE_DIR)))
def test_public_modules_export_a_sorted_all_that_resolves(path: Path) -> None:
    names = _declared_all(path)
    assert names == sorted(names, key=export_order), "__all__ is not in ruff's RUF022 order"
    parts = path.relative_to(GENERATED).with_suffix("").parts
    module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == []


def test_top_level_exports_load_on_first_use() -> None:
    import imagerelay
    from imagerelay import errors

    assert imagerelay.RelayError is errors.RelayError
    assert issubclass(imagerelay.RateLimitError, imagerelay.RelayError)
    assert imagerelay.api_generate.Client.__module__ == "imagerelay.api_generate.client"
    assert set(imagerelay.PROVIDERS) <= set(dir(imagerelay))
    with pytest.raises(AttributeError, match="has no attribute 'RelayEror'"):
        _ = imagerelay.RelayEror  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_dependency() -> None:
    watched = "{'httpx', 'pydantic', 'typing', 'imagerelay'}"
    probe = f"import sys, imagerelay; print(sorted(m for m in sys.modules if m.split('.')[0] in {watched}))"
    # -S: no site hooks (.pth files) that import modules of their own.
    result = subprocess.run([sys.executable, "-S", "-c", probe], env={**os.environ, "PYTHONPATH": str(GENERATED)},
                            capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "['imagerelay']"
