from __future__ import annotations

from imagerelay._runtime.paths import find_all, find_first, is_present, parse_path

GEMINI = {
    "candidates": [
        {
            "content": {
                "parts": [
                    {"text": "here"},
                    {"inlineData": {"mimeType": "image/png", "data": "AAA"}},
                ]
            }
        },
        {"content": {"parts": [{"inlineData": {"mimeType": "image/jpeg", "data": "BBB"}}]}},
        {"content": None},
        "not-an-object",
    ]
}


def test_parse_path_marks_list_steps() -> None:
    assert parse_path("candidates[].content.parts[].inlineData") == (
        ("candidates", True),
        ("content", False),
        ("parts", True),
        ("inlineData", False),
    )
    assert parse_path("") == ()


def test_find_all_fans_out_over_lists_in_document_order() -> None:
    found = find_all(GEMINI, "candidates[].content.parts[].inlineData")
    assert found == [
        {"mimeType": "image/png", "data": "AAA"},
        {"mimeType": "image/jpeg", "data": "BBB"},
    ]
    assert find_all(GEMINI, "candidates[].content.parts[].inlineData.data") == ["AAA", "BBB"]


def test_find_all_skips_missing_none_and_wrong_types() -> None:
    assert find_all(GEMINI, "candidates[].nope") == []
    assert find_all({"a": None}, "a") == []
    assert find_all({"a": "text"}, "a.b") == []
    assert find_all(None, "a") == []
    assert find_all([1, 2], "a") == []
    assert find_all({"media": {"outputs": [None, "u1", "u2"]}}, "media.outputs[]") == ["u1", "u2"]


def test_list_step_on_a_single_value_counts_it_once() -> None:
    assert find_all({"images": "https://x/a.png"}, "images[]") == ["https://x/a.png"]
    assert find_all({"data": [{"url": "u"}]}, "data") == [[{"url": "u"}]]


def test_find_first_and_is_present() -> None:
    assert find_first(GEMINI, "candidates[].content.parts[].text") == "here"
    assert find_first(GEMINI, "candidates[].missing") is None
    assert find_first({"code": 0}, "code") == 0
    assert is_present({"a": {"b": False}}, "a.b") is True
    assert is_present({"a": {"b": None}}, "a.b") is False
