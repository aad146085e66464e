"""Compare two versions of the specs, provider by provider, into one ChangeReport."""

from __future__ import annotations

from collections.abc import Sequence

from generator.ir.nodes import ProviderIR
from generator.report.catalog import enum_changes, family_changes, settings_changes, size_table_changes
from generator.report.changes import Change, ChangeReport
from generator.report.classes import class_changes
from generator.report.endpoints import endpoint_changes
from generator.report.renames import find_renames


def compare_specs(old: Sequence[ProviderIR], new: Sequence[ProviderIR]) -> ChangeReport:
    """Every change for SDK users from ``old`` to ``new``; providers are matched by id."""
    old_by = {provider.id: provider for provider in old}
    new_by = {provider.id: provider for provider in new}
    changes: list[Change] = []
    for pid in sorted(old_by.keys() | new_by.keys()):
        if pid not in new_by:
            changes.append(Change(pid, pid, "provider removed", "breaking", old=_outline(old_by[pid])))
        elif pid not in old_by:
            changes.append(Change(pid, pid, "provider added", "non-breaking", new=_outline(new_by[pid])))
        else:
            changes += provider_changes(old_by[pid], new_by[pid])
    return ChangeReport(tuple(changes))


def provider_changes(old: ProviderIR, new: ProviderIR) -> list[Change]:
    """One provider's changes, from its settings outwards to its methods and models."""
    renames = find_renames(old, new)
    return [
        *settings_changes(old, new),
        *family_changes(old, new),
        *enum_changes(old, new, renames),
        *size_table_changes(old, new),
        *endpoint_changes(old, new, renames),
        *class_changes(old, new, renames),
    ]


def _outline(provider: ProviderIR) -> str:
    """What a whole provider brings: its methods and how many models."""
    methods = ", ".join(endpoint.name for endpoint in provider.endpoints)
    models = len(provider.model_ids)
    return f"methods {methods}; {models} model id{'s' if models != 1 else ''}"
