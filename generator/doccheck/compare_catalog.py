"""Doc facts about what can be asked for against the spec: model ids, aspect-ratio lists
and size tables, compared family by family."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from generator.doccheck.doc_facts import ModelList, RatioList, SizeTable
from generator.doccheck.findings import Finding
from generator.doccheck.spec_places import SpecUnderCheck
from generator.ir.capabilities import provider_capabilities
from generator.ir.nodes import FamilyIR, SizeTableIR


class CatalogCheck:
    def __init__(self, target: SpecUnderCheck, lists: list[ModelList], example_models: list[tuple[int, str]]) -> None:
        self.target = target
        self.lists = lists
        self.mentions = [(item.line, item.model) for group in lists for item in group.models] + example_models
        self.doc_models = sorted({model for _, model in self.mentions})
        self.capabilities = {family.name: family for family in provider_capabilities(target.ir).families}

    # -- model ids --------------------------------------------------------------------------------
    def model_findings(self) -> Iterator[Finding]:
        reported: set[str] = set()
        for line, model in self.mentions:
            if not self.target.accepts_model(model) and model not in reported:
                reported.add(model)
                yield Finding(line, self.target.mark("model_families"), f"model-missing {model}",
                              f"model '{model}' is in the doc but not in the spec")
        if not self.mentions:
            return
        ir = self.target.ir
        for model in (*ir.model_ids, *ir.model_patterns):
            if not any(mentioned == model or _matches(mentioned, model) for mentioned in self.doc_models):
                yield Finding(None, self.target.model_mark(model), f"model-extra {model}",
                              f"the spec has model '{model}', which the doc does not list")

    def scope(self, tokens: tuple[str, ...]) -> list[str]:
        """Models a label names: an id written whole, else every id the word begins."""
        known = sorted(set(self.doc_models) | set(self.target.ir.model_ids))
        found: list[str] = []
        for token in tokens:
            if token.endswith("*"):
                found += [model for model in known if fnmatchcase(model, token)]
                continue
            exact = [model for model in known if model == token]
            found += exact or [model for model in known if model.startswith(token)]
        return list(dict.fromkeys(found))

    # -- aspect ratios ----------------------------------------------------------------------------
    def ratio_findings(self, lists: list[RatioList]) -> Iterator[Finding]:
        expected: dict[str, dict[str, int]] = {}
        complete: dict[str, bool] = {}
        line_of: dict[str, int] = {}
        for ratios in lists:
            models = self.scope(ratios.scope) if ratios.scope else self._section_models(ratios.line)
            for model in models:
                if ratios.scope and not ratios.additive:
                    expected[model] = {}  # a list for these models replaces the section's
                found = expected.setdefault(model, {})
                found.update({ratio: ratios.line for ratio in ratios.ratios})
                complete[model] = complete.get(model, True) and ratios.exhaustive
                line_of.setdefault(model, ratios.line)
        yield from self._ratio_differences(expected, complete, line_of)

    def _section_models(self, line: int) -> list[str]:
        above = [group for group in self.lists if group.line < line]
        if not above:
            return list(self.target.ir.model_ids)
        return [item.model for item in above[-1].models]

    def _ratio_differences(self, expected: dict[str, dict[str, int]], complete: dict[str, bool],
                           line_of: dict[str, int]) -> Iterator[Finding]:
        reported: set[str] = set()
        for model, doc_ratios in expected.items():
            family = self.target.family_of(model)
            capability = self.capabilities.get(family.name) if family is not None else None
            if family is None or capability is None or not capability.aspect_ratios.values:
                continue
            spec_ratios = set(capability.aspect_ratios.values)
            for ratio, line in doc_ratios.items():
                key = f"ratio-missing {family.name} {ratio}"
                if ratio not in spec_ratios and key not in reported:
                    reported.add(key)
                    yield Finding(line, self.target.ratio_mark(family.name), key,
                                  f"ratio {ratio} is listed for {model} but the spec does not allow it "
                                  f"for family {family.name}")
            if not complete.get(model) or capability.aspect_ratios.open:
                continue
            for ratio in capability.aspect_ratios.values:
                key = f"ratio-extra {family.name} {ratio}"
                if ratio not in doc_ratios and key not in reported:
                    reported.add(key)
                    yield Finding(line_of[model], self.target.ratio_mark(family.name, ratio), key,
                                  f"the spec allows ratio {ratio} for family {family.name} ({model}); "
                                  "the doc's list does not have it")

    # -- size tables ------------------------------------------------------------------------------
    def size_findings(self, tables: list[SizeTable]) -> Iterator[Finding]:
        for table in tables:
            models = self.scope(table.scope)
            families = [family for model in models if (family := self.target.family_of(model)) is not None]
            if not families:
                continue
            spec_table = self._table_for(families[0], table)
            if spec_table is None:
                yield Finding(table.line, self.target.mark("size_tables"), f"size-table-missing {families[0].name}",
                              f"the doc has a size table for {', '.join(models)}; the spec has none for "
                              f"family {families[0].name}")
                continue
            yield from self._table_differences(table, spec_table)

    def _table_for(self, family: FamilyIR, table: SizeTable) -> SizeTableIR | None:
        serving = [item for item in self.target.ir.size_tables if family.name in item.families]
        ratios = {row.ratio for row in table.rows}
        return max(serving, key=lambda item: len(ratios & {row.ratio for row in item.rows}), default=None)

    def _table_differences(self, table: SizeTable, spec_table: SizeTableIR) -> Iterator[Finding]:
        spec_rows = {row.ratio: row for row in spec_table.rows}
        name = spec_table.name
        for row in table.rows:
            spec_row = spec_rows.get(row.ratio)
            if spec_row is None:
                yield Finding(row.line, self.target.mark("size_tables", name, "rows"),
                              f"size-row-missing {name} {row.ratio}",
                              f"size table row {row.ratio} ({', '.join(row.sizes)}) is not in spec table {name}")
                continue
            yield from self._cells(table, row.line, row.ratio, row.sizes, spec_row.cells, name)
        doc_ratios = {row.ratio for row in table.rows}
        for ratio in spec_rows:
            if ratio not in doc_ratios:
                yield Finding(table.line, self.target.mark("size_tables", name, "rows", ratio),
                              f"size-row-extra {name} {ratio}",
                              f"spec table {name} has row {ratio}, which the doc's table does not")

    def _cells(self, table: SizeTable, line: int, ratio: str, sizes: tuple[str, ...],
               cells: tuple[tuple[str, str], ...], name: str) -> Iterator[Finding]:
        by_tier = dict(cells)
        if table.tiers and len(table.tiers) == len(sizes):
            pairs = list(zip(table.tiers, sizes))
        elif len(sizes) == len(cells):
            pairs = [(tier, size) for (tier, _), size in zip(cells, sizes)]
        else:
            written = ", ".join(size for _, size in cells)
            yield Finding(line, self.target.mark("size_tables", name, "rows", ratio), f"size-cell {name} {ratio}",
                          f"size table row {ratio}: the doc lists {', '.join(sizes)}; spec table {name} has {written}")
            return
        for tier, size in pairs:
            if by_tier.get(tier) != size:
                yield Finding(line, self.target.mark("size_tables", name, "rows", ratio, tier),
                              f"size-cell {name} {ratio} {tier}",
                              f"size table {ratio} {tier}: the doc says {size}, spec table {name} says "
                              f"{by_tier.get(tier, 'nothing')}")


def _matches(mentioned: str, pattern: str) -> bool:
    return "*" in pattern and fnmatchcase(mentioned, pattern)
