"""The inputs the generation benchmarks feed the generator: synthetic providers and spec edits.

Each must be a valid spec (else the figures would time an error exit) and really differ from
what came before (else the scaling and cache figures would measure shared or cached work).
No wall time is asserted here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bench.generator_process import tree_differences
from bench.spec_edits import ADD_RATIO, EDIT_KINDS, REWORD_ENDPOINT, add_aspect_ratio, apply_edit
from bench.synthetic import main, make_specs
from generator.spec.load import check_spec_file

ROOT = Path(__file__).resolve().parent.parent.parent
REAL_SPECS = sorted((ROOT / "specs").glob("*.yaml"))


def _problems(path: Path) -> list[str]:
    _, problems = check_spec_file(path, f"specs/{path.name}")
    return [str(problem) for problem in problems]


def test_synthetic_specs_are_valid_distinct_providers(tmp_path: Path) -> None:
    count = len(REAL_SPECS) + 2  # wraps round: two sources are cloned twice
    paths = make_specs(count, tmp_path)
    assert [path.stem for path in paths] == [f"{REAL_SPECS[i % len(REAL_SPECS)].stem}_{i:03d}" for i in range(count)]
    for path in paths:
        assert _problems(path) == []
    texts = [path.read_text(encoding="utf-8") for path in paths]
    assert len(set(texts)) == count
    envs = [env for text in texts for env in re.findall(r"^ +env: (\S+)$", text, re.MULTILINE)]
    assert len(envs) == 2 * count and len(set(envs)) == len(envs)


def test_synthetic_clone_keeps_the_source_size_and_names_its_variant(tmp_path: Path) -> None:
    path = make_specs(1, tmp_path)[0]
    source = REAL_SPECS[0].read_text(encoding="utf-8")
    clone = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) < len(clone.splitlines()) < len(source.splitlines()) + 40
    assert "Variant 0 of this relay" in clone


def test_synthetic_cli_replaces_earlier_specs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_specs(5, tmp_path)
    assert main(["3", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.yaml"))) == 3
    assert "wrote 3 specs" in capsys.readouterr().out


@pytest.mark.parametrize("kind", EDIT_KINDS)
@pytest.mark.parametrize("source", REAL_SPECS, ids=lambda path: path.stem)
def test_every_edit_of_every_spec_is_valid_and_new(tmp_path: Path, source: Path, kind: str) -> None:
    spec = tmp_path / source.name
    shutil.copy(source, spec)
    before = spec.read_text(encoding="utf-8")
    first = apply_edit(spec, kind, revision=1)
    after_first = spec.read_text(encoding="utf-8")
    second = apply_edit(spec, kind, revision=2)
    after_second = spec.read_text(encoding="utf-8")
    assert _problems(spec) == []
    assert before != after_first != after_second
    assert first.marker in after_first and second.marker != first.marker
    assert first.kind == (kind if add_aspect_ratio(before) is not None else REWORD_ENDPOINT)


def test_ratio_edit_appends_to_a_ratio_enum() -> None:
    text = REAL_SPECS[0].read_text(encoding="utf-8")
    edited = add_aspect_ratio(text)
    assert edited is not None
    new_text, marker = edited
    assert marker == '"5:3"'
    assert re.search(r'format: ratio\n    values: \[.*"21:9", "5:3"\]', new_text)


def test_fal_queue_has_no_ratio_enum_so_gets_the_description_edit(tmp_path: Path) -> None:
    spec = tmp_path / "fal_queue.yaml"
    shutil.copy(ROOT / "specs" / "fal_queue.yaml", spec)
    assert apply_edit(spec, ADD_RATIO, revision=3).kind == REWORD_ENDPOINT


def test_tree_differences_lists_changed_missing_and_extra_files() -> None:
    before = {"a": b"1", "b": b"2", "c": b"3"}
    after = {"a": b"1", "b": b"x", "d": b"4"}
    assert tree_differences(before, after) == ["b", "c", "d"]
    assert tree_differences(before, dict(before)) == []
