"""The cross-provider request, placed into one endpoint's wire request (spec ``canonical``).

Each generated endpoint with a ``canonical`` block carries a :class:`Canonical` saying
where the prompt, ratio, size, count, input images and output format go. This module
turns a :class:`CanonicalRequest` into that endpoint's keyword arguments, or says which
value the endpoint cannot take. It never coerces: a value is placed as given or refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

__all__ = [
    "Canonical",
    "CanonicalRequest",
    "Slot",
    "Unsupported",
    "arguments_for",
    "size_kind",
    "value_at",
]

VALUE = "$value"
_SEGMENT = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<index>\d*)\])?$")
_TIER = re.compile(r"^\d+(\.\d+)?K$")
_PIXELS = re.compile(r"^[1-9]\d*x[1-9]\d*$")


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one concept goes: a wire path; ``item`` for a path ending in "[]"; ``many``
    when the target holds a list (so several input images fit)."""

    concept: str
    path: str
    item: Any = None
    many: bool = False


@dataclass(frozen=True, slots=True)
class Canonical:
    """An endpoint's canonical mapping (generated from the spec)."""

    slots: tuple[Slot, ...]
    # (wire path, value) sent with every canonical request.
    fixed: tuple[tuple[str, Any], ...] = ()
    # (concept, the doc's reason it cannot be sent).
    unsupported: tuple[tuple[str, str], ...] = ()
    # (model id, size tier) where the tier is part of the model id.
    model_tiers: tuple[tuple[str, str], ...] = ()
    # (wire name, keyword argument) of the endpoint's top-level fields.
    arguments: tuple[tuple[str, str], ...] = ()

    # The wire name of the request's model field.
    model: str = "model"
    # A task API: (wire path of the task id in the submit reply, the client's wait method).
    poll: tuple[str, str] | None = None
    # Lookups made once, not per request: slot by concept, tier by model, argument by wire name.
    by_concept: dict[str, Slot] = field(init=False, repr=False, compare=False)
    tiers: dict[str, str] = field(init=False, repr=False, compare=False)
    names: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_concept", {slot.concept: slot for slot in self.slots})
        object.__setattr__(self, "tiers", dict(self.model_tiers))
        object.__setattr__(self, "names", dict(self.arguments))

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Canonical:
        """Read the plain data a generated ``Endpoint(canonical=...)`` carries."""
        return cls(
            slots=tuple(Slot(*row) for row in data["slots"]),
            fixed=tuple(data["fixed"]),
            unsupported=tuple(data["unsupported"]),
            model_tiers=tuple(data["model_tiers"]),
            arguments=tuple(data["arguments"]),
            model=data["model"],
            poll=tuple(data["poll"]) if "poll" in data else None,
        )

    def slot(self, concept: str) -> Slot | None:
        return self.by_concept.get(concept)

    def reason(self, concept: str) -> str | None:
        return dict(self.unsupported).get(concept)


@dataclass(frozen=True)
class CanonicalRequest:
    """What ``imagerelay.generate`` asks for, before any provider is chosen."""

    prompt: str
    model: str | None = None
    aspect_ratio: str | None = None
    # A tier ("2K") or an exact size ("1536x1024").
    size: str | None = None
    images: Sequence[Any] = field(default_factory=tuple)
    n: int | None = None
    output_format: str | None = None


class Unsupported(Exception):
    """This endpoint cannot take a value the request has; ``str()`` says which and why."""


def size_kind(size: str) -> str:
    """``"size_tier"`` for "2K"/"0.5K", ``"pixel_size"`` for "WxH"; ValueError otherwise."""
    if _TIER.match(size):
        return "size_tier"
    if _PIXELS.match(size):
        return "pixel_size"
    raise ValueError(f"size {size!r} is neither a tier such as '2K' nor an exact size such as '1536x1024'")


