"""``generated/CHANGELOG.md``: one entry per generation whose specs changed, and a clean check after it."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from packaging.version import Version
from spec_pairs import BASE, EXTRA, apply_edit

from generator.cli import main
from generator.pipeline import build_ir, generate
from generator.render.package_meta import sdk_release
from generator.render.write import write_tree
from generator.report.changelog import CHANGELOG_FILE, SNAPSHOT_FOLDER

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
ADD_TURBO = {"file": "acme.yaml", "replace": "models: [acme-1, acme-1-fast]",
             "with": "models: [acme-1, acme-1-fast, acme-1-turbo]"}


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Path, Path]:
    specs, out = tmp_path / "specs", tmp_path / "generated"
    shutil.copytree(BASE, specs)
    return specs, out


def _run(capsys: pytest.CaptureFixture[str], specs: Path, out: Path, *flags: str) -> tuple[int, str]:
    code = main([*flags, "--specs", str(specs), "--templates", str(TEMPLATES), "--out", str(out)])
    return code, capsys.readouterr().err


def _release_line(specs: Path, version: str) -> str:
    release = sdk_release(build_ir(specs))
    return f"SDK `{version}` (spec digest `{release.spec_digest}`)"


def _version(out: Path) -> str:
    init = (out / "imagerelay" / "__init__.py").read_text(encoding="utf-8")
    return init.split('__version__ = "', 1)[1].split('"', 1)[0]


def _entries(out: Path) -> list[str]:
    text = (out / CHANGELOG_FILE).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith("## ")]


def test_first_generation_lists_providers_and_copies_specs(project: tuple[Path, Path],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    specs, out = project
    assert _run(capsys, specs, out) == (0, "")
    assert (out / SNAPSHOT_FOLDER / "acme.yaml").read_bytes() == (specs / "acme.yaml").read_bytes()
    text = (out / CHANGELOG_FILE).read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert text.endswith(
        "## 1 · suggested bump: minor\n\n"
        f"{_release_line(specs, '0.1.0')} · 1 non-breaking.\n\n"
        "### acme\n\n1 non-breaking.\n\n"
        "- non-breaking · `acme`: provider added: `methods generate, generate_now, get_task; 4 model ids`\n"
    )
    assert _run(capsys, specs, out, "--check") == (0, "")


def test_a_spec_change_is_logged_once_and_check_stays_clean(project: tuple[Path, Path],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    specs, out = project
    _run(capsys, specs, out)
    first = (out / CHANGELOG_FILE).read_text(encoding="utf-8")
    apply_edit(specs, ADD_TURBO)

    code, err = _run(capsys, specs, out, "--check")
    assert code == 1
    assert "stale: generated/CHANGELOG.md" in err.splitlines()
    assert "stale: generated/.specs/acme.yaml" in err.splitlines()

    assert _run(capsys, specs, out)[0] == 0
    logged = (out / CHANGELOG_FILE).read_text(encoding="utf-8")
    assert _entries(out) == ["## 2 · suggested bump: minor", "## 1 · suggested bump: minor"]
    entry = logged[logged.index("## 2"):logged.index("## 1")]
    assert entry == (
        "## 2 · suggested bump: minor\n\n"
        f"{_release_line(specs, '0.1.1')} · 1 non-breaking.\n\n"
        "### acme\n\n1 non-breaking.\n\n"
        "- non-breaking · `acme.catalog.ModelId 'acme-1-turbo'`: model id added (family acme-1), "
        "accepted by acme.{generate,generate_now}(model)\n\n"
    )
    assert logged.endswith(first[first.index("## 1"):]), "older entries are kept verbatim"

    assert _version(out) == "0.1.1"  # 0.x: an addition is a patch release
    assert _run(capsys, specs, out)[0] == 0
    assert (out / CHANGELOG_FILE).read_text(encoding="utf-8") == logged, "regenerating adds nothing"
    assert _version(out) == "0.1.1"
    assert _run(capsys, specs, out, "--check") == (0, "")


def test_a_change_invisible_to_users_refreshes_the_copy_only(project: tuple[Path, Path],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    specs, out = project
    _run(capsys, specs, out)
    before = (out / CHANGELOG_FILE).read_bytes()
    apply_edit(specs, {"file": "acme.yaml", "replace": "spec_version: 1", "with": "spec_version: 1  # reviewed"})
    assert _run(capsys, specs, out)[0] == 0
    assert (out / CHANGELOG_FILE).read_bytes() == before
    assert b"# reviewed" in (out / SNAPSHOT_FOLDER / "acme.yaml").read_bytes()
    assert _run(capsys, specs, out, "--check") == (0, "")


def test_an_unreadable_previous_copy_is_logged_not_fatal(project: tuple[Path, Path]) -> None:
    specs, out = project
    shutil.copy(EXTRA / "beta.yaml", specs / "beta.yaml")
    write_tree(out, generate(specs, TEMPLATES, out))
    # As if the spec language had moved on since acme's copy was made.
    copy = out / SNAPSHOT_FOLDER / "acme.yaml"
    copy.write_text(copy.read_text(encoding="utf-8").replace("spec_version: 1", "spec_version: 1\nlegacy: true"),
                    encoding="utf-8")
    apply_edit(specs, {"file": "beta.yaml", "replace": "models: [beta-1]", "with": "models: [beta-1, beta-2]"})
    changelog = {file.path: file.content for file in generate(specs, TEMPLATES, out)}[CHANGELOG_FILE]
    entry = changelog[changelog.index("## 2"):changelog.index("## 1")]
    assert entry.startswith("## 2 · suggested bump: minor\n")
    assert ("- **needs attention** · `specs/acme.yaml`: not compared: the previous copy no longer passes "
            "the checker: `.specs/acme.yaml:4:1: error: at legacy: ") in entry
    assert ("- non-breaking · `beta.catalog.ModelId 'beta-2'`: model id added (family beta), "
            "accepted by beta.generate(model)\n") in entry, "other providers still compared"
    assert "provider added" not in entry


def test_without_an_output_folder_the_history_starts_afresh(project: tuple[Path, Path]) -> None:
    specs, _ = project
    files = {file.path: file.content for file in generate(specs, TEMPLATES)}
    assert files[f"{SNAPSHOT_FOLDER}/acme.yaml"] == (specs / "acme.yaml").read_text(encoding="utf-8")
    assert [line for line in files[CHANGELOG_FILE].splitlines() if line.startswith("## ")] == [
        "## 1 · suggested bump: minor"]


def test_an_edit_then_its_revert_are_two_releases_each_greater(project: tuple[Path, Path],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    specs, out = project
    original = (specs / "acme.yaml").read_text(encoding="utf-8")
    _run(capsys, specs, out)
    versions = [_version(out)]
    apply_edit(specs, ADD_TURBO)
    _run(capsys, specs, out)
    versions.append(_version(out))
    (specs / "acme.yaml").write_text(original, encoding="utf-8")  # the vendor takes it back
    _run(capsys, specs, out)
    versions.append(_version(out))
    # An addition is a patch while 0.x; taking a model away is breaking: the next minor.
    assert versions == ["0.1.0", "0.1.1", "0.2.0"]
    assert [Version(a) < Version(b) for a, b in itertools.pairwise(versions)] == [True, True]
    logged = (out / CHANGELOG_FILE).read_text(encoding="utf-8")
    assert _entries(out) == ["## 3 · suggested bump: major", "## 2 · suggested bump: minor",
                             "## 1 · suggested bump: minor"]
    for number, version in ((3, "0.2.0"), (2, "0.1.1"), (1, "0.1.0")):
        entry = logged[logged.index(f"## {number} "):]
        assert entry.split("\n")[2].startswith(f"SDK `{version}` "), entry[:200]
    assert _run(capsys, specs, out, "--check") == (0, "")
