"""``generator.ir.capabilities``: the capability matrix read off each provider's IR."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from generator.ir.capabilities import (
    FamilyCapabilities,
    ProviderCapabilities,
    ValueSet,
    applies_to,
    delivery_modes,
    family_capabilities,
    provider_capabilities,
)
from generator.ir.nodes import FamilyIR, FieldIR, ProviderIR, TypeIR, WhenIR
from generator.pipeline import build_ir

ROOT = Path(__file__).resolve().parent.parent.parent
BASE_RATIOS = ("auto", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "5:4", "4:5", "21:9")
EXTRA_RATIOS = ("1:4", "4:1", "1:8", "8:1")


@pytest.fixture(scope="module")
def providers() -> dict[str, ProviderIR]:
    return {provider.id: provider for provider in build_ir(ROOT / "specs")}


@pytest.fixture(scope="module")
def caps(providers: dict[str, ProviderIR]) -> dict[str, ProviderCapabilities]:
    return {name: provider_capabilities(provider) for name, provider in providers.items()}


def family(caps: dict[str, ProviderCapabilities], provider: str, name: str) -> FamilyCapabilities:
    return next(item for item in caps[provider].families if item.name == name)


def test_nano_banana_2_has_the_extra_ratios_and_nano_banana_not(caps: dict[str, ProviderCapabilities]) -> None:
    assert family(caps, "api_generate", "nano-banana").aspect_ratios == ValueSet(BASE_RATIOS)
    assert family(caps, "api_generate", "nano-banana-2").aspect_ratios == ValueSet(BASE_RATIOS + EXTRA_RATIOS)


def test_pixel_values_are_sizes_not_ratios(caps: dict[str, ProviderCapabilities]) -> None:
    gpt = family(caps, "api_generate", "gpt-image-2")
    assert "1024x1024" not in gpt.aspect_ratios.values
    assert gpt.aspect_ratios.values[-3:] == ("9:21", "1:2", "2:1")
    # Its WxH values are exactly its size table's, so none is listed again.
    assert gpt.sizes.tables == ("gpt-image-2",)
    assert gpt.sizes.other == ()
    vip = family(caps, "api_generate", "gpt-image-2-vip")
    assert vip.aspect_ratios == ValueSet(("auto",))
    assert vip.sizes.tables == ("gpt-image-2-vip",)
    assert vip.sizes.tiers == ("1K", "2K", "4K")
    assert vip.sizes.other == (
        (
            "a WIDTHxHEIGHT size with longest edge <= 3840, both edges multiples of 16, long/short <= 3, "
            "655,360 <= width*height <= 8,294,400"
        ),
    )


def test_input_image_limits_per_family(caps: dict[str, ProviderCapabilities]) -> None:
    assert family(caps, "gemini_12ai", "flash").max_input_images == 3
    assert family(caps, "gemini_12ai", "pro").max_input_images == 14
    assert family(caps, "api_generate", "nano-banana").max_input_images is None


def test_size_tiers_follow_forbid_rules_and_tables(caps: dict[str, ProviderCapabilities]) -> None:
    # imageSize is forbidden on flash: only its size table's tier is left.
    assert family(caps, "gemini_12ai", "flash").sizes.tiers == ("1K",)
    assert family(caps, "gemini_12ai", "flash").sizes.tables == ("flash",)
    assert family(caps, "gemini_12ai", "pro").sizes.tiers == ("1K", "2K", "4K")
    assert family(caps, "chat_stream", "nano-banana").sizes.tiers == ()


def test_webp_only_for_the_nano_banana_family(caps: dict[str, ProviderCapabilities]) -> None:
    assert family(caps, "image_tasks", "nano-banana").output_formats == ValueSet(("png", "jpeg", "webp"))
    assert family(caps, "image_tasks", "nano-banana-pro").output_formats == ValueSet(("png", "jpeg"))
    assert family(caps, "image_tasks", "nano-banana-2").output_formats == ValueSet(("png", "jpeg"))


def test_open_enums_are_marked_open(caps: dict[str, ProviderCapabilities]) -> None:
    jobs = family(caps, "gemini_jobs", "nano-banana-pro")
    assert jobs.output_formats == ValueSet(("image/png",), open=True)
    assert jobs.aspect_ratios == ValueSet(("1:1",), open=True)
    # Input MIME types (inlineData.mimeType) are not output formats.
    assert family(caps, "gemini_12ai", "pro").output_formats == ValueSet()


def test_sync_stream_and_async_support(caps: dict[str, ProviderCapabilities]) -> None:
    api = caps["api_generate"]
    assert (api.sync, api.stream, api.polled) == (("generate",), ("generate_stream",), ("submit",))
    chat = caps["chat_stream"]
    assert (chat.sync, chat.stream, chat.polled) == (("chat_completions",), ("chat_completions_stream",), ())
    # Status polls and uploads produce no image of their own.
    jobs = caps["gemini_jobs"]
    assert (jobs.sync, jobs.stream, jobs.polled) == (("generate_content",), (), ("create_job",))


def test_auth_scheme(caps: dict[str, ProviderCapabilities]) -> None:
    assert caps["gemini_12ai"].auth == "key in query `?key=`"
    assert caps["api_generate"].auth == "Bearer token in `Authorization` (optional)"  # the doc's 可选
    assert caps["image_tasks"].auth == "Bearer token in `Authorization`"
    assert caps["api_generate"].auth_env == "API_GENERATE_API_KEY"


def test_models_by_id_and_pattern(caps: dict[str, ProviderCapabilities]) -> None:
    pro = family(caps, "image_tasks", "nano-banana-pro")
    assert (pro.models, pro.patterns) == ((), ("NanoBananaPro-*",))
    assert caps["image_tasks"].patterns == ("NanoBananaPro-*", "NanoBanana2-*")
    assert len(caps["api_generate"].models) == 12


def test_rule_applies_to_a_family_only_when_it_covers_all_its_models() -> None:
    fam = FamilyIR("pro", "PRO", "", ("a", "b"), ("p-*",))
    assert applies_to(None, fam)
    assert applies_to(WhenIR("model", ("a", "b", "c"), ("p-*",), ""), fam)
    assert not applies_to(WhenIR("model", ("a",), ("p-*",), ""), fam)
    assert not applies_to(WhenIR("model", ("a", "b"), (), ""), fam)
    assert not applies_to(WhenIR("model", ("a",), (), ""), FamilyIR("empty", "EMPTY", "", (), ()))


def test_a_provider_without_families_is_one_family(providers: dict[str, ProviderIR]) -> None:
    bare = providers["chat_stream"]
    flat = provider_capabilities(replace(bare, families=()))
    assert [item.name for item in flat.families] == [""]
    assert flat.families[0].models == bare.model_ids
    assert flat.families[0].output_formats == ValueSet(("jpeg", "png", "webp"))


def test_delivery_modes_cover_only_image_producing_endpoints(providers: dict[str, ProviderIR]) -> None:
    modes = delivery_modes(providers["image_tasks"])
    assert modes.endpoints == ("generate", "edit", "create_task")
    assert "get_task" not in modes.endpoints


def test_named_size_presets_from_a_union_enum(providers: dict[str, ProviderIR]) -> None:
    preset = TypeIR("string", "str", values=("square_hd", "landscape_4_3"))
    custom = TypeIR("object", "ImageSize", class_name="ImageSize")
    image_size = FieldIR("image_size", "image_size", TypeIR("union", "str | ImageSize", variants=(preset, custom)),
                         False, "", "body")
    fam = FamilyIR("flux", "FLUX", "", ("flux-dev",), ())
    caps = family_capabilities(replace(providers["api_generate"], size_tables=()), fam, (("image_size", image_size),), ())
    assert caps.sizes.other == ("image_size: square_hd, landscape_4_3",)
    assert caps.sizes.tiers == ()
    assert caps.aspect_ratios == ValueSet()
