"""A field renamed on the wire is one breaking change, not a trail of removals, additions and
rule changes (issue 17, item 2): the issue's two cases on the shipped api_generate spec."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.pipeline import build_ir
from generator.report.compare import compare_specs

ROOT = Path(__file__).resolve().parents[2]


def _compare(tmp_path: Path, old: str, new: str) -> list[tuple[str, str, str, str, str]]:
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    shutil.copy(ROOT / "specs" / "api_generate.yaml", before)
    text = (before / "api_generate.yaml").read_text(encoding="utf-8")
    (after / "api_generate.yaml").write_text(text.replace(old, new), encoding="utf-8")
    report = compare_specs(build_ir(before), build_ir(after))
    return [(change.location, change.what, change.severity, change.old, change.new) for change in report.changes]


def test_a_renamed_fixed_field_is_one_breaking_rename_per_method(tmp_path: Path) -> None:
    changes = _compare(tmp_path, "replyType", "reply_type")
    fixed = [change for change in changes if change[1].startswith("fixed")]
    assert fixed and all(change[1].startswith("fixed field renamed on the wire") and change[2] == "breaking"
                         and (change[3], change[4]) == ("'replyType'", "'reply_type'") for change in fixed)
    assert not [change for change in changes if "fixed value" in change[1] or "not sent" in change[3:]]
    # One per method that sends it (generate, generate_stream, submit), each naming the value it sends.
    assert sorted(change[0] for change in fixed) == ["api_generate.generate", "api_generate.generate_stream",
                                                      "api_generate.submit"]
    assert {change[1] for change in fixed} == {f"fixed field renamed on the wire (always sends '{value}')"
                                               for value in ("json", "stream", "async")}


def test_rules_that_follow_a_renamed_field_report_nothing(tmp_path: Path) -> None:
    changes = _compare(tmp_path, "aspectRatio", "aspect_ratio")
    assert not [change for change in changes if change[1] in ("rule added", "rule removed")], changes
    renamed = [change for change in changes if change[1] == "renamed on the wire"]
    assert renamed and all((change[2], change[3], change[4]) == ("breaking", "'aspectRatio'", "'aspect_ratio'")
                           and "(aspect_ratio)" in change[0] for change in renamed)


def test_a_field_renamed_in_python_and_on_the_wire_is_one_rename_and_its_rules_follow(tmp_path: Path) -> None:
    # aspectRatio -> ratio: the Python argument becomes ratio too; the shape is unchanged.
    changes = _compare(tmp_path, "aspectRatio", "ratio")
    assert not [change for change in changes if change[1].startswith(("rule", "parameter"))], changes
    renamed = [change for change in changes if change[1] == "renamed"]
    assert renamed and all((change[2], change[3], change[4]) == ("breaking", "aspect_ratio (wire 'aspectRatio')",
                                                                 "ratio (wire 'ratio')")
                           and "(ratio)" in change[0] for change in renamed)
