"""Differences in a provider's settings and catalog: base URL, auth, errors, families, enums, size tables."""

from __future__ import annotations

from generator.ir.nodes import EnumIR, EnumValueIR, FamilyIR, ProviderIR, SizeTableIR
from generator.report.changes import Change, Direction, Severity, narrowed, shown, shown_all, widened
from generator.report.classes import enum_directions
from generator.report.renames import NO_RENAMES, SymbolRenames
from generator.report.symbols import catalog_symbol, enum_takers, model_takers, status_waiters, wait_effect


def _changed(pid: str, where: str, what: str, severity: Severity, old: str, new: str) -> list[Change]:
    """The change when ``old`` and ``new`` differ; nothing when they match (e.g. both empty lists)."""
    return [Change(pid, where, what, severity, old, new)] if old != new else []


def _openness(closed: bool) -> str:
    return "closed" if closed else "open"


def _requirement(optional: bool) -> str:
    return "optional" if optional else "required"


def settings_changes(old: ProviderIR, new: ProviderIR) -> list[Change]:
    """Base URL, credentials, error reading and the provider's own wording."""
    pid = new.id
    changes = _changed(pid, f"{pid} base URL", "default base URL changed", "attention", old.base_url, new.base_url)
    changes += _changed(pid, f"{pid} base URL", "base URL environment variable renamed", "breaking",
                        old.base_url_env, new.base_url_env)
    changes += _changed(pid, f"{pid} auth", "auth scheme changed", "breaking", old.auth.kind, new.auth.kind)
    changes += _changed(pid, f"{pid} auth", "credential sent under another name", "attention",
                        old.auth.name, new.auth.name)
    changes += _changed(pid, f"{pid} auth", "text before the credential changed", "attention",
                        shown(old.auth.prefix), shown(new.auth.prefix))
    changes += _changed(pid, f"{pid} auth", "API key environment variable renamed", "breaking",
                        old.auth.env, new.auth.env)
    # Closed: an id the doc does not list is now refused before sending; open: sent, with a warning.
    changes += _changed(pid, f"{pid} models", "model list open or closed",
                        "breaking" if new.models_closed else "non-breaking",
                        _openness(old.models_closed), _openness(new.models_closed))
    # Made optional: clients without a key now work. Made required: they now fail at construction.
    changes += _changed(pid, f"{pid} auth", "API key required or optional",
                        "non-breaking" if new.auth.optional else "breaking",
                        _requirement(old.auth.optional), _requirement(new.auth.optional))
    return changes + _error_reading_changes(old, new) + _before_work_changes(old, new) + _wording_changes(old, new)


def _before_work_changes(old: ProviderIR, new: ProviderIR) -> list[Change]:
    """Markers that let generate's fallback move on: a new one changes which failures it
    retries elsewhere, a removed one makes it stop where it moved on before."""
    pid, changes = new.id, []
    shown: dict[bool, list[str]] = {True: [], False: []}
    for marker in old.before_work + new.before_work:
        if (marker in old.before_work) != (marker in new.before_work):
            status, text = marker
            shown[marker in new.before_work].append(f"HTTP {status}" + (f" containing {text!r}" if text else ""))
    changes += _changed(pid, f"{pid} errors", "no longer counted as before paid work (generate stops after it)",
                        "attention", ", ".join(shown[False]), "")
    changes += _changed(pid, f"{pid} errors", "now counted as before paid work (generate moves on after it)",
                        "attention", "", ", ".join(shown[True]))
    return changes


def _error_reading_changes(old: ProviderIR, new: ProviderIR) -> list[Change]:
    """Where error messages and request ids are read from; errors raise the same either way."""
    pid, changes = new.id, []
    for what, before, after in (("error message fields", old.error_message_fields, new.error_message_fields),
                                ("request id fields", old.request_id_fields, new.request_id_fields),
                                ("request id headers", old.request_id_headers, new.request_id_headers)):
        removed = [item for item in before if item not in after]
        added = [item for item in after if item not in before]
        changes += _changed(pid, f"{pid} errors", f"{what} no longer read", "attention", shown_all(removed), "")
        changes += _changed(pid, f"{pid} errors", f"{what} now read", "non-breaking", "", shown_all(added))
    return changes


def _wording_changes(old: ProviderIR, new: ProviderIR) -> list[Change]:
    pid = new.id
    changes = _changed(pid, pid, "title changed", "docs", old.title, new.title)
    for what, before, after in (("description changed", old.description, new.description),
                                ("base URL note changed", old.base_url_note, new.base_url_note),
                                ("source document changed", old.source_doc, new.source_doc)):
        if before != after:
            changes.append(Change(pid, pid, what, "docs"))
    return changes + _departure_changes(old, new)


