"""Spec rules -> RuleIR with every allowed value spelled out."""

from __future__ import annotations

from generator.ir.nodes import PixelIR, RuleIR, WhenIR
from generator.spec.schema import (
    ExclusiveRule,
    ForbidRule,
    MaxItemsRule,
    OneOfRule,
    ProviderSpec,
    RequireAnyRule,
    RequireRule,
    RuleSpec,
    WhenSpec,
)


def _dedup(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def when_ir(spec: ProviderSpec, when: WhenSpec | None) -> WhenIR | None:
    if when is None:
        return None
    if when.family is not None:
        families = [spec.model_families[name] for name in when.family]
        models = _dedup([model for family in families for model in family.models])
        patterns = _dedup([pattern for family in families for pattern in family.patterns])
        noun = "family" if len(when.family) == 1 else "families"
        label = f"model {noun} " + ", ".join(f"'{name}'" for name in when.family)
        return WhenIR(when.field, models, patterns, label)
    values = tuple(when.values or ())
    return WhenIR(when.field, values, (), f"{when.field} in ({', '.join(values)})")


def _one_of_values(spec: ProviderSpec, rule: OneOfRule) -> tuple[str, ...]:
    values: list[str] = []
    if rule.enum is not None:
        values += [item.value for item in spec.enums[rule.enum].values]
    values += rule.values
    if rule.size_table is not None:
        table = spec.size_tables[rule.size_table.table]
        if "ratios" in rule.size_table.include:
            values += list(table.rows)
        if "sizes" in rule.size_table.include:
            values += [size for row in table.rows.values() for size in row.values()]
    return _dedup(values)


def _pixel_ir(rule: OneOfRule) -> PixelIR | None:
    if rule.pixel is None:
        return None
    pixel = rule.pixel
    return PixelIR(pixel.max_edge, pixel.multiple_of, pixel.max_ratio, pixel.min_pixels, pixel.max_pixels)


def _condition(when: WhenIR | None) -> str:
    return f" when {when.label}" if when else ""


def _pixel_summary(pixel: PixelIR) -> str:
    parts = []
    if pixel.max_edge is not None:
        parts.append(f"longest edge <= {pixel.max_edge}")
    if pixel.multiple_of is not None:
        parts.append(f"both edges multiples of {pixel.multiple_of}")
    if pixel.max_ratio is not None:
        parts.append(f"long/short <= {pixel.max_ratio:g}")
    if pixel.max_pixels is not None:
        low = f"{pixel.min_pixels:,}" if pixel.min_pixels is not None else "0"
        parts.append(f"{low} <= width*height <= {pixel.max_pixels:,}")
    elif pixel.min_pixels is not None:
        parts.append(f"width*height >= {pixel.min_pixels:,}")
    # The checker rejects a pixel rule without bounds; the IR still reads well for one.
    return "a WIDTHxHEIGHT size" + (" with " + ", ".join(parts) if parts else "")


def rule_ir(spec: ProviderSpec, rule: RuleSpec) -> RuleIR:
    when = when_ir(spec, rule.when)
    condition = _condition(when)
    if isinstance(rule, OneOfRule):
        values, pixel = _one_of_values(spec, rule), _pixel_ir(rule)
        allowed = [", ".join(values)] if values else []
        allowed += [_pixel_summary(pixel)] if pixel else []
        summary = f"`{rule.one_of}` must be one of: {' or '.join(allowed)}{condition}"
        return RuleIR("OneOf", (rule.one_of,), when, rule.note, summary, values=values, pixel=pixel)
    if isinstance(rule, ForbidRule):
        return RuleIR("Forbidden", (rule.forbid,), when, rule.note, f"`{rule.forbid}` is not accepted{condition}")
    if isinstance(rule, RequireRule):
        return RuleIR("RequiredIf", (rule.require,), when, rule.note, f"`{rule.require}` is required{condition}")
    if isinstance(rule, MaxItemsRule):
        path, limit = rule.max_items.path, rule.max_items.limit
        return RuleIR("MaxItems", (path,), when, rule.note, f"at most {limit} of `{path}`{condition}", limit=limit)
    if isinstance(rule, RequireAnyRule):
        names = ", ".join(f"`{name}`" for name in rule.require_any)
        return RuleIR("RequiredAny", tuple(rule.require_any), when, rule.note, f"at least one of {names}{condition}")
    assert isinstance(rule, ExclusiveRule)
    names = ", ".join(f"`{name}`" for name in rule.exclusive)
    return RuleIR("Exclusive", tuple(rule.exclusive), when, rule.note, f"at most one of {names}{condition}")
