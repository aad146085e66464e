"""The checker holds size tables to the rules of the families they serve (issue 17, item 3)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from imagerelay._runtime.rules import PixelSize

from generator.spec.load import check_spec_file
from generator.spec.schema import PixelSpec
from generator.spec.table_checks import pixel_problems

ROOT = Path(__file__).resolve().parents[2]


def test_lowering_a_pixel_bound_below_the_table_is_an_error_at_each_cell(tmp_path: Path) -> None:
    # The case: gpt-image-2-vip's longest edge lowered to 3072 while its size table
    # still lists 3840-edge values.
    text = (ROOT / "specs" / "api_generate.yaml").read_text(encoding="utf-8")
    assert text.count("max_edge: 3840") == 1
    spec = tmp_path / "api_generate.yaml"
    spec.write_text(text.replace("max_edge: 3840", "max_edge: 3072"), encoding="utf-8")
    checked, problems = check_spec_file(spec, "specs/api_generate.yaml")
    assert checked is None
    rows = yaml.safe_load(text)["size_tables"]["gpt-image-2-vip"]["rows"]
    too_big = {f"size_tables.gpt-image-2-vip.rows.{ratio}.{tier}" for ratio, row in rows.items()
               for tier, value in row.items() if max(map(int, value.split("x"))) > 3072}
    assert len(too_big) >= 8
    assert {problem.path for problem in problems} == too_big
    # Each error also names the rule, by path and line: the line before its `when` (its `- one_of`).
    lines = text.splitlines()
    rule_line = next(number for number, line in enumerate(lines, 1) if "when: {family: [gpt-image-2-vip]}" in line) - 1
    assert lines[rule_line - 1].strip() == "- one_of: aspectRatio"
    for problem in problems:
        assert "breaks the pixel rule of schemas.GenerateBody.rules[" in problem.message
        assert re.search(rf"specs/api_generate\.yaml:{rule_line}:\d+\): longest edge \d+ exceeds 3072$",
                         problem.message), problem.message


def test_the_shipped_specs_agree_with_their_tables() -> None:
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        checked, problems = check_spec_file(path, f"specs/{path.name}")
        assert problems == [] and checked is not None, path.name


bounds = st.builds(PixelSpec, max_edge=st.none() | st.integers(1, 5000), multiple_of=st.none() | st.integers(1, 64),
                   max_ratio=st.none() | st.floats(1, 8), min_pixels=st.none() | st.integers(0, 10**7),
                   max_pixels=st.none() | st.integers(1, 2 * 10**7))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(bounds, st.integers(-2, 6000), st.integers(-2, 6000))
def test_the_checker_and_the_sdk_judge_a_size_alike(pixel: PixelSpec, width: int, height: int) -> None:
    # The checker cannot import the generated runtime (stage boundary), so the rule is written
    # twice; this holds the two copies to the same verdicts and words.
    runtime = PixelSize(pixel.max_edge, pixel.multiple_of, pixel.max_ratio, pixel.min_pixels, pixel.max_pixels)
    assert pixel_problems(pixel, width, height) == runtime.problems(width, height)