def _substitute(item: Any, value: Any) -> Any:
    if item == VALUE:
        return value
    if isinstance(item, dict):
        return {key: _substitute(inner, value) for key, inner in item.items()}
    if isinstance(item, list):
        return [_substitute(inner, value) for inner in item]
    return item


@lru_cache(maxsize=256)
def _segments(path: str) -> tuple[tuple[str, str | None], ...]:
    """``"a.b[0].c[]"`` -> (("a", None), ("b", "0"), ("c", "")); parsed once per path."""
    parsed = []
    for segment in path.split("."):
        match = _SEGMENT.match(segment)
        if match is None:
            raise ValueError(f"bad canonical path segment {segment!r} in {path!r}")
        parsed.append((match["name"], match["index"]))
    return tuple(parsed)


def value_at(body: Any, path: str) -> Any:
    """The value at ``path`` ("a.b[0].c"; a final "[]" reads the first item), or None."""
    current = body
    for name, index in _segments(path):
        current = current.get(name) if isinstance(current, dict) else None
        if index is not None:
            position = int(index or 0)
            current = current[position] if isinstance(current, list) and len(current) > position else None
    return current


def _place(body: dict[str, Any], path: str, value: Any) -> None:
    """Put ``value`` at ``path`` ("a.b[0].c", a final "x[]" appends), creating what is missing."""
    current: Any = body
    segments = _segments(path)
    for position, (name, index) in enumerate(segments):
        last = position == len(segments) - 1
        if index is None:
            if last:
                current[name] = value
            else:
                current = current.setdefault(name, {})
            continue
        items = current.setdefault(name, [])
        if index == "":  # "[]": only at the end, appends
            items.append(value)
            return
        number = int(index)
        while len(items) <= number:
            items.append({})
        if last:
            items[number] = value
        else:
            current = items[number]


def arguments_for(canonical: Canonical, request: CanonicalRequest, model: str) -> dict[str, Any]:
    """The endpoint method's keyword arguments for ``request`` with ``model``.

    Raises Unsupported naming the value the endpoint cannot take (and the doc's reason).
    """
    wanted: dict[str, Any] = {"prompt": request.prompt}
    if request.aspect_ratio is not None:
        wanted["aspect_ratio"] = request.aspect_ratio
    if request.size is not None:
        try:
            wanted[size_kind(request.size)] = request.size
        except ValueError as exc:
            raise Unsupported(str(exc)) from None
    if request.images:
        wanted["input_images"] = list(request.images)
    if request.n is not None and request.n != 1:
        wanted["n"] = request.n
    if request.output_format is not None:
        wanted["output_format"] = request.output_format

    body: dict[str, Any] = {canonical.model: model}
    for path, value in canonical.fixed:
        _place(body, path, value)
    tiers = canonical.tiers
    for concept, value in wanted.items():
        if concept == "size_tier" and tiers and canonical.slot(concept) is None:
            if tiers.get(model) != value:
                have = tiers.get(model)
                raise Unsupported(f"size {value}: the tier is part of the model id, and {model} is "
                                  + (f"{have}" if have else "not one of the tiered ids"))
            continue
        slot = canonical.slot(concept)
        if slot is None:
            why = canonical.reason(concept) or "not in the spec's canonical mapping"
            raise Unsupported(f"{concept.replace('_', ' ')}: {why}")
        if concept == "input_images":
            _place_images(body, slot, value)
        elif slot.item is not None:
            _place(body, slot.path, _substitute(slot.item, value))
        else:
            _place(body, slot.path, value)
    names = canonical.names
    return {names.get(key, key): value for key, value in body.items()}


def _place_images(body: dict[str, Any], slot: Slot, images: list[Any]) -> None:
    if slot.item is not None:
        for image in images:
            _place(body, slot.path, _substitute(slot.item, image))
    elif slot.many:
        _place(body, slot.path, images)
    elif len(images) == 1:
        _place(body, slot.path, images[0])
    else:
        raise Unsupported(f"input images: takes one image, {len(images)} given")
