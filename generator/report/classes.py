"""Differences between two versions of a provider's model classes (``imagerelay.<provider>.models``)."""

from __future__ import annotations

from generator.ir.nodes import ClassIR, ProviderIR, TaskIR, TypeIR
from generator.report.changes import Change, Direction
from generator.report.fields import FieldScope, field_list_changes
from generator.report.images import differing, image_location_changes
from generator.report.renames import NO_RENAMES, SymbolRenames

_INPUT_ONLY: frozenset[Direction] = frozenset({"input"})


def _class_refs(type_ir: TypeIR) -> list[str]:
    refs = [type_ir.class_name] if type_ir.class_name else []
    nested = ([type_ir.item] if type_ir.item else []) + list(type_ir.variants)
    return refs + [ref for inner in nested for ref in _class_refs(inner)]


def class_directions(provider: ProviderIR) -> dict[str, frozenset[Direction]]:
    """Which classes users fill in (reachable from a request) and which they read (from a reply)."""
    by_name = {cls.name: cls for cls in provider.classes}
    found: dict[str, set[Direction]] = {name: set() for name in by_name}

    def visit(name: str, direction: Direction) -> None:
        if name not in by_name or direction in found[name]:
            return
        found[name].add(direction)
        for field in by_name[name].fields:
            for ref in _class_refs(field.type):
                visit(ref, direction)

    for endpoint in provider.endpoints:
        if endpoint.request_class:
            visit(endpoint.request_class, "input")
        visit(endpoint.response_class, "output")
    # A class no endpoint reaches is only ever read from, if at all.
    return {name: frozenset(dirs) or frozenset({"output"}) for name, dirs in found.items()}


def enum_directions(provider: ProviderIR) -> dict[str, frozenset[Direction]]:
    """Which way each enum's values flow, from the classes of the fields naming it."""
    directions = class_directions(provider)
    found: dict[str, frozenset[Direction]] = {}
    for cls in provider.classes:
        for field in cls.fields:
            if field.enum_name is not None:
                found[field.enum_name] = found.get(field.enum_name, frozenset()) | directions[cls.name]
    # An enum no field names is a catalog alias users pass values of.
    return {enum.name: found.get(enum.name, _INPUT_ONLY) for enum in provider.enums}


def class_changes(old: ProviderIR, new: ProviderIR, renames: SymbolRenames = NO_RENAMES) -> list[Change]:
    """Model classes added, removed, renamed or changed; request bodies are reported on their methods."""
    pid = new.id
    old_by = {cls.name: cls for cls in old.classes}
    new_by = {cls.name: cls for cls in new.classes}
    requests = {ep.request_class for ep in (*old.endpoints, *new.endpoints) if ep.request_class}
    old_dirs, new_dirs = class_directions(old), class_directions(new)
    changes = [Change(pid, f"{pid}.models.{cls.name}", "model class removed", "breaking")
               for cls in old.classes if cls.name not in new_by and cls.name not in renames.classes]
    changes += [Change(pid, f"{pid}.models.{cls.name}", "model class added", "non-breaking")
                for cls in new.classes if cls.name not in old_by and renames.old_class(cls.name) == cls.name]
    # The class name is public (imported, constructed, named in annotations and isinstance
    # checks), so even a rename that keeps every field breaks code that spells the old name.
    changes += [Change(pid, f"{pid}.models.{new_name}", f"renamed (was {old_name})", "breaking")
                for old_name, new_name in renames.classes.items()]
    for cls in new.classes:
        before = old_by.get(renames.old_class(cls.name))
        if before is None or cls.name in requests:
            continue
        where = f"{pid}.models.{cls.name}"
        scope = FieldScope(pid, where + ".{name}", where, "field", old_dirs[before.name] | new_dirs[cls.name], renames)
        changes += field_list_changes(scope, before.fields, cls.fields)
        changes += _reading_changes(pid, where, before, cls)
    return changes


def _reading_changes(pid: str, where: str, old: ClassIR, new: ClassIR) -> list[Change]:
    """How the runtime reads a reply: image locations, task status, refusals."""
    changes = image_location_changes(pid, where, old.images, new.images)
    old_task, new_task = _task(old.task), _task(new.task)
    if old_task != new_task:
        changes.append(Change(pid, where, "task status/progress/error fields changed", "attention",
                              *differing(old_task, new_task)))
    old_refusals = {(item.path, item.values) for item in old.refusals}
    new_refusals = {(item.path, item.values) for item in new.refusals}
    if old_refusals != new_refusals:
        changes.append(Change(pid, where, "content-policy refusal markers changed", "attention",
                              _refusals(old), _refusals(new)))
    if old.description != new.description:
        changes.append(Change(pid, where, "description changed", "docs"))
    return changes


def _task(task: TaskIR | None) -> dict[str, str]:
    if task is None:
        return {"task": "none"}
    return {"status": task.status_field, "progress": task.progress_field or "none", "error": task.error_field or "none"}


def _refusals(cls: ClassIR) -> str:
    return "; ".join(f"{item.path} in ({', '.join(item.values)})" if item.values else f"{item.path} set"
                     for item in cls.refusals) or "none"
