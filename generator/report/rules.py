"""Differences between two versions of a method's request rules.

Rules run in the client before anything is sent, so a rule that admits less
(a new rule, fewer values, a smaller limit, stricter pixel bounds) refuses calls
the previous SDK sent: breaking. A rule that admits more is non-breaking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from generator.ir.nodes import PixelIR, RuleIR
from generator.report.changes import Change, Severity, shown, shown_all

# Pixel bound name -> True when a larger value admits fewer sizes.
_PIXEL_BOUNDS: tuple[tuple[str, bool], ...] = (
    ("max_edge", False), ("max_ratio", False), ("min_pixels", True), ("max_pixels", False),
)
_PIXEL_NAMES = {
    "max_edge": "longest edge limit",
    "multiple_of": "edge multiple",
    "max_ratio": "long/short ratio limit",
    "min_pixels": "minimum pixel count",
    "max_pixels": "maximum pixel count",
}


def rule_label(rule: RuleIR) -> str:
    """``OneOf(aspectRatio) when model family 'nano-banana-2'``: what a rule is about, not what it allows."""
    label = f"{rule.kind}({', '.join(rule.fields)})"
    return label + (f" when {rule.when.label}" if rule.when else "")


def _keyed(rules: tuple[RuleIR, ...]) -> dict[tuple[str, int], RuleIR]:
    """Rules by label; the occurrence number tells apart rules about the same thing."""
    keyed: dict[tuple[str, int], RuleIR] = {}
    for rule in rules:
        label = rule_label(rule)
        occurrence = sum(1 for key in keyed if key[0] == label)
        keyed[(label, occurrence)] = rule
    return keyed


def rule_changes(provider: str, old: tuple[RuleIR, ...], new: tuple[RuleIR, ...],
                 renamed: Mapping[str, str] | None = None, arguments: Mapping[str, str] | None = None) -> list[Change]:
    """Rule changes located relative to the method: ``(aspect_ratio) rule OneOf(aspectRatio)``,
    the Python arguments the rule checks, then the rule with the wire fields it names.
    ``renamed`` maps old wire names to new ones: a rule that only follows a renamed field is
    the same rule (the rename is reported once, on the field). ``arguments`` maps wire names
    to Python arguments."""
    if renamed:
        old = tuple(_following(rule, renamed) for rule in old)
    old_keyed, new_keyed = _keyed(old), _keyed(new)
    changes = []
    for key, rule in new_keyed.items():
        where = _where(rule, key[0], arguments or {})
        if key not in old_keyed:
            changes.append(Change(provider, where, "rule added", "breaking", new=rule.summary))
        else:
            changes += [Change(provider, where, what, severity, before, after)
                        for what, severity, before, after in _rule_pair(old_keyed[key], rule)]
    changes += [Change(provider, _where(rule, key[0], arguments or {}), "rule removed", "non-breaking",
                       old=rule.summary) for key, rule in old_keyed.items() if key not in new_keyed]
    return changes


def _where(rule: RuleIR, label: str, arguments: Mapping[str, str]) -> str:
    """`` (aspect_ratio) rule OneOf(aspectRatio) ...``: users pass the argument, the rule reads the wire."""
    # A nested path ("contents[].parts") is checked inside the argument its first segment names.
    tops = [field.split(".")[0].split("[")[0] for field in rule.fields]
    names = list(dict.fromkeys(arguments[top] for top in tops if top in arguments))
    return (f"({', '.join(names)})" if names else "") + f" rule {label}"


def _following(rule: RuleIR, renamed: Mapping[str, str]) -> RuleIR:
    """``rule`` with every wire path segment that was renamed spelled the new way."""

    def path(text: str) -> str:
        return ".".join(_segment(part, renamed) for part in text.split("."))

    when = rule.when
    if when is not None and path(when.field) != when.field:
        when = replace(when, field=path(when.field), label=when.label.replace(when.field, path(when.field)))
    return replace(rule, fields=tuple(path(field) for field in rule.fields), when=when)


def _segment(part: str, renamed: Mapping[str, str]) -> str:
    name, marker = (part[:-2], "[]") if part.endswith("[]") else (part, "")
    return renamed.get(name, name) + marker


Found = list[tuple[str, Severity, str, str]]


def _rule_pair(old: RuleIR, new: RuleIR) -> Found:
    found: Found = []
    removed = [value for value in old.values if value not in new.values]
    added = [value for value in new.values if value not in old.values]
    if removed:
        found.append(("values no longer allowed", "breaking", shown_all(removed), ""))
    if added:
        found.append(("values now allowed", "non-breaking", "", shown_all(added)))
    found += _pixel_changes(old.pixel, new.pixel)
    if old.limit != new.limit and old.limit is not None and new.limit is not None:
        severity: Severity = "breaking" if new.limit < old.limit else "non-breaking"
        found.append(("limit " + ("tightened" if new.limit < old.limit else "relaxed"), severity,
                      shown(old.limit), shown(new.limit)))
    if old.note != new.note:
        found.append(("note changed", "docs", "", ""))
    return found


def _pixel_changes(old: PixelIR | None, new: PixelIR | None) -> Found:
    # Pixel sizes are an alternative to the listed values: gaining them admits more.
    if old is None and new is not None:
        return [("pixel sizes now allowed", "non-breaking", "", _pixel_text(new))]
    if old is not None and new is None:
        return [("pixel sizes no longer allowed", "breaking", _pixel_text(old), "")]
    if old is None or new is None:
        return []
    found: Found = []
    for attr, larger_is_tighter in _PIXEL_BOUNDS:
        before, after = getattr(old, attr), getattr(new, attr)
        if before != after:
            tighter = after is not None and (before is None or (after > before) == larger_is_tighter)
            found.append(_bound(attr, tighter, before, after))
    if old.multiple_of != new.multiple_of:
        before, after = old.multiple_of, new.multiple_of
        # Multiples of 32 are multiples of 16, not the other way round.
        tighter = after is not None and (before is None or before % after != 0)
        found.append(_bound("multiple_of", tighter, before, after))
    return found


def _bound(attr: str, tighter: bool, before: object, after: object) -> tuple[str, Severity, str, str]:
    what = f"pixel {_PIXEL_NAMES[attr]} {'tightened' if tighter else 'relaxed'}"
    return (what, "breaking" if tighter else "non-breaking",
            "none" if before is None else shown(before), "none" if after is None else shown(after))


def _pixel_text(pixel: PixelIR) -> str:
    bounds = [f"{attr}={shown(getattr(pixel, attr))}" for attr in _PIXEL_NAMES if getattr(pixel, attr) is not None]
    return ", ".join(bounds)
