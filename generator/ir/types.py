"""Turn spec fields into typed IR fields and collect the model classes they need."""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field

from generator.errors import Diagnostic
from generator.ir.nodes import FieldIR, ImageInputIR, TypeIR
from generator.naming import RESERVED_MODEL_NAMES, pascal_case, reserved_in_force
from generator.spec.load import CheckedSpec
from generator.spec.loader import PathKey, dotted_path
from generator.spec.name_checks import python_name
from generator.spec.schema import FieldSpec

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "any": "Any", "file": "FileInput"}
MODELS_PREFIX = "models."
CATALOG_PREFIX = "catalog."
PARAMS_PREFIX = "params."


def literal(values: tuple[str | int | float | bool, ...]) -> str:
    return "Literal[" + ", ".join(repr(value) for value in values) + "]"


@dataclass
class PendingClass:
    """A model class found while walking fields; finished into ClassIR by build.py."""

    name: str
    description: str
    fields: tuple[FieldIR, ...]
    path: PathKey
    schema_name: str | None = None


@dataclass
class TypeCollector:
    """Walks spec fields, naming inline object classes and checking names stay unique."""

    checked: CheckedSpec
    model_ids: tuple[str, ...]
    models_open: bool
    classes: dict[str, PendingClass] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)

    def add_class(self, name: str, description: str, fields: Mapping[str, FieldSpec], path: PathKey,
                  schema_name: str | None = None) -> None:
        if name in self.classes:
            if self.classes[name].path != path:
                first = dotted_path(self.classes[name].path)
                self.problems.append(Diagnostic(self.checked.loaded.mark_of(path), dotted_path(path),
                                                f"model class name '{name}' is already used by {first}; "
                                                "give this object a distinct 'title'"))
            return
        problem = _class_name_problem(name)
        if problem:
            mark = self.checked.loaded.key_mark_of(path) if schema_name else self.checked.loaded.mark_of(path)
            self.problems.append(Diagnostic(mark, dotted_path(path), problem))
        pending = PendingClass(name, description, (), path, schema_name)
        self.classes[name] = pending
        pending.fields = tuple(self.field_ir(wire, spec, (*path, "fields", wire), name)
                               for wire, spec in fields.items())

    def field_ir(self, wire: str, spec: FieldSpec, path: PathKey, owner: str) -> FieldIR:
        enum = self.checked.spec.enums.get(spec.enum or "")
        known = tuple(item.value for item in enum.values) if enum is not None and enum.open else ()
        if spec.type == "model" and self.models_open:
            known = self.model_ids
        image_input = _image_input_ir(spec)
        type_ir = self.type_ir(spec, path, owner + pascal_case(wire))
        return FieldIR(
            wire_name=wire, param_name=python_name(wire, spec),
            type=_accepting_images(type_ir) if image_input else type_ir,
            required=spec.required, description=_describe(spec), location=spec.location, default=spec.default,
            minimum=spec.minimum, maximum=spec.maximum, min_items=spec.min_items, max_items=spec.max_items,
            pattern=spec.pattern, known_values=known, enum_name=spec.enum, image_input=image_input,
            aliases=tuple(spec.aliases or ()),
        )

    def type_ir(self, spec: FieldSpec, path: PathKey, inline_name: str) -> TypeIR:
        if spec.ref is not None:
            return TypeIR("object", MODELS_PREFIX + spec.ref, class_name=spec.ref)
        kind = spec.type or "any"
        if kind == "model":
            if not self.models_open:
                return TypeIR("string", CATALOG_PREFIX + "ModelId", values=self.model_ids, model=True)
            # Open: any id is sent (with a warning when the doc does not list it); the listed
            # ones still complete in an IDE through the Literal.
            annotation = f"{CATALOG_PREFIX}ModelId | str" if self.model_ids else "str"
            return TypeIR("string", annotation, model=True)
        if spec.const is not None:
            return TypeIR(kind, literal((spec.const,)), values=(spec.const,))
        if kind == "object" and spec.fields is None:
            return TypeIR("map", "dict[str, Any]")
        if kind == "string" and (values := self._closed_values(spec)):
            # Named enums have a Literal alias in catalog.py; inline ones are spelled out.
            annotation = CATALOG_PREFIX + spec.enum if spec.enum else literal(values)
            return TypeIR("string", annotation, values=values)
        if kind in _SCALARS:
            return TypeIR(kind, _SCALARS[kind])
        if kind == "array":
            # Without items (a checker error) the walk still goes on, so every class name is checked.
            item = (self.type_ir(spec.items, (*path, "items"), spec.items.title or inline_name + "Item")
                    if spec.items is not None else TypeIR("any", "Any"))
            return TypeIR("array", f"list[{item.annotation}]", item=item)
        if kind == "union":
            variants = tuple(self.type_ir(variant, (*path, "variants", index), f"{inline_name}Variant{index + 1}")
                             for index, variant in enumerate(spec.variants or []))
            return TypeIR("union", " | ".join(v.annotation for v in variants) or "Any", variants=variants)
        name = spec.title or inline_name
        self.add_class(name, spec.description, spec.fields or {}, path)
        return TypeIR("object", MODELS_PREFIX + name, class_name=name)

    def _closed_values(self, spec: FieldSpec) -> tuple[str, ...]:
        if spec.values is not None:
            return tuple(spec.values)
        enum = self.checked.spec.enums.get(spec.enum or "")
        if enum is None or enum.open:
            return ()
        return tuple(item.value for item in enum.values)


