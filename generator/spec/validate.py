"""Cross-reference and rule checks on a spec whose shape is already valid.

Every check appends to one list, so a user sees all problems of a file at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Diagnostic
from generator.naming import snake_case
from generator.spec.constraints import constraint_problems
from generator.spec.endpoint_checks import EndpointChecker
from generator.spec.fieldpaths import FieldLookup, resolve_field_path
from generator.spec.loader import LoadedSpec, PathKey, dotted_path
from generator.spec.name_checks import NameChecks, check_argument_names
from generator.spec.schema import (
    HEADER_NAME,
    PIXELS,
    RATIO,
    EndpointSpec,
    EnumDef,
    FieldSpec,
    OneOfRule,
    PixelSpec,
    ProviderSpec,
    RuleSpec,
    SchemaDef,
    WhenSpec,
)
from generator.spec.table_checks import check_tables_against_rules
from generator.spec.values import type_mismatch, yaml_text

_FORMAT_PATTERNS = {"ratio": (RATIO, "an aspect ratio (expected W:H, e.g. 16:9, or auto)"),
                    "pixels": (PIXELS, "a pixel size (expected WIDTHxHEIGHT, e.g. 1024x1024)")}


@dataclass(frozen=True)
class Unchecked:
    """What the shape check left out: named entries and whole sections whose errors are already reported.

    A reference to one of them is not reported again as undefined, and checks that need
    its content are skipped.
    """

    entries: frozenset[tuple[str, str]] = frozenset()
    sections: frozenset[str] = frozenset()

    def covers(self, section: str, name: str | None = None) -> bool:
        return section in self.sections or (name is not None and (section, name) in self.entries)

    def schema_names(self) -> frozenset[str]:
        return frozenset(name for section, name in self.entries if section == "schemas")


class SpecChecker:
    """Collects located diagnostics for one provider spec."""

    def __init__(self, loaded: LoadedSpec, spec: ProviderSpec, unchecked: Unchecked | None = None) -> None:
        self.loaded = loaded
        self.spec = spec
        self.unchecked = unchecked or Unchecked()
        self.diagnostics: list[Diagnostic] = []

    def lookup(self, fields: Mapping[str, FieldSpec]) -> FieldLookup:
        """Field paths start from ``fields``; refs to schemas left out by the shape check resolve to anything."""
        return FieldLookup(self.spec, fields, self.unchecked.schema_names(), self.unchecked.covers("schemas"))

    def error(self, path: PathKey, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.loaded.mark_of(path), dotted_path(path), message))

    def error_at_key(self, path: PathKey, message: str) -> None:
        """Report a problem with the key ``path`` ends in (its name), located at the key, not its value."""
        self.diagnostics.append(Diagnostic(self.loaded.key_mark_of(path), dotted_path(path), message))

    def run(self) -> list[Diagnostic]:
        NameChecks(self).run()
        if not self.spec.endpoints and not self.unchecked.covers("endpoints") and not any(
                section == "endpoints" for section, _ in self.unchecked.entries):
            self.error(("endpoints",), "a spec needs at least one endpoint (there is nothing to generate)")
        self._check_provider()
        self._check_families()
        self._check_enums()
        self._check_size_tables()
        for name, schema in self.spec.schemas.items():
            self._check_schema(("schemas", name), schema)
        for name, endpoint in self.spec.endpoints.items():
            self._check_endpoint(("endpoints", name), name, endpoint)
        check_tables_against_rules(self)
        self._check_departures()
        return self.diagnostics

    def _check_departures(self) -> None:
        first: dict[str, int] = {}
        for index, departure in enumerate(self.spec.doc_departures):
            if departure.finding in first:
                self.error(("doc_departures", index, "finding"), f"'{departure.finding}' is already explained by "
                           f"doc_departures[{first[departure.finding]}]; one reason per finding")
            first.setdefault(departure.finding, index)

    # -- provider-level facts -------------------------------------------------

    def _check_provider(self) -> None:
        stem = Path(self.loaded.file).stem
        if not self.unchecked.covers("provider") and self.spec.provider.id != stem:
            self.error(("provider", "id"), f"provider id '{self.spec.provider.id}' must equal the file name '{stem}'")
        auth = self.spec.auth
        if auth.scheme in ("header", "query") and not auth.name:
            self.error(("auth",), f"auth scheme '{auth.scheme}' needs 'name' (the header or query parameter)")
        if auth.prefix and auth.scheme != "header":
            self.error(("auth", "prefix"), f"'prefix' applies to 'scheme: header' only; scheme '{auth.scheme}' "
                       "sends the key its own way (bearer adds 'Bearer ', query sends the bare key)")
        if auth.scheme in ("bearer", "header") and auth.name and not re.match(HEADER_NAME, auth.name):
            self.error(("auth", "name"), f"{auth.name!r} is not an HTTP header name (letters, digits and "
                       "!#$%&'*+-.^_`|~)")
        if auth.optional and auth.scheme == "none":
            self.error(("auth", "optional"), "'optional' applies to a scheme that sends a key; "
                       "'scheme: none' sends none")
        if not re.match(r"^[\x20-\x7e]*$", auth.prefix):
            self.error(("auth", "prefix"), f"{auth.prefix!r} cannot start an HTTP header value: use printable "
                       "ASCII only")

    def _check_families(self) -> None:
        if self.spec.models_closed:
            patterned = [name for name, info in self.spec.model_families.items() if info.patterns]
            if patterned or not self.spec.model_families:
                why = (f"family '{patterned[0]}' names its models by pattern" if patterned
                       else "no model_families list the models")
                self.error(("models_closed",), f"'models_closed' needs every model id listed by name: {why}")
        seen: dict[str, str] = {}
        for family, info in self.spec.model_families.items():
            if not info.models and not info.patterns:
                self.error(("model_families", family), f"family '{family}' lists no models and no patterns")
            for index, model in enumerate(info.models):
                if model in seen:
                    self.error(("model_families", family, "models", index),
                               f"model '{model}' is already in family '{seen[model]}'; a model belongs to one family")
                seen[model] = family

    def _check_enums(self) -> None:
        for name, enum in self.spec.enums.items():
            self._check_enum_values(("enums", name), enum)

    def _check_enum_values(self, path: PathKey, enum: EnumDef) -> None:
        seen: set[str] = set()
        pattern_and_label = _FORMAT_PATTERNS.get(enum.format)
        for index, item in enumerate(enum.values):
            where = (*path, "values", index)
            if item.value in seen:
                self.error(where, f"duplicate enum value '{item.value}'")
            seen.add(item.value)
            if pattern_and_label and not re.match(pattern_and_label[0], item.value):
                self.error(where, f"'{item.value}' is not {pattern_and_label[1]}")

    def _check_size_tables(self) -> None:
        for name, table in self.spec.size_tables.items():
            path: PathKey = ("size_tables", name)
            for index, family in enumerate(table.families):
                self._check_family_ref((*path, "families", index), family)
            for ratio, row in table.rows.items():
                for tier in row:
                    if tier not in table.tiers:
                        self.error_at_key((*path, "rows", ratio, tier),
                                          f"tier '{tier}' is not one of the table's tiers: {', '.join(table.tiers)}")
            for ratio in table.tokens:
                if ratio not in table.rows:
                    self.error_at_key((*path, "tokens", ratio), f"token count for '{ratio}', which has no row")

    def _check_family_ref(self, path: PathKey, family: str) -> None:
        if family not in self.spec.model_families and not self.unchecked.covers("model_families", family):
            known = ", ".join(sorted(self.spec.model_families)) or "none defined"
            self.error(path, f"model family '{family}' is not defined (families: {known})")

    # -- schemas and fields ---------------------------------------------------

    def _check_schema(self, path: PathKey, schema: SchemaDef) -> None:
        self.check_fields((*path, "fields"), schema.fields, top_level=True)
        if any(endpoint.request.schema_ref == path[-1] for endpoint in self.spec.endpoints.values()):
            check_argument_names(self, (*path, "fields"), schema.fields)
        else:
            self._no_python_names((*path, "fields"), schema.fields)
        lookup = self.lookup(schema.fields)
        self.check_rules((*path, "rules"), schema.rules, lookup)
        if schema.images:
            for index, url_path in enumerate(schema.images.urls):
                self._check_field_path((*path, "images", "urls", index), url_path, lookup)
            for index, inline in enumerate(schema.images.inline):
                self._check_field_path((*path, "images", "inline", index, "path"), inline.path, lookup)
        if schema.task:
            self._check_task(path, schema, lookup)
        for index, refusal in enumerate(schema.refusals):
            self._check_field_path((*path, "refusals", index, "path"), refusal.path, lookup)

    def _check_task(self, path: PathKey, schema: SchemaDef, lookup: FieldLookup) -> None:
        task = schema.task
        assert task is not None
        where = (*path, "task")
        for key in ("status", "progress", "error"):
            value = getattr(task, key)
            if value is not None:
                self._check_field_path((*where, key), value, lookup)
        enum = self.spec.enums.get(task.status_enum)
        if enum is None:
            self.unknown_enum((*where, "status_enum"), task.status_enum)
        elif not any(item.outcome for item in enum.values):
            self.error((*where, "status_enum"),
                       f"status enum '{task.status_enum}' marks no value with an outcome "
                       "(success, failure or violation), so polling could never stop")

    def check_fields(self, path: PathKey, fields: Mapping[str, FieldSpec], *, top_level: bool) -> None:
        for name, field in fields.items():
            self._check_field((*path, name), field, top_level=top_level)
        self._check_aliases(path, fields)

    def _check_aliases(self, path: PathKey, fields: Mapping[str, FieldSpec]) -> None:
        """Another spelling must name one field only: not a sibling's wire or Python name, nor twice."""
        owners: dict[str, str] = {}
        for name, field in fields.items():
            owners.setdefault(name, f"the wire name of field '{name}'")
            owners.setdefault(field.python_name or snake_case(name), f"the Python name of field '{name}'")
        for name, field in fields.items():
            for index, alias in enumerate(field.aliases or ()):
                where = (*path, name, "aliases", index)
                if not alias.strip():
                    self.error(where, "an alias is a key callers may write: it cannot be empty")
                elif alias in owners:
                    self.error(where, f"alias '{alias}' is already {owners[alias]}; each spelling can mean "
                               "one field only")
                else:
                    owners[alias] = f"an alias of field '{name}'"

    def _check_field(self, path: PathKey, field: FieldSpec, *, top_level: bool) -> None:
        if (field.type is None) == (field.ref is None):
            self.error(path, "a field needs exactly one of 'type' or 'ref'")
            return
        if field.ref is not None:
            self.unknown_schema((*path, "ref"), field.ref)
        if field.location != "body" and not top_level:
            self.error((*path, "in"), f"only top-level request fields can be sent in '{field.location}'")
        if field.location == "header" and not re.match(HEADER_NAME, str(path[-1])):
            self.error_at_key(path, f"{path[-1]!r} is sent as an HTTP header, so it must be a header name "
                              "(letters, digits and !#$%&'*+-.^_`|~)")
        if field.type == "file" and not top_level:
            self.error((*path, "type"), "'type: file' is allowed only for top-level fields of a multipart request; "
                       "file bytes cannot be nested in arrays, objects or unions")
        if field.type != "object" and (field.fields is not None or field.title is not None):
            self.error(path, "'fields' and 'title' belong to object fields only")
        if field.type == "array" and field.items is None:
            self.error(path, "an array field needs 'items'")
        self._check_variants(path, field)
        if field.type == "model" and not self.spec.model_families and not self.unchecked.covers("model_families"):
            self.error((*path, "type"), "type 'model' needs model_families to take its values from")
        self._check_field_values(path, field)
        if field.image_input is not None:
            self._check_image_input((*path, "image_input"), field)
        if not top_level and field.python_name is not None:
            self._python_name_misplaced((*path, "python_name"))
        if field.fields is not None:
            self.check_fields((*path, "fields"), field.fields, top_level=False)
        if field.items is not None:
            self._check_field((*path, "items"), field.items, top_level=False)

    def _no_python_names(self, path: PathKey, fields: Mapping[str, FieldSpec]) -> None:
        for name, field in fields.items():
            if field.python_name is not None:
                self._python_name_misplaced((*path, name, "python_name"))

    def _python_name_misplaced(self, path: PathKey) -> None:
        self.error(path, "'python_name' names a keyword argument, so it applies to top-level fields of a request "
                   "only (reply and nested fields keep the names datamodel-code-generator gives them)")

    def _check_image_input(self, path: PathKey, field: FieldSpec) -> None:
        """Text forms need a string (or list of strings); 'inline' needs an object field."""
        image_input = field.image_input
        assert image_input is not None
        carrier = field.items if field.type == "array" and field.items is not None else field
        textual = carrier.type == "string"
        objects = carrier.type == "object" or carrier.ref is not None
        for index, form in enumerate(image_input.accepts):
            if form == "inline" and not objects:
                self.error((*path, "accepts", index), "'inline' images need an object field (or a list of objects) "
                           "holding the MIME type and the base64 data")
            if form != "inline" and not textual:
                self.error((*path, "accepts", index), f"'{form}' images need a string field (or a list of strings)")

    def _check_variants(self, path: PathKey, field: FieldSpec) -> None:
        if (field.type == "union") != (field.variants is not None):
            self.error(path, "'variants' goes with 'type: union', and a union needs 'variants'")
        elif field.type == "union" and not field.variants:
            self.error((*path, "variants"), "a union needs at least one variant; list the shapes it accepts")
        for index, variant in enumerate(field.variants or []):
            self._check_field((*path, "variants", index), variant, top_level=False)

    def _check_field_values(self, path: PathKey, field: FieldSpec) -> None:
        if field.enum is not None or field.values is not None:
            self._check_field_enum(path, field)
        if field.const is not None and field.type not in ("string", "integer", "number", "boolean"):
            self.error((*path, "const"), "'const' applies to string, integer, number and boolean fields")
        elif field.const is not None:
            problem = self.literal_problem(field, field.const)
            if problem:
                self.error((*path, "const"), f"const {yaml_text(field.const)} {problem}")
        problem = self.literal_problem(field, field.default) if field.default is not None else None
        if problem:
            self.error((*path, "default"), f"default {yaml_text(field.default)} {problem}")
        for key, message in constraint_problems(field):
            self.error((*path, key), message)

    def _check_field_enum(self, path: PathKey, field: FieldSpec) -> None:
        if field.type != "string":
            self.error(path, "'enum' and 'values' apply to string fields only")
        if field.enum is not None and field.values is not None:
            self.error(path, "use either 'enum' (a named enum) or 'values' (inline), not both")
        if field.enum is not None:
            self.unknown_enum((*path, "enum"), field.enum)

    def literal_problem(self, field: FieldSpec, value: object) -> str | None:
        """What is wrong with ``value`` as a value of ``field`` (its type first, then its enum), or None."""
        expected = type_mismatch(field, value)
        if expected is not None:
            kind = f"type '{field.type}'" if field.type else f"schema '{field.ref}'"
            return f"does not fit {kind}; expected {expected}"
        allowed = self.allowed_values(field)
        if allowed is not None and str(value) not in allowed:
            return f"is not one of: {', '.join(allowed)}"
        return None

    def allowed_values(self, field: FieldSpec) -> list[str] | None:
        if field.values is not None:
            return field.values
        enum = self.spec.enums.get(field.enum or "")
        return None if enum is None or enum.open else [item.value for item in enum.values]

    def unknown_enum(self, path: PathKey, name: str) -> None:
        """Report ``name`` unless it is a defined enum (or one whose errors are already reported)."""
        if name in self.spec.enums or self.unchecked.covers("enums", name):
            return
        known = ", ".join(sorted(self.spec.enums)) or "none defined"
        self.error(path, f"enum '{name}' is not defined (enums: {known})")

    def unknown_schema(self, path: PathKey, name: str) -> None:
        """Report ``name`` unless it is a defined schema (or one whose errors are already reported)."""
        if name in self.spec.schemas or self.unchecked.covers("schemas", name):
            return
        known = ", ".join(sorted(self.spec.schemas)) or "none defined"
        self.error(path, f"schema '{name}' is not defined (schemas: {known})")

    def _check_field_path(self, path: PathKey, field_path: str, lookup: FieldLookup) -> None:
        problem = resolve_field_path(field_path, lookup)
        if problem:
            self.error(path, problem)

    # -- rules ------------------------------------------------------------------

    def check_rules(self, path: PathKey, rules: list[RuleSpec], lookup: FieldLookup) -> None:
        for index, rule in enumerate(rules):
            self._check_rule((*path, index), rule, lookup)

    def _check_rule(self, path: PathKey, rule: RuleSpec, lookup: FieldLookup) -> None:
        for key, field_path in _rule_targets(rule):
            self._check_field_path((*path, *key), field_path, lookup)
        if rule.when is not None:
            self._check_when((*path, "when"), rule.when, lookup)
        if isinstance(rule, OneOfRule):
            self._check_one_of(path, rule)

    def _check_when(self, path: PathKey, when: WhenSpec, lookup: FieldLookup) -> None:
        self._check_field_path((*path, "field"), when.field, lookup)
        if (when.family is None) == (when.values is None):
            self.error(path, "a condition needs exactly one of 'family' or 'in'")
        for index, family in enumerate(when.family or []):
            self._check_family_ref((*path, "family", index), family)

    def _check_one_of(self, path: PathKey, rule: OneOfRule) -> None:
        if not (rule.values or rule.enum or rule.size_table or rule.pixel):
            self.error(path, "a one_of rule needs at least one of: values, enum, size_table, pixel")
        if rule.pixel is not None and all(getattr(rule.pixel, bound) is None for bound in PixelSpec.model_fields):
            # An unbounded pixel rule would accept every WIDTHxHEIGHT, which is never what a doc says.
            self.error((*path, "pixel"), "a pixel rule needs at least one bound: " + ", ".join(PixelSpec.model_fields))
        if rule.enum is not None:
            self.unknown_enum((*path, "enum"), rule.enum)
        table = rule.size_table.table if rule.size_table is not None else None
        if table is not None and table not in self.spec.size_tables and not self.unchecked.covers("size_tables", table):
            known = ", ".join(sorted(self.spec.size_tables)) or "none defined"
            self.error((*path, "size_table", "table"),
                       f"size table '{table}' is not defined (tables: {known})")

    # -- endpoints ----------------------------------------------------------------

    def _check_endpoint(self, path: PathKey, name: str, endpoint: EndpointSpec) -> None:
        EndpointChecker(self, path, name, endpoint).run()


def _rule_targets(rule: RuleSpec) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The field paths a rule names, with the YAML keys that hold them."""
    for key in ("one_of", "forbid", "require"):
        value = getattr(rule, key, None)
        if isinstance(value, str):
            yield (key,), value
    max_items = getattr(rule, "max_items", None)
    if max_items is not None:
        yield ("max_items", "path"), max_items.path
    for key in ("exclusive", "require_any"):
        for index, field_path in enumerate(getattr(rule, key, None) or []):
            yield (key, index), field_path


def check_semantics(loaded: LoadedSpec, spec: ProviderSpec, unchecked: Unchecked | None = None) -> list[Diagnostic]:
    """Every cross-reference and rule problem of one spec (of its valid part, when ``unchecked`` says what is not)."""
    return SpecChecker(loaded, spec, unchecked).run()

