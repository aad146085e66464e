"""The loader against hostile YAML: every file gives located diagnostics, in bounded time, and never raises.

Each case pins the exact diagnostics as ``python -m generator.spec`` prints them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import Diagnostic
from generator.spec import yaml_guard
from generator.spec.characters import text_problem
from generator.spec.loader import LoadedSpec, load_spec_file
from generator.spec.located import MAX_PROBLEMS, SourcePositions
from generator.spec.yaml_parsers import yaml_error_diagnostic

NAME = "specs/x.yaml"
CONTROL = "spec text may hold tabs and newlines but no other control characters"
TAGS = "are not part of the spec language; quote the value to make it text"
TAGGED_COLLECTION = "are not part of the spec language; remove it and write a plain mapping or list"
TOO_DEEP = ("the spec nests deeper than 64 levels here; no spec needs that many "
            "(the shipped ones need about 15): flatten this part")


def _load(tmp_path: Path, text: str | bytes) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    path = tmp_path / "x.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load_spec_file(path, NAME)


def _problems(tmp_path: Path, text: str | bytes) -> list[str]:
    return [str(problem) for problem in _load(tmp_path, text)[1]]


def _data(tmp_path: Path, text: str) -> Any:
    loaded, problems = _load(tmp_path, text)
    assert problems == []
    assert loaded is not None
    return loaded.data


# Tags and merge keys


@pytest.mark.parametrize(("text", "shown"), [
    ("id: !foo bar\n", "!foo"),
    ("id: !!int one\n", "!!int"),
    ("id: !!binary aGVsbG8=\n", "!!binary"),
    ("id: !!str 12\n", "!!str"),
    ("id: ! 12\n", "!"),
    ("id: !<tag:example.com,2000:x> y\n", "!<tag:example.com,2000:x>"),
])
def test_a_tag_on_a_scalar_is_an_error(tmp_path: Path, text: str, shown: str) -> None:
    assert _problems(tmp_path, text) == [f"{NAME}:1:5: error: at id: YAML tags such as {shown} {TAGS}"]


@pytest.mark.parametrize(("text", "shown"), [
    ("ids: !!set {a, b}\n", "!!set"),
    ("ids: !!omap [a: 1]\n", "!!omap"),
    ("ids: !!python/object:os.system {}\n", "!!python/object:os.system"),
])
def test_a_tag_on_a_collection_is_an_error(tmp_path: Path, text: str, shown: str) -> None:
    assert _problems(tmp_path, text) == [f"{NAME}:1:6: error: at ids: YAML tags such as {shown} {TAGGED_COLLECTION}"]


def test_a_tagged_value_is_read_as_untagged(tmp_path: Path) -> None:
    # The error is reported; later stages see the text, never a constructed Python object.
    loaded, _ = _load(tmp_path, "a: !!binary aGVsbG8=\nb: !!set {x}\nc: !!int one\n")
    assert loaded is not None
    assert loaded.data == {"a": "aGVsbG8=", "b": {"x": None}, "c": "one"}


def test_a_merge_key_is_an_error(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, "base: &base {x: 1}\nderived:\n  <<: *base\n  y: 2\n")
    assert [str(p) for p in problems] == [
        f"{NAME}:3:3: error: at derived: merge keys (<<) are not supported; write the keys out"
    ]
    assert loaded is not None
    assert loaded.data["derived"] == {"y": 2}


def test_quoted_or_non_key_merge_signs_are_text(tmp_path: Path) -> None:
    assert _data(tmp_path, '"<<": 1\nb: <<\nc: =\n') == {"<<": 1, "b": "<<", "c": "="}


# Implicit YAML 1.1 types


def test_an_unquoted_date_is_an_error(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, "id: 2024-05-01\nat: 2024-05-01T10:00:00Z\nquoted: '2024-05-01'\n")
    message = "an unquoted date; the spec language has no date type; quote it to make it text"
    assert [str(p) for p in problems] == [f"{NAME}:1:5: error: at id: {message}",
                                          f"{NAME}:2:5: error: at at: {message}"]
    assert loaded is not None
    assert loaded.data == {"id": "2024-05-01", "at": "2024-05-01T10:00:00Z", "quoted": "2024-05-01"}


def test_only_plain_decimal_integers_are_integers(tmp_path: Path) -> None:
    data = _data(tmp_path, "a: [-12, 0, 4096, +7, 9223372036854775807, -9223372036854775807]\n"
                           "b: [0x1F, 017, 0b101, 1_000, 1:30, 16:9, 00]\n")
    assert data["a"] == [-12, 0, 4096, 7, 2**63 - 1, -(2**63 - 1)]
    # YAML 1.1 would read 31, 15 (octal), 5, 1000, 90 and 969; the schema reports text where a number belongs.
    assert data["b"] == ["0x1F", "017", "0b101", "1_000", "1:30", "16:9", "00"]


def test_floats_keep_their_value_but_yaml_1_1_forms_stay_text(tmp_path: Path) -> None:
    assert _data(tmp_path, "a: [2.5, -0.5, .5, 1.5e+3, 1_000.5, 1:30.5]\n")["a"] == [
        2.5, -0.5, 0.5, 1500.0, "1_000.5", "1:30.5"]


def test_an_integer_outside_64_bits_is_an_error(tmp_path: Path) -> None:
    huge = "9" * 5000
    loaded, problems = _load(tmp_path, f"a: {huge}\nb: 9223372036854775808\nc: -9223372036854775808\n")
    limit = "is outside the range ±9223372036854775807 (64 bits); write a smaller number, or quote it to make it text"
    assert [str(p) for p in problems] == [
        f"{NAME}:1:4: error: at a: a 5000-digit integer {limit}",
        f"{NAME}:2:4: error: at b: the integer 9223372036854775808 {limit}",
        f"{NAME}:3:4: error: at c: the integer -9223372036854775808 {limit}",
    ]
    assert loaded is not None
    assert loaded.data["a"] == huge


def test_infinity_nan_and_overflow_are_errors(tmp_path: Path) -> None:
    text = "request:\n  fixed:\n    a: .inf\n    b: -.Inf\n    c: .NaN\n    d: 1.0e+999\n"
    no_infinity = "is not a finite number; the spec language has no infinity or NaN: write a number, or quote it to make it text"
    assert _problems(tmp_path, text) == [
        f"{NAME}:3:8: error: at request.fixed.a: .inf {no_infinity}",
        f"{NAME}:4:8: error: at request.fixed.b: -.Inf {no_infinity}",
        f"{NAME}:5:8: error: at request.fixed.c: .NaN {no_infinity}",
        (f"{NAME}:6:8: error: at request.fixed.d: 1.0e+999 is not a finite number (it is too large for a float); "
         "write a smaller number, or quote it to make it text"),
    ]


def test_keys_stay_as_written(tmp_path: Path) -> None:
    data = _data(tmp_path, "200: a\ntrue: b\nnull: c\n~: d\n2024-05-01: e\n0x1F: f\n1.0: g\n")
    assert data == {"200": "a", "true": "b", "null": "c", "~": "d", "2024-05-01": "e", "0x1F": "f", "1.0": "g"}


def test_a_key_written_twice_in_two_forms_is_a_duplicate(tmp_path: Path) -> None:
    assert _problems(tmp_path, "200: a\n'200': b\n") == [
        f"{NAME}:2:1: error: at 200: duplicate key '200' (first defined at line 1); a key may appear only once in a mapping"
    ]


# Characters


@pytest.mark.parametrize(("escape", "shown"), [
    ("\\0", "U+0000 (NUL)"), ("\\a", "U+0007 (BEL)"), ("\\e", "U+001B (ESC)"), ("\\x85", "U+0085 (NEL)"),
    ("\\r", "U+000D (CR)"), ("\\x7f", "U+007F (DEL)"), ("\\x9b", "U+009B (CSI)"),
])
def test_an_escaped_control_character_is_an_error(tmp_path: Path, escape: str, shown: str) -> None:
    loaded, problems = _load(tmp_path, f'title: "red{escape}text"\n')
    assert [str(p) for p in problems] == [f"{NAME}:1:8: error: at title: contains the control character {shown}; {CONTROL}"]
    assert loaded is not None
    assert loaded.data == {"title": "red\ufffdtext"}  # later stages never see the character


@pytest.mark.parametrize(("char", "shown"), [("\x00", "U+0000 (NUL)"), ("\x07", "U+0007 (BEL)"), ("\x1b", "U+001B (ESC)")])
def test_a_raw_control_character_is_located_exactly(tmp_path: Path, char: str, shown: str) -> None:
    text = f"provider:\n  title: red{char}text\n  # a comment{char}\n"
    loaded, problems = _load(tmp_path, text)
    assert [str(p) for p in problems] == [
        f"{NAME}:2:13: error: at provider.title: contains the control character {shown}; {CONTROL}",
        f"{NAME}:3:14: error: the file contains the control character {shown}; {CONTROL}",
    ]
    assert loaded is not None
    assert loaded.data == {"provider": {"title": "red\ufffdtext"}}


def test_tabs_and_newlines_are_allowed(tmp_path: Path) -> None:
    assert _data(tmp_path, 'a: "x\\ty\\nz"\nb: |\n  one\ttwo\n  three\n') == {"a": "x\ty\nz", "b": "one\ttwo\nthree\n"}


def test_a_lone_surrogate_is_an_error(tmp_path: Path) -> None:
    assert _problems(tmp_path, 'title: "\\ud800"\n') == [
        (f"{NAME}:1:8: error: at title: contains the lone surrogate U+D800, half of a UTF-16 pair and no character; "
         "write the character itself or its \\U00XXXXXX escape")
    ]


def test_invisible_line_breaks_and_bidirectional_controls_are_errors(tmp_path: Path) -> None:
    assert _problems(tmp_path, 'a: "x\\u2028y"\nb: "\\u202eevil"\n"c\\u2066": 1\n') == [
        (f"{NAME}:1:4: error: at a: contains U+2028 (LINE SEPARATOR), a line break most editors do not show; "
         "write a newline instead"),
        (f"{NAME}:2:4: error: at b: contains the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE), "
         "which makes text display differently from what it is; remove it"),
        (f"{NAME}:3:1: error: at c\ufffd: contains the bidirectional control U+2066 (LEFT-TO-RIGHT ISOLATE), "
         "which makes text display differently from what it is; remove it"),
    ]


def test_an_escape_past_the_last_code_point_is_a_syntax_error(tmp_path: Path) -> None:
    # PyYAML's scanner calls chr() on it and raised ValueError, unlocated.
    assert _problems(tmp_path, 'a: "\\U00110000"\n') == [
        (f"{NAME}:1:7: error: invalid YAML: found invalid Unicode character escape code "
         "(while scanning a double-quoted scalar at line 1, column 4)")
    ]


def test_a_huge_yaml_version_is_a_syntax_error(tmp_path: Path) -> None:
    # PyYAML's scanner calls int() on it: past 4,300 digits that raised ValueError.
    assert _problems(tmp_path, f"%YAML {'9' * 5000}.1\n--- a\n") == [
        (f"{NAME}:1:16: error: invalid YAML: found extremely long version number "
         "(while scanning a %YAML directive at line 1, column 1)")
    ]


def test_a_reader_error_is_located_at_its_position() -> None:
    # source.py replaces what the reader refuses, so only a direct call can show the fallback.
    positions = SourcePositions(NAME, "a: 1\nb: x\x00\n")
    error = yaml.reader.ReaderError("<file>", 9, 0, "unicode", "special characters are not allowed")
    assert str(yaml_error_diagnostic(error, positions)) == (
        f"{NAME}:2:5: error: invalid YAML: the character U+0000 cannot be read (special characters are not allowed)"
    )


# Aliases, nesting and size


def test_a_recursive_alias_is_an_error(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, "a: &x [1, *x]\n")
    assert loaded is None
    assert [str(p) for p in problems] == [
        (f"{NAME}:1:11: error: at a[1]: the alias *x is inside the node it refers to (a recursive alias); "
         "spec data is a tree: write the repeated part out")
    ]


def test_an_alias_to_no_anchor_and_an_anchor_defined_twice_are_errors(tmp_path: Path) -> None:
    assert _problems(tmp_path, "a: &x 1\nb: &x 2\nc: *y\n") == [
        f"{NAME}:2:4: error: at b: the anchor &x is already defined at line 1; give each anchor its own name",
        f"{NAME}:3:4: error: at c: the alias *y refers to no anchor; define &y before it, or write the value out",
    ]


def test_aliases_within_bounds_are_expanded(tmp_path: Path) -> None:
    loaded = _load(tmp_path, "a: &shape {w: 1, h: [2, 3]}\nb: *shape\n")[0]
    assert loaded is not None
    assert loaded.data == {"a": {"w": 1, "h": [2, 3]}, "b": {"w": 1, "h": [2, 3]}}
    # An expanded alias is marked where its anchored node is written.
    assert loaded.marks[("b", "h", 1)] == loaded.marks[("a", "h", 1)]


def _flow(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


@pytest.mark.parametrize("depth", [300, 1000])
def test_deep_flow_nesting_is_an_error_before_composing(tmp_path: Path, depth: int) -> None:
    loaded, problems = _load(tmp_path, _flow(depth))
    assert loaded is None
    assert [str(p) for p in problems] == [f"{NAME}:1:67: error: at a{'[0]' * 63}: {TOO_DEEP}"]


def test_nesting_of_64_levels_is_allowed(tmp_path: Path) -> None:
    loaded, problems = _load(tmp_path, _flow(63))  # the root mapping is the 64th level
    assert problems == []
    assert loaded is not None


def test_deep_block_mappings_are_an_error(tmp_path: Path) -> None:
    text = "".join(" " * i + f"k{i}:\n" for i in range(300))
    keys = ".".join(f"k{i}" for i in range(64))
    assert _problems(tmp_path, text) == [f"{NAME}:65:65: error: at {keys}: {TOO_DEEP}"]


def test_deep_block_sequences_are_an_error(tmp_path: Path) -> None:
    assert _problems(tmp_path, "- " * 1000 + "x\n") == [f"{NAME}:1:129: error: at {'[0]' * 64}: {TOO_DEEP}"]


def test_aliases_count_toward_the_depth(tmp_path: Path) -> None:
    # 40 + 30 levels, each under the limit when written, 70 once expanded.
    text = "a: &deep " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*deep" + "]" * 30 + "\n"
    assert _problems(tmp_path, text) == [
        (f"{NAME}:2:34: error: at b{'[0]' * 30}: the alias *deep nests the spec deeper than 64 levels here "
         "once expanded; no spec needs that many: alias a smaller part")
    ]


BILLION_LAUGHS = "lol0: &lol0 lol\n" + "".join(
    f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 10)}]\n" for n in range(1, 10)
)


def test_billion_laughs_is_stopped_at_the_alias_that_passes_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events_read: list[object] = []
    feed = yaml_guard._EventGuard.feed

    def counting_feed(self: yaml_guard._EventGuard, event: yaml.Event) -> bool:
        events_read.append(event)
        return feed(self, event)

    monkeypatch.setattr(yaml_guard._EventGuard, "feed", counting_feed)
    started = time.perf_counter()
    loaded, problems = _load(tmp_path, BILLION_LAUGHS)
    elapsed = time.perf_counter() - started
    assert loaded is None
    # lol0..lol4 hold 12,345 values together; lol4 alone 11,111, so the eighth alias to it passes 100,000.
    assert [str(p) for p in problems] == [
        (f"{NAME}:6:63: error: at lol5[7]: the alias *lol4 repeats 11,111 values and takes the spec past "
         "100,000 values; aliases may share a part of a spec, not multiply it: use fewer")
    ]
    # It stopped there: the events of lol6..lol9 (about 50) were never read, nothing was composed or expanded.
    assert len(events_read) < len(list(yaml.parse(BILLION_LAUGHS))) - 30
    assert elapsed < 2.0


def test_too_many_plain_values_are_an_error(tmp_path: Path) -> None:
    assert _problems(tmp_path, "[" + "0, " * 100_000 + "]\n") == [
        (f"{NAME}:1:299999: error: at [99999]: the spec holds more than 100,000 values here; "
         "no spec needs that many: shorten it")
    ]


def test_a_second_document_is_an_error(tmp_path: Path) -> None:
    assert _problems(tmp_path, "a: 1\n---\nb: 2\n") == [
        f"{NAME}:2:1: error: a spec file holds one YAML document; move the document that starts here to a file of its own"
    ]


def test_a_file_over_1_mib_is_refused_unread(tmp_path: Path) -> None:
    assert _problems(tmp_path, "a: b\n" * ((2 << 20) // 5)) == [
        (f"{NAME}:1:1: error: the file is larger than 1 MiB, far more than any provider spec "
         "(the largest is about 20 KB); check that this is the spec you meant")
    ]


def test_invalid_utf8_is_located_at_the_first_bad_byte(tmp_path: Path) -> None:
    assert _problems(tmp_path, "a: 1\r\nb: é\nc: caf".encode() + b"\xe9\n") == [
        f"{NAME}:3:7: error: cannot read file: it is not UTF-8 text (byte 0xE9: invalid continuation byte); save it as UTF-8"
    ]


def test_a_file_full_of_problems_reports_the_first_hundred(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "\x00\n" * 5000)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == f"{NAME}:1:1: error: the file contains the control character U+0000 (NUL); {CONTROL}"
    assert problems[-1] == (f"{NAME}:101:1: error: more than {MAX_PROBLEMS} problems; the first one not shown is here: "
                            "fix these and check again")


def test_several_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = "a: !foo x\nb: 2024-05-01\nc: .inf\nd: \"\\e\"\ne:\n  <<: {}\n"
    assert [p.split(": error: ")[0] for p in _problems(tmp_path, text)] == [
        f"{NAME}:1:4", f"{NAME}:2:4", f"{NAME}:3:4", f"{NAME}:4:4", f"{NAME}:6:3"
    ]


# Nothing escapes

_FRAGMENTS = [
    "\n", "  ", "    ", ": ", ":", "- ", "-", "[", "]", "{", "}", ", ", "? ", "&a ", "*a", "&b ", "*b", "! ", "!!",
    "!!int ", "!foo ", "!<%00> ", "<<: ", "'", '"', "\\", "\\x", "\\u", "\\U0011FFFF", "\\0", "\\e", "\\ud800", "#",
    "|", ">", "---\n", "...\n", "%YAML 1.1\n", "%TAG !e! tag:x,2000:\n", "\x00", "\x1b", "\x85", "\u2028", "\u202e",
    "\ufeff", "\r\n", "\r", "\t", "2024-05-01", "0x1F", ".inf", "9" * 30, "true", "null", "~", "16:9", "key", "v",
]
_YAMLISH = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=4)), max_size=40).map("".join)


def _strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [*data, *(s for value in data.values() for s in _strings(value))]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return [data] if isinstance(data, str) else []


@settings(derandomize=True, max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(_YAMLISH.map(lambda text: text.encode("utf-8")), st.binary(max_size=60)))
def test_any_file_gives_located_diagnostics_and_never_raises(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    loaded, problems = load_spec_file(path, NAME)
    assert loaded is not None or problems
    for problem in problems:
        assert problem.mark.file == NAME
        assert problem.mark.line >= 1
        assert problem.mark.column >= 1
        assert text_problem(str(problem)) is None  # nothing a terminal would act on
    if loaded is not None:
        assert all(mark.line >= 1 and mark.column >= 1 for mark in loaded.marks.values())
        assert all(text_problem(text) is None for text in _strings(loaded.data))