def _departure_changes(old: ProviderIR, new: ProviderIR) -> list[Change]:
    """Departures from the vendor doc are printed on the docs page: docs only."""
    pid, before, after = new.id, dict(old.doc_departures), dict(new.doc_departures)
    changes = _changed(pid, f"{pid} doc departures", "removed", "docs",
                       shown_all(key for key in before if key not in after), "")
    changes += _changed(pid, f"{pid} doc departures", "added", "docs", "",
                        shown_all(key for key in after if key not in before))
    changes += [Change(pid, f"{pid} doc departures", "reason reworded", "docs", new=repr(key))
                for key in after if key in before and before[key] != after[key]]
    return changes


def family_changes(old: ProviderIR, new: ProviderIR) -> list[Change]:
    """Families, the model ids they hold, and their model-id patterns."""
    pid = new.id
    old_by = {family.name: family for family in old.families}
    new_by = {family.name: family for family in new.families}
    changes = [Change(pid, family_symbol(pid, name), "family removed", "breaking") for name in old_by
               if name not in new_by]
    changes += [Change(pid, family_symbol(pid, name), "family added", "non-breaking") for name in new_by
                if name not in old_by]
    changes += model_id_changes(old, new)
    for name, family in new_by.items():
        if name in old_by:
            changes += _family_pair(pid, old_by[name], family)
    return changes


def model_id_changes(old: ProviderIR, new: ProviderIR) -> list[Change]:
    """Each model id added, removed or moved, named as ``catalog.ModelId`` holds it, with the
    methods whose argument is typed by it."""
    pid = new.id
    old_of = {model: family.name for family in old.families for model in family.models}
    new_of = {model: family.name for family in new.families for model in family.models}
    symbol = catalog_symbol(new, "ModelId")
    changes = []
    for model, family in new_of.items():
        takers = model_takers(new) or "the methods"
        if model not in old_of:
            changes.append(Change(pid, f"{symbol} {shown(model)}",
                                  f"model id added (family {family}), accepted by {takers}", "non-breaking"))
        elif old_of[model] != family:
            # Rules and size tables follow the family: the same model id may now be checked differently.
            changes.append(Change(pid, f"{symbol} {shown(model)}",
                                  f"moved to another family, whose rules and sizes now apply to it in {takers}",
                                  "attention", f"family {old_of[model]}", f"family {family}"))
    # Closed list: the removed id is refused before sending; open: sent, with a warning.
    effect = "now refused before sending" if new.models_closed else "now sent with a warning"
    takers = model_takers(old) or "the methods"
    changes += [Change(pid, f"{symbol} {shown(model)}", f"model id removed (family {family}); {effect} by {takers}",
                       "breaking") for model, family in old_of.items() if model not in new_of]
    return changes


def _taken_by(takers: str) -> str:
    return f" (argument {takers})" if takers else ""


def _family_pair(pid: str, old: FamilyIR, new: FamilyIR) -> list[Change]:
    where = family_symbol(pid, new.name)
    removed = [pattern for pattern in old.patterns if pattern not in new.patterns]
    added = [pattern for pattern in new.patterns if pattern not in old.patterns]
    changes = _changed(pid, where, "model id patterns removed", "breaking", shown_all(removed), "")
    changes += _changed(pid, where, "model id patterns added", "non-breaking", "", shown_all(added))
    if old.description != new.description:
        changes.append(Change(pid, where, "description changed", "docs"))
    return changes


def enum_changes(old: ProviderIR, new: ProviderIR, renames: SymbolRenames = NO_RENAMES) -> list[Change]:
    """Enums added, removed, renamed, or with values gained, lost or given another outcome."""
    pid = new.id
    old_by = {enum.name: enum for enum in old.enums}
    new_by = {enum.name: enum for enum in new.enums}
    changes = [Change(pid, catalog_symbol(old, enum.name), "enum removed", "breaking", old=_values(enum.values))
               for enum in old.enums if enum.name not in new_by and enum.name not in renames.enums]
    changes += [Change(pid, catalog_symbol(new, enum.name), "enum added", "non-breaking", new=_values(enum.values))
                for enum in new.enums if enum.name not in old_by and renames.old_enum(enum.name) == enum.name]
    # A closed enum is a public Literal alias, an open one a name users may annotate with:
    # code spelling the old name breaks though every value stays.
    changes += [Change(pid, catalog_symbol(new, new_name), f"renamed (was {old_name})", "breaking")
                for old_name, new_name in renames.enums.items()]
    old_dirs, new_dirs = enum_directions(old), enum_directions(new)
    for enum in new.enums:
        before = old_by.get(renames.old_enum(enum.name))
        if before is not None:
            changes += _enum_pair(new, before, enum, old_dirs[before.name] | new_dirs[enum.name])
    return changes


def _values(values: tuple[EnumValueIR, ...]) -> str:
    """Values with their task outcome, e.g. ``'failed' (failure)``."""
    return ", ".join(shown(item.value) + (f" ({item.outcome})" if item.outcome else "") for item in values)


