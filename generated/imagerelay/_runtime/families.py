"""Model families: named groups of model ids, matched exactly or by glob pattern, and the
warning for an id the doc does not list."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import NamedTuple

from .errors import UnknownModelWarning


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


_warned: set[tuple[str, str]] = set()


def warn_unknown_model(
    provider: str, model: object, known: tuple[str, ...], families: tuple[ModelFamily, ...]
) -> None:
    """Warn once per (provider, id) about a model id the doc does not list."""
    if not isinstance(model, str) or model in known or (provider, model) in _warned:
        return
    if find_family(model, families) is not None:
        return
    _warned.add((provider, model))
    listed = ", ".join(known[:6]) + (", ..." if len(known) > 6 else "")
    patterns = [pattern for family in families for pattern in family.patterns]
    shapes = f"; or ids like {', '.join(patterns)}" if patterns else ""
    warnings.warn(
        f"{provider}: model {model!r} is not one the doc lists ({listed or 'none'}{shapes}); "
        "it is sent as given, and the rules that depend on the model family are not checked",
        UnknownModelWarning,
        # At the caller's line: warn <- ClientCore._parts <- _request/_stream <- the
        # generated method <- the caller.
        stacklevel=5,
    )
