"""Size tables against the rules of the families they serve (issue 17, item 3).

A size table lists pixel values per ratio and tier for some model families; the same spec
states each family's rules. The two must agree: every cell of a table passes the pixel
rule of each family the table serves, and every ratio a table lists is one the family's
ratio rule allows (when that rule takes ratios at all). A disagreement is reported at the
table cell or row, naming the rule by its place in the spec, so both are found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from generator.runtime_code import runtime_module
from generator.spec.located import PathKey, dotted_path
from generator.spec.schema import OneOfRule, PixelSpec, ProviderSpec, RuleSpec

if TYPE_CHECKING:
    from generator.spec.validate import SpecChecker

_PIXELS = re.compile(r"^(\d+)x(\d+)$")
_RATIO = re.compile(r"^\d+(?:\.\d+)?:\d+(?:\.\d+)?$")


def pixel_problems(pixel: PixelSpec, width: int, height: int) -> list[str]:
    """The bounds ``width`` x ``height`` breaks, in the words of the generated SDK's ``PixelSize``
    (its own code runs: runtime rules.py, see generator/runtime_code.py)."""
    bounds = runtime_module("rules").PixelSize(max_edge=pixel.max_edge, multiple_of=pixel.multiple_of,
                                               max_ratio=pixel.max_ratio, min_pixels=pixel.min_pixels,
                                               max_pixels=pixel.max_pixels)
    problems: list[str] = bounds.problems(width, height)
    return problems


def check_tables_against_rules(checker: SpecChecker) -> None:
    spec = checker.spec
    for where, rule in family_rules(spec):
        families = set(rule.when.family or ()) if rule.when else set()
        allowed = _allowed_ratios(spec, rule)
        for name, table in spec.size_tables.items():
            served = sorted(families & set(table.families))
            if not served:
                continue
            shown = ", ".join(served)
            rule_at = f"{dotted_path(where)} ({checker.loaded.mark_of(where)})"
            for ratio, row in table.rows.items():
                if allowed and ratio not in allowed:
                    checker.error_at_key(("size_tables", name, "rows", ratio),
                                         f"ratio '{ratio}' is listed for {shown}, whose ratio rule at {rule_at} "
                                         f"does not allow it (allowed: {', '.join(sorted(allowed))})")
                if rule.pixel is None:
                    continue
                for tier, value in row.items():
                    size = _PIXELS.match(value)
                    problems = pixel_problems(rule.pixel, int(size[1]), int(size[2])) if size else []
                    if problems:
                        checker.error(("size_tables", name, "rows", ratio, tier),
                                      f"{value} ({shown}, {tier}) breaks the pixel rule of {rule_at}: "
                                      + "; ".join(problems))


def family_rules(spec: ProviderSpec) -> Iterator[tuple[PathKey, OneOfRule]]:
    """Every one_of rule that applies to some model families, with its place in the spec."""
    places: list[tuple[PathKey, list[RuleSpec]]] = [(("schemas", name, "rules"), schema.rules)
                                                    for name, schema in spec.schemas.items()]
    places += [(("endpoints", name, "request", "rules"), endpoint.request.rules)
               for name, endpoint in spec.endpoints.items()]
    for path, rules in places:
        for index, rule in enumerate(rules):
            if isinstance(rule, OneOfRule) and rule.when is not None and rule.when.family:
                yield (*path, index), rule


def _allowed_ratios(spec: ProviderSpec, rule: OneOfRule) -> set[str]:
    """The W:H ratios a rule allows; empty when it allows none (a pixel-only family)."""
    values = list(rule.values)
    if rule.enum is not None and rule.enum in spec.enums:
        values += [item.value for item in spec.enums[rule.enum].values]
    if rule.size_table is not None and "ratios" in rule.size_table.include:
        table = spec.size_tables.get(rule.size_table.table)
        values += list(table.rows) if table is not None else []
    return {value for value in values if _RATIO.match(value)}
