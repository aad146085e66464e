"""The spec under check: its IR, and where in its file each fact a finding names is written."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

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

    def request_mark(self, endpoint: str | None) -> SourceMark:
        if endpoint is None:
            return self.mark("schemas") if self.checked.spec.schemas else self.mark("endpoints")
        return self.mark("endpoints", endpoint, "request")
