"""Checked spec -> ProviderIR, the only input the render stage reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from generator.errors import Diagnostic, SpecError
from generator.ir.endpoints import endpoint_ir, request_class_name
from generator.ir.nodes import (
    AuthIR,
    ClassIR,
    EnumIR,
    EnumValueIR,
    FamilyIR,
    FieldIR,
    ImagesIR,
    InlineImageIR,
    ProviderIR,
    RefusalIR,
    RuleIR,
    SizeRowIR,
    SizeTableIR,
    TaskIR,
    TypeIR,
)
from generator.ir.rules import rule_ir
from generator.ir.types import PendingClass, TypeCollector
from generator.naming import constant_case, rename_hint, snake_case
from generator.spec.load import CheckedSpec
from generator.spec.loader import dotted_path
from generator.spec.schema import ProviderSpec, SchemaDef

_DEFAULT_AUTH_NAMES = {"bearer": "Authorization", "query": "key", "header": "", "none": ""}

# Public methods the runtime bases add to pydantic's (templates/runtime/model.py); a model field
# with one of these Python names would hide the method, so its attribute gets a trailing "_".
_MODEL_MEMBERS = ("to_wire",)
RUNTIME_MEMBERS: dict[str, tuple[str, ...]] = {
    "RelayModel": _MODEL_MEMBERS,
    "RelayInput": _MODEL_MEMBERS,
    "RelayRequest": _MODEL_MEMBERS,
    "RelayResponse": (*_MODEL_MEMBERS, "images", "is_terminal", "refusal", "task_error", "task_outcome",
                      "task_progress", "task_status"),
}


def _collect_classes(checked: CheckedSpec) -> TypeCollector:
    """Walk every schema and inline request, naming each model class they need."""
    spec = checked.spec
    model_ids = tuple(dict.fromkeys(m for family in spec.model_families.values() for m in family.models))
    patterns = tuple(dict.fromkeys(p for family in spec.model_families.values() for p in family.patterns))
    collector = TypeCollector(checked, model_ids, models_open=bool(patterns) or not spec.models_closed)
    for name, schema in spec.schemas.items():
        collector.add_class(name, schema.description, schema.fields, ("schemas", name), schema_name=name)
    for name, endpoint in spec.endpoints.items():
        inline_name = request_class_name(name, endpoint)
        if endpoint.request.fields and inline_name:
            collector.add_class(inline_name, endpoint.summary, endpoint.request.fields,
                                ("endpoints", name, "request"))
    return collector


def class_name_problems(checked: CheckedSpec) -> list[Diagnostic]:
    """Model class names that clash with each other or with reserved names.

    Safe on a spec with other problems (the walk reads no cross-references), so the
    checker reports these together with everything else.
    """
    return _collect_classes(checked).problems


def build_provider_ir(checked: CheckedSpec) -> ProviderIR:
    """Build the IR of one valid spec; raises SpecError for problems only visible here."""
    spec = checked.spec
    collector = _collect_classes(checked)
    if collector.problems:
        raise SpecError(collector.problems)
    model_ids, patterns = collector.model_ids, tuple(dict.fromkeys(
        p for family in spec.model_families.values() for p in family.patterns))
    roles = _roles(spec, collector.classes)
    classes = {name: _class_ir(spec, pending, roles) for name, pending in collector.classes.items()}
    clashes = _base_name_clashes(checked, collector.classes, classes) + _misplaced_aliases(checked, collector.classes,
                                                                                          classes)
    if clashes:
        raise SpecError(clashes)
    return ProviderIR(
        id=spec.provider.id,
        title=spec.provider.title,
        description=spec.provider.description.strip(),
        source_doc=spec.provider.source_doc,
        spec_file=checked.display_name,
        base_url=spec.base_url.default,
        base_url_env=spec.base_url.env,
        base_url_note=spec.base_url.note,
        auth=AuthIR(spec.auth.scheme, spec.auth.name or _DEFAULT_AUTH_NAMES[spec.auth.scheme], spec.auth.env,
                    spec.auth.prefix, spec.auth.optional),
        error_message_fields=tuple(spec.errors.message_fields),
        request_id_fields=tuple(spec.errors.request_id_fields),
        request_id_headers=tuple(spec.errors.request_id_headers),
        before_work=tuple((marker.status, marker.message) for marker in spec.errors.before_work),
        families=tuple(FamilyIR(name, constant_case(name), family.description, tuple(family.models),
                                tuple(family.patterns)) for name, family in spec.model_families.items()),
        enums=_enums(spec),
        size_tables=_size_tables(spec),
        classes=tuple(classes.values()),
        endpoints=tuple(endpoint_ir(spec, name, endpoint, classes) for name, endpoint in spec.endpoints.items()),
        model_ids=model_ids,
        model_patterns=patterns,
        models_closed=spec.models_closed,
        doc_departures=tuple((item.finding, item.reason) for item in spec.doc_departures),
    )


def _base_name_clashes(checked: CheckedSpec, pending: dict[str, PendingClass], classes: dict[str, ClassIR]
                       ) -> list[Diagnostic]:
    """A class whose rules, images or task need a generated base ``<Name>Base`` takes that name from bases.py."""
    problems = []
    for cls in classes.values():
        if cls.has_generated_base and cls.base in classes:
            path = pending[cls.base].path
            mark = checked.loaded.key_mark_of(path) if pending[cls.base].schema_name else checked.loaded.mark_of(path)
            problems.append(Diagnostic(mark, dotted_path(path), f"model class name '{cls.base}' is the name of the base "
                                       f"class generated for '{cls.name}' (which has rules, images or a task); rename "
                                       f"it, e.g. '{cls.base}Model'"))
    return problems


def _misplaced_aliases(checked: CheckedSpec, pending: dict[str, PendingClass], classes: dict[str, ClassIR]
                       ) -> list[Diagnostic]:
    """Other spellings are read only where a caller writes a nested object of a request."""
    problems = []
    for cls in classes.values():
        if cls.runtime_base == "RelayInput":
            continue
        where = ("a request itself, whose fields callers pass as keyword arguments" if cls.runtime_base == "RelayRequest"
                 else "also read from replies (or sent by no endpoint), and a reply keeps every spelling it gets")
        for field in cls.fields:
            if field.aliases:
                path = (*pending[cls.name].path, "fields", field.wire_name, "aliases")
                problems.append(Diagnostic(checked.loaded.mark_of(path), dotted_path(path),
                                           f"'aliases' are read only in objects nested in a request, and "
                                           f"'{cls.name}' is {where}"))
    return problems


def _class_refs(type_ir: TypeIR) -> Iterator[str]:
    if type_ir.class_name is not None:
        yield type_ir.class_name
    if type_ir.item is not None:
        yield from _class_refs(type_ir.item)
    for variant in type_ir.variants:
        yield from _class_refs(variant)


def _reachable(classes: Mapping[str, PendingClass], roots: list[str]) -> set[str]:
    """The classes ``roots`` hold, at any depth."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen or name not in classes:
            continue
        seen.add(name)
        stack.extend(ref for field in classes[name].fields for ref in _class_refs(field.type))
    return seen


