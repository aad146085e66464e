"""One classified change, a whole report, and the version bump it suggests.

Classification is from the SDK user's side. An upgrade that can make existing code
fail (a removed method, parameter, field, model or enum value; a new required
parameter; a value or limit the client now rejects; another auth scheme) is
``breaking``. One that keeps code working but changes what it does (a default, the
base URL, a path, retries, a status value responses may now carry) ``needs
attention``. Additions are ``non-breaking``; wording of descriptions, notes and
examples is ``docs``.

Reply models are checked when parsed, so narrowing what a reply may hold (fewer
values, a closed enum) also needs attention: a reply the old SDK parsed may now fail.

"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["breaking", "attention", "non-breaking", "docs"]
Bump = Literal["major", "minor", "patch", "none"]
# Which way data flows through a model: arguments users pass, or replies they read.
Direction = Literal["input", "output"]

SEVERITIES: tuple[Severity, ...] = ("breaking", "attention", "non-breaking", "docs")
SEVERITY_LABELS: dict[Severity, str] = {
    "breaking": "breaking",
    "attention": "needs attention",
    "non-breaking": "non-breaking",
    "docs": "docs only",
}
_BUMPS: dict[Severity, Bump] = {"breaking": "major", "attention": "minor", "non-breaking": "minor", "docs": "patch"}


@dataclass(frozen=True)
class Change:
    """One difference an SDK user can notice, at one place of one provider's SDK."""

    provider: str
    # Where users meet it, e.g. ``api_generate.generate(aspect_ratio)`` or ``api_generate.catalog.AspectRatio``.
    location: str
    what: str
    severity: Severity
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class ChangeReport:
    """Every change between two versions of the specs, in the order they were found."""

    changes: tuple[Change, ...]

    @property
    def bump(self) -> Bump:
        """major if anything breaks, minor for additions or behaviour changes, patch for docs."""
        for severity in SEVERITIES:
            if any(change.severity == severity for change in self.changes):
                return _BUMPS[severity]
        return "none"

    def count(self, severity: Severity) -> int:
        return sum(1 for change in self.changes if change.severity == severity)

    def providers(self) -> tuple[str, ...]:
        return tuple(sorted({change.provider for change in self.changes}))

    def of_provider(self, provider: str) -> tuple[Change, ...]:
        """One provider's changes, breaking first; found order within a class (spec order)."""
        mine = [change for change in self.changes if change.provider == provider]
        return tuple(sorted(mine, key=lambda change: SEVERITIES.index(change.severity)))

    def tally(self, changes: Iterable[Change] | None = None) -> str:
        """``2 breaking, 1 needs attention`` for the given changes (default: all)."""
        chosen = list(self.changes if changes is None else changes)
        parts = []
        for severity in SEVERITIES:
            count = sum(1 for change in chosen if change.severity == severity)
            if count:
                parts.append(f"{count} {SEVERITY_LABELS[severity]}")
        return ", ".join(parts) or "no changes"


def worst(*severities: Severity) -> Severity:
    return min(severities, key=SEVERITIES.index)


def narrowed(directions: frozenset[Direction]) -> Severity:
    """Fewer values allowed: callers may be refused; replies the parser took may now fail to parse."""
    return worst(*(("breaking" if direction == "input" else "attention") for direction in directions))


def widened(directions: frozenset[Direction]) -> Severity:
    """More values allowed: callers gain options; readers may meet a case they do not handle."""
    return worst(*(("non-breaking" if direction == "input" else "attention") for direction in directions))


def shown(value: object) -> str:
    """A value as users would write it in Python (strings quoted, numbers bare, 4.0 as 4)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def shown_all(values: Iterable[object]) -> str:
    return ", ".join(shown(value) for value in values)


def method_group(names: Iterable[str]) -> str:
    """One method as itself, several as ``{generate,generate_now}``: how report lines name them."""
    listed = list(names)
    return listed[0] if len(listed) == 1 else "{" + ",".join(listed) + "}"
