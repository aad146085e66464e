"""Declarative request rules, checked on the request's wire dict.

Generated request models list their rules in ``__relay_rules__``; the model
validator runs :func:`check_rules` so a request that the provider would
reject (a ratio a model family lacks, a field a model ignores, too many
reference images) fails locally with a message naming the field, the value
and what is allowed. Field names are wire paths (see ``paths.py``).

Rules are NamedTuples for the reason given in ``descriptors.py`` (cheap to
create at import); two rule kinds with equal fields compare equal, so tell
them apart by type, never with ``==``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any, NamedTuple

from .paths import find_all, find_first

__all__ = [
    "Exclusive",
    "Forbidden",
    "MaxItems",
    "OneOf",
    "PixelSize",
    "RequiredAny",
    "RequiredIf",
    "Rule",
    "When",
    "check_rules",
    "parse_pixels",
    "wire_text",
]

_PIXELS = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def wire_text(value: Any) -> str:
    """How a wire value compares against the string values in rules."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_pixels(value: Any) -> tuple[int, int] | None:
    """``(width, height)`` when ``value`` looks like ``WIDTHxHEIGHT``."""
    match = _PIXELS.match(value) if isinstance(value, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


class When(NamedTuple):
    """Condition: the wire value at ``field`` is one of ``values`` or matches a glob pattern."""

    field: str
    values: frozenset[str]
    # Human name of the condition, e.g. "model family 'nano-banana-2'".
    label: str
    # Glob patterns such as "NanoBananaPro-*" for families named by prefix.
    patterns: tuple[str, ...] = ()

    def matches(self, wire: Mapping[str, Any]) -> bool:
        # Runs for every rule of every request built: a plain loop, patterns only if any.
        for value in find_all(wire, self.field):
            text = value if type(value) is str else wire_text(value)
            if text in self.values:
                return True
            if self.patterns and any(fnmatchcase(text, p) for p in self.patterns):
                return True
        return False

    def describe(self, wire: Mapping[str, Any]) -> str:
        """`` when <label> (<field>=<actual>)`` for messages."""
        return f" when {self.label} ({self.field}={find_first(wire, self.field)!r})"


def _applies(when: When | None, wire: Mapping[str, Any]) -> bool:
    return when is None or when.matches(wire)


def _context(when: When | None, wire: Mapping[str, Any]) -> str:
    return "" if when is None else when.describe(wire)


def _with_note(message: str, note: str) -> str:
    return f"{message} ({note})" if note else message


class PixelSize(NamedTuple):
    """Bounds on a ``WIDTHxHEIGHT`` value; None means unbounded."""

    max_edge: int | None = None
    multiple_of: int | None = None
    max_ratio: float | None = None
    min_pixels: int | None = None
    max_pixels: int | None = None

    def problems(self, width: int, height: int) -> list[str]:
        """The bounds ``width x height`` breaks, each named; empty when it fits."""
        if width <= 0 or height <= 0:
            return ["width and height must be positive"]
        found: list[str] = []
        longest, shortest, area = max(width, height), min(width, height), width * height
        if self.max_edge is not None and longest > self.max_edge:
            found.append(f"longest edge {longest} exceeds {self.max_edge}")
        if self.multiple_of is not None:
            for name, edge in (("width", width), ("height", height)):
                if edge % self.multiple_of:
                    found.append(f"{name} {edge} is not a multiple of {self.multiple_of}")
        if self.max_ratio is not None and longest / shortest > self.max_ratio:
            found.append(f"edge ratio {longest / shortest:.3g} exceeds {self.max_ratio:g}")
        if self.min_pixels is not None and area < self.min_pixels:
            found.append(f"{area} pixels is below the minimum {self.min_pixels}")
        if self.max_pixels is not None and area > self.max_pixels:
            found.append(f"{area} pixels exceeds the maximum {self.max_pixels}")
        return found

    def describe(self) -> str:
        """E.g. ``WIDTHxHEIGHT with longest edge <= 3840, ...``."""
        bounds: list[str] = []
        if self.max_edge is not None:
            bounds.append(f"longest edge <= {self.max_edge}")
        if self.multiple_of is not None:
            bounds.append(f"edges multiples of {self.multiple_of}")
        if self.max_ratio is not None:
            bounds.append(f"long/short edge ratio <= {self.max_ratio:g}")
        if self.min_pixels is not None:
            bounds.append(f"at least {self.min_pixels} pixels")
        if self.max_pixels is not None:
            bounds.append(f"at most {self.max_pixels} pixels")
        return "WIDTHxHEIGHT" + (" with " + ", ".join(bounds) if bounds else "")


class OneOf(NamedTuple):
    """The value at ``field`` (when present) is one of ``values`` or fits ``pixel``."""

    field: str
    values: tuple[str, ...]
    pixel: PixelSize | None = None
    when: When | None = None
    note: str = ""

    def allowed(self) -> str:
        options = list(self.values)
        if self.pixel is not None:
            options.append(self.pixel.describe())
        return ", ".join(options) if options else "nothing"

    def check(self, wire: Mapping[str, Any]) -> list[str]:
        if not _applies(self.when, wire):
            return []
        found: list[str] = []
        for value in find_all(wire, self.field):
            if wire_text(value) in self.values:
                continue
            head = f"{self.field}={value!r}"
            pixels = parse_pixels(value) if self.pixel is not None else None
            if pixels is None:
                message = f"{head} is not allowed{_context(self.when, wire)}"
                found.append(_with_note(f"{message}; allowed: {self.allowed()}", self.note))
                continue
            assert self.pixel is not None  # parse_pixels only runs when it is set
            broken = self.pixel.problems(*pixels)
            if broken:
                message = f"{head}{_context(self.when, wire)}: {', '.join(broken)}"
                found.append(_with_note(message, self.note))
        return found


def _given(wire: Mapping[str, Any], path: str) -> bool:
    """A value at ``path`` that counts as set: an empty list (``images=[]``) does not."""
    return any(value != [] for value in find_all(wire, path))


class Forbidden(NamedTuple):
    """``field`` must be absent."""

    field: str
    when: When | None = None
    note: str = ""

    def check(self, wire: Mapping[str, Any]) -> list[str]:
        if not _applies(self.when, wire) or not _given(wire, self.field):
            return []
        message = f"{self.field} is not supported{_context(self.when, wire)}"
        return [_with_note(message, self.note)]


class RequiredIf(NamedTuple):
    """``field`` must be present."""

    field: str
    when: When | None = None
    note: str = ""

    def check(self, wire: Mapping[str, Any]) -> list[str]:
        if not _applies(self.when, wire) or _given(wire, self.field):
            return []
        message = f"{self.field} is required{_context(self.when, wire)}"
        return [_with_note(message, self.note)]


class RequiredAny(NamedTuple):
    """At least one of ``fields`` is present."""

    fields: tuple[str, ...]
    when: When | None = None
    note: str = ""

    def check(self, wire: Mapping[str, Any]) -> list[str]:
        if not _applies(self.when, wire) or any(_given(wire, name) for name in self.fields):
            return []
        message = f"at least one of {', '.join(self.fields)} is required{_context(self.when, wire)}"
        return [_with_note(message, self.note)]


class MaxItems(NamedTuple):
    """At most ``limit`` values at ``path``."""

    path: str
    limit: int
    when: When | None = None
    note: str = ""

    def check(self, wire: Mapping[str, Any]) -> list[str]:
        count = len(find_all(wire, self.path))
        if not _applies(self.when, wire) or count <= self.limit:
            return []
        message = f"{self.path} has {count} items; at most {self.limit} allowed"
        return [_with_note(message + _context(self.when, wire), self.note)]


class Exclusive(NamedTuple):
    """At most one of ``fields`` is present."""

    fields: tuple[str, ...]
    when: When | None = None
    note: str = ""

    def check(self, wire: Mapping[str, Any]) -> list[str]:
        present = [name for name in self.fields if _given(wire, name)]
        if not _applies(self.when, wire) or len(present) <= 1:
            return []
        message = (
            f"only one of {', '.join(self.fields)} may be set{_context(self.when, wire)}; "
            f"got {', '.join(present)}"
        )
        return [_with_note(message, self.note)]


Rule = OneOf | Forbidden | RequiredIf | RequiredAny | MaxItems | Exclusive


def check_rules(wire: Mapping[str, Any], rules: Iterable[Rule]) -> list[str]:
    """A message for every violated rule, in rule order; empty when all hold."""
    problems: list[str] = []
    for rule in rules:
        problems.extend(rule.check(wire))  # each rule tests its own condition first
    return problems