def _class_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a class of models.py, or None."""
    if keyword.iskeyword(name):
        return f"model class name '{name}' is a Python keyword; rename it (or set a 'title'), e.g. '{name}Value'"
    if name in RESERVED_MODEL_NAMES and reserved_in_force():
        return (f"model class name '{name}' is already a name models.py or bases.py imports (reserved: "
                f"{', '.join(sorted(RESERVED_MODEL_NAMES))}); rename it (or set a 'title'), e.g. '{name}Model'")
    return None


def _describe(spec: FieldSpec) -> str:
    return " ".join(spec.description.split())


def _image_input_ir(spec: FieldSpec) -> ImageInputIR | None:
    """A field's image-input declaration, also when written on its items or a union variant."""
    nested = [spec.items] if spec.items is not None else list(spec.variants or [])
    image = spec.image_input or next((item.image_input for item in nested if item.image_input), None)
    if image is None:
        return None
    return ImageInputIR(tuple(image.accepts), image.data_key, image.mime_key, " ".join(image.hint.split()))


def _accepting_images(type_ir: TypeIR) -> TypeIR:
    """Let client arguments take files for image fields; the runtime converts them."""
    if type_ir.kind == "array" and type_ir.item is not None:
        item = _accepting_images(type_ir.item)
        return TypeIR("array", f"list[{item.annotation}]", item=item)
    return TypeIR(type_ir.kind, f"{type_ir.annotation} | ImageSource", type_ir.values, type_ir.item,
                  type_ir.class_name, type_ir.variants, type_ir.model, accepts_images=True)


def input_annotation(type_ir: TypeIR, params_prefix: str = PARAMS_PREFIX) -> str:
    """What a caller may pass for ``type_ir``: a model also as a dict of its wire keys,
    typed by the TypedDict ``<Class>Param`` of ``params.py`` (openai's ``XParam``)."""
    if type_ir.kind == "array" and type_ir.item is not None:
        return f"list[{input_annotation(type_ir.item, params_prefix)}]"
    if type_ir.kind == "object" and type_ir.class_name:
        text = f"{MODELS_PREFIX}{type_ir.class_name} | {params_prefix}{type_ir.class_name}Param"
    elif type_ir.kind == "union" and type_ir.variants:
        text = " | ".join(input_annotation(variant, params_prefix) for variant in type_ir.variants)
    else:
        return type_ir.annotation  # scalars, enums, maps: the image case is already in it
    return text + (" | ImageSource" if type_ir.accepts_images else "")

