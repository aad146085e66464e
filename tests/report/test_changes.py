"""Classification rules and the suggested version bump."""

from __future__ import annotations

import pytest

from generator.report.changes import Change, ChangeReport, Severity, narrowed, shown, widened


def _change(severity: Severity, provider: str = "acme", what: str = "x") -> Change:
    return Change(provider, provider, what, severity)


@pytest.mark.parametrize(("severities", "bump"), [
    ((), "none"),
    (("docs",), "patch"),
    (("docs", "non-breaking"), "minor"),
    (("attention", "docs"), "minor"),
    (("non-breaking", "breaking", "docs"), "major"),
])
def test_bump_follows_the_most_severe_change(severities: tuple[Severity, ...], bump: str) -> None:
    assert ChangeReport(tuple(_change(severity) for severity in severities)).bump == bump


def test_providers_are_sorted_and_their_changes_put_breaking_first() -> None:
    report = ChangeReport((
        _change("non-breaking", "zeta", "a"), _change("docs", "acme", "b"), _change("breaking", "acme", "c"),
        _change("attention", "acme", "d"), _change("breaking", "acme", "e"),
    ))
    assert report.providers() == ("acme", "zeta")
    assert [change.what for change in report.of_provider("acme")] == ["c", "e", "d", "b"]
    assert report.tally() == "2 breaking, 1 needs attention, 1 non-breaking, 1 docs only"
    assert report.tally(report.of_provider("zeta")) == "1 non-breaking"


def test_direction_decides_how_a_narrowing_or_widening_counts() -> None:
    inputs, outputs = frozenset({"input"}), frozenset({"output"})
    both = frozenset({"input", "output"})
    assert (narrowed(inputs), narrowed(outputs), narrowed(both)) == ("breaking", "attention", "breaking")
    assert (widened(inputs), widened(outputs), widened(both)) == ("non-breaking", "attention", "attention")


def test_values_are_shown_as_python_spells_them() -> None:
    assert [shown("1:1"), shown(4.0), shown(2.5), shown(None), shown(True)] == ["'1:1'", "4", "2.5", "None", "True"]


def test_other_spellings_gained_are_accepted_input_and_lost_ones_break_callers() -> None:
    from generator.ir.nodes import FieldIR, TypeIR
    from generator.report.fields import FieldScope, field_changes

    scope = FieldScope("acme", "acme.models.Part.{name}", "acme.models.Part", "field", frozenset({"input"}))
    string = TypeIR("string", "str")
    before = FieldIR("inline_data", "inline_data", string, False, "", "body", aliases=("inlineData", "InlineData"))
    after = FieldIR("inline_data", "inline_data", string, False, "", "body", aliases=("inlineData", "inline-data"))
    assert [(c.what, c.severity, c.old, c.new) for c in field_changes(scope, before, after)] == [
        ("other spellings no longer accepted", "breaking", "'InlineData'", ""),
        ("other spellings accepted", "non-breaking", "", "'inline-data'"),
    ]
