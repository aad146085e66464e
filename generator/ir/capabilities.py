"""What each provider can do, read off its IR for the docs' capability matrix.

Nothing here knows a provider by name. A request field counts as an aspect
ratio, a size tier or an output format by the values it takes (its enum, the
known values of an open enum, or the values of ``one_of`` rules on it); which
of those values a model family gets follows the family's ``one_of`` and
``forbid`` rules, exactly as the generated clients check them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from generator.ir.nodes import ClassIR, EndpointIR, FamilyIR, FieldIR, ProviderIR, RuleIR, TypeIR, WhenIR
from generator.ir.rules import _pixel_summary

RATIO = re.compile(r"^\d+(\.\d+)?:\d+(\.\d+)?$")
PIXELS = re.compile(r"^\d+x\d+$")
TIER = re.compile(r"^\d+(\.\d+)?K$")
IMAGE_FORMAT = re.compile(r"^(image/)?(png|jpe?g|webp|gif|bmp|tiff?|avif|heic|heif)$", re.IGNORECASE)


@dataclass(frozen=True)
class ValueSet:
    """Values a family may send; ``open`` when the spec lists them as known, not exhaustive."""

    values: tuple[str, ...] = ()
    open: bool = False


@dataclass(frozen=True)
class SizeCapabilities:
    tiers: tuple[str, ...]
    # Size tables that apply to the family (rows of ratio -> WxH per tier).
    tables: tuple[str, ...]
    # Sizes accepted beyond the tables: WxH values of one_of rules, pixel rules described.
    other: tuple[str, ...]


@dataclass(frozen=True)
class FamilyCapabilities:
    name: str
    models: tuple[str, ...]
    patterns: tuple[str, ...]
    aspect_ratios: ValueSet
    sizes: SizeCapabilities
    output_formats: ValueSet
    # Fewest input images any rule or field allows; None when the spec sets no limit.
    max_input_images: int | None


@dataclass(frozen=True)
class ProviderCapabilities:
    provider: str
    title: str
    auth: str
    auth_env: str
    models: tuple[str, ...]
    patterns: tuple[str, ...]
    # Image-producing endpoints by how their result arrives.
    sync: tuple[str, ...]
    stream: tuple[str, ...]
    polled: tuple[str, ...]
    families: tuple[FamilyCapabilities, ...]


@dataclass(frozen=True)
class DeliveryModes:
    """Image-producing endpoints by how their result arrives."""

    sync: tuple[str, ...]
    stream: tuple[str, ...]
    polled: tuple[str, ...]

    @property
    def endpoints(self) -> tuple[str, ...]:
        return self.sync + self.stream + self.polled


def provider_capabilities(provider: ProviderIR) -> ProviderCapabilities:
    delivery = delivery_modes(provider)
    requests = _request_classes(provider, delivery.endpoints)
    fields = _dedup_paths(path_field for cls in requests for path_field in request_fields(provider, cls))
    rules = tuple(dict.fromkeys(rule for cls in requests for rule in cls.rules))
    families = tuple(
        family_capabilities(provider, family, fields, rules) for family in _families(provider)
    )
    return ProviderCapabilities(
        provider=provider.id,
        title=provider.title,
        auth=auth_text(provider),
        auth_env=provider.auth.env,
        models=provider.model_ids,
        patterns=provider.model_patterns,
        sync=delivery.sync,
        stream=delivery.stream,
        polled=delivery.polled,
        families=families,
    )


def auth_text(provider: ProviderIR) -> str:
    auth = provider.auth
    if auth.kind == "bearer":
        text = f"Bearer token in `{auth.name or 'Authorization'}`"
    elif auth.kind == "header":
        text = f"key in header `{auth.name}`" + (f" as `{auth.prefix}<key>`" if auth.prefix else "")
    elif auth.kind == "query":
        text = f"key in query `?{auth.name}=`"
    else:
        return "none"
    return text + (" (optional)" if auth.optional else "")


def delivery_modes(provider: ProviderIR) -> DeliveryModes:
    """Endpoints that produce images: answered at once, streamed, or submitted and polled."""
    # Status polls and result fetches belong to the submit that starts the task.
    polled_targets = {
        name
        for ep in provider.endpoints
        if ep.polling is not None
        for name in (ep.polling.get_method, ep.polling.result_method)
        if name is not None
    }
    classes = {cls.name: cls for cls in provider.classes}

    def produces_images(ep: EndpointIR) -> bool:
        result = ep.polling.return_class if ep.polling is not None else ep.response_class
        return ep.requires_image or classes[result].images is not None

    producing = [ep for ep in provider.endpoints if ep.name not in polled_targets and produces_images(ep)]
    return DeliveryModes(
        sync=tuple(ep.name for ep in producing if ep.polling is None and ep.response_kind == "json"),
        stream=tuple(ep.name for ep in producing if ep.polling is None and ep.response_kind == "sse"),
        polled=tuple(ep.name for ep in producing if ep.polling is not None),
    )


def _request_classes(provider: ProviderIR, endpoints: tuple[str, ...]) -> tuple[ClassIR, ...]:
    classes = {cls.name: cls for cls in provider.classes}
    names = [ep.request_class for ep in provider.endpoints if ep.name in endpoints and ep.request_class]
    return tuple(classes[name] for name in dict.fromkeys(names))


def request_fields(provider: ProviderIR, cls: ClassIR) -> Iterator[tuple[str, FieldIR]]:
    """Every field reachable from ``cls``, by wire path (``a.b``, ``a[].b``), as rules name them.

    Image inputs are not descended into: their MIME keys describe what is sent, not produced.
    """
    classes = {item.name: item for item in provider.classes}

    def walk(owner: ClassIR, prefix: str, seen: frozenset[str]) -> Iterator[tuple[str, FieldIR]]:
        for field in owner.fields:
            path = prefix + field.wire_name
            yield path, field
            if field.image_input is None:
                for nested, suffix in _nested_classes(field.type):
                    if nested in classes and nested not in seen:
                        yield from walk(classes[nested], f"{path}{suffix}.", seen | {nested})

    return walk(cls, "", frozenset({cls.name}))


def _nested_classes(type_ir: TypeIR, suffix: str = "") -> Iterator[tuple[str, str]]:
    if type_ir.class_name is not None:
        yield type_ir.class_name, suffix
    if type_ir.item is not None:
        yield from _nested_classes(type_ir.item, suffix + "[]")
    for variant in type_ir.variants:
        yield from _nested_classes(variant, suffix)


def _dedup_paths(pairs: Iterator[tuple[str, FieldIR]]) -> tuple[tuple[str, FieldIR], ...]:
    return tuple({path: field for path, field in pairs}.items())


def _families(provider: ProviderIR) -> tuple[FamilyIR, ...]:
    if provider.families:
        return provider.families
    # A provider without families is one family of every model it names.
    return (FamilyIR("", "", "", provider.model_ids, provider.model_patterns),)


def applies_to(when: WhenIR | None, family: FamilyIR) -> bool:
    """Whether a rule condition holds for every model of ``family``."""
    if when is None:
        return True
    if not family.models and not family.patterns:
        return False
    return set(family.models) <= set(when.values) and set(family.patterns) <= set(when.patterns)


def family_capabilities(
    provider: ProviderIR,
    family: FamilyIR,
    fields: tuple[tuple[str, FieldIR], ...],
    rules: tuple[RuleIR, ...],
) -> FamilyCapabilities:
    ratio_like = _merged(family, fields, rules, lambda values: any(RATIO.match(v) for v in values))
    tables = tuple(table for table in provider.size_tables if family.name in table.families)
    table_sizes = {size for table in tables for row in table.rows for _, size in row.cells}
    tiers = _merged(family, fields, rules, lambda values: all(TIER.match(v) for v in values)).values
    presets = _size_presets(family, fields, rules)
    pixel_rules = [rule for rule in rules if rule.pixel is not None and applies_to(rule.when, family)]
    return FamilyCapabilities(
        name=family.name,
        models=family.models,
        patterns=family.patterns,
        aspect_ratios=ValueSet(tuple(v for v in ratio_like.values if not PIXELS.match(v)), ratio_like.open),
        sizes=SizeCapabilities(
            tiers=_dedup(list(tiers) + [tier for table in tables for tier in table.tiers]),
            tables=tuple(table.name for table in tables),
            other=tuple(v for v in ratio_like.values if PIXELS.match(v) and v not in table_sizes)
            + tuple(_pixel_summary(rule.pixel) for rule in pixel_rules if rule.pixel is not None)
            + presets,
        ),
        output_formats=_merged(family, fields, rules, lambda values: all(IMAGE_FORMAT.match(v) for v in values)),
        max_input_images=_max_input_images(family, fields, rules),
    )


def _size_presets(
    family: FamilyIR, fields: tuple[tuple[str, FieldIR], ...], rules: tuple[RuleIR, ...]
) -> tuple[str, ...]:
    """Named sizes: a field called ``*size*`` whose values are neither tiers nor ratios."""
    presets = []
    for path, field in fields:
        values = _declared_values(path, field, rules)
        named = "size" in field.wire_name.lower() and values
        if named and not any(TIER.match(v) or RATIO.match(v) or PIXELS.match(v) for v in values):
            allowed = family_values(path, field, rules, family)
            if allowed.values:
                presets.append(f"{path}: " + ", ".join(allowed.values) + (" (open)" if allowed.open else ""))
    return tuple(presets)


def _merged(
    family: FamilyIR,
    fields: tuple[tuple[str, FieldIR], ...],
    rules: tuple[RuleIR, ...],
    kind: Callable[[tuple[str, ...]], bool],
) -> ValueSet:
    """What ``family`` may send in every field whose values are of ``kind``, merged."""
    sets = [
        family_values(path, field, rules, family)
        for path, field in fields
        if (values := _declared_values(path, field, rules)) and kind(values)
    ]
    return ValueSet(_dedup([v for s in sets for v in s.values]), any(s.open for s in sets))


def _declared_values(path: str, field: FieldIR, rules: tuple[RuleIR, ...]) -> tuple[str, ...]:
    """Every value the spec names for a field: its enum, known values and one_of rules."""
    values = [str(v) for v in _enum_values(field.type)] + list(field.known_values)
    values += [v for rule in rules if rule.kind == "OneOf" and path in rule.fields for v in rule.values]
    return _dedup(values)


def family_values(path: str, field: FieldIR, rules: tuple[RuleIR, ...], family: FamilyIR) -> ValueSet:
    """Values of ``field`` that ``family`` may send: its one_of rules, else the field's enum."""
    own = [rule for rule in rules if path in rule.fields and applies_to(rule.when, family)]
    if any(rule.kind == "Forbidden" for rule in own):
        return ValueSet()
    one_of = [rule.values for rule in own if rule.kind == "OneOf"]
    if one_of:
        # Every rule must hold at once, so a value has to pass all of them.
        return ValueSet(tuple(v for v in one_of[0] if all(v in other for other in one_of[1:])))
    if enum := _enum_values(field.type):
        return ValueSet(tuple(str(v) for v in enum))
    return ValueSet(field.known_values, open=bool(field.known_values))


def _enum_values(type_ir: TypeIR) -> tuple[str | int | float | bool, ...]:
    """The closed values of a field, including those of a union's enum variants."""
    return type_ir.values + tuple(v for variant in type_ir.variants for v in _enum_values(variant))


def _max_input_images(
    family: FamilyIR, fields: tuple[tuple[str, FieldIR], ...], rules: tuple[RuleIR, ...]
) -> int | None:
    image_paths = {path for path, field in fields if field.image_input is not None}
    limits = [
        rule.limit
        for rule in rules
        if rule.kind == "MaxItems" and rule.limit is not None and applies_to(rule.when, family)
        and any(path in image_paths for path in rule.fields)
    ]
    limits += [field.max_items for path, field in fields if path in image_paths and field.max_items is not None]
    return min(limits) if limits else None


def _dedup(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
