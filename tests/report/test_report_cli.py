"""``python -m generator report OLD [NEW]``: folders, git revisions, Markdown, and clear input errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from spec_pairs import BASE, apply_edit, spec_pair

from generator.cli import main

ADD_TURBO = {"file": "acme.yaml", "replace": "models: [acme-1, acme-1-fast]",
             "with": "models: [acme-1, acme-1-fast, acme-1-turbo]"}


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_text_report_of_two_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after = spec_pair("makes_field_required", tmp_path)
    code, out, err = _report(capsys, str(before), str(after))
    assert (code, err) == (0, "")
    assert out == (
        f"Spec changes from {before} to {after}\n"
        "Suggested version bump: major (1 breaking)\n"
        "\n"
        "acme: 1 breaking\n"
        "  breaking         acme.{generate,generate_now}(image_size): now required\n"
    )


def test_markdown_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after = spec_pair("renames_field_and_rewords_it", tmp_path)
    code, out, _ = _report(capsys, str(before), str(after), "--markdown")
    assert code == 0
    assert out == (
        f"# Spec changes from `{before}` to `{after}`\n"
        "\n"
        "Suggested version bump: **major** (2 breaking, 1 needs attention).\n"
        "\n"
        "## acme\n"
        "\n"
        "2 breaking, 1 needs attention.\n"
        "\n"
        "- **breaking** · `acme.{generate,generate_now}(prompt)`: parameter removed: `str, required`\n"
        "- **breaking** · `acme.{generate,generate_now}(text)`: parameter added: `str, required`\n"
        "- **needs attention** · `acme.{generate,generate_now}`: parameter possibly renamed: `prompt` → `text`\n"
    )


def test_unchanged_specs_report_no_bump(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _report(capsys, str(BASE), str(BASE))
    assert code == 0
    assert out.endswith("No changes for SDK users.\nSuggested version bump: none\n")


def test_missing_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _report(capsys, str(tmp_path / "nowhere"), str(BASE))
    assert (code, out) == (2, "")
    assert err == f"error: OLD: spec folder {str(tmp_path / 'nowhere')!r} does not exist\nno report.\n"


def test_invalid_spec_gives_located_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "specs"
    shutil.copytree(BASE, broken)
    apply_edit(broken, {"file": "acme.yaml", "replace": "when: {family: [acme-2]}", "with": "when: {family: [acme-3]}"})
    code, out, err = _report(capsys, str(BASE), str(broken))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == f"error: NEW ({broken}) has invalid specs:"
    # The checker's own wording is its business; the location and the culprit are the report's.
    assert lines[1].startswith(f"{broken}/acme.yaml:76:25: error: at schemas.GenerateBody.rules[1].when.family[0]: ")
    assert "'acme-3'" in lines[1]
    assert lines[-2:] == ["1 error in NEW.", "no report."]


def _broken_old(root: Path) -> Path:
    """``root/old/sBad``: the base specs with a rule naming a family that does not exist."""
    broken = root / "old" / "sBad"
    shutil.copytree(BASE, broken)
    apply_edit(broken, {"file": "acme.yaml", "replace": "when: {family: [acme-2]}", "with": "when: {family: [acme-3]}"})
    return broken


@pytest.mark.parametrize("typed", ["old/sBad", "old/sBad/", "./old/sBad"])
def test_invalid_old_folder_is_named_as_typed_relative(typed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17: errors in OLD read ``sBad/acme.yaml``, a path the user never typed (nor can open)."""
    _broken_old(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = _report(capsys, typed, str(BASE))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == f"error: OLD ({typed}) has invalid specs:"
    assert lines[1].startswith(f"{typed.rstrip('/')}/acme.yaml:76:25: error: at schemas.GenerateBody.rules[1]")
    # The path printed opens the file from where the command ran.
    assert (tmp_path / lines[1].split(":", 1)[0]).is_file()
    assert lines[-2:] == ["1 error in OLD.", "no report."]


def test_invalid_old_folder_is_named_as_typed_absolute(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = _broken_old(tmp_path)
    code, _, err = _report(capsys, str(broken), str(BASE))
    assert code == 2
    assert err.splitlines()[1].startswith(f"{broken}/acme.yaml:76:25: error: ")
    assert Path(err.splitlines()[1].split(":", 1)[0]).is_file()


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=relaygen tests", "-c", "user.email=tests@relaygen.invalid",
         "-c", "commit.gpgsign=false", *args],
        cwd=repo, capture_output=True, text=True, check=True, timeout=60,
    )
    return result.stdout


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A git repository whose first commit has no specs and whose second has the base specs."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    (root / "README.md").write_text("no specs yet\n", encoding="utf-8")
    _git(root, "add", "README.md")
    _git(root, "commit", "-q", "-m", "start")
    shutil.copytree(BASE, root / "specs")
    _git(root, "add", "specs")
    _git(root, "commit", "-q", "-m", "specs")
    return root


def test_git_revision_against_working_tree(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    apply_edit(repo / "specs", ADD_TURBO)
    code, out, err = _report(capsys, "git:HEAD", str(repo / "specs"), "--repo", str(repo))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"Spec changes from git:HEAD to {repo / 'specs'}"
    assert ("  non-breaking     acme.catalog.ModelId 'acme-1-turbo': model id added (family acme-1), "
            "accepted by acme.{generate,generate_now}(model)") in out.splitlines()


def test_two_git_revisions(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    apply_edit(repo / "specs", ADD_TURBO)
    _git(repo, "commit", "-q", "-am", "turbo")
    (repo / "specs" / "acme.yaml").write_text("not: [a, valid spec\n", encoding="utf-8")  # never read
    code, out, _ = _report(capsys, "git:HEAD~1", "git:HEAD", "--repo", str(repo))
    assert code == 0
    assert out.splitlines()[:2] == ["Spec changes from git:HEAD~1 to git:HEAD",
                                    "Suggested version bump: minor (1 non-breaking)"]


def test_unknown_revision_and_missing_spec_folder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _report(capsys, "git:no-such-branch", str(BASE), "--repo", str(repo))
    assert code == 2
    assert err == f"error: OLD: git revision 'no-such-branch' not found in {str(repo)!r}\nno report.\n"
    code, _, err = _report(capsys, "git:HEAD~1", "git:HEAD~7", "--repo", str(repo))
    assert code == 2
    assert err.splitlines() == ["error: OLD: git revision 'HEAD~1' has no folder 'specs'",
                                "error: NEW: git revision 'HEAD~7' not found in " + repr(str(repo)),
                                "no report."]
