"""Realistic spec changes, each a pair of spec versions with the report users should get.

Each ``scenarios/<name>.yaml`` is compared with ``scenarios/<name>.expected`` (the terminal
text, naming the versions ``before`` and ``after``). To review a changed expectation, write
the pair with ``spec_pair(name, folder)`` and run ``python -m generator report`` on its two folders.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spec_pairs import SCENARIOS, scenario_names, spec_pair

from generator.pipeline import build_ir
from generator.report.compare import compare_specs
from generator.report.render import render_markdown, render_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_report(name: str, tmp_path: Path) -> None:
    before, after = spec_pair(name, tmp_path)
    report = compare_specs(build_ir(before), build_ir(after))
    expected = (SCENARIOS / f"{name}.expected").read_text(encoding="utf-8")
    assert render_text(report, "before", "after") == expected


def test_every_scenario_has_an_expected_report() -> None:
    expected = sorted(path.stem for path in SCENARIOS.glob("*.expected"))
    assert expected == scenario_names()


def test_the_project_specs_compared_with_themselves_report_nothing() -> None:
    providers = build_ir(ROOT / "specs")
    assert compare_specs(providers, providers).changes == ()
    from_nothing = compare_specs([], providers)
    assert [(change.provider, change.what) for change in from_nothing.changes] == [
        (provider.id, "provider added") for provider in sorted(providers, key=lambda provider: provider.id)]
    assert from_nothing.bump == "minor"


def test_markdown_keeps_backticks_of_rule_summaries_readable(tmp_path: Path) -> None:
    before, after = spec_pair("rule_added", tmp_path)
    markdown = render_markdown(compare_specs(build_ir(before), build_ir(after)), "before", "after")
    assert markdown.splitlines()[-1] == (
        "- **breaking** · `acme.{generate,generate_now}(image_size) rule Forbidden(imageSize) when model family 'acme-1'`: "
        "rule added: `` `imageSize` is not accepted when model family 'acme-1' ``"
    )


def test_a_key_made_required_again_is_breaking(tmp_path: Path) -> None:
    """The reverse of the ``makes_key_optional`` scenario: keyless clients stop working."""
    required, optional = spec_pair("makes_key_optional", tmp_path)
    report = compare_specs(build_ir(optional), build_ir(required))
    assert [(c.what, c.severity, c.old, c.new) for c in report.changes] == [
        ("API key required or optional", "breaking", "optional", "required")]
    assert report.bump == "major"