def _roles(spec: ProviderSpec, classes: Mapping[str, PendingClass]) -> dict[str, str]:
    """Which classes are sent as requests, which only inside requests, and which are read
    from replies. A class both sent and read keeps unknown keys, as replies need."""
    requests: list[str] = []
    roles: dict[str, str] = {}
    for name, endpoint in spec.endpoints.items():
        request = request_class_name(name, endpoint)
        if request:
            requests.append(request)
            roles[request] = "RelayRequest"
        roles.setdefault(endpoint.response.schema_ref, "RelayResponse")
    read = _reachable(classes, [name for name, role in roles.items() if role == "RelayResponse"])
    for name in _reachable(classes, requests) - read:
        roles.setdefault(name, "RelayInput")
    return roles


def _class_ir(spec: ProviderSpec, pending: PendingClass, roles: dict[str, str]) -> ClassIR:
    schema = spec.schemas.get(pending.schema_name or "")
    rules = _rules_for(spec, pending, schema)
    images = _images(schema)
    task = _task(spec, schema)
    refusals = tuple(RefusalIR(item.path, tuple(item.values)) for item in (schema.refusals if schema else []))
    runtime_base = roles.get(pending.name, "RelayResponse" if images or task or refusals else "RelayModel")
    image_inputs = any(field.image_input for field in pending.fields)
    spellings = any(field.aliases for field in pending.fields)
    generated = bool(rules or images or task or refusals or image_inputs or spellings)
    return ClassIR(
        name=pending.name,
        description=" ".join(pending.description.split()),
        fields=_informational(pending.fields, task),
        base=f"{pending.name}Base" if generated else runtime_base,
        runtime_base=runtime_base,  # type: ignore[arg-type]
        rules=rules,
        images=images,
        task=task,
        refusals=refusals,
        attribute_renames=_attribute_renames(pending, runtime_base),
    )


