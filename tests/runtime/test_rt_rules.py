from __future__ import annotations

from imagerelay._runtime.rules import (
    Exclusive,
    Forbidden,
    MaxItems,
    OneOf,
    PixelSize,
    RequiredAny,
    RequiredIf,
    Rule,
    When,
    check_rules,
)

NANO = When("model", frozenset({"nano-banana"}), "model family 'nano-banana'")
VIP = When("model", frozenset({"gpt-image-2-vip"}), "model family 'gpt-image-2-vip'")
VIP_PIXELS = PixelSize(
    max_edge=3840, multiple_of=16, max_ratio=3, min_pixels=655360, max_pixels=8294400
)
RATIOS = ("auto", "1:1", "16:9")


def test_one_of_names_field_value_condition_and_allowed() -> None:
    rule = OneOf("aspectRatio", RATIOS, None, NANO)
    assert check_rules({"model": "nano-banana", "aspectRatio": "1:4"}, [rule]) == [
        (
            "aspectRatio='1:4' is not allowed when model family 'nano-banana' (model='nano-banana'); "
            "allowed: auto, 1:1, 16:9"
        )
    ]
    assert check_rules({"model": "nano-banana", "aspectRatio": "16:9"}, [rule]) == []
    assert check_rules({"model": "nano-banana"}, [rule]) == []  # absent is fine


def test_one_of_only_applies_when_condition_matches() -> None:
    rule = OneOf("aspectRatio", RATIOS, None, NANO)
    assert check_rules({"model": "other", "aspectRatio": "1:4"}, [rule]) == []


def test_when_patterns_match_globs() -> None:
    when = When("model", frozenset(), "model family 'pro'", patterns=("NanoBananaPro-*",))
    rule = Forbidden("n", when)
    assert check_rules({"model": "NanoBananaPro-4K", "n": 2}, [rule]) == [
        "n is not supported when model family 'pro' (model='NanoBananaPro-4K')"
    ]
    assert check_rules({"model": "NanoBanana", "n": 2}, [rule]) == []


def test_one_of_without_condition_and_with_note() -> None:
    rule = OneOf("output_format", ("png", "jpeg"), note="Pro supports png and jpeg only")
    assert check_rules({"output_format": "webp"}, [rule]) == [
        "output_format='webp' is not allowed; allowed: png, jpeg (Pro supports png and jpeg only)"
    ]


def test_one_of_compares_numbers_and_bools_as_wire_text() -> None:
    assert check_rules({"n": 2}, [OneOf("n", ("1", "2", "4"))]) == []
    assert check_rules({"n": 3}, [OneOf("n", ("1", "2", "4"))]) == [
        "n=3 is not allowed; allowed: 1, 2, 4"
    ]
    assert check_rules({"flag": True}, [OneOf("flag", ("true",))]) == []


def test_one_of_checks_every_value_of_a_list_path() -> None:
    rule = OneOf("items[].kind", ("a", "b"))
    assert check_rules({"items": [{"kind": "a"}, {"kind": "z"}]}, [rule]) == [
        "items[].kind='z' is not allowed; allowed: a, b"
    ]


def vip(size: str) -> list[str]:
    return check_rules(
        {"model": "gpt-image-2-vip", "aspectRatio": size},
        [OneOf("aspectRatio", ("auto",), VIP_PIXELS)],
    )


def test_pixel_size_within_every_bound_passes() -> None:
    assert vip("2048x2048") == []
    assert vip("3840x1280") == []  # ratio exactly 3, edge exactly 3840
    assert vip("1024x640") == []  # exactly 655360 pixels
    assert vip("auto") == []


def test_pixel_size_longest_edge() -> None:
    assert vip("4000x2000") == ["aspectRatio='4000x2000': longest edge 4000 exceeds 3840"]


def test_pixel_size_multiple_of_names_the_edge() -> None:
    assert vip("1030x1024") == ["aspectRatio='1030x1024': width 1030 is not a multiple of 16"]
    assert vip("1024x1030") == ["aspectRatio='1024x1030': height 1030 is not a multiple of 16"]


def test_pixel_size_ratio() -> None:
    assert vip("3840x1024") == ["aspectRatio='3840x1024': edge ratio 3.75 exceeds 3"]


