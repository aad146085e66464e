"""The spec language: pydantic models that a provider YAML must match.

Shapes only; cross-references and documented rules are checked in
``validate.py``. Every model forbids unknown keys so typos are reported.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

IDENT = r"^[a-z][a-z0-9_]*$"
CLASS_NAME = r"^[A-Z][A-Za-z0-9]*$"
ENV_NAME = r"^[A-Z][A-Z0-9_]*$"
RATIO = r"^(auto|[1-9][0-9]*:[1-9][0-9]*)$"
PIXELS = r"^[1-9][0-9]*x[1-9][0-9]*$"
FAMILY_NAME = r"^[a-z0-9][a-z0-9.-]*$"
# RFC 3986 characters only: no quotes, spaces, backslashes or braces. A host is required.
HTTP_URL = r"^https?://[A-Za-z0-9\-._~%!$&'()*+,;=:@\[\]]+(/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?#]*)?$"
# RFC 3986 path characters plus "{name}" / "{name:path}" placeholders.
URL_PATH = r"^/[A-Za-z0-9\-._~%!$&'()*+,;=:@/{}]*$"
# An HTTP header name (RFC 9110 token).
HEADER_NAME = r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$"
# A Python name chosen by the spec author for a field.
PYTHON_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"

# What each pattern means, for diagnostics: users should not have to read a regex.
PATTERN_WORDS = {
    IDENT: "a lower_snake_case identifier such as api_generate",
    CLASS_NAME: "a PascalCase name such as TaskResult",
    ENV_NAME: "an UPPER_SNAKE_CASE environment variable name",
    RATIO: "an aspect ratio W:H such as 16:9 (or auto)",
    PIXELS: "a pixel size WIDTHxHEIGHT such as 1024x1024",
    FAMILY_NAME: "a lower-case family name of letters, digits, '.' and '-' such as nano-banana-2",
    HTTP_URL: "an http(s) URL with a host, written with URL characters only (no quotes, spaces or placeholders)",
    URL_PATH: "a path starting with '/', written with URL characters and {name} placeholders only",
    HEADER_NAME: "an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)",
    PYTHON_NAME: "a Python identifier such as task_id",
}

FieldType = Literal["string", "integer", "number", "boolean", "object", "array", "file", "any", "model", "union"]
Location = Literal["body", "path", "query", "header"]
Outcome = Literal["success", "failure", "violation"]


class SpecModel(BaseModel):
    # strict: a value is never coerced ("yes" is not a boolean, "5" is not an integer).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


class ProviderInfo(SpecModel):
    id: Annotated[str, Field(pattern=IDENT, max_length=32)]
    title: str
    source_doc: str
    description: str = ""


class BaseUrl(SpecModel):
    default: Annotated[str, Field(pattern=HTTP_URL)]
    env: Annotated[str, Field(pattern=ENV_NAME)]
    note: str = ""


class Auth(SpecModel):
    scheme: Literal["bearer", "header", "query", "none"]
    # Header name (bearer/header) or query parameter name (query).
    name: str = ""
    # scheme header only: text sent before the key, e.g. "Key " for `Authorization: Key <key>`.
    prefix: str = ""
    env: Annotated[str, Field(pattern=ENV_NAME)] = "RELAY_API_KEY"
    # The doc marks the credential optional: a client with no key sends requests without it.
    optional: bool = False


class BeforeWork(SpecModel):
    """An error reply the doc says comes before any paid work (so a fallback may move on)."""

    status: Annotated[int, Field(ge=400, le=599)]
    # Text the provider's own error message must contain; empty matches any message.
    message: str = ""
    # The doc's words that say no work started: required, since a wrong marker bills twice.
    reason: Annotated[str, Field(min_length=1)]


class ErrorFields(SpecModel):
    message_fields: list[str] = []
    request_id_fields: list[str] = []
    request_id_headers: list[str] = []
    before_work: list[BeforeWork] = []


class ModelFamily(SpecModel):
    description: str = ""
    models: list[str] = []
    # fnmatch-style patterns for ids the doc describes only by shape, e.g. "NanoBananaPro-*".
    patterns: list[str] = []


class EnumValue(SpecModel):
    value: str
    description: str = ""
    # For status enums: which terminal outcome this value means.
    outcome: Outcome | None = None
    note: str = ""


class EnumDef(SpecModel):
    description: str = ""
    # "ratio" values must read W:H (or auto), "pixels" values WxH; checked by validate.py.
    format: Literal["text", "ratio", "pixels"] = "text"
    # An open enum lists known values but accepts others (typed as plain text).
    open: bool = False
    values: Annotated[list[EnumValue], Field(min_length=1)]

    @field_validator("values", mode="before")
    @classmethod
    def _plain_values(cls, raw: Any) -> Any:
        if isinstance(raw, list):
            return [{"value": item} if isinstance(item, (str, int, float)) else item for item in raw]
        return raw


class SizeTable(SpecModel):
    description: str = ""
    tiers: list[str]
    families: list[str] = []
    # Extra per-row facts such as Gemini token counts, keyed like rows.
    tokens: dict[str, int] = {}
    rows: dict[Annotated[str, Field(pattern=RATIO)], dict[str, Annotated[str, Field(pattern=PIXELS)]]]


ImageForm = Literal["url", "base64", "data_url", "inline"]


class ImageInputSpec(SpecModel):
    """Which forms of an input image a field takes; the SDK converts files to them.

    url: an http(s) link the provider fetches; base64: bare base64 text; data_url:
    ``data:image/png;base64,...``; inline: an object {mime_key, data_key} (Gemini parts).
    """

    accepts: Annotated[list[ImageForm], Field(min_length=1)]
    data_key: str = "data"
    mime_key: str = "mimeType"
    # What to tell a caller whose image is in a form this field does not take.
    hint: str = ""


class FieldSpec(SpecModel):
    type: FieldType | None = None
    ref: str | None = None
    location: Annotated[Location, Field(alias="in")] = "body"
    required: bool = False
    description: str = ""
    default: Any = None
    enum: str | None = None
    values: Annotated[list[str], Field(min_length=1)] | None = None
    const: Any = None
    items: FieldSpec | None = None
    # For type union: the accepted shapes, e.g. a string or a list of parts.
    variants: list[FieldSpec] | None = None
    fields: dict[str, FieldSpec] | None = None
    title: Annotated[str, Field(pattern=CLASS_NAME)] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_items: Annotated[int, Field(ge=0)] | None = None
    max_items: Annotated[int, Field(ge=0)] | None = None
    pattern: str | None = None
    example: Any = None
    # Set on fields that carry an input image (or a list of them).
    image_input: ImageInputSpec | None = None
    # The Python name of the field (method keyword, model attribute) when the one derived
    # from the wire name is reserved or taken; see "Reserved names" in docs/authoring.md.
    python_name: Annotated[str, Field(pattern=PYTHON_NAME)] | None = None
    # Other wire spellings callers may write for this request field (upstream Gemini takes
    # inlineData for inline_data): read as this field, counted by its rules, sent as its name.
    aliases: list[str] | None = None


class WhenSpec(SpecModel):
    field: str = "model"
    family: list[str] | None = None
    values: Annotated[list[str] | None, Field(alias="in")] = None


class PixelSpec(SpecModel):
    max_edge: Annotated[int, Field(ge=1)] | None = None
    multiple_of: Annotated[int, Field(ge=1)] | None = None
    max_ratio: Annotated[float, Field(ge=1)] | None = None
    min_pixels: Annotated[int, Field(ge=0)] | None = None
    max_pixels: Annotated[int, Field(ge=1)] | None = None


class FromSizeTable(SpecModel):
    table: str
    include: list[Literal["ratios", "sizes"]] = ["ratios", "sizes"]


class OneOfRule(SpecModel):
    one_of: str
    when: WhenSpec | None = None
    values: list[str] = []
    enum: str | None = None
    size_table: FromSizeTable | None = None
    pixel: PixelSpec | None = None
    note: str = ""


class ForbidRule(SpecModel):
    forbid: str
    when: WhenSpec | None = None
    note: str = ""


class RequireRule(SpecModel):
    require: str
    when: WhenSpec | None = None
    note: str = ""


class MaxItemsSpec(SpecModel):
    path: str
    limit: Annotated[int, Field(ge=0)]


class MaxItemsRule(SpecModel):
    max_items: MaxItemsSpec
    when: WhenSpec | None = None
    note: str = ""


class RequireAnyRule(SpecModel):
    require_any: Annotated[list[str], Field(min_length=2)]
    when: WhenSpec | None = None
    note: str = ""


class ExclusiveRule(SpecModel):
    exclusive: Annotated[list[str], Field(min_length=2)]
    when: WhenSpec | None = None
    note: str = ""


RULE_KINDS = ("one_of", "forbid", "require", "require_any", "max_items", "exclusive")


def _rule_kind(raw: Any) -> str | None:
    if isinstance(raw, BaseModel):
        raw = raw.model_dump(by_alias=True)
    if not isinstance(raw, dict):
        return None
    kinds = [kind for kind in RULE_KINDS if kind in raw]
    return f"rule:{kinds[0]}" if len(kinds) == 1 else None


RuleSpec = Annotated[
    Annotated[OneOfRule, Tag("rule:one_of")]
    | Annotated[ForbidRule, Tag("rule:forbid")]
    | Annotated[RequireRule, Tag("rule:require")]
    | Annotated[RequireAnyRule, Tag("rule:require_any")]
    | Annotated[MaxItemsRule, Tag("rule:max_items")]
    | Annotated[ExclusiveRule, Tag("rule:exclusive")],
    Discriminator(
        _rule_kind,
        custom_error_type="rule_kind",
        custom_error_message="a rule needs exactly one of the keys: " + ", ".join(RULE_KINDS),
    ),
]


class InlineImageSpec(SpecModel):
    path: str
    data_key: str = "data"
    # None when the payload carries no MIME type (OpenAI b64_json); it is sniffed from the bytes.
    mime_key: str | None = "mimeType"


class ImagesSpec(SpecModel):
    urls: list[str] = []
    inline: list[InlineImageSpec] = []


class TaskSpec(SpecModel):
    status: str
    status_enum: str
    progress: str | None = None
    error: str | None = None


class RefusalSpec(SpecModel):
    """A response field meaning 'refused on content policy': any value, or one of ``values``."""

    path: str
    values: list[str] = []


class SchemaDef(SpecModel):
    description: str = ""
    fields: dict[str, FieldSpec]
    rules: list[RuleSpec] = []
    images: ImagesSpec | None = None
    task: TaskSpec | None = None
    refusals: list[RefusalSpec] = []


class RequestSpec(SpecModel):
    body: Literal["json", "multipart", "none"] | None = None
    schema_ref: Annotated[str | None, Field(alias="schema")] = None
    fields: dict[str, FieldSpec] | None = None
    fixed: dict[str, Any] = {}
    rules: list[RuleSpec] = []


class EnvelopeSpec(SpecModel):
    data: str
    code: str | None = None
    message: str | None = None
    success_codes: list[str] = []


class ResponseSpec(SpecModel):
    kind: Literal["json", "sse"] = "json"
    schema_ref: Annotated[str, Field(alias="schema")]
    envelope: EnvelopeSpec | None = None
    # SSE only: the data value that ends a stream ("[DONE]") and/or a wire path
    # in a chunk whose non-empty value marks the last chunk ("choices[].finish_reason").
    # A stream that closes before either is seen is reported as cut off.
    stream_done: str | None = None
    stream_finish: str | None = None
    # A successful reply (or finished stream) with no image is an error, not an empty result.
    requires_image: bool = False
    # The reply is a task that may already be final: a failed or refused final status
    # raises (TaskFailedError / ContentPolicyError) instead of coming back as data.
    raise_task_failure: bool = False


class PollingSpec(SpecModel):
    get: str
    id_from: str
    id_param: str
    # Queue APIs whose status reply carries no output: the endpoint (taking the same id
    # parameter) that fetches it once the status is a success; waiting returns its reply.
    result: str | None = None


class ExampleRequest(SpecModel):
    path: dict[str, str] = {}
    query: dict[str, str] = {}
    json_body: Annotated[Any, Field(alias="json")] = None
    form: dict[str, str] | None = None
    files: dict[str, str] | None = None


class ExampleResponse(SpecModel):
    status: int = 200
    json_body: Annotated[Any, Field(alias="json")] = None
    sse: list[Any] | None = None


class ExampleSpec(SpecModel):
    name: str
    description: str = ""
    request: ExampleRequest
    response: ExampleResponse | None = None


# What the cross-provider request (``imagerelay.generate``) says, besides the model.
CanonicalConcept = Literal["aspect_ratio", "size_tier", "pixel_size", "n", "input_images", "output_format"]
CANONICAL_CONCEPTS: tuple[str, ...] = ("prompt", *get_args(CanonicalConcept))
# The generate() argument each concept comes from where the names differ (the runtime's
# facade.py reads them the same way: a "WxH" size is a pixel size, any other a tier).
GENERATE_ARGUMENT: dict[str, str] = {"size_tier": "size", "pixel_size": "size", "input_images": "images"}


class CanonicalSpec(SpecModel):
    """How the canonical request maps onto this endpoint's wire fields.

    Each concept is a wire path of the request (``[0]`` picks a list item to fill, ``[]`` at
    the end appends one item per value, shaped by ``items``). A concept the endpoint cannot
    express is listed under ``unsupported`` with the doc's reason; saying nothing is an error.
    """

    prompt: str
    aspect_ratio: str | None = None
    size_tier: str | None = None
    pixel_size: str | None = None
    n: str | None = None
    input_images: str | None = None
    output_format: str | None = None
    # For a path ending in "[]": the item appended, with the string "$value" where the value goes.
    items: dict[str, Any] = {}
    # Wire path -> value sent with every canonical request (a role, a response modality).
    set: dict[str, Any] = {}
    # Concept -> the doc's reason the endpoint cannot take it.
    unsupported: dict[str, str] = {}
    # Where the size tier is part of the model id (one id per tier): model id -> tier.
    model_tiers: dict[str, str] = {}


class EndpointSpec(SpecModel):
    summary: str
    description: str = ""
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    # "{name}" takes one path segment ('/' in the value is escaped); "{name:path}" takes a
    # value that may span segments, such as the model id "fal-ai/flux/dev".
    path: Annotated[str, Field(pattern=URL_PATH)]
    idempotent: bool | None = None
    request: RequestSpec = RequestSpec()
    response: ResponseSpec
    polling: PollingSpec | None = None
    examples: list[ExampleSpec] = []
    canonical: CanonicalSpec | None = None


# Kinds of doc-check finding (generator/doccheck); a departure names one as "<kind> <subject>".
DOC_FINDING = (r"^(model-missing|model-extra|ratio-missing|ratio-extra|size-cell|size-row-missing|size-row-extra"
               r"|size-table-missing|field-unknown|field-required|field-optional|example-rejected|value-unknown|status-unknown|endpoint-unknown) \S.*$")


class DocDeparture(SpecModel):
    """Where the spec departs from its vendor doc on purpose: silences that doc-check finding."""

    finding: Annotated[str, Field(pattern=DOC_FINDING)]
    # Why the spec is right and the doc is not (or not here): required, it is the reviewer's answer.
    reason: Annotated[str, Field(min_length=1)]


class ProviderSpec(SpecModel):
    spec_version: Literal[1]
    provider: ProviderInfo
    base_url: BaseUrl
    auth: Auth
    errors: ErrorFields = ErrorFields()
    model_families: dict[Annotated[str, Field(pattern=FAMILY_NAME)], ModelFamily] = {}
    # The doc says its model ids are the only ones: an unknown id is refused before sending.
    # Otherwise (relays add models without notice) it is sent, with a warning.
    models_closed: bool = False
    enums: dict[Annotated[str, Field(pattern=CLASS_NAME)], EnumDef] = {}
    size_tables: dict[str, SizeTable] = {}
    schemas: dict[Annotated[str, Field(pattern=CLASS_NAME)], SchemaDef] = {}
    endpoints: dict[Annotated[str, Field(pattern=IDENT)], EndpointSpec]
    doc_departures: list[DocDeparture] = []
