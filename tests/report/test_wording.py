"""Report lines speak the user's language (issue 17, item 4): Python symbols with wire names,
what waiting does on a new status, and before/after texts that differ."""

from __future__ import annotations

from pathlib import Path

import pytest
from spec_pairs import apply_edit, scenario_names, spec_pair

from generator.pipeline import build_ir
from generator.report.compare import compare_specs
from generator.report.render import change_line
from generator.report.symbols import wait_effect

ROOT = Path(__file__).resolve().parents[2]


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


def _shipped_pair(tmp_path: Path, spec: str, old: str, new: str) -> tuple[Path, Path]:
    """The shipped ``spec`` before and after replacing ``old`` (which must occur once) by ``new``."""
    before, after = tmp_path / "before" / "specs", tmp_path / "after" / "specs"
    before.mkdir(parents=True)
    after.mkdir(parents=True)
    text = (ROOT / "specs" / spec).read_text(encoding="utf-8")
    assert text.count(old) == 1
    (before / spec).write_text(text, encoding="utf-8")
    (after / spec).write_text(text.replace(old, new), encoding="utf-8")
    return before, after


def test_an_inline_image_key_change_is_shown_not_hidden_in_a_summary(tmp_path: Path) -> None:
    """The issue's line read ``data[].url, data[] -> data[].url, data[]`` and hid the MIME-type key."""
    before, after = _shipped_pair(tmp_path, "gemini_jobs.yaml",
                                  '- {path: "candidates[].content.parts[].inlineData", data_key: data, mime_key: mimeType}',
                                  '- {path: "candidates[].content.parts[].inlineData", data_key: data, mime_key: mime}')
    assert _lines(before, after) == [
        ("gemini_jobs.models.GenerateContentResponse: inline image at candidates[].content.parts[].inlineData "
         "read from other keys: MIME-type key='mimeType' -> MIME-type key='mime'")]


@pytest.mark.parametrize("name", scenario_names())
def test_before_and_after_of_every_scenario_line_differ(name: str, tmp_path: Path) -> None:
    before, after = spec_pair(name, tmp_path)
    for change in compare_specs(build_ir(before), build_ir(after)).changes:
        assert not (change.old and change.new and change.old == change.new), change


def _shipped_edit(tmp_path: Path, spec: str, old: str, new: str) -> list[str]:
    """Report lines of the shipped ``spec`` with every ``old`` replaced by ``new``."""
    before, after = tmp_path / "before" / "specs", tmp_path / "after" / "specs"
    before.mkdir(parents=True)
    after.mkdir(parents=True)
    text = (ROOT / "specs" / spec).read_text(encoding="utf-8")
    assert old in text
    (before / spec).write_text(text, encoding="utf-8")
    (after / spec).write_text(text.replace(old, new), encoding="utf-8")
    return _lines(before, after)


def test_a_canonical_concept_made_unsupported_breaks_generate_callers(tmp_path: Path) -> None:
    lines = _shipped_edit(tmp_path, "image_tasks.yaml", "      output_format: output_format\n      unsupported:\n",
                          "      unsupported:\n        output_format: the relay dropped it\n")
    assert lines == [("image_tasks.{create_task,generate,edit} for imagerelay.generate: no longer takes "
                      "output_format: output_format -> unsupported: the relay dropped it")]


def test_a_canonical_concept_placed_elsewhere_shows_the_path_that_changed(tmp_path: Path) -> None:
    lines = _shipped_edit(tmp_path, "api_generate.yaml", "      pixel_size: aspectRatio\n",
                          "      pixel_size: imageSize\n")
    assert lines == [("api_generate.{generate,generate_stream,submit} for imagerelay.generate: "
                      "size (pixel size) placed elsewhere in the request: path=aspectRatio -> path=imageSize")]
