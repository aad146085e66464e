"""The ``canonical`` blocks of the shipped specs, as the IR carries them (issue 15, item 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.ir.capabilities import delivery_modes, request_fields
from generator.ir.nodes import ProviderIR
from generator.pipeline import build_ir
from generator.spec.canonical_checks import field_path, value_paths
from generator.spec.schema import CANONICAL_CONCEPTS

ROOT = Path(__file__).resolve().parents[2]
IRS = {ir.id: ir for ir in build_ir(ROOT / "specs")}


def _value_path(path: str, item: str | None) -> str:
    """The wire path the value lands on, as rules write paths: the checker's own reading."""
    inner = next(value_paths(json.loads(item)), "") if item is not None else ""
    return field_path(f"{path}.{inner}" if inner else path)


@pytest.mark.parametrize("provider", sorted(IRS))
def test_every_image_producing_endpoint_maps_every_concept(provider: str) -> None:
    ir: ProviderIR = IRS[provider]
    producing = set(delivery_modes(ir).endpoints)
    mapped = {ep.name for ep in ir.endpoints if ep.canonical is not None}
    assert producing <= mapped, sorted(producing - mapped)
    for ep in ir.endpoints:
        if ep.canonical is None:
            continue
        placed = {slot.concept for slot in ep.canonical.slots} | {concept for concept, _ in ep.canonical.unsupported}
        if ep.canonical.model_tiers:
            placed.add("size_tier")
        assert placed == set(CANONICAL_CONCEPTS), (ep.name, sorted(set(CANONICAL_CONCEPTS) - placed))
        assert ep.model_field is not None


@pytest.mark.parametrize("provider", sorted(IRS))
def test_every_slot_lands_on_a_field_of_the_request_class(provider: str) -> None:
    ir = IRS[provider]
    classes = {cls.name: cls for cls in ir.classes}
    for ep in ir.endpoints:
        if ep.canonical is None or ep.request_class is None:
            continue
        paths = {path for path, _ in request_fields(ir, classes[ep.request_class])}
        for slot in ep.canonical.slots:
            target = _value_path(slot.path, slot.item)
            # request_fields stops at image inputs: an image value lands on the input field itself.
            assert target in paths or target.rsplit(".", 1)[0] in paths, (ep.name, slot.concept, target)
        for path, _ in ep.canonical.fixed:
            assert field_path(path) in paths, (ep.name, path)


def test_tiers_in_model_ids_name_known_models() -> None:
    ir = IRS["chat_stream"]
    (ep,) = [ep for ep in ir.endpoints if ep.name == "chat_completions"]
    assert ep.canonical is not None
    tiers = dict(ep.canonical.model_tiers)
    assert set(tiers) <= set(ir.model_ids)
    assert tiers["NanoBananaPro-4K"] == "4K" and tiers["NanoBanana2-0.5K"] == "0.5K"
    assert dict(ep.canonical.unsupported)["pixel_size"]
