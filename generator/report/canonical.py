"""Differences in an endpoint's ``canonical`` block: how ``imagerelay.generate`` fills it.

``generate()`` picks, for each call, an endpoint that can take every value given. A concept
the endpoint no longer takes makes it drop out of those calls (or refuse them when it was
the only one): breaking for ``generate()`` callers. A concept placed elsewhere, or other
values sent with it, keeps calls working but changes the request: needs attention.
"""

from __future__ import annotations

from generator.ir.nodes import CanonicalIR, CanonicalSlotIR
from generator.report.changes import Change
from generator.report.images import differing
from generator.spec.schema import GENERATE_ARGUMENT

# Located after the method: "acme.{generate,submit} for imagerelay.generate".
WHERE = " for imagerelay.generate"


def canonical_changes(pid: str, old: CanonicalIR | None, new: CanonicalIR | None) -> list[Change]:
    if old is None and new is not None:
        return [Change(pid, WHERE, "now used, taking", "non-breaking", new=_concepts(new))]
    if old is not None and new is None:
        return [Change(pid, WHERE, "no longer used (it took)", "breaking", old=_concepts(old))]
    if old is None or new is None:
        return []
    changes = []
    concepts = dict.fromkeys([*(slot.concept for slot in old.slots), *(slot.concept for slot in new.slots)])
    for concept in concepts:
        changes += _slot_changes(pid, concept, old.slot(concept), new.slot(concept), new.reason(concept))
    changes += _fixed_changes(pid, old, new)
    tiers_before, tiers_after = differing(dict(old.model_tiers), dict(new.model_tiers))
    if tiers_before or tiers_after:
        changes.append(Change(pid, WHERE, "size tier read from the model id changed", "attention",
                              tiers_before or "none", tiers_after or "none"))
    reworded = [concept for concept, reason in new.unsupported if old.reason(concept) not in ("", reason)]
    if reworded:
        changes.append(Change(pid, WHERE, "reasons for unsupported values reworded", "docs",
                              new=", ".join(map(repr, reworded))))
    return changes


def _slot_changes(pid: str, concept: str, old: CanonicalSlotIR | None, new: CanonicalSlotIR | None,
                  reason: str) -> list[Change]:
    if old is not None and new is None:
        return [Change(pid, WHERE, f"no longer takes {_argument(concept)}", "breaking", _slot(old)["path"],
                       f"unsupported: {reason}" if reason else "not mapped")]
    if old is None and new is not None:
        return [Change(pid, WHERE, f"now takes {_argument(concept)}", "non-breaking", new=_slot(new)["path"])]
    if old is not None and new is not None and old != new:
        return [Change(pid, WHERE, f"{_argument(concept)} placed elsewhere in the request", "attention",
                       *differing(_slot(old), _slot(new)))]
    return []


def _concepts(canonical: CanonicalIR) -> str:
    return ", ".join(_argument(slot.concept) for slot in canonical.slots)


def _argument(concept: str) -> str:
    """A concept named as generate() callers write it: ``aspect_ratio``, ``size (size tier)``."""
    argument = GENERATE_ARGUMENT.get(concept, concept)
    return argument if argument == concept else f"{argument} ({concept.replace('_', ' ')})"


def _slot(slot: CanonicalSlotIR) -> dict[str, str]:
    return {"path": slot.path, "item": slot.item or "none", "many": str(slot.many)}


def _fixed_changes(pid: str, old: CanonicalIR, new: CanonicalIR) -> list[Change]:
    before, after = differing(dict(old.fixed), dict(new.fixed), missing="not sent")
    if not (before or after):
        return []
    return [Change(pid, WHERE, "values sent with every imagerelay.generate request changed", "attention",
                   before or "none", after or "none")]
