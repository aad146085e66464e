"""Model families: named groups of model ids, matched exactly or by glob pattern."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import NamedTuple


class ModelFamily(NamedTuple):
    """A family as the spec declares it: exact ids plus patterns such as ``NanoBananaPro-*``.

    A NamedTuple like the descriptors (see ``descriptors.py``): created at import.
    """

    name: str
    models: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    description: str = ""

    def matches(self, model: str) -> bool:
        return model in self.models or any(fnmatchcase(model, pattern) for pattern in self.patterns)


def find_family(model: str, families: Iterable[ModelFamily]) -> str | None:
    """Name of the first family ``model`` belongs to; exact ids win over patterns."""
    candidates = list(families)
    for family in candidates:
        if model in family.models:
            return family.name
    for family in candidates:
        if family.matches(model):
            return family.name
    return None
