"""Pydantic v2 model modules through datamodel-code-generator, called in-process."""

from __future__ import annotations

import json
from typing import Any

from generator.cache.store import memoized
from generator.errors import RenderError
from generator.ir.nodes import ProviderIR
from generator.render.jsonschema import provider_schema
from generator.render.model_shape import check_model_module

RUNTIME_MODULE = "imagerelay._runtime.model"


def _base_class_map(provider: ProviderIR, package: str) -> dict[str, str | list[str]]:
    """Each class's base: a runtime class, or its own base in the provider's bases.py."""
    mapping: dict[str, str | list[str]] = {}
    for cls in provider.classes:
        module = f"{package}.{provider.id}.bases" if cls.has_generated_base else f"{package}._runtime.model"
        mapping[cls.name] = f"{module}.{cls.base}"
    return mapping


def render_models(provider: ProviderIR, package: str, header: str) -> str:
    """Source of ``<package>/<provider>/models.py`` (unformatted; black runs later).

    Memoised by everything datamodel-code-generator is given, so a provider whose
    schema did not change never loads it.
    """
    schema = provider_schema(provider)
    base_classes = _base_class_map(provider, package)
    # Fields renamed in Python so they cannot hide model methods (e.g. a reply's
    # "images" field vs RelayResponse.images()); the wire name stays the alias.
    aliases = {f"{cls.name}.{wire}": name for cls in provider.classes for wire, name in cls.attribute_renames}
    # Not key-sorted: the order of classes and properties is part of what dmcg is given.
    inputs = json.dumps([schema, base_classes, aliases, package, header], ensure_ascii=False)
    return memoized("render_models", (inputs,), lambda: _run_dmcg(provider.id, schema, base_classes, aliases,
                                                                  package, header))


def _run_dmcg(provider_id: str, schema: dict[str, Any], base_classes: dict[str, str | list[str]],
              aliases: dict[str, str], package: str, header: str) -> str:
    # Imported here: datamodel-code-generator is heavy and only this stage needs it.
    from datamodel_code_generator import LiteralType, generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import PythonVersion

    try:
        output = generate(
            schema,
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            base_class=f"{package}._runtime.model.RelayModel",
            base_class_map=base_classes,
            aliases=aliases,
            snake_case_field=True,
            use_annotated=True,
            field_constraints=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_schema_description=True,
            enum_field_as_literal=LiteralType.All,
            skip_root_model=True,
            disable_timestamp=True,
            custom_file_header=header,
            formatters=[],
        )
    except Exception as exc:  # dmcg raises several unrelated types; all mean a generator bug here
        raise RenderError(f"datamodel-code-generator failed for provider '{provider_id}': {exc}") from exc
    if not isinstance(output, str):
        raise RenderError(f"datamodel-code-generator returned {type(output).__name__}, expected one module")
    check_model_module(output, f"{package}/{provider_id}/models.py")
    return output
