"""The release flow of docs/authoring.md section 7, end to end, with the commands a maintainer
types: the vendor adds a ratio to its doc; doc-check finds it, located in both files; the spec
is fixed and doc-check is clean; the report calls it non-breaking; generating makes the next
patch release, named in the changelog and greater under PEP 440."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
SEED = "004_ba1c9934b2105fdb.txt"
RATIOS = 'values: ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "5:4", "4:5", "21:9"]'


def _generator(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], check=False, cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def _version(out: Path) -> str:
    init = (out / "imagerelay" / "__init__.py").read_text(encoding="utf-8")
    return init.split('__version__ = "', 1)[1].split('"', 1)[0]


def test_a_doc_change_is_found_fixed_reported_and_released(tmp_path: Path) -> None:
    (tmp_path / "specs" / "docs").mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "gemini_12ai.yaml", tmp_path / "specs")
    shutil.copy(ROOT / "specs" / "docs" / SEED, tmp_path / "specs" / "docs")
    build = ["--specs", "specs", "--templates", str(ROOT / "templates"), "--out", "out", "--no-cache", "--jobs", "1"]
    assert _generator(tmp_path, *build).returncode == 0
    first = _version(tmp_path / "out")

    # 1. The vendor's new doc lists 1:4 for every model.
    doc = tmp_path / "specs" / "docs" / SEED
    doc.write_text(doc.read_text(encoding="utf-8").replace("4:5、21:9 |", "4:5、21:9、1:4 |"), encoding="utf-8")
    found = _generator(tmp_path, "doc-check", "specs/gemini_12ai.yaml", f"specs/docs/{SEED}")
    assert found.returncode == 1
    assert found.stdout.splitlines()[:2] == [
        (f"specs/docs/{SEED}:44: ratio 1:4 is listed for gemini-2.5-flash-image but the spec does not allow it "
        "for family flash [ratio-missing flash 1:4]; specs/gemini_12ai.yaml:46:5"),
        (f"specs/docs/{SEED}:44: ratio 1:4 is listed for gemini-3-pro-image-preview but the spec does not allow it "
        "for family pro [ratio-missing pro 1:4]; specs/gemini_12ai.yaml:46:5")]

    # 2. The spec follows the doc; doc-check is clean.
    spec = tmp_path / "specs" / "gemini_12ai.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(RATIOS, RATIOS[:-1] + ', "1:4"]'), encoding="utf-8")
    assert _generator(tmp_path, "doc-check", "specs/gemini_12ai.yaml").returncode == 0

    # 3. The report against the last generation's copy of the specs.
    report = _generator(tmp_path, "report", "out/.specs", "specs")
    assert report.returncode == 0, report.stderr
    assert "Suggested version bump: minor (1 non-breaking)" in report.stdout
    assert "gemini_12ai.catalog.AspectRatio: values added" in report.stdout and "'1:4'" in report.stdout

    # 4. Generate: the next release, greater, named by its changelog entry.
    assert _generator(tmp_path, *build).returncode == 0
    second = _version(tmp_path / "out")
    assert Version(second) > Version(first) and second == "0.1.1"
    changelog = (tmp_path / "out" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"SDK `{second}`" in changelog.split("\n## ", 2)[1]
    assert _generator(tmp_path, *build[:-3], "--check", "--no-cache").returncode == 0
