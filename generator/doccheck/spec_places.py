"""The spec under check: its IR, and where in its file each fact a finding names is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from generator.errors import SourceMark
from generator.ir.nodes import FamilyIR, ProviderIR
from generator.spec.load import CheckedSpec
from generator.spec.schema import OneOfRule
from generator.spec.table_checks import family_rules


@dataclass(frozen=True)
class SpecUnderCheck:
    checked: CheckedSpec
    ir: ProviderIR

    def mark(self, *path: str | int) -> SourceMark:
        """The key (or item) at ``path``, falling back to its nearest written parent."""
        return self.checked.loaded.key_mark_of(tuple(path))

    def accepts_model(self, model: str) -> bool:
        """A doc id the spec names, matches by pattern, or a pattern the spec writes the same."""
        ir = self.ir
        return model in ir.model_ids or model in ir.model_patterns or any(
            fnmatchcase(model, pattern) for pattern in ir.model_patterns)

    def family_of(self, model: str) -> FamilyIR | None:
        return next((family for family in self.ir.families if model in family.models or model in family.patterns
                     or any(fnmatchcase(model, pattern) for pattern in family.patterns)), None)

    def model_mark(self, model: str) -> SourceMark:
        for name, family in self.checked.spec.model_families.items():
            for key in ("models", "patterns"):
                if model in getattr(family, key):
                    return self.mark("model_families", name, key, getattr(family, key).index(model))
        return self.mark("model_families")

    def ratio_mark(self, family: str, ratio: str | None = None) -> SourceMark:
        """Where the family's ratios come from: the enum value, else its ratio rule, else the family."""
        spec = self.checked.spec
        for where, rule in family_rules(spec):
            if rule.when is not None and family in (rule.when.family or ()) and isinstance(rule, OneOfRule):
                enum = spec.enums.get(rule.enum or "")
                values = [item.value for item in enum.values] if enum is not None else []
                if ratio is not None and ratio in values:
                    return self.mark("enums", rule.enum or "", "values", values.index(ratio))
                if ratio is not None and ratio in rule.values:
                    return self.mark(*where, "values", rule.values.index(ratio))
                return self.mark(*where)
        for name, enum in spec.enums.items():
            values = [item.value for item in enum.values]
            if enum.format == "ratio":
                return self.mark("enums", name, "values", values.index(ratio)) if ratio in values else \
                    self.mark("enums", name, "values")
        return self.mark("model_families", family)

    def field_mark(self, wire_path: str, endpoint: str | None) -> SourceMark:
        """Where a request field named by the doc is written: the first ``fields`` entry of its
        name, preferring one whose place in the spec spells the doc's parent names."""
        names = [part.removesuffix("[]") for part in wire_path.split(".")]
        data = self.checked.loaded.data
        own = data.get("endpoints", {}).get(endpoint, {}).get("request") if endpoint and isinstance(data, dict) else None
        found = list(_field_entries(own, ("endpoints", endpoint or "", "request"), names[-1])) if isinstance(
            own, dict) else []
        found = found or sorted(_field_entries(data, (), names[-1]),
                                key=lambda path: -sum(name in path for name in names[:-1]))
        return self.mark(*found[0]) if found else self.request_mark(endpoint)

    def request_mark(self, endpoint: str | None) -> SourceMark:
        if endpoint is None:
            return self.mark("schemas") if self.checked.spec.schemas else self.mark("endpoints")
        return self.mark("endpoints", endpoint, "request")


def _field_entries(node: Any, path: tuple[str | int, ...], name: str, depth: int = 0) -> Iterator[tuple[str | int, ...]]:
    """Paths of every ``fields: {name: ...}`` entry below ``node``, in file order."""
    if depth > 40:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fields" and isinstance(value, dict) and name in value:
                yield (*path, key, name)
            yield from _field_entries(value, (*path, str(key)), name, depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _field_entries(value, (*path, index), name, depth + 1)
