"""Differences between two versions of a list of fields: a method's parameters or a model's fields.

Each field keeps its identity by its Python name, the name users type. Whether a
change breaks depends on which way the data flows (see ``changes.narrowed``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from generator.ir.nodes import FieldIR, TypeIR
from generator.report.changes import Change, Direction, Severity, narrowed, shown, shown_all, widened
from generator.report.renames import NO_RENAMES, SymbolRenames

# Image fields also take files and paths in client code; compared apart, via ``accepts``.
_IMAGE_SUFFIX = " | ImageSource"


@dataclass(frozen=True)
class FieldScope:
    """Where a list of fields lives, for locating and classifying its changes."""

    provider: str
    # Location of one field; ``{name}`` is replaced by its Python name.
    template: str
    # Location of the list as a whole (a method or a model class).
    container: str
    noun: str
    directions: frozenset[Direction]
    # Classes and enums the provider renamed: a field whose type only follows one is unchanged.
    renames: SymbolRenames = NO_RENAMES

    def at(self, field: FieldIR) -> str:
        return self.template.format(name=field.param_name)

    def change(self, location: str, what: str, severity: Severity, old: str = "", new: str = "") -> Change:
        return Change(self.provider, location, what, severity, old, new)


def plain(annotation: str) -> str:
    return annotation.replace(_IMAGE_SUFFIX, "")


def describe_field(field: FieldIR) -> str:
    """``str, required`` / ``int, optional, default 1``: enough to recognise a field."""
    parts = [plain(field.type.annotation), "required" if field.required else "optional"]
    if field.default is not None:
        parts.append(f"default {shown(field.default)}")
    return ", ".join(parts)


def _pairs(old: tuple[FieldIR, ...], new: tuple[FieldIR, ...]) -> list[tuple[FieldIR, FieldIR]]:
    """The same field in both versions: same wire name, else same Python name (a wire-only
    rename), else the one field of exactly the same shape on both sides (a full rename)."""
    new_by_wire = {field.wire_name: field for field in new}
    pairs = [(field, new_by_wire[field.wire_name]) for field in old if field.wire_name in new_by_wire]
    old_left = [field for field in old if field.wire_name not in new_by_wire]
    paired_new = {id(after) for _, after in pairs}
    new_left = {field.param_name: field for field in new if id(field) not in paired_new}
    for field in list(old_left):
        if field.param_name in new_left:
            pairs.append((field, new_left.pop(field.param_name)))
            old_left.remove(field)
    for field in old_left:
        same = [after for after in new_left.values() if _same_shape(field, after)]
        twins = [before for before in old_left if _same_shape(before, field)]
        # Only an unambiguous match is a rename; two look-alikes stay removed + added.
        if len(same) == 1 and len(twins) == 1:
            pairs.append((field, new_left.pop(same[0].param_name)))
    return pairs


def _same_shape(old: FieldIR, new: FieldIR) -> bool:
    """Everything but the names equal: type, required, default, bounds, location, description."""
    return replace(old, wire_name=new.wire_name, param_name=new.param_name, aliases=new.aliases) == new


def wire_renames(old: tuple[FieldIR, ...], new: tuple[FieldIR, ...]) -> dict[str, str]:
    """Old wire name -> new one, for each field renamed on the wire only (same Python name)."""
    return {before.wire_name: after.wire_name for before, after in _pairs(old, new)
            if before.wire_name != after.wire_name}


def field_list_changes(scope: FieldScope, old: tuple[FieldIR, ...], new: tuple[FieldIR, ...]) -> list[Change]:
    """Changed, removed, added and possibly renamed fields, in that order."""
    pairs = _pairs(old, new)
    changes = [change for before, after in pairs for change in field_changes(scope, before, after)]
    paired = {id(field) for pair in pairs for field in pair}
    removed = [field for field in old if id(field) not in paired]
    added = [field for field in new if id(field) not in paired]
    for field in removed:
        changes.append(scope.change(scope.at(field), f"{scope.noun} removed", "breaking", old=describe_field(field)))
    for field in added:
        # A new required argument breaks every existing call; a new required reply field breaks nothing.
        severity: Severity = "breaking" if field.required and "input" in scope.directions else "non-breaking"
        changes.append(scope.change(scope.at(field), f"{scope.noun} added", severity, new=describe_field(field)))
    return changes + _renames(scope, removed, added)


def _renames(scope: FieldScope, removed: list[FieldIR], added: list[FieldIR]) -> list[Change]:
    """A field gone and another of the same type new in the same place reads like a rename."""
    unpaired = list(added)
    changes = []
    for gone in removed:
        match = next((field for field in unpaired
                      if plain(field.type.annotation) == plain(gone.type.annotation)), None)
        if match is not None:
            unpaired.remove(match)
            changes.append(scope.change(scope.container, f"{scope.noun} possibly renamed", "attention",
                                        gone.param_name, match.param_name))
    return changes


def field_changes(scope: FieldScope, old: FieldIR, new: FieldIR) -> list[Change]:
    """Everything that differs between two versions of one field."""
    where = scope.at(new)
    changes = []
    if old.wire_name != new.wire_name and old.param_name != new.param_name:
        # The same field under new names on the wire and in Python: one rename, breaking callers.
        changes.append(scope.change(where, "renamed", "breaking", f"{old.param_name} (wire {shown(old.wire_name)})",
                                    f"{new.param_name} (wire {shown(new.wire_name)})"))
    elif old.wire_name != new.wire_name:
        # The SDK sends the new name: dict forms (params), to_wire() readers and relays that
        # still expect the old name all break, though the Python argument keeps its name.
        changes.append(scope.change(where, "renamed on the wire", "breaking", shown(old.wire_name),
                                    shown(new.wire_name)))
    elif old.param_name != new.param_name:
        # Same wire field, another keyword argument or attribute: every caller naming it breaks.
        changes.append(scope.change(where, "Python name changed (same wire name)", "breaking", old.param_name,
                                    new.param_name))
    changes += _alias_changes(scope, where, old, new)
    # A field naming the same enum follows it; the enum's own changes are reported once, on the enum.
    if not (old.enum_name is not None and scope.renames.enum(old.enum_name) == new.enum_name):
        changes += type_changes(scope, where, "", old.type, new.type)
    changes += _required_changes(scope, where, old, new)
    if old.default != new.default:
        changes.append(scope.change(where, "default changed", "attention", _or_none(old.default),
                                    _or_none(new.default)))
    if old.location != new.location:
        changes.append(scope.change(where, "sent in another part of the request", "attention",
                                    old.location, new.location))
    changes += _bound_changes(scope, where, old, new)
    changes += _image_input_changes(scope, where, old, new)
    if old.description != new.description:
        changes.append(scope.change(where, "description changed", "docs"))
    return changes


def _alias_changes(scope: FieldScope, where: str, old: FieldIR, new: FieldIR) -> list[Change]:
    """Other spellings callers may write: one gained is accepted input, one lost is refused."""
    removed = [alias for alias in old.aliases if alias not in new.aliases]
    added = [alias for alias in new.aliases if alias not in old.aliases]
    changes = []
    if removed:
        changes.append(scope.change(where, "other spellings no longer accepted", narrowed(scope.directions),
                                    old=shown_all(removed)))
    if added:
        changes.append(scope.change(where, "other spellings accepted", widened(scope.directions),
                                    new=shown_all(added)))
    return changes


def _or_none(value: object) -> str:
    return "none" if value is None else shown(value)


def _required_changes(scope: FieldScope, where: str, old: FieldIR, new: FieldIR) -> list[Change]:
    if old.required == new.required:
        return []
    if new.required:
        # Callers must now pass it; a reply without it no longer parses.
        return [scope.change(where, "now required", narrowed(scope.directions))]
    # Callers may now omit it; readers may now get None, which typed code must handle.
    severity: Severity = "breaking" if "output" in scope.directions else "non-breaking"
    return [scope.change(where, "now optional", severity)]


def type_changes(scope: FieldScope, where: str, prefix: str, old: TypeIR, new: TypeIR) -> list[Change]:
    """Type differences, told as allowed values gained or lost where the type is a closed set."""
    before, after = plain(old.annotation), plain(new.annotation)
    if scope.renames.annotation(before) == after:
        return []
    if old.kind == new.kind == "array" and old.item is not None and new.item is not None:
        return type_changes(scope, where, prefix + "item ", old.item, new.item)
    dirs = scope.directions
    if old.values and new.values and old.kind == new.kind:
        return _value_changes(scope, where, prefix, old.values, new.values) or [
            scope.change(where, f"{prefix}type spelled differently", "non-breaking", before, after)]
    if old.values and not new.values and old.kind == new.kind:
        return [scope.change(where, f"{prefix}no longer limited to listed values", widened(dirs), before, after)]
    if new.values and not old.values and old.kind == new.kind:
        return [scope.change(where, f"{prefix}now limited to listed values", narrowed(dirs), before, after)]
    old_set = {scope.renames.annotation(plain(v.annotation)) for v in old.variants} or {before}
    new_set = {plain(v.annotation) for v in new.variants} or {after}
    if old_set < new_set:
        return [scope.change(where, f"{prefix}type widened", widened(dirs), before, after)]
    if new_set < old_set:
        return [scope.change(where, f"{prefix}type narrowed", narrowed(dirs), before, after)]
    return [scope.change(where, f"{prefix}type changed", "breaking", before, after)]


def _value_changes(scope: FieldScope, where: str, prefix: str, old: tuple[object, ...],
                   new: tuple[object, ...]) -> list[Change]:
    removed = [value for value in old if value not in new]
    added = [value for value in new if value not in old]
    changes = []
    if removed:
        changes.append(scope.change(where, f"{prefix}values removed", narrowed(scope.directions),
                                    old=shown_all(removed)))
    if added:
        changes.append(scope.change(where, f"{prefix}values added", widened(scope.directions),
                                    new=shown_all(added)))
    return changes


# Bound name -> True when a larger value allows less.
_BOUNDS: tuple[tuple[str, bool], ...] = (
    ("minimum", True), ("maximum", False), ("min_items", True), ("max_items", False),
)


def _bound_changes(scope: FieldScope, where: str, old: FieldIR, new: FieldIR) -> list[Change]:
    changes = []
    for attr, larger_is_tighter in _BOUNDS:
        before, after = getattr(old, attr), getattr(new, attr)
        if before == after:
            continue
        tighter = before is None or (after is not None and (after > before) == larger_is_tighter)
        severity = narrowed(scope.directions) if tighter else widened(scope.directions)
        what = f"{attr.replace('_', ' ')} {'tightened' if tighter else 'relaxed'}"
        changes.append(scope.change(where, what, severity, _or_none(before), _or_none(after)))
    if old.pattern != new.pattern:
        if old.pattern is None:
            severity = narrowed(scope.directions)
        elif new.pattern is None:
            severity = widened(scope.directions)
        else:
            # Neither pattern need contain the other: whether old values still match is unknown.
            severity = "attention"
        changes.append(scope.change(where, "pattern changed", severity, _or_none(old.pattern),
                                    _or_none(new.pattern)))
    return changes


def _image_input_changes(scope: FieldScope, where: str, old: FieldIR, new: FieldIR) -> list[Change]:
    before = old.image_input.accepts if old.image_input else ()
    after = new.image_input.accepts if new.image_input else ()
    removed = [form for form in before if form not in after]
    added = [form for form in after if form not in before]
    changes = []
    if removed:
        changes.append(scope.change(where, "image forms no longer accepted", narrowed(scope.directions),
                                    old=", ".join(removed)))
    if added:
        changes.append(scope.change(where, "image forms now accepted", widened(scope.directions),
                                    new=", ".join(added)))
    if old.image_input and new.image_input:
        # The SDK builds an inline image under these keys: user code is the same, the request is not.
        keys = [(what, shown(getattr(old.image_input, attr)), shown(getattr(new.image_input, attr)))
                for what, attr in (("data key", "data_key"), ("MIME-type key", "mime_key"))]
        changes += [scope.change(where, f"inline image sent under another {what}", "attention", before, after)
                    for what, before, after in keys if before != after]
    return changes
