"""The located YAML loader: plain data plus a 1-based mark for every value."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import Diagnostic, SourceMark
from generator.spec.load import check_spec_file
from generator.spec.loader import LoadedSpec, dotted_path, load_spec_file

NAME = "specs/sample.yaml"


def _load(tmp_path: Path, text: str) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec_file(path, NAME)


def _loaded(tmp_path: Path, text: str) -> LoadedSpec:
    loaded, problems = _load(tmp_path, text)
    assert problems == []
    assert loaded is not None
    return loaded


SAMPLE = """\
# comment
provider:
  id: sample
  tags: [a, "b", c]
schemas:
  Body:
    fields:
      model: {type: model, required: true}
      images:
        - first
        - second
"""


def test_marks_are_one_based_and_point_at_values(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, SAMPLE)
    marks = loaded.marks
    assert marks[("provider", "id")] == SourceMark(NAME, 3, 7)
    assert marks[("provider", "tags")] == SourceMark(NAME, 4, 9)
    assert marks[("provider", "tags", 0)] == SourceMark(NAME, 4, 10)
    assert marks[("provider", "tags", 1)] == SourceMark(NAME, 4, 13)
    assert marks[("provider", "tags", 2)] == SourceMark(NAME, 4, 18)
    assert marks[("schemas", "Body", "fields", "model")] == SourceMark(NAME, 8, 14)
    assert marks[("schemas", "Body", "fields", "model", "type")] == SourceMark(NAME, 8, 21)
    assert marks[("schemas", "Body", "fields", "model", "required")] == SourceMark(NAME, 8, 38)
    assert marks[("schemas", "Body", "fields", "images", 0)] == SourceMark(NAME, 10, 11)
    assert marks[("schemas", "Body", "fields", "images", 1)] == SourceMark(NAME, 11, 11)


def test_block_values_are_marked_where_their_content_starts(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, SAMPLE)
    # A block mapping starts at its first key, on the line below its own key.
    assert loaded.marks[("provider",)] == SourceMark(NAME, 3, 3)
    assert loaded.marks[("schemas", "Body")] == SourceMark(NAME, 7, 5)
    # A block sequence starts at its first dash.
    assert loaded.marks[("schemas", "Body", "fields", "images")] == SourceMark(NAME, 10, 9)
    # The document root starts at its first key, after the comment.
    assert loaded.marks[()] == SourceMark(NAME, 2, 1)


def test_every_node_has_a_mark(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, SAMPLE)
    assert set(loaded.marks) == {
        (),
        ("provider",),
        ("provider", "id"),
        ("provider", "tags"),
        ("provider", "tags", 0),
        ("provider", "tags", 1),
        ("provider", "tags", 2),
        ("schemas",),
        ("schemas", "Body"),
        ("schemas", "Body", "fields"),
        ("schemas", "Body", "fields", "model"),
        ("schemas", "Body", "fields", "model", "type"),
        ("schemas", "Body", "fields", "model", "required"),
        ("schemas", "Body", "fields", "images"),
        ("schemas", "Body", "fields", "images", 0),
        ("schemas", "Body", "fields", "images", 1),
    }


def test_data_is_plain_python(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, SAMPLE)
    assert loaded.file == NAME
    assert loaded.data == {
        "provider": {"id": "sample", "tags": ["a", "b", "c"]},
        "schemas": {
            "Body": {"fields": {"model": {"type": "model", "required": True}, "images": ["first", "second"]}}
        },
    }


def test_ratios_stay_strings(tmp_path: Path) -> None:
    loaded = _loaded(
        tmp_path,
        'values: [16:9, 21:9, 1:1, 9:16, 1:30, "4:3"]\n'
        "rows:\n"
        "  16:9: {1K: 1280x720}\n"
        "  21:9: {1K: 1456x624}\n"
        "single: 21:9\n",
    )
    # YAML 1.1 would read 16:9 as the base-60 integer 969 and 21:9 as 1269.
    assert loaded.data["values"] == ["16:9", "21:9", "1:1", "9:16", "1:30", "4:3"]
    assert list(loaded.data["rows"]) == ["16:9", "21:9"]
    assert loaded.data["rows"]["16:9"] == {"1K": "1280x720"}
    assert loaded.data["single"] == "21:9"
    assert all(isinstance(value, str) for value in loaded.data["values"])


def test_other_scalars_keep_their_yaml_types(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, "a: 3\nb: 2.5\nc: true\nd: null\ne: 1024x1024\nf: 1K\ng: '3'\n200: ok\n")
    assert loaded.data == {"a": 3, "b": 2.5, "c": True, "d": None, "e": "1024x1024", "f": "1K", "g": "3", "200": "ok"}


def test_yaml11_only_booleans_stay_strings(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, "values: [on, off, yes, no]\nfields:\n  no: {type: string}\n  on: {type: string}\n")
    assert loaded.data["values"] == ["on", "off", "yes", "no"]
    assert list(loaded.data["fields"]) == ["no", "on"]


def test_true_and_false_in_any_case_are_the_only_booleans(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, "a: [true, False, TRUE, tRuE, y, N, Yes, OFF]\n")
    assert loaded.data["a"] == [True, False, True, True, "y", "N", "Yes", "OFF"]


def test_keys_are_marked_where_the_key_is_written(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, SAMPLE)
    # A block value starts on the line below its key; a flow value after it on the same line.
    assert loaded.key_mark_of(("provider",)) == SourceMark(NAME, 2, 1)
    assert loaded.key_mark_of(("schemas", "Body")) == SourceMark(NAME, 6, 3)
    assert loaded.key_mark_of(("schemas", "Body", "fields", "model", "required")) == SourceMark(NAME, 8, 28)
    assert loaded.key_mark_of(("schemas", "Body", "fields", "images")) == SourceMark(NAME, 9, 7)
    # List items have no key: their own mark is used, and unknown paths fall back like mark_of.
    assert loaded.key_mark_of(("schemas", "Body", "fields", "images", 1)) == SourceMark(NAME, 11, 11)
    assert loaded.key_mark_of(("provider", "missing")) == loaded.mark_of(("provider",))


def test_mark_of_falls_back_to_the_nearest_ancestor(tmp_path: Path) -> None:
    loaded = _loaded(tmp_path, SAMPLE)
    model = SourceMark(NAME, 8, 14)
    assert loaded.mark_of(("schemas", "Body", "fields", "model")) == model
    assert loaded.mark_of(("schemas", "Body", "fields", "model", "missing")) == model
    assert loaded.mark_of(("schemas", "Body", "fields", "model", "missing", 0, "deeper")) == model
    assert loaded.mark_of(("schemas", "Body", "fields", "images", 7)) == SourceMark(NAME, 10, 9)
    assert loaded.mark_of(("nowhere", "at", "all")) == SourceMark(NAME, 2, 1)


def test_mark_of_without_any_mark_is_the_start_of_the_file() -> None:
    assert LoadedSpec(NAME, {}, {}).mark_of(("a", "b")) == SourceMark(NAME, 1, 1)


def test_dotted_path() -> None:
    assert dotted_path(()) == ""
    assert dotted_path(("provider", "id")) == "provider.id"
    assert dotted_path(("schemas", "Body", "rules", 2, "when", "family", 0)) == "schemas.Body.rules[2].when.family[0]"
    assert dotted_path((0, "a")) == "[0].a"
    assert dotted_path(("rows", "16:9", "4K")) == "rows.16:9.4K"


def test_duplicate_key_is_reported_at_the_second_key_and_the_first_value_kept(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, "a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert loaded is not None
    assert loaded.data == {"a": {"b": 1, "c": 2}}
    assert [(p.mark, p.path) for p in problems] == [(SourceMark(NAME, 4, 3), "a.b")]
    assert problems[0].message == "duplicate key 'b' (first defined at line 2); a key may appear only once in a mapping"


def test_duplicate_keys_everywhere_are_all_reported(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "a: {x: 1, x: 2}\nb: [{y: 1, y: 2}]\na: 3\n")
    # The exact message is pinned by tests/bad_specs/duplicate_key.expected.
    assert [(p.mark.line, p.mark.column, p.path, p.message.split(" (")[0].split(";")[0]) for p in problems] == [
        (1, 11, "a.x", "duplicate key 'x'"),
        (2, 12, "b[0].y", "duplicate key 'y'"),
        (3, 1, "a", "duplicate key 'a'"),
    ]


def test_non_scalar_keys_are_reported(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, "fields:\n  ok: 1\n  ? [a, b]\n  : 2\n")
    assert loaded is not None
    assert loaded.data == {"fields": {"ok": 1}}
    assert [str(p) for p in problems] == [f"{NAME}:3:5: error: at fields: mapping keys must be scalars"]


def test_invalid_yaml_is_a_located_diagnostic(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, "provider:\n  title: Relay: one\n")
    assert loaded is None
    assert [str(p) for p in problems] == [f"{NAME}:2:15: error: invalid YAML: mapping values are not allowed here"]


def test_invalid_yaml_keeps_the_context_of_the_problem(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, "a: {b: 1\nc: 2\n")
    assert loaded is None
    assert [str(p) for p in problems] == [
        (f"{NAME}:2:2: error: invalid YAML: expected ',' or '}}', but got ':' "
         "(while parsing a flow mapping at line 1, column 4)")
    ]


def test_tab_indentation_is_a_located_diagnostic(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, "provider:\n\tid: x\n")
    assert loaded is None
    assert [str(p) for p in problems] == [
        f"{NAME}:2:1: error: invalid YAML: found character '\\t' that cannot start any token"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_documents(tmp_path: Path, text: str) -> None:
    loaded, problems = _load(tmp_path, text)
    assert loaded is None
    assert [str(p) for p in problems] == [f"{NAME}:1:1: error: the file is empty; expected a provider spec"]


@pytest.mark.parametrize("text", ["---\n", "null\n", "---\n# nothing\n"])
def test_documents_with_only_a_null_are_empty(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")
    checked, problems = check_spec_file(path, NAME)
    assert checked is None
    assert [str(p) for p in problems] == [f"{NAME}:1:1: error: the file is empty; expected a provider spec"]


def test_unreadable_files_are_diagnostics_not_exceptions(tmp_path: Path) -> None:
    missing, problems = load_spec_file(tmp_path / "absent.yaml", NAME)
    assert missing is None
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{NAME}:1:1: error: cannot read file: ")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"id: \xff\xfe\n")
    loaded, problems = load_spec_file(binary, NAME)
    assert loaded is None
    # Located at the first byte that is not UTF-8 (tests/unit/test_loader_hostile.py has more).
    assert [str(p) for p in problems] == [
        f"{NAME}:1:5: error: cannot read file: it is not UTF-8 text (byte 0xFF: invalid start byte); save it as UTF-8"
    ]


def test_display_name_is_used_in_marks(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    loaded, _ = load_spec_file(path, "specs/other_name.yaml")
    assert loaded is not None
    assert loaded.marks[("a",)] == SourceMark("specs/other_name.yaml", 1, 4)
