"""Import lines of each rendered module: only what the module uses, so linters stay quiet."""

from __future__ import annotations

from generator.ir.nodes import ProviderIR, RuleIR
from generator.ir.types import input_annotation
from generator.render.escape import Code, dotted_name, identifier

RUNTIME = ".._runtime"


def _from(module: str, names: set[str]) -> list[Code]:
    if not names:
        return []
    return [Code(f"from {dotted_name(module)} import {', '.join(identifier(name) for name in sorted(names))}")]


def _rule_names(rules: list[RuleIR]) -> set[str]:
    names: set[str] = {rule.kind for rule in rules}
    if any(rule.when is not None for rule in rules):
        names.add("When")
    if any(rule.pixel is not None for rule in rules):
        names.add("PixelSize")
    return names


def bases_imports(provider: ProviderIR) -> list[Code]:
    generated = [cls for cls in provider.classes if cls.has_generated_base]
    descriptors = set()
    if any(cls.images for cls in generated):
        descriptors |= {"ImagePaths"}
    if any(cls.images and cls.images.inline for cls in generated):
        descriptors |= {"InlineImagePath"}
    if any(cls.task for cls in generated):
        descriptors |= {"TaskStatusSpec"}
    if any(cls.refusals for cls in generated):
        descriptors |= {"RefusalMarker"}
    rules = [rule for cls in generated for rule in cls.rules]
    image_input = {"ImageInput"} if any(cls.image_inputs for cls in generated) else set()
    return (
        _from(f"{RUNTIME}.descriptors", descriptors)
        + _from(f"{RUNTIME}.image_input", image_input)
        + _from(f"{RUNTIME}.model", {cls.runtime_base for cls in generated})
        + _from(f"{RUNTIME}.rules", _rule_names(rules))
    )


def catalog_imports(provider: ProviderIR) -> list[Code]:
    typing = {"Final"}
    if any(not enum.open for enum in provider.enums) or provider.model_ids:
        typing.add("Literal")
    lines = _from("typing", typing) + [Code("")] + _from(f"{RUNTIME}.families", {"ModelFamily", "find_family"})
    if provider.size_tables:
        lines += _from(f"{RUNTIME}.sizes", {"Size", "SizeTable"})
    return lines


def params_imports(provider: ProviderIR) -> list[Code]:
    annotations = " ".join(input_annotation(field.type, "") for cls in provider.input_classes for field in cls.fields)
    typing = {name for name in ("Any", "Literal") if f"{name}[" in annotations or name in annotations}
    if provider.input_classes:
        typing.add("TypedDict")
    if any(field.required for cls in provider.input_classes for field in cls.fields):
        typing.add("Required")
    lines = (_from("typing", typing) + [Code("")]) if typing else []
    if "ImageSource" in annotations:
        lines += _from(f"{RUNTIME}.image_input", {"ImageSource"})
    if "FileInput" in annotations:
        lines += _from(f"{RUNTIME}.encode", {"FileInput"})
    modules = {name for name in ("catalog", "models") if f"{name}." in annotations}
    return lines + (_from(".", modules) if modules else [])


def client_imports(provider: ProviderIR) -> list[Code]:
    annotations = " ".join(input_annotation(p.type) for ep in provider.endpoints for p in ep.params)
    typing = {"Final", "TYPE_CHECKING"} | {
        name for name in ("Any", "Literal") if f"{name}[" in annotations or name in annotations
    }
    descriptors = {"AuthScheme", "Endpoint", "ProviderConfig"}
    if any(ep.envelope for ep in provider.endpoints):
        descriptors.add("Envelope")
    if any(ep.resume for ep in provider.endpoints):
        descriptors.add("Resume")
    client = {"AsyncBaseClient", "BaseClient", "Timeout"}
    raw = {"RawResponse"}
    if any(ep.response_kind != "sse" for ep in provider.endpoints):
        typing.add("cast")
        raw.add("raw_responses")
    if any(ep.response_kind == "sse" for ep in provider.endpoints):
        raw |= {"araw_stream", "raw_stream"}
    lines = _from("typing", typing) + [Code("")] + _from(f"{RUNTIME}.client", client)
    lines += _from(f"{RUNTIME}.descriptors", descriptors)
    lines += _from(f"{RUNTIME}.extras", {"ExtraBody", "ExtraHeaders", "ExtraQuery", "request_extras"})
    lines += _from(f"{RUNTIME}.raw", raw)
    if any(ep.request_class for ep in provider.endpoints):
        lines += _from(f"{RUNTIME}.model", {"build_request"})
    if "ImageSource" in annotations:
        lines += _from(f"{RUNTIME}.image_input", {"ImageSource"})
    if "FileInput" in annotations:
        lines += _from(f"{RUNTIME}.encode", {"FileInput"})
    if any(ep.polling for ep in provider.endpoints):
        lines += _from(f"{RUNTIME}.errors", {"ResponseValidationError"})
        lines += _from(f"{RUNTIME}.paths", {"find_first"})
        lines += _from(f"{RUNTIME}.polling", {"ProgressCallback"})
    if any(ep.response_kind == "sse" for ep in provider.endpoints):
        lines += _from(f"{RUNTIME}.streaming", {"AsyncStream", "Stream"})
    # catalog: for annotations, and for the model list an unknown id is checked against.
    catalog = "catalog." in annotations or (provider.families and not provider.models_closed)
    lines += _from(f"{RUNTIME}.lazy", {"LazyModule"})
    lines += _from(".", {"catalog"}) if catalog else []
    # models loads with the first call and params (annotations only) never at run time:
    # creating the model classes is most of a provider's import time (bench figure 5).
    typed = {"models"} | ({"params"} if "params." in annotations else set())
    return [*lines, Code(""), Code("if TYPE_CHECKING:"), *(Code(f"    {line}") for line in _from(".", typed)),
            Code("else:"), Code('    models = LazyModule(f"{__package__}.models", globals(), "models")')]
