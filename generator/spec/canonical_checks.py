"""Checks of an endpoint's ``canonical`` block: every concept placed or declared unsupported.

The block says where the cross-provider request's prompt, ratio, size, count, input images
and output format go in this endpoint's wire request. A path must name request fields (as
rules' paths do, ``[0]`` read as ``[]``), so a block can never send a field the model lacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from generator.spec.fieldpaths import FieldLookup, members, resolve_field_path
from generator.spec.loader import PathKey
from generator.spec.schema import CANONICAL_CONCEPTS, CanonicalSpec, FieldSpec

if TYPE_CHECKING:
    from generator.spec.endpoint_checks import EndpointChecker

VALUE = "$value"
_INDEX = re.compile(r"\[\d+\]")


def field_path(path: str) -> str:
    """``contents[0].parts[]`` -> ``contents[].parts[]``: the fields a canonical path fills."""
    return _INDEX.sub("[]", path)


def value_paths(item: Any, prefix: str = "") -> Iterator[str]:
    """Where ``$value`` sits inside an item template, as dotted keys."""
    if item == VALUE:
        yield prefix
    elif isinstance(item, dict):
        for key, value in item.items():
            yield from value_paths(value, f"{prefix}.{key}" if prefix else str(key))


def check_canonical(endpoint: EndpointChecker, canonical: CanonicalSpec) -> None:
    where: PathKey = (*endpoint.path, "canonical")
    lookup = endpoint.checker.lookup(endpoint.fields)
    if not any(field.type == "model" for field in endpoint.fields.values()):
        endpoint.error(where, "a canonical mapping needs a request field of type 'model' (the model to run)")
    for concept in CANONICAL_CONCEPTS:
        _check_concept(endpoint, where, canonical, concept, lookup)
    for concept in canonical.items:
        if concept not in ("prompt", "input_images"):
            endpoint.checker.error_at_key((*where, "items", concept), f"'{concept}' takes no item; items are for "
                                          "'prompt' and 'input_images', the values a list may collect")
        elif getattr(canonical, concept) is None:
            endpoint.checker.error_at_key((*where, "items", concept), f"an item for '{concept}', which has no path")
    for concept in canonical.unsupported:
        if concept not in CANONICAL_CONCEPTS[1:]:
            endpoint.checker.error_at_key((*where, "unsupported", concept),
                                          f"'{concept}' is not a canonical concept that may be unsupported "
                                          f"({', '.join(CANONICAL_CONCEPTS[1:])})")
    for path in canonical.set:
        problem = resolve_field_path(field_path(path), lookup)
        if problem:
            endpoint.checker.error_at_key((*where, "set", path), problem)
    _check_model_tiers(endpoint, where, canonical)


def _check_concept(endpoint: EndpointChecker, where: PathKey, canonical: CanonicalSpec, concept: str,
                   lookup: FieldLookup) -> None:
    path: str | None = getattr(canonical, concept)
    reason = canonical.unsupported.get(concept)
    by_model = concept == "size_tier" and bool(canonical.model_tiers)
    if path is not None and (reason is not None or by_model):
        other = (*where, "unsupported", concept) if reason is not None else (*where, "model_tiers")
        endpoint.error(other, f"'{concept}' has a path and is also declared "
                       f"{'unsupported' if reason is not None else 'by model id'}; keep one")
        return
    if path is None and reason is None and not by_model:
        endpoint.error(where, f"say where '{concept}' goes (a wire path), or list it under 'unsupported' with "
                       "the doc's reason")
        return
    if reason is not None and not reason.strip():
        endpoint.error((*where, "unsupported", concept), "give the reason the endpoint cannot take it")
    if path is None:
        return
    item = canonical.items.get(concept)
    appends = path.endswith("[]")
    if appends != (item is not None):
        endpoint.error((*where, concept), f"'{path}' ends in '[]', so give the item to append under 'items.{concept}'"
                       if appends else f"'{path}' names one field, so 'items.{concept}' does not apply")
        return
    targets = [f"{path}.{inner}" if inner else path for inner in value_paths(item)] if appends else [path]
    if appends and len(targets) != 1:
        endpoint.error((*where, "items", concept), f"the item must hold '{VALUE}' exactly once (found {len(targets)})")
        return
    problem = resolve_field_path(field_path(targets[0]), lookup)
    if problem:
        endpoint.error((*where, concept), problem)
    elif concept == "input_images" and not _takes_images(field_path(targets[0]), lookup):
        endpoint.error((*where, concept), f"'{targets[0]}' has no 'image_input', so files and earlier replies "
                       "could not be sent there")


def _takes_images(path: str, lookup: FieldLookup) -> bool:
    """Whether a field on ``path`` (or the array items it reaches) declares ``image_input``."""
    fields: Mapping[str, FieldSpec] | None = lookup.fields
    for segment in path.split("."):
        field = (fields or {}).get(segment.removesuffix("[]"))
        if field is None:
            return True  # a union or an opaque schema on the way: resolve_field_path judged the path
        while field.type == "array" and field.items is not None and field.image_input is None:
            field = field.items
        if field.image_input is not None:
            return True
        fields = members(lookup, field)
    return False


def _check_model_tiers(endpoint: EndpointChecker, where: PathKey, canonical: CanonicalSpec) -> None:
    known = {model for family in endpoint.spec.model_families.values() for model in family.models}
    for model in canonical.model_tiers:
        if model not in known:
            endpoint.checker.error_at_key((*where, "model_tiers", model),
                                          f"'{model}' is not a model id of any family")
