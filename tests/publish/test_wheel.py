"""The generated SDK builds into an sdist and a wheel that work with nothing of the repository present.

``generated/`` is copied to a temporary folder and built there with
``python -m build`` (isolated: the pinned backend comes from the index, as for a
user); the wheel goes into a fresh virtual environment with its dependencies
from the index, and a stand-alone script replays one recorded fixture per
provider through the installed package. Nothing is written in the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterable
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from generator.render.package_meta import DEPENDENCIES, OPTIONAL_DEPENDENCIES, REQUIRES_PYTHON

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
FIXTURES = ROOT / "tests" / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
SMOKE_KEY = "sk-smoke-5d1e"  # the key smoke_installed.py sends
# What the drift check, a local build or a lint run may leave in generated/.
NOT_SOURCE = shutil.ignore_patterns("__pycache__", ".ruff_cache", ".mypy_cache", "dist", "build", "*.egg-info")


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "MYPYPATH", "PYTHONHOME"}}
    result = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True,
                            check=False, timeout=300)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _source_version() -> str:
    init = (GENERATED / "imagerelay" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', init, re.MULTILINE)
    assert match, "generated/imagerelay/__init__.py has no __version__"
    return match.group(1)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel of a copy of generated/ (building in place would leave files there)."""
    work = tmp_path_factory.mktemp("sdk-build")
    shutil.copytree(GENERATED, work / "project", ignore=NOT_SOURCE)
    _run([sys.executable, "-m", "build", "--outdir", work / "dist", work / "project"], cwd=work)
    return work / "dist"


def _lowest_pins() -> list[str]:
    """Each dependency at the lowest version its declared range allows."""
    pins = []
    for requirement in map(Requirement, DEPENDENCIES):
        floor = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert len(floor) == 1, f"{requirement} has no single lower bound"
        pins.append(f"{requirement.name}=={floor[0]}")
    return pins


def _venv_with_wheel(dist: Path, folder: Path, pins: list[str]) -> Path:
    """A fresh virtual environment holding the wheel and its dependencies only."""
    venv = folder / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=folder)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--disable-pip-version-check", "--no-input",
          "--quiet", next(dist.glob("*.whl")), *pins], cwd=folder)
    return python


@pytest.fixture(scope="module")
def newest_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _venv_with_wheel(dist, tmp_path_factory.mktemp("sdk-venv-newest"), [])


@pytest.fixture(scope="module")
def lowest_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _venv_with_wheel(dist, tmp_path_factory.mktemp("sdk-venv-lowest"), _lowest_pins())


@pytest.fixture(scope="module", params=["newest", "lowest"])
def venv_python(request: pytest.FixtureRequest) -> Path:
    """Each venv in turn: both ends of every declared dependency range are exercised."""
    python: Path = request.getfixturevalue(f"{request.param}_venv")
    return python


def test_build_makes_an_sdist_and_a_wheel_of_the_package_only(dist: Path) -> None:
    version = _source_version()
    assert sorted(path.name for path in dist.iterdir()) == [
        f"imagerelay-{version}-py3-none-any.whl",
        f"imagerelay-{version}.tar.gz",
    ]
    with zipfile.ZipFile(dist / f"imagerelay-{version}-py3-none-any.whl") as wheel:
        members = wheel.namelist()
        metadata = Parser().parsestr(wheel.read(f"imagerelay-{version}.dist-info/METADATA").decode())
    info = f"imagerelay-{version}.dist-info/"
    assert all(name.startswith(("imagerelay/", info)) for name in members), members
    assert "imagerelay/py.typed" in members
    assert f"{info}licenses/LICENSE" in members
    assert not [name for name in members if "__pycache__" in name or name.endswith(".pyc")]
    assert (metadata["Name"], metadata["Version"]) == ("imagerelay", version)
    assert metadata["Requires-Python"] == REQUIRES_PYTHON
    assert metadata["License-Expression"] == "MIT"
    required = [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]
    assert _requirements(str(item) for item in required if item.marker is None) == _requirements(DEPENDENCIES)
    extras = {extra: _requirements(str(item).split(";")[0] for item in required
                                   if item.marker is not None and item.marker.evaluate({"extra": extra}))
              for extra in OPTIONAL_DEPENDENCIES}
    assert extras == {extra: _requirements(items) for extra, items in OPTIONAL_DEPENDENCIES.items()}
    assert metadata.get_all("Provides-Extra") == list(OPTIONAL_DEPENDENCIES)
    with tarfile.open(dist / f"imagerelay-{version}.tar.gz") as sdist:
        top = {Path(name).parts[1] for name in sdist.getnames() if len(Path(name).parts) > 1}
    assert top == {"imagerelay", "LICENSE", "PKG-INFO", "README.md", "pyproject.toml"}


