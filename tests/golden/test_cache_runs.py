"""The cache makes runs faster, never different; the no-op check misses on any change."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
NOOP = "nothing changed since the last run"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _copy_of_generated(path: Path) -> Path:
    # The changelog continues the previous output's, so every run starts from the committed tree.
    shutil.copytree(GENERATED, path, ignore=shutil.ignore_patterns("__pycache__"))
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    _run("--out", str(_copy_of_generated(tmp_path_factory.mktemp("warm") / "generated")), "--cache-dir", str(cache))
    return cache


def test_cold_warm_parallel_and_damaged_cache_give_identical_bytes(tmp_path: Path, warm_cache: Path) -> None:
    committed = _tree(GENERATED)
    serial = _copy_of_generated(tmp_path / "serial")
    _run("--out", str(serial), "--no-cache", "--jobs", "1")
    assert _tree(serial) == committed
    warm = _copy_of_generated(tmp_path / "warm")
    _run("--out", str(warm), "--cache-dir", str(warm_cache), "--jobs", "2")
    assert _tree(warm) == committed
    damaged_cache = tmp_path / "damaged"
    shutil.copytree(warm_cache, damaged_cache)
    for entry in sorted((damaged_cache / "objects").glob("*/*"))[::3]:
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    damaged = _copy_of_generated(tmp_path / "damaged-out")
    _run("--out", str(damaged), "--cache-dir", str(damaged_cache))
    assert _tree(damaged) == committed


def test_unchanged_inputs_and_output_is_a_no_op(tmp_path: Path, warm_cache: Path) -> None:
    out = _copy_of_generated(tmp_path / "generated")
    assert NOOP not in _run("--out", str(out), "--cache-dir", str(warm_cache)).stdout  # first run for this folder
    assert NOOP in _run("--out", str(out), "--cache-dir", str(warm_cache)).stdout
    assert NOOP in _run("--check", "--out", str(out), "--cache-dir", str(warm_cache)).stdout
    assert NOOP not in _run("--out", str(out), "--no-cache").stdout


@pytest.mark.parametrize("damage", ["edit", "same-size edit", "delete", "stray"])
def test_a_touched_output_folder_is_regenerated(tmp_path: Path, warm_cache: Path, damage: str) -> None:
    out = _copy_of_generated(tmp_path / "generated")
    _run("--out", str(out), "--cache-dir", str(warm_cache))
    target = out / "imagerelay" / "api_generate" / "client.py"
    if damage == "edit":
        target.write_text(target.read_text() + "# hand edit\n")
    elif damage == "same-size edit":  # caught by its new mtime, then its hash
        target.write_text(target.read_text().replace("def ", "dEf ", 1))
    elif damage == "delete":
        target.unlink()
    else:
        (out / "imagerelay" / "stray.py").write_text("x = 1\n")
    assert NOOP not in _run("--out", str(out), "--cache-dir", str(warm_cache)).stdout
    assert _tree(out) == _tree(GENERATED)


@pytest.mark.parametrize("edited", ["spec", "template"])
def test_an_input_change_is_regenerated(tmp_path: Path, warm_cache: Path, edited: str) -> None:
    specs, templates = tmp_path / "specs", tmp_path / "templates"
    shutil.copytree(ROOT / "specs", specs)
    shutil.copytree(ROOT / "templates", templates)
    out = _copy_of_generated(tmp_path / "generated")
    args = ("--specs", str(specs), "--templates", str(templates), "--out", str(out), "--cache-dir", str(warm_cache))
    _run(*args)
    if edited == "spec":
        path = specs / "image_tasks.yaml"
        path.write_text(path.read_text().replace('values: ["1:1", "16:9"', 'values: ["1:1", "21:9", "16:9"', 1))
        changed = out / "imagerelay" / "image_tasks" / "models.py"
    else:
        path = templates / "docs" / "errors.md.jinja"
        path.write_text(path.read_text() + "\nOne more line.\n")
        changed = out / "docs" / "errors.md"
    before = changed.read_bytes()
    assert NOOP not in _run(*args).stdout
    assert changed.read_bytes() != before
    assert NOOP in _run(*args).stdout


def test_jobs_must_be_positive() -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "--check", "--jobs", "0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "--jobs must be at least 1" in result.stderr