def _enum_pair(provider: ProviderIR, old: EnumIR, new: EnumIR, dirs: frozenset[Direction]) -> list[Change]:
    pid, where = provider.id, catalog_symbol(provider, new.name)
    old_by = {item.value: item for item in old.values}
    new_by = {item.value: item for item in new.values}
    removed = tuple(item for item in old.values if item.value not in new_by)
    added = tuple(item for item in new.values if item.value not in old_by)
    taken = _taken_by(enum_takers(provider, new.name))
    # A closed enum is a public Literal alias: code spelling a removed value no longer type-checks.
    # An open enum still accepts values it no longer lists; only what they mean for polling changes.
    changes = _changed(pid, where, f"values removed{taken}", "attention" if new.open else "breaking",
                       _values(removed), "")
    waiters = status_waiters(provider, new)
    if waiters:
        # A task status: what matters is what waiting does when a task reports the value.
        changes += [Change(pid, where, f"status value added; {wait_effect(waiters, item.outcome)}", widened(dirs),
                           new=_values((item,))) for item in added]
    else:
        changes += _changed(pid, where, f"values added{taken}", widened(dirs), "", _values(added))
    if old.open != new.open:
        severity = widened(dirs) if new.open else narrowed(dirs)
        changes.append(Change(pid, where, "open to unlisted values" if new.open else "closed to unlisted values",
                              severity, "open" if old.open else "closed", "open" if new.open else "closed"))
    for value, item in new_by.items():
        before = old_by.get(value)
        if before is not None and before.outcome != item.outcome:
            effect = f"; {wait_effect(waiters, item.outcome)}" if waiters else ""
            changes.append(Change(pid, where, f"outcome of {value!r} changed{effect}", "attention",
                                  before.outcome or "none", item.outcome or "none"))
    reworded = [value for value, item in new_by.items() if value in old_by
                and (old_by[value].description, old_by[value].note) != (item.description, item.note)]
    if old.description != new.description or reworded:
        changes.append(Change(pid, where, "descriptions changed", "docs"))
    return changes


def family_symbol(pid: str, name: str) -> str:
    """A family as users reach it: ``acme.catalog.FAMILIES['acme-1']``."""
    return f"{pid}.catalog.FAMILIES[{name!r}]"


def table_symbol(pid: str, name: str) -> str:
    """A size table as users reach it: ``acme.catalog.SIZE_TABLES['acme-pixel']``."""
    return f"{pid}.catalog.SIZE_TABLES[{name!r}]"


def size_table_changes(old: ProviderIR, new: ProviderIR) -> list[Change]:
    pid = new.id
    old_by = {table.name: table for table in old.size_tables}
    new_by = {table.name: table for table in new.size_tables}
    changes = [Change(pid, table_symbol(pid, name), "size table removed", "breaking")
               for name in old_by if name not in new_by]
    changes += [Change(pid, table_symbol(pid, name), "size table added", "non-breaking")
                for name in new_by if name not in old_by]
    for name, table in new_by.items():
        if name in old_by:
            changes += _table_pair(pid, old_by[name], table)
    return changes


def _table_pair(pid: str, old: SizeTableIR, new: SizeTableIR) -> list[Change]:
    where = table_symbol(pid, new.name)
    changes = _changed(pid, where, "families changed", "attention", ", ".join(old.families), ", ".join(new.families))
    changes += _changed(pid, where, "tiers removed", "breaking",
                        shown_all(t for t in old.tiers if t not in new.tiers), "")
    changes += _changed(pid, where, "tiers added", "non-breaking", "",
                        shown_all(t for t in new.tiers if t not in old.tiers))
    old_cells = {(row.ratio, tier): size for row in old.rows for tier, size in row.cells}
    new_cells = {(row.ratio, tier): size for row in new.rows for tier, size in row.cells}
    changes += _changed(pid, where, "sizes removed", "breaking",
                        _cells({key: size for key, size in old_cells.items() if key not in new_cells}), "")
    changes += _changed(pid, where, "sizes added", "non-breaking", "",
                        _cells({key: size for key, size in new_cells.items() if key not in old_cells}))
    for key, size in new_cells.items():
        if key in old_cells and old_cells[key] != size:
            # Lookups now return another size; the rules built from the table say what callers may send.
            changes.append(Change(pid, where, f"size of {key[0]} at {key[1]} changed", "attention",
                                  old_cells[key], size))
    old_tokens = {row.ratio: row.tokens for row in old.rows}
    for row in new.rows:
        if row.ratio in old_tokens and old_tokens[row.ratio] != row.tokens:
            changes.append(Change(pid, where, f"tokens of {row.ratio} changed", "non-breaking",
                                  shown(old_tokens[row.ratio]), shown(row.tokens)))
    if old.description != new.description:
        changes.append(Change(pid, where, "description changed", "docs"))
    return changes


def _cells(cells: dict[tuple[str, str], str]) -> str:
    return ", ".join(f"{ratio} {tier} {size}" for (ratio, tier), size in cells.items())
