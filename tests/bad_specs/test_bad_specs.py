"""Every broken spec in this folder is rejected with exactly the diagnostics in its ``.expected`` file.

Each ``X.yaml`` is a copy of ``MINIMAL_SPEC`` (below) with one kind of mistake (the
``several_*`` files have several), and its provider id is its file stem.
``X.expected`` holds the diagnostics, one a line, as the checker prints them for
display name ``specs/X.yaml``, sorted the way the CLI prints them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.errors import SpecError
from generator.spec.load import check_spec_file

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BAD_SPECS = sorted(HERE.glob("*.yaml"))

# The spec every bad spec is a copy of; it must itself be valid (and generate).
MINIMAL_SPEC = """\
# A minimal valid spec; every file in tests/bad_specs/ is a copy with one mistake.
spec_version: 1

provider:
  id: minimal
  title: Minimal relay
  source_doc: minimal.txt

base_url:
  default: https://relay.example.com
  env: MINIMAL_BASE_URL

auth:
  scheme: bearer
  env: MINIMAL_API_KEY

model_families:
  banana:
    models: [banana-1, banana-2]
  image:
    models: [image-1]

enums:
  Ratio:
    format: ratio
    values: [auto, "1:1", "16:9"]
  Mode:
    values: [sync, async]
  Status:
    values:
      - running
      - {value: done, outcome: success}
      - {value: failed, outcome: failure}

size_tables:
  image:
    families: [image]
    tiers: [1K, 2K]
    rows:
      "1:1": {1K: 1024x1024, 2K: 2048x2048}
      "16:9": {1K: 1280x720}

schemas:
  DrawBody:
    fields:
      model: {type: model, required: true}
      prompt: {type: string, required: true}
      images:
        type: array
        items: {type: string}
      ratio: {type: string}
      mode: {type: string, enum: Mode}
    rules:
      - one_of: ratio
        when: {family: [banana]}
        enum: Ratio
      - one_of: ratio
        when: {family: [image]}
        size_table: {table: image}
      - max_items: {path: images, limit: 2}
  Task:
    fields:
      id: {type: string, required: true}
      status: {type: string, enum: Status, required: true}
      error: {type: string}
    task:
      status: status
      status_enum: Status
      error: error

endpoints:
  draw:
    summary: Submit a drawing task.
    method: POST
    path: /v1/draw
    request:
      schema: DrawBody
      fixed: {mode: async}
    response:
      schema: Task
    polling:
      get: get_task
      id_from: id
      id_param: task_id
  get_task:
    summary: Fetch a task.
    method: GET
    path: /v1/tasks/{task_id}
    request:
      fields:
        task_id: {type: string, in: path, required: true}
    response:
      schema: Task
"""

def _expected(path: Path) -> list[str]:
    return path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()


def _printed(path: Path) -> list[str]:
    """What the checker reports for ``path``, in the order the CLI prints it."""
    checked, problems = check_spec_file(path, f"specs/{path.name}")
    assert checked is None, f"{path.name} was accepted"
    return [str(d) for d in SpecError(problems).diagnostics]


@pytest.mark.parametrize("path", BAD_SPECS, ids=[path.stem for path in BAD_SPECS])
def test_bad_spec_reports_exactly_the_expected_diagnostics(path: Path) -> None:
    assert _printed(path) == _expected(path)


def test_every_bad_spec_has_an_expected_file_and_vice_versa() -> None:
    expected = {p.stem for p in HERE.glob("*.expected")}
    assert expected == {p.stem for p in BAD_SPECS}
    assert len(BAD_SPECS) >= 20
    for path in BAD_SPECS:
        lines = _expected(path)
        assert lines, f"{path.stem}.expected is empty"
        for line in lines:
            assert line.startswith(f"specs/{path.name}:"), line
            assert ": error: " in line, line


def test_provider_id_equals_file_stem_except_in_the_mismatch_spec() -> None:
    for path in BAD_SPECS:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict):
            continue
        provider_id = data["provider"]["id"]
        if path.stem == "provider_id_mismatch":
            assert provider_id != path.stem
        else:
            assert provider_id == path.stem, path.name


def test_several_mistakes_are_all_reported() -> None:
    semantic = _printed(HERE / "several_mistakes.yaml")
    assert len(semantic) == 6
    assert len({line.split(": error:")[0] for line in semantic}) == 5  # five places, two errors on the path
    shape = _printed(HERE / "several_shape_mistakes.yaml")
    assert len(shape) == 4


def test_the_minimal_spec_they_are_copied_from_is_valid(tmp_path: Path) -> None:
    spec_file = tmp_path / "minimal.yaml"
    spec_file.write_text(MINIMAL_SPEC, encoding="utf-8")
    checked, problems = check_spec_file(spec_file, "specs/minimal.yaml")
    assert problems == []
    assert checked is not None
    assert checked.spec.provider.id == "minimal"


def test_each_bad_spec_differs_from_the_minimal_spec_in_few_lines() -> None:
    import difflib

    base = MINIMAL_SPEC.splitlines()[1:]  # line 1 is the comment saying what is wrong
    for path in BAD_SPECS:
        if path.stat().st_size == 0:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# Bad spec: "), path.name
        changed = [
            line
            for line in difflib.unified_diff(base, lines[1:], lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
        limit = 14 if path.stem.startswith("several") else 6
        assert 0 < len(changed) <= limit, (path.name, changed)


# -- the CLI end to end ---------------------------------------------------------------------

CLI_BAD = ("several_mistakes", "wrong_literal")


def _run_cli(specs: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "generator", "--specs", str(specs), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=300,
    )


def _specs_folder(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    for stem in CLI_BAD:
        shutil.copy(HERE / f"{stem}.yaml", specs / f"{stem}.yaml")
    shutil.copy(ROOT / "specs" / "api_generate.yaml", specs / "api_generate.yaml")
    return specs


def _cli_expected() -> list[str]:
    # The CLI names files "<folder>/<file>", so a folder called specs gives the .expected lines.
    lines = [line for stem in CLI_BAD for line in _expected(HERE / f"{stem}.yaml")]
    return [*lines, f"{len(lines)} errors; nothing was written."]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_cli_reports_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    specs = _specs_folder(tmp_path)
    out = tmp_path / "out"
    result = _run_cli(specs, out)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == _cli_expected()
    assert result.stdout == ""
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["specs"]


def test_cli_failure_leaves_an_existing_output_folder_byte_identical(tmp_path: Path) -> None:
    specs = _specs_folder(tmp_path)
    out = tmp_path / "out"
    (out / "pkg").mkdir(parents=True)
    (out / "marker.txt").write_bytes(b"written by an earlier run\n")
    (out / "pkg" / "__init__.py").write_bytes(b"# old\n")
    before = _snapshot(out)
    result = _run_cli(specs, out)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == _cli_expected()
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "specs"]
