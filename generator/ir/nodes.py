"""The intermediate representation: frozen facts the templates print.

Every decision with a branch (names, Python annotations, which base class a
model gets, which values a rule allows) is made while building these nodes;
templates only format them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

TypeKind = Literal["string", "integer", "number", "boolean", "any", "file", "array", "object", "map", "union"]


@dataclass(frozen=True)
class TypeIR:
    """A field's type, structurally; ``annotation`` is its Python spelling in client code."""

    kind: TypeKind
    annotation: str
    # Closed set of allowed values (enum, model ids or a const); empty = any value of the kind.
    values: tuple[str | int | float | bool, ...] = ()
    item: TypeIR | None = None
    class_name: str | None = None
    variants: tuple[TypeIR, ...] = ()
    # A model id (spec type ``model``): checked against the doc's list when sent.
    model: bool = False
    # An input-image field: callers may also pass a file, bytes or a reply's Image.
    accepts_images: bool = False


@dataclass(frozen=True)
class ImageInputIR:
    """Forms an input-image field takes (url, base64, data_url, inline) and how to build them."""

    accepts: tuple[str, ...]
    data_key: str
    mime_key: str
    hint: str


@dataclass(frozen=True)
class FieldIR:
    wire_name: str
    param_name: str
    type: TypeIR
    required: bool
    description: str
    location: Literal["body", "path", "query", "header"]
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    min_items: int | None = None
    max_items: int | None = None
    pattern: str | None = None
    # Known values of an open enum, listed in docs but not enforced.
    known_values: tuple[str, ...] = ()
    # Wire path of the enum used for docs, e.g. "TaskStatus".
    enum_name: str | None = None
    image_input: ImageInputIR | None = None
    # Other wire spellings callers may write (spec ``aliases``), read as this field.
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class WhenIR:
    field: str
    values: tuple[str, ...]
    patterns: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class PixelIR:
    max_edge: int | None
    multiple_of: int | None
    max_ratio: float | None
    min_pixels: int | None
    max_pixels: int | None


@dataclass(frozen=True)
class RuleIR:
    """A request rule; ``kind`` names the runtime class, the rest are its arguments."""

    kind: Literal["OneOf", "Forbidden", "RequiredIf", "RequiredAny", "MaxItems", "Exclusive"]
    fields: tuple[str, ...]
    when: WhenIR | None
    note: str
    summary: str
    values: tuple[str, ...] = ()
    pixel: PixelIR | None = None
    limit: int | None = None


@dataclass(frozen=True)
class InlineImageIR:
    path: str
    data_key: str
    mime_key: str | None


@dataclass(frozen=True)
class ImagesIR:
    urls: tuple[str, ...]
    inline: tuple[InlineImageIR, ...]


@dataclass(frozen=True)
class TaskIR:
    status_field: str
    progress_field: str | None
    error_field: str | None
    known: tuple[str, ...]
    success: tuple[str, ...]
    failure: tuple[str, ...]
    violation: tuple[str, ...]


@dataclass(frozen=True)
class RefusalIR:
    path: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ClassIR:
    """One pydantic model class."""

    name: str
    description: str
    fields: tuple[FieldIR, ...]
    # Runtime base ("RelayModel", "RelayInput", "RelayRequest", "RelayResponse") or a name in bases.py.
    base: str
    # RelayInput/RelayRequest: only ever sent, so unknown keys are refused; RelayModel and
    # RelayResponse: read from replies (or both sent and read), so unknown keys are kept.
    runtime_base: Literal["RelayModel", "RelayInput", "RelayRequest", "RelayResponse"]
    rules: tuple[RuleIR, ...] = ()
    images: ImagesIR | None = None
    task: TaskIR | None = None
    refusals: tuple[RefusalIR, ...] = ()
    # (wire name, Python attribute) of fields whose plain attribute would hide a method of the
    # runtime base, e.g. a reply field "images" vs ``RelayResponse.images()``: it becomes "images_".
    attribute_renames: tuple[tuple[str, str], ...] = ()

    @property
    def has_generated_base(self) -> bool:
        return self.base != self.runtime_base

    @property
    def image_inputs(self) -> tuple[FieldIR, ...]:
        return tuple(field for field in self.fields if field.image_input is not None)

    @property
    def spellings(self) -> tuple[tuple[str, str], ...]:
        """(other spelling, wire name) of every field with ``aliases``."""
        return tuple((alias, field.wire_name) for field in self.fields for alias in field.aliases)


