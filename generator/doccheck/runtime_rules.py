"""The SDK's own rule classes, built from the IR's rules, to judge a doc's examples.

The rules are loaded from ``templates/runtime`` (``generator.runtime_code``: the code every
generated client runs), not rewritten here, so doc-check and the SDK cannot disagree.
"""

from __future__ import annotations

from typing import Any

from generator.ir.nodes import PixelIR, RuleIR, WhenIR
from generator.runtime_code import runtime_module


def runtime_rule(rule: RuleIR) -> Any:
    """The runtime object the generated client builds for ``rule`` (templates/_macros/rules.jinja)."""
    rules = runtime_module("rules")
    when = _when(rules, rule.when)
    if rule.kind == "OneOf":
        return rules.OneOf(field=rule.fields[0], values=rule.values, pixel=_pixel(rules, rule.pixel),
                           when=when, note=rule.note)
    if rule.kind == "MaxItems":
        return rules.MaxItems(path=rule.fields[0], limit=rule.limit, when=when, note=rule.note)
    if rule.kind in ("Exclusive", "RequiredAny"):
        return getattr(rules, rule.kind)(fields=rule.fields, when=when, note=rule.note)
    return getattr(rules, rule.kind)(field=rule.fields[0], when=when, note=rule.note)


def broken_rules(wire: dict[str, Any], rules: tuple[RuleIR, ...]) -> list[tuple[RuleIR, str]]:
    """Each rule ``wire`` breaks, with the SDK's message for it."""
    found: list[tuple[RuleIR, str]] = []
    for rule in rules:
        found += [(rule, message) for message in runtime_rule(rule).check(wire)]
    return found


def _when(rules: Any, when: WhenIR | None) -> Any:
    if when is None:
        return None
    return rules.When(field=when.field, values=frozenset(when.values), patterns=when.patterns, label=when.label)


def _pixel(rules: Any, pixel: PixelIR | None) -> Any:
    if pixel is None:
        return None
    return rules.PixelSize(max_edge=pixel.max_edge, multiple_of=pixel.multiple_of, max_ratio=pixel.max_ratio,
                           min_pixels=pixel.min_pixels, max_pixels=pixel.max_pixels)
