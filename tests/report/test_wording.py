"""Report lines speak the user's language (issue 17, item 4): Python symbols with wire names,
what waiting does on a new status, and before/after texts that differ."""

from __future__ import annotations

from pathlib import Path

from spec_pairs import apply_edit, spec_pair

from generator.pipeline import build_ir
from generator.report.compare import compare_specs
from generator.report.render import change_line
from generator.report.symbols import wait_effect


def _lines(before: Path, after: Path) -> list[str]:
    return [change_line(change) for change in compare_specs(build_ir(before), build_ir(after)).changes]


def test_wait_effect_follows_the_outcome_and_agrees_with_one_or_several_helpers() -> None:
    assert wait_effect(["acme.wait()"], "violation") == "acme.wait() now raises ContentPolicyError on it"
    assert wait_effect(["a.wait()", "a.b_and_wait()", "a.c_and_wait()"], None) == (
        "a.wait(), a.b_and_wait() and a.c_and_wait() now keep polling on it")
    assert wait_effect(["acme.wait()"], "success") == "acme.wait() now stops waiting and returns on it"


def test_a_model_id_removed_from_a_closed_list_is_refused_by_the_methods_typed_by_it(tmp_path: Path) -> None:
    before, after = spec_pair("removes_model", tmp_path)
    for folder in (before, after):
        apply_edit(folder, {"file": "acme.yaml", "replace": "errors:\n", "with": "models_closed: true\n\nerrors:\n"})
    assert _lines(before, after) == [
        ("acme.catalog.ModelId 'acme-1-fast': model id removed (family acme-1); "
         "now refused before sending by acme.{generate,generate_now}(model)")]


def test_a_status_outcome_changed_says_what_waiting_now_does(tmp_path: Path) -> None:
    before, after = spec_pair("comment_only", tmp_path)
    apply_edit(after, {"file": "acme.yaml", "replace": "outcome: failure}", "with": "outcome: violation}"})
    assert _lines(before, after) == [
        ("acme.catalog.TaskStatus: outcome of 'failed' changed; acme.wait() and acme.generate_and_wait() "
         "now raise ContentPolicyError on it: failure -> violation")]