@dataclass(frozen=True)
class EnvelopeIR:
    data: str
    code: str | None
    message: str | None
    success_codes: tuple[str, ...]


@dataclass(frozen=True)
class FixedValueIR:
    wire_name: str
    # The value as JSON text: IR nodes are hashable, lists and dicts are not.
    value_json: str

    @property
    def value(self) -> Any:
        return json.loads(self.value_json)

    @property
    def value_repr(self) -> str:
        """The value as Python writes it, for docs and the change report."""
        return repr(self.value)


@dataclass(frozen=True)
class PollingIR:
    get_method: str
    id_from: str
    # Wire name of the task id field of the polled (and result) endpoint.
    id_param: str
    # Python name of that field: the wait helper's parameter and the polled method's keyword.
    id_arg: str
    wait_method: str
    task_class: str
    # Queue APIs: the method fetching the output once the status is a success, and its reply class.
    result_method: str | None = None
    result_class: str | None = None
    # The result method's keyword for the task id.
    result_id_arg: str | None = None

    @property
    def return_class(self) -> str:
        """What waiting returns: the fetched output when there is a result step, else the final task."""
        return self.result_class or self.task_class


@dataclass(frozen=True)
class ResumeIR:
    """How a blocking call's unfinished task is waited for: the submit endpoint whose reply
    has the same class names the id's wire path and the wait helper."""

    id_from: str
    method: str


@dataclass(frozen=True)
class ExampleIR:
    name: str
    description: str
    request_json: str
    response_json: str
    path_params: tuple[tuple[str, str], ...]
    query: tuple[tuple[str, str], ...]
    response_status: int | None
    # The documented request as keyword arguments of the generated method: (parameter, JSON value).
    call_args: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CanonicalSlotIR:
    """Where one value of the cross-provider request goes: a wire path ("[0]" fills an item,
    a final "[]" appends ``item`` with "$value" replaced), as JSON text so the node stays hashable."""

    concept: str
    path: str
    item: str | None = None
    # The target holds a list (several input images fit without an item template).
    many: bool = False

    @property
    def item_value(self) -> Any:
        return None if self.item is None else json.loads(self.item)


@dataclass(frozen=True)
class CanonicalIR:
    """The spec's ``canonical`` block of one endpoint."""

    slots: tuple[CanonicalSlotIR, ...]
    # (wire path, value as JSON text) sent with every canonical request.
    fixed: tuple[tuple[str, str], ...]
    unsupported: tuple[tuple[str, str], ...]
    model_tiers: tuple[tuple[str, str], ...]

    def slot(self, concept: str) -> CanonicalSlotIR | None:
        return next((slot for slot in self.slots if slot.concept == concept), None)

    def reason(self, concept: str) -> str:
        """Why the endpoint cannot take ``concept`` ("" when it can)."""
        return dict(self.unsupported).get(concept, "")

    @property
    def slot_rows(self) -> tuple[tuple[str, str, Any, bool], ...]:
        return tuple((slot.concept, slot.path, slot.item_value, slot.many) for slot in self.slots)

    @property
    def fixed_values(self) -> tuple[tuple[str, Any], ...]:
        return tuple((path, json.loads(value)) for path, value in self.fixed)