def test_pixel_size_min_and_max_pixels() -> None:
    assert vip("800x800") == ["aspectRatio='800x800': 640000 pixels is below the minimum 655360"]
    assert vip("3840x2176") == [
        "aspectRatio='3840x2176': 8355840 pixels exceeds the maximum 8294400"
    ]


def test_pixel_size_reports_every_failing_bound() -> None:
    assert vip("4001x1008") == [
        (
            "aspectRatio='4001x1008': longest edge 4001 exceeds 3840, width 4001 is not a multiple of 16, "
            "edge ratio 3.97 exceeds 3"
        )
    ]


def test_pixel_rule_rejects_non_pixel_value_with_description() -> None:
    assert vip("16:9") == [
        (
            "aspectRatio='16:9' is not allowed; allowed: auto, WIDTHxHEIGHT with longest edge <= 3840, "
            "edges multiples of 16, long/short edge ratio <= 3, at least 655360 pixels, at most 8294400 pixels"
        )
    ]


def test_pixel_rule_message_includes_condition() -> None:
    rule = OneOf("aspectRatio", ("auto",), VIP_PIXELS, VIP, note="pixel values only")
    assert check_rules({"model": "gpt-image-2-vip", "aspectRatio": "4000x2000"}, [rule]) == [
        (
            "aspectRatio='4000x2000' when model family 'gpt-image-2-vip' (model='gpt-image-2-vip'): "
            "longest edge 4000 exceeds 3840 (pixel values only)"
        )
    ]


def test_forbidden_nested_field() -> None:
    rule = Forbidden("generationConfig.imageConfig.imageSize", NANO, note="Pro only")
    wire = {"model": "nano-banana", "generationConfig": {"imageConfig": {"imageSize": "4K"}}}
    assert check_rules(wire, [rule]) == [
        (
            "generationConfig.imageConfig.imageSize is not supported when model family 'nano-banana' "
            "(model='nano-banana') (Pro only)"
        )
    ]
    assert check_rules({"model": "nano-banana"}, [rule]) == []


def test_required_if() -> None:
    when = When("task_type", frozenset({"image2image"}), "task_type in (image2image)")
    rule = RequiredIf("image", when)
    assert check_rules({"task_type": "image2image"}, [rule]) == [
        "image is required when task_type in (image2image) (task_type='image2image')"
    ]
    assert check_rules({"task_type": "image2image", "image": "u"}, [rule]) == []
    assert check_rules({"task_type": "text2image"}, [rule]) == []
    assert check_rules({}, [RequiredIf("prompt")]) == ["prompt is required"]


def test_required_any() -> None:
    rule = RequiredAny(("image", "images"), note="edits need a reference")
    assert check_rules({}, [rule]) == [
        "at least one of image, images is required (edits need a reference)"
    ]
    assert check_rules({"images": ["u"]}, [rule]) == []


def test_max_items_counts_values_at_path() -> None:
    rule = MaxItems("contents[].parts[].inline_data", 2, NANO)
    part = {"inline_data": {"data": "x"}}
    wire = {
        "model": "nano-banana",
        "contents": [{"parts": [part, part]}, {"parts": [part, {"text": "t"}]}],
    }
    assert check_rules(wire, [rule]) == [
        (
            "contents[].parts[].inline_data has 3 items; at most 2 allowed when model family 'nano-banana' "
            "(model='nano-banana')"
        )
    ]
    wire["contents"] = wire["contents"][:1]
    assert check_rules(wire, [rule]) == []


def test_exclusive() -> None:
    rule = Exclusive(("image", "images"), note="send one")
    assert check_rules({"image": "a", "images": ["b"]}, [rule]) == [
        "only one of image, images may be set; got image, images (send one)"
    ]
    assert check_rules({"image": "a"}, [rule]) == []


def test_check_rules_collects_every_violation_in_order() -> None:
    rules: list[Rule] = [RequiredIf("prompt"), OneOf("aspectRatio", RATIOS), Exclusive(("a", "b"))]
    problems = check_rules({"aspectRatio": "2:1", "a": 1, "b": 2}, rules)
    assert problems == [
        "prompt is required",
        "aspectRatio='2:1' is not allowed; allowed: auto, 1:1, 16:9",
        "only one of a, b may be set; got a, b",
    ]
