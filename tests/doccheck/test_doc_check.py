"""``python -m generator doc-check``: the seed docs agree with today's specs, and each edit of
a seed doc kept in ``edited/`` (named ``<provider>__<edit>.txt``) is found and located in both
files as ``edited/<name>.expected`` says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.doccheck.cli import check, load_target, read_doc
from generator.doccheck.findings import render

ROOT = Path(__file__).resolve().parents[2]
EDITED = sorted((Path(__file__).parent / "edited").glob("*.txt"))
SPECS_WITH_DOCS = ["api_generate", "chat_stream", "gemini_12ai", "gemini_jobs", "image_tasks"]


def _lines(spec: str, doc: Path) -> list[str]:
    target = load_target(Path("specs") / f"{spec}.yaml")
    verdict, stale = check(target, read_doc(doc))
    return render(verdict, doc.relative_to(ROOT).as_posix(), stale, verbose=False)


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "doc-check", *args], check=False, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(autouse=True)
def _from_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("spec", SPECS_WITH_DOCS)
def test_each_seed_doc_agrees_with_its_spec_but_for_the_explained_departures(spec: str) -> None:
    target = load_target(Path("specs") / f"{spec}.yaml")
    doc = Path("specs/docs") / target.ir.source_doc
    verdict, _ = check(target, read_doc(doc))
    assert verdict.unexplained == () and verdict.stale == ()
    assert sorted(finding.key for finding, _ in verdict.explained) == sorted(
        item.finding for item in target.checked.spec.doc_departures)


@pytest.mark.parametrize("doc", EDITED, ids=[path.stem for path in EDITED])
def test_an_edited_seed_doc_gives_exactly_the_expected_findings(doc: Path) -> None:
    expected = doc.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert _lines(doc.stem.split("__")[0], doc) == expected


def test_every_edited_doc_has_an_expected_file_and_differs_from_its_seed_in_one_place() -> None:
    assert sorted(path.stem for path in EDITED) == sorted(
        path.stem for path in (Path(__file__).parent / "edited").glob("*.expected"))
    for doc in EDITED:
        seed = Path("specs/docs") / load_target(Path("specs") / f"{doc.stem.split('__')[0]}.yaml").ir.source_doc
        old, new = seed.read_text(encoding="utf-8").splitlines(), doc.read_text(encoding="utf-8").splitlines()
        changed = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
        assert len(old) != len(new) or len(changed) == 1, doc.name


def test_the_command_exits_0_when_clean_1_on_drift_and_prints_both_places() -> None:
    clean = _run("specs/gemini_12ai.yaml", "specs/docs/004_ba1c9934b2105fdb.txt")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.strip().endswith("0 unexplained finding(s)")
    drift = _run("specs/gemini_12ai.yaml", "tests/doccheck/edited/gemini_12ai__size_cell_changed.txt")
    assert drift.returncode == 1
    assert drift.stdout.splitlines()[0] == (
        "tests/doccheck/edited/gemini_12ai__size_cell_changed.txt:311: size table 16:9 4K: the doc says "
        "5504x3080, spec table pro says 5504x3072 [size-cell pro 16:9 4K]; specs/gemini_12ai.yaml:90:45")


def test_all_checks_every_spec_with_a_local_doc_and_skips_a_url(tmp_path: Path) -> None:
    result = _run("--all", "--verbose")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "specs/fal_queue.yaml: skipped: provider.source_doc 'https://docs.fal.ai/model-endpoints/queue'" in result.stdout
    assert "(explained: The field table marks output_format Yes (required)" in result.stdout
    assert result.stdout.count(" against specs/docs/") == len(SPECS_WITH_DOCS)
    # --verbose says what was compared, and which JSON object matched no endpoint (a Python dict).
    assert ("specs/docs/004_ba1c9934b2105fdb.txt: read: 5 curl commands, 3 JSON objects, 1 endpoint line, "
            "1 model list, 1 ratio list, 2 size tables, 4 field table rows; JSON objects matching no endpoint, "
            "not checked: line 187") in result.stdout


def test_errors_exit_2_with_the_reason(tmp_path: Path) -> None:
    missing = _run("specs/gemini_12ai.yaml", str(tmp_path / "gone.txt"))
    assert missing.returncode == 2 and "gone.txt: cannot be read" in missing.stderr
    binary = tmp_path / "doc.txt"
    binary.write_bytes(b"\xff\xfe\x00 not text")
    undecodable = _run("specs/gemini_12ai.yaml", str(binary))
    assert undecodable.returncode == 2 and "not UTF-8 text" in undecodable.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text((ROOT / "specs/gemini_12ai.yaml").read_text(encoding="utf-8").replace(
        "scheme: query", "scheme: cookie"), encoding="utf-8")
    invalid = _run(str(broken), "specs/docs/004_ba1c9934b2105fdb.txt")
    assert invalid.returncode == 2 and f"{broken}:22:" in invalid.stderr and "scheme" in invalid.stderr
    assert _run().returncode == 2


def test_a_departure_silences_its_finding_and_a_stale_one_is_reported(tmp_path: Path) -> None:
    spec = tmp_path / "gemini_12ai.yaml"
    text = (ROOT / "specs/gemini_12ai.yaml").read_text(encoding="utf-8")
    spec.write_text(text + "\ndoc_departures:\n  - finding: size-cell pro 16:9 4K\n"
                    "    reason: the vendor's 4K row is a typo; the relay answers 5504x3072\n", encoding="utf-8")
    edited = "tests/doccheck/edited/gemini_12ai__size_cell_changed.txt"
    silenced = _run(str(spec), edited, "--verbose")
    assert silenced.returncode == 0, silenced.stdout
    assert "(explained: the vendor's 4K row is a typo" in silenced.stdout
    stale = _run(str(spec), "specs/docs/004_ba1c9934b2105fdb.txt")
    assert stale.returncode == 1
    assert f"{spec}:" in stale.stdout and "'size-cell pro 16:9 4K' matches no finding" in stale.stdout


def test_the_spec_is_read_from_a_copy_outside_the_project(tmp_path: Path) -> None:
    shutil.copy(ROOT / "specs/image_tasks.yaml", tmp_path / "image_tasks.yaml")
    shutil.copy(ROOT / "specs/docs/003_64fae617c878da5b.txt", tmp_path / "vendor.md")
    result = _run("image_tasks.yaml", "vendor.md", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "image_tasks.yaml against vendor.md: 0 unexplained finding(s)"
