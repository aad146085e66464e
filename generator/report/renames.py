"""Model classes and enums renamed and otherwise unchanged, recognised by their structure.

A class gone and a new one with the same fields (wire names, types, required flags) is
one renamed class, not a removal and an addition; an enum gone and a new one with the
same values likewise. Only an unambiguous match counts: when several gone and new items
share one structure, pairing them would be a guess, so they stay removed and added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from generator.ir.nodes import ClassIR, EnumIR, ProviderIR

_Item = TypeVar("_Item", ClassIR, EnumIR)
# How generated code spells a class or an enum in annotations: ``models.Part``, ``catalog.ImageSize``.
_SYMBOL = re.compile(r"\b(models|catalog)\.([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class SymbolRenames:
    """Old name -> new name of the classes and enums one provider renamed."""

    classes: Mapping[str, str] = field(default_factory=dict)
    enums: Mapping[str, str] = field(default_factory=dict)

    def cls(self, old_name: str) -> str:
        """What the class called ``old_name`` is called now (itself when not renamed)."""
        return self.classes.get(old_name, old_name)

    def enum(self, old_name: str | None) -> str | None:
        return None if old_name is None else self.enums.get(old_name, old_name)

    def old_class(self, new_name: str) -> str:
        return next((old for old, new in self.classes.items() if new == new_name), new_name)

    def old_enum(self, new_name: str) -> str:
        return next((old for old, new in self.enums.items() if new == new_name), new_name)

    def annotation(self, text: str) -> str:
        """An old annotation with renamed classes and enums spelled the new way, so that a
        field whose type only follows a rename compares equal (the rename is reported once)."""

        def respell(match: re.Match[str]) -> str:
            module, name = match.group(1), match.group(2)
            names = self.classes if module == "models" else self.enums
            return f"{module}.{names.get(name, name)}"

        return _SYMBOL.sub(respell, text)


NO_RENAMES = SymbolRenames()


def find_renames(old: ProviderIR, new: ProviderIR) -> SymbolRenames:
    """Enums first (a field's type names them), then classes until no new pair appears: a
    class whose field refers to a renamed class matches only once that rename is known."""
    new_enums = {enum.name for enum in new.enums}
    old_enums = {enum.name for enum in old.enums}
    enums = unambiguous_pairs([e for e in old.enums if e.name not in new_enums],
                              [e for e in new.enums if e.name not in old_enums], _enum_shape)
    renames = SymbolRenames({}, enums)
    new_names = {cls.name for cls in new.classes}
    old_names = {cls.name for cls in old.classes}
    gone = [cls for cls in old.classes if cls.name not in new_names]
    added = [cls for cls in new.classes if cls.name not in old_names]
    # Each round may recognise classes that refer to ones recognised the round before;
    # bounded, as a pair found can also make another structure ambiguous.
    for _ in range(len(gone) + 1):
        found = unambiguous_pairs(gone, added, partial(_class_shape, renames=renames))
        if found == renames.classes:
            break
        renames = SymbolRenames(found, enums)
    return renames


def unambiguous_pairs(gone: Sequence[_Item], added: Sequence[_Item],
                      shape: Callable[[_Item], Hashable | None]) -> dict[str, str]:
    """Old name -> new name for each structure exactly one gone and one added item have."""
    gone_by: dict[Hashable, list[str]] = {}
    added_by: dict[Hashable, list[str]] = {}
    for items, by in ((gone, gone_by), (added, added_by)):
        for item in items:
            key = shape(item)
            if key is not None:
                by.setdefault(key, []).append(item.name)
    return {names[0]: added_by[key][0] for key, names in gone_by.items()
            if len(names) == 1 and len(added_by.get(key, ())) == 1}


def _class_shape(cls: ClassIR, renames: SymbolRenames) -> Hashable | None:
    # A class without fields has no structure to recognise it by: any two would match.
    if not cls.fields:
        return None
    return frozenset((item.wire_name, renames.annotation(item.type.annotation), item.required)
                     for item in cls.fields)


def _enum_shape(enum: EnumIR) -> Hashable | None:
    return frozenset(item.value for item in enum.values) or None