@dataclass(frozen=True)
class EndpointIR:
    name: str
    constant: str
    summary: str
    description: str
    http_method: str
    # As the spec writes it; "{name:path}" marks a parameter whose value may span segments.
    path: str
    params: tuple[FieldIR, ...]
    fixed: tuple[FixedValueIR, ...]
    path_params: tuple[str, ...]
    # The path parameters written "{name:path}" (values such as "fal-ai/flux/dev").
    spanning_path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    header_params: tuple[str, ...]
    file_fields: tuple[str, ...]
    body: Literal["json", "multipart", "none"]
    request_class: str | None
    response_class: str
    response_kind: Literal["json", "sse"]
    envelope: EnvelopeIR | None
    stream_done: str | None
    stream_finish: str | None
    requires_image: bool
    raise_task_failure: bool
    idempotent: bool
    polling: PollingIR | None
    examples: tuple[ExampleIR, ...]
    rules: tuple[RuleIR, ...]
    # A blocking task call (raise_task_failure, no polling of its own): an unfinished task
    # in its reply raises TaskPendingError. ``resume``: how to wait for it, when a polling
    # endpoint replies with the same class.
    raise_task_pending: bool = False
    resume: ResumeIR | None = None
    # The request's model-id field (wire name), checked against the doc's list when sent.
    model_field: str | None = None
    # How imagerelay.generate's request maps onto this endpoint (spec ``canonical``).
    canonical: CanonicalIR | None = None

    @property
    def argument_names(self) -> tuple[tuple[str, str], ...]:
        """(wire name, keyword argument) of each parameter."""
        return tuple((param.wire_name, param.param_name) for param in self.params)

    @property
    def sends_body(self) -> bool:
        """Whether a body goes out, so ``extra_body=`` has somewhere to go (runtime extras.py)."""
        return self.body != "none" and self.http_method.upper() not in ("GET", "HEAD")

    @property
    def url_template(self) -> str:
        """The path as users read it: "/{model}" for the spec's "/{model:path}"."""
        template = self.path
        for name in self.spanning_path_params:
            template = template.replace(f"{{{name}:path}}", f"{{{name}}}")
        return template


@dataclass(frozen=True)
class EnumValueIR:
    value: str
    description: str
    outcome: str | None
    note: str


@dataclass(frozen=True)
class EnumIR:
    name: str
    constant: str
    description: str
    open: bool
    values: tuple[EnumValueIR, ...]


@dataclass(frozen=True)
class FamilyIR:
    name: str
    constant: str
    description: str
    models: tuple[str, ...]
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class SizeRowIR:
    ratio: str
    # (tier, "WxH") for each tier the row has, in table tier order.
    cells: tuple[tuple[str, str], ...]
    tokens: int | None


@dataclass(frozen=True)
class SizeTableIR:
    name: str
    constant: str
    description: str
    tiers: tuple[str, ...]
    families: tuple[str, ...]
    rows: tuple[SizeRowIR, ...]


@dataclass(frozen=True)
class AuthIR:
    kind: Literal["bearer", "header", "query", "none"]
    name: str
    env: str
    # Text before the key in a "header" value, e.g. "Key " (empty: the bare key).
    prefix: str = ""
    # The doc marks the credential optional: no key means requests go without one.
    optional: bool = False


@dataclass(frozen=True)
class ProviderIR:
    id: str
    title: str
    description: str
    source_doc: str
    spec_file: str
    base_url: str
    base_url_env: str
    base_url_note: str
    auth: AuthIR
    error_message_fields: tuple[str, ...]
    request_id_fields: tuple[str, ...]
    request_id_headers: tuple[str, ...]
    # (status, message text) of error replies that come before any paid work.
    before_work: tuple[tuple[int, str], ...]
    families: tuple[FamilyIR, ...]
    enums: tuple[EnumIR, ...]
    size_tables: tuple[SizeTableIR, ...]
    classes: tuple[ClassIR, ...]
    endpoints: tuple[EndpointIR, ...]
    model_ids: tuple[str, ...]
    model_patterns: tuple[str, ...]
    # The doc's model ids are the only ones (spec ``models_closed``).
    models_closed: bool = False
    # (doc-check finding, reason) where the spec departs from its doc on purpose (``doc_departures``).
    doc_departures: tuple[tuple[str, str], ...] = ()

    @property
    def input_classes(self) -> tuple[ClassIR, ...]:
        """The model classes endpoint parameters reach (through fields, items and
        variants), in order: each gets a TypedDict in ``params.py``."""
        classes = {cls.name: cls for cls in self.classes}
        found: dict[str, ClassIR] = {}
        pending = [param.type for endpoint in self.endpoints for param in endpoint.params]
        while pending:
            type_ir = pending.pop(0)
            name = type_ir.class_name
            if name is not None and name not in found and name in classes:
                found[name] = classes[name]
                pending.extend(field.type for field in classes[name].fields)
            pending.extend(type_ir.variants)
            if type_ir.item is not None:
                pending.append(type_ir.item)
        return tuple(found.values())

    @property
    def client_name(self) -> str:
        return "Client"