def _informational(fields: tuple[FieldIR, ...], task: TaskIR | None) -> tuple[FieldIR, ...]:
    """Fields that only inform, typed to take any value: a task's progress.

    Relays send progress as 50, 99.5, "50" or "100%"; a paid reply must not be lost over
    its form. ``task_progress()`` reads any of them as 0..1.
    """
    if task is None or task.progress_field is None:
        return fields
    note = "(read leniently: any value; task_progress() gives it as 0..1)"
    return tuple(
        dataclasses.replace(field, type=TypeIR("any", "Any"), description=f"{field.description} {note}".strip())
        if field.wire_name == task.progress_field else field
        for field in fields
    )


def _attribute_renames(pending: PendingClass, runtime_base: str) -> tuple[tuple[str, str], ...]:
    """A distinct attribute for each field that would hide a runtime method: ``images_``, ``images_2``...

    Twins such as ``images`` and ``Images`` both fold to ``images``; each gets its own name,
    clear of every other field's, so datamodel-code-generator is never handed two equal aliases.
    """
    members = RUNTIME_MEMBERS[runtime_base]
    taken = {snake_case(field.wire_name) for field in pending.fields} | set(members)
    renames = []
    for field in pending.fields:
        name = snake_case(field.wire_name)
        if name in members:
            attribute = rename_hint(name, taken)
            taken.add(attribute)
            renames.append((field.wire_name, attribute))
    return tuple(renames)


def _rules_for(spec: ProviderSpec, pending: PendingClass, schema: SchemaDef | None) -> tuple[RuleIR, ...]:
    if schema is not None:
        return tuple(rule_ir(spec, rule) for rule in schema.rules)
    if pending.path[:1] == ("endpoints",):
        endpoint = spec.endpoints[str(pending.path[1])]
        return tuple(rule_ir(spec, rule) for rule in endpoint.request.rules)
    return ()


def _images(schema: SchemaDef | None) -> ImagesIR | None:
    if schema is None or schema.images is None:
        return None
    inline = tuple(InlineImageIR(item.path, item.data_key, item.mime_key) for item in schema.images.inline)
    return ImagesIR(tuple(schema.images.urls), inline)


def _task(spec: ProviderSpec, schema: SchemaDef | None) -> TaskIR | None:
    if schema is None or schema.task is None:
        return None
    task = schema.task
    values = spec.enums[task.status_enum].values

    def with_outcome(outcome: str) -> tuple[str, ...]:
        return tuple(item.value for item in values if item.outcome == outcome)

    return TaskIR(task.status, task.progress, task.error, tuple(item.value for item in values),
                  with_outcome("success"), with_outcome("failure"), with_outcome("violation"))


def _enums(spec: ProviderSpec) -> tuple[EnumIR, ...]:
    return tuple(
        EnumIR(name, constant_case(name), " ".join(enum.description.split()), enum.open,
               tuple(EnumValueIR(item.value, item.description, item.outcome, item.note) for item in enum.values))
        for name, enum in spec.enums.items()
    )


def _size_tables(spec: ProviderSpec) -> tuple[SizeTableIR, ...]:
    tables = []
    for name, table in spec.size_tables.items():
        rows = tuple(
            SizeRowIR(ratio, tuple((tier, cells[tier]) for tier in table.tiers if tier in cells),
                      table.tokens.get(ratio))
            for ratio, cells in table.rows.items()
        )
        tables.append(SizeTableIR(name, constant_case(name), " ".join(table.description.split()),
                                  tuple(table.tiers), tuple(table.families), rows))
    return tuple(tables)