def _requirements(lines: Iterable[str]) -> dict[str, SpecifierSet]:
    return {requirement.name: requirement.specifier for requirement in map(Requirement, lines)}


def _first_fixtures() -> dict[str, dict[str, Any]]:
    return {
        folder.name: json.loads(min(folder.glob("*.json")).read_text(encoding="utf-8"))
        for folder in sorted(FIXTURES.iterdir())
        if folder.is_dir()
    }


def _with_key(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("{API_KEY}", SMOKE_KEY)
    if isinstance(value, dict):
        return {key: _with_key(item) for key, item in value.items()}
    return value


@pytest.fixture(scope="module")
def smoke_report(venv_python: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the stand-alone smoke script in the venv, from a folder with nothing else in it."""
    work = tmp_path_factory.mktemp("sdk-smoke")
    shutil.copy(DATA / "smoke_installed.py", work / "smoke_installed.py")
    (work / "fixtures.json").write_text(json.dumps(_first_fixtures(), ensure_ascii=False), encoding="utf-8")
    # -I: neither the script's folder, the working directory nor PYTHON* variables reach sys.path.
    _run([venv_python, "-I", "smoke_installed.py", "fixtures.json", "report.json"], cwd=work)
    report: dict[str, Any] = json.loads((work / "report.json").read_text(encoding="utf-8"))
    return report


def test_installed_package_is_the_wheel(smoke_report: dict[str, Any], venv_python: Path) -> None:
    installed = Path(smoke_report["file"])
    assert installed.is_relative_to(venv_python.parent.parent), installed
    assert not installed.is_relative_to(ROOT)
    assert smoke_report["py_typed"] is True
    assert smoke_report["version"] == _source_version()
    assert smoke_report["relay_error_is_exported"] is True
    # Every provider is installed, with or without recorded fixtures (a new spec has none).
    assert smoke_report["providers"] == sorted(path.stem for path in (ROOT / "specs").glob("*.yaml"))


@pytest.mark.parametrize("provider", sorted(_first_fixtures()))
def test_installed_client_replays_a_fixture(smoke_report: dict[str, Any], provider: str) -> None:
    fixture = _first_fixtures()[provider]
    replay = smoke_report["replays"][provider]
    assert "error" not in replay, replay["error"]
    expected = _with_key(fixture["request"])
    assert len(replay["requests"]) == 1
    sent = replay["requests"][0]
    assert (sent["method"], sent["path"], sent["query"]) == (expected["method"], expected["path"],
                                                             expected.get("query", {}))
    if "authorization" in expected.get("headers", {}):
        assert sent["authorization"] == expected["headers"]["authorization"]
    if "json" in expected:
        assert sent["json"] == expected["json"]
    assert replay["result_class"].startswith(f"imagerelay.{provider}.models.")
    assert replay["fields"] == fixture["expect"].get("fields", {})
    if "image_urls" in fixture["expect"]:
        assert replay["image_urls"] == fixture["expect"]["image_urls"]


def test_installed_types_serve_a_user_program(newest_venv: Path, tmp_path: Path) -> None:
    """PEP 561: mypy finds the wheel's types through py.typed, with no config and no repository on the path."""
    shutil.copy(DATA / "user_program.py", tmp_path / "user_program.py")
    mypy = Path(sys.executable).parent / "mypy"
    _run([mypy, "--strict", "--python-executable", newest_venv, "--cache-dir", tmp_path / "mypy-cache",
          "user_program.py"], cwd=tmp_path)
