"""``generator.ir.rules``: spec rules become RuleIR with every allowed value spelled out."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.ir.nodes import PixelIR, WhenIR
from generator.ir.rules import rule_ir, when_ir
from generator.spec.load import check_spec_file
from generator.spec.schema import (
    ExclusiveRule,
    ForbidRule,
    FromSizeTable,
    MaxItemsRule,
    MaxItemsSpec,
    OneOfRule,
    PixelSpec,
    ProviderSpec,
    RequireAnyRule,
    RequireRule,
    WhenSpec,
)

ROOT = Path(__file__).resolve().parent.parent.parent

BASE_RATIOS = ("auto", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "5:4", "4:5", "21:9")
EXTRA_RATIOS = ("1:4", "4:1", "1:8", "8:1")
NANO_BANANA = (
    "nano-banana",
    "nano-banana-fast",
    "nano-banana-pro",
    "nano-banana-pro-vt",
    "nano-banana-pro-cl",
    "nano-banana-pro-vip",
    "nano-banana-pro-4k-vip",
)
GPT_IMAGE_2_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "5:4", "4:5", "21:9", "9:21", "1:2", "2:1")
GPT_IMAGE_2_SIZES = (
    "1024x1024", "1672x941", "941x1672", "1443x1090", "1090x1443", "1536x1024", "1024x1536",
    "1408x1120", "1120x1408", "1920x832", "832x1920", "896x1792", "1792x896",
)


def _spec(name: str) -> ProviderSpec:
    checked, problems = check_spec_file(ROOT / "specs" / f"{name}.yaml", f"specs/{name}.yaml")
    assert problems == []
    assert checked is not None
    return checked.spec


@pytest.fixture(scope="module")
def spec() -> ProviderSpec:
    return _spec("api_generate")


def _rule(spec: ProviderSpec, family: str) -> OneOfRule:
    """The GenerateBody aspectRatio rule whose condition names ``family``."""
    found = [
        rule for rule in spec.schemas["GenerateBody"].rules
        if isinstance(rule, OneOfRule) and rule.when is not None and rule.when.family == [family]
    ]
    assert len(found) == 1
    return found[0]


def test_nano_banana_takes_the_base_ratios(spec: ProviderSpec) -> None:
    ir = rule_ir(spec, _rule(spec, "nano-banana"))
    assert ir.kind == "OneOf"
    assert ir.fields == ("aspectRatio",)
    assert ir.values == BASE_RATIOS
    assert ir.pixel is None
    assert ir.limit is None
    assert ir.when == WhenIR("model", NANO_BANANA, (), "model family 'nano-banana'")
    assert ir.summary == (
        "`aspectRatio` must be one of: auto, 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3, 5:4, 4:5, 21:9 "
        "when model family 'nano-banana'"
    )


def test_nano_banana_2_adds_the_extreme_ratios(spec: ProviderSpec) -> None:
    ir = rule_ir(spec, _rule(spec, "nano-banana-2"))
    assert ir.values == BASE_RATIOS + EXTRA_RATIOS
    assert set(EXTRA_RATIOS) <= set(ir.values)
    assert ir.when == WhenIR(
        "model", ("nano-banana-2", "nano-banana-2-cl", "nano-banana-2-4k-cl"), (), "model family 'nano-banana-2'"
    )
    assert ir.note == "nano-banana-2系列额外支持比例 1:4, 4:1, 1:8, 8:1."
    assert ir.summary.endswith("21:9, 1:4, 4:1, 1:8, 8:1 when model family 'nano-banana-2'")


def test_gpt_image_2_takes_ratios_and_the_1k_pixel_sizes(spec: ProviderSpec) -> None:
    ir = rule_ir(spec, _rule(spec, "gpt-image-2"))
    assert ir.values == ("auto", *GPT_IMAGE_2_RATIOS, *GPT_IMAGE_2_SIZES)
    assert "1672x941" in ir.values and "16:9" in ir.values
    # The vip table's sizes (2K, 4K) are not part of it.
    assert "2048x2048" not in ir.values
    assert ir.pixel is None
    assert ir.when == WhenIR("model", ("gpt-image-2",), (), "model family 'gpt-image-2'")


def test_gpt_image_2_vip_carries_pixel_bounds(spec: ProviderSpec) -> None:
    ir = rule_ir(spec, _rule(spec, "gpt-image-2-vip"))
    assert ir.values == ("auto",)
    assert ir.pixel == PixelIR(max_edge=3840, multiple_of=16, max_ratio=3, min_pixels=655360, max_pixels=8294400)
    assert ir.when == WhenIR("model", ("gpt-image-2-vip",), (), "model family 'gpt-image-2-vip'")
    assert ir.summary == (
        "`aspectRatio` must be one of: auto or a WIDTHxHEIGHT size with longest edge <= 3840, both edges "
        "multiples of 16, long/short <= 3, 655,360 <= width*height <= 8,294,400 when model family 'gpt-image-2-vip'"
    )


def test_every_api_generate_rule_builds(spec: ProviderSpec) -> None:
    irs = [rule_ir(spec, rule) for rule in spec.schemas["GenerateBody"].rules]
    assert [ir.when.label if ir.when else None for ir in irs] == [
        "model family 'nano-banana'",
        "model family 'nano-banana-2'",
        "model family 'gpt-image-2'",
        "model family 'gpt-image-2-vip'",
    ]


# -- when ---------------------------------------------------------------------------------


def test_when_resolves_several_families_to_their_model_ids(spec: ProviderSpec) -> None:
    when = when_ir(spec, WhenSpec(family=["gpt-image-2-vip", "nano-banana-2"]))
    assert when == WhenIR(
        "model",
        ("gpt-image-2-vip", "nano-banana-2", "nano-banana-2-cl", "nano-banana-2-4k-cl"),
        (),
        "model families 'gpt-image-2-vip', 'nano-banana-2'",
    )


def test_when_carries_family_patterns() -> None:
    spec = _spec("image_tasks")
    when = when_ir(spec, WhenSpec(family=["nano-banana-pro", "nano-banana-2"]))
    assert when is not None
    assert when.values == ()
    assert when.patterns == ("NanoBananaPro-*", "NanoBanana2-*")
    assert when.label == "model families 'nano-banana-pro', 'nano-banana-2'"


def test_when_in_values_on_another_field(spec: ProviderSpec) -> None:
    when = when_ir(spec, WhenSpec(field="replyType", values=["stream", "async"]))
    assert when == WhenIR("replyType", ("stream", "async"), (), "replyType in (stream, async)")
    assert when_ir(spec, None) is None


# -- other rule kinds and value sources ---------------------------------------------------


def test_other_rule_kinds(spec: ProviderSpec) -> None:
    json_only = WhenSpec(field="replyType", values=["json"])
    forbid = rule_ir(spec, ForbidRule(forbid="images", when=json_only, note="n"))
    assert (forbid.kind, forbid.fields, forbid.note) == ("Forbidden", ("images",), "n")
    assert forbid.summary == "`images` is not accepted when replyType in (json)"
    require = rule_ir(spec, RequireRule(require="imageSize", when=WhenSpec(family=["gpt-image-2-vip"])))
    assert (require.kind, require.summary) == (
        "RequiredIf", "`imageSize` is required when model family 'gpt-image-2-vip'"
    )
    limit = rule_ir(spec, MaxItemsRule(max_items=MaxItemsSpec(path="images", limit=4)))
    assert (limit.kind, limit.fields, limit.limit, limit.when) == ("MaxItems", ("images",), 4, None)
    assert limit.summary == "at most 4 of `images`"
    any_of = rule_ir(spec, RequireAnyRule(require_any=["prompt", "images"]))
    assert (any_of.kind, any_of.fields, any_of.summary) == (
        "RequiredAny", ("prompt", "images"), "at least one of `prompt`, `images`"
    )
    exclusive = rule_ir(spec, ExclusiveRule(exclusive=["imageSize", "aspectRatio"]))
    assert (exclusive.kind, exclusive.fields, exclusive.summary) == (
        "Exclusive", ("imageSize", "aspectRatio"), "at most one of `imageSize`, `aspectRatio`"
    )


def test_one_of_values_are_deduplicated_in_order(spec: ProviderSpec) -> None:
    rule = OneOfRule(one_of="aspectRatio", enum="ExtraAspectRatio", values=["8:1", "auto", "1:4"])
    ir = rule_ir(spec, rule)
    assert ir.values == ("1:4", "4:1", "1:8", "8:1", "auto")
    assert ir.summary == "`aspectRatio` must be one of: 1:4, 4:1, 1:8, 8:1, auto"


def test_size_table_include_picks_ratios_or_sizes(spec: ProviderSpec) -> None:
    ratios = rule_ir(spec, OneOfRule(one_of="aspectRatio", size_table=FromSizeTable(table="gpt-image-2", include=["ratios"])))
    assert ratios.values == GPT_IMAGE_2_RATIOS
    sizes = rule_ir(spec, OneOfRule(one_of="aspectRatio", size_table=FromSizeTable(table="gpt-image-2", include=["sizes"])))
    assert sizes.values == GPT_IMAGE_2_SIZES
    vip = rule_ir(spec, OneOfRule(one_of="aspectRatio", size_table=FromSizeTable(table="gpt-image-2-vip")))
    # Every tier of every row, row by row; 1:3 and 3:1 have no 1K size.
    assert len(vip.values) == 15 + 15 * 3 - 2
    assert vip.values[15:18] == ("1024x1024", "2048x2048", "2880x2880")
    assert "688x2048" in vip.values and "3840x1280" in vip.values


def test_pixel_summary_with_some_bounds(spec: ProviderSpec) -> None:
    rule = OneOfRule(one_of="size", pixel=PixelSpec(max_ratio=2.5, max_pixels=1048576))
    ir = rule_ir(spec, rule)
    assert ir.values == ()
    assert ir.pixel == PixelIR(None, None, 2.5, None, 1048576)
    assert ir.summary == (
        "`size` must be one of: a WIDTHxHEIGHT size with long/short <= 2.5, 0 <= width*height <= 1,048,576"
    )
    low = rule_ir(spec, OneOfRule(one_of="size", pixel=PixelSpec(min_pixels=100)))
    assert low.summary == "`size` must be one of: a WIDTHxHEIGHT size with width*height >= 100"


def test_pixel_summary_without_bounds(spec: ProviderSpec) -> None:
    ir = rule_ir(spec, OneOfRule(one_of="size", pixel=PixelSpec()))
    assert ir.summary == "`size` must be one of: a WIDTHxHEIGHT size"
