"""Hand-minimised hostile specs: every failure kind issue 12 and this harness reported.

Each case is one edit of a shipped spec. They run through the same oracle as the random
mutants (``test_known_hostile_specs``), so a kind that was fixed stays fixed and a kind
still open fails by name, whatever the random draws happen to reach.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import textops
from .dataops import _rename_refs, rename_in
from .mutate import Mutant, Step, _parsed, dump, load_bases

Edit = Callable[[Any], None]


Expect = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class KnownCase:
    """One edit of a shipped spec and what must come of it.

    ``expect`` lists (node path, message fragment) pairs the checker must report, each on
    a diagnostic located at that path; empty means the spec must be accepted and generate
    a working package whatever text it holds. ``file_stem`` renames the spec file (for
    provider ids).
    """

    name: str
    base: str
    edit: Edit | None = None  # on the parsed data
    text_edit: Callable[[str], str] | None = None  # on the YAML source
    expect: Expect = ()
    file_stem: str | None = None

    def mutant(self, bases: dict[str, str]) -> Mutant:
        text = bases[self.base]
        if self.edit is not None:
            data = copy.deepcopy(_parsed(text))
            self.edit(data)
            text = dump(data)
        if self.text_edit is not None:
            text = self.text_edit(text)
        stem = self.file_stem or self.base
        return Mutant(self.base, stem, text.encode("utf-8", "surrogateescape"), (Step("known", self.name),))


def _set(*path_and_value: Any) -> Edit:
    *path, value = path_and_value

    def edit(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value
    return edit


def _rename(mapping_path: tuple[str, ...], old: str, new: str) -> Edit:
    """Rename a definition (endpoint, schema, enum) and every reference to it."""
    def edit(data: Any) -> None:
        mapping = data
        for key in mapping_path:
            mapping = mapping[key]
        rename_in(mapping, old, new)
        _rename_refs(data, old, new, False)
    return edit


def _add_fields(schema: str, *names: str) -> Edit:
    def edit(data: Any) -> None:
        for name in names:
            data["schemas"][schema]["fields"][name] = {"type": "string"}
    return edit


def _text(operator: str, seed: int = 0) -> Callable[[str], str]:
    return lambda text: textops.TEXT_OPS[operator][0](random.Random(seed), text)[0]


def _polled_parameter(new: str) -> Edit:
    """Rename api_generate's polled query parameter `id` (and what refers to it) to ``new``."""
    def edit(data: Any) -> None:
        rename_in(data["endpoints"]["get_result"]["request"]["fields"], "id", new)
        data["endpoints"]["submit"]["polling"]["id_param"] = new
        for example in data["endpoints"]["get_result"].get("examples", []):
            rename_in(example["request"]["query"], "id", new)
    return edit


def _no_models(data: Any) -> None:
    data["endpoints"] = {}
    del data["schemas"]


CANARY = '__import__("pathlib").Path("RELAYGEN_PWNED_1").touch()'
# Text that would run if it escaped its string, docstring or comment.
BREAKOUT = 'x"""\n' + CANARY + "\n\"\"\"''' \\ end\""
# Every quote and delimiter an RFC 3986 URL may hold, arranged to close a string and call.
URL_BREAKOUT = "https://x.example/a');RELAYGEN_CANARY_1('#"


def _add_field(schema: str, name: str, field: dict[str, Any]) -> Edit:
    def edit(data: Any) -> None:
        data["schemas"][schema]["fields"][name] = field
    return edit


def _add_request_field(endpoint: str, name: str, field: dict[str, Any]) -> Edit:
    def edit(data: Any) -> None:
        data["endpoints"][endpoint]["request"]["fields"][name] = field
    return edit


def _both(*edits: Edit) -> Edit:
    def edit(data: Any) -> None:
        for each in edits:
            each(data)
    return edit


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


_RESERVED = "which every generated method already uses"
_NOT_URL = "has the wrong form; expected an http(s) URL with a host"
_NOT_PATH = "has the wrong form; expected a path starting with '/'"
_CONTROL = "spec text may hold tabs and newlines but no other control characters"
_TAGS = "are not part of the spec language"


def _reserved_field(name: str) -> KnownCase:
    return KnownCase(f"request field named {name}", "api_generate", _add_field("GenerateBody", name, {"type": "string"}),
                     expect=((f"schemas.GenerateBody.fields.{name}", f"the Python argument '{name}', {_RESERVED}"),))


def _reserved_id_param(name: str) -> KnownCase:
    return KnownCase(f"polling id_param named {name}", "api_generate", _polled_parameter(name),
                     expect=((f"endpoints.get_result.request.fields.{name}", f"the Python argument '{name}'"),))


def _raw_control(label: str, char: str, code: str) -> KnownCase:
    return KnownCase(f"raw {label} character", "api_generate", text_edit=_replace('title: "API', f'title: "A{char}PI'),
                     expect=(("provider.title", f"contains the control character {code}"),))


def _deep(depth: int) -> KnownCase:
    return KnownCase(f"nesting {depth} deep", "api_generate",
                     text_edit=_replace("spec_version: 1", "spec_version: " + "[" * depth + "]" * depth),
                     expect=(("spec_version" + "[0]" * 63, "nests deeper than 64 levels"),))


KNOWN_CASES: tuple[KnownCase, ...] = (
    # -- spec text that tried to become code: rejected where the grammar forbids it, escaped where it allows it
    KnownCase("base_url.default breaks out of the Client docstring", "api_generate",
              _set("base_url", "default", f'https://x""";{CANARY};"""'), expect=(("base_url.default", _NOT_URL),)),
    KnownCase("base_url.default with every quote a URL allows", "api_generate", _set("base_url", "default", URL_BREAKOUT)),
    KnownCase("provider.title breaks out of a docstring", "api_generate",
              _set("provider", "title", 'x"""; RELAYGEN_CANARY_1(); """')),
    KnownCase("provider and endpoint text everywhere", "api_generate",
              _both(_set("provider", "title", BREAKOUT), _set("provider", "description", BREAKOUT),
                    _set("base_url", "note", BREAKOUT), _set("endpoints", "generate", "description", BREAKOUT),
                    _set("enums", "ImageSize", "description", BREAKOUT))),
    KnownCase("rule values break out of a bases.py comment", "api_generate",
              _set("schemas", "GenerateBody", "rules", 1, "values", ["1:4", f"1:9\n{CANARY}"])),
    KnownCase("when.in values break out of a bases.py comment", "image_tasks",
              _set("schemas", "ImageRequest", "rules", 3, "when", "in", [f"image2image\n{CANARY}"])),
    KnownCase("body and query field names in method docstrings", "api_generate",
              _both(_add_field("GenerateBody", f'seed"""\n{CANARY}', {"type": "string"}),
                    _add_request_field("get_result", f'lang"""\n{CANARY}', {"type": "string", "in": "query"}))),
    KnownCase("header field name in a method docstring", "api_generate",
              _add_request_field("get_result", 'X-Trace"""', {"type": "string", "in": "header"}),
              expect=(('endpoints.get_result.request.fields.X-Trace"""', "must be a header name"),)),
    KnownCase("endpoint path in a method docstring", "api_generate",
              _set("endpoints", "get_result", "path", f'/v1/api/result"""{CANARY}'),
              expect=(("endpoints.get_result.path", _NOT_PATH),)),
    KnownCase("backslashes in source_doc", "api_generate", _set("provider", "source_doc", "C:\\Users\\new\\doc.txt")),
    KnownCase("description ending in a quote", "api_generate", _set("endpoints", "generate", "summary", 'say "hi"')),
    KnownCase("description holding triple quotes", "api_generate",
              _set("schemas", "GenerateBody", "fields", "prompt", "description", "a \"\"\" b ''' c\\")),
    KnownCase("NUL written as an escape", "api_generate",
              text_edit=_replace('title: "API Generate relay', 'title: "API\\0 Generate relay'),
              expect=(("provider.title", f"contains the control character U+0000 (NUL); {_CONTROL}"),)),
    # -- names that would not compile, or would hide what the generated code uses
    *(_reserved_field(name) for name in ("deadline", "on_progress", "models", "build_request")),
    KnownCase("request field named timeout, renamed with python_name", "api_generate",
              _add_field("GenerateBody", "timeout", {"type": "integer", "python_name": "relay_timeout"})),
    *(_reserved_id_param(name) for name in ("self", "timeout", "poll_interval")),
    KnownCase("polling id_param in camelCase", "api_generate", _polled_parameter("taskId")),
    KnownCase("enum named None", "api_generate", _rename(("enums",), "ImageSize", "None"),
              expect=(("enums.None", "enum name 'None' is a Python keyword"),)),
    KnownCase("enum named True", "api_generate", _rename(("enums",), "ImageSize", "True"),
              expect=(("enums.True", "enum name 'True' is a Python keyword"),)),
    KnownCase("enum named Size", "api_generate", _rename(("enums",), "ImageSize", "Size"),
              expect=(("enums.Size", "becomes the catalog type alias 'Size'"),)),
    KnownCase("enum named SizeTable", "api_generate", _rename(("enums",), "ImageSize", "SizeTable"),
              expect=(("enums.SizeTable", "becomes the catalog type alias 'SizeTable'"),)),
    KnownCase("provider id errors", "api_generate", _set("provider", "id", "errors"), file_stem="errors",
              expect=(("provider.id", "provider id 'errors' is reserved"),)),
    KnownCase("provider id is a keyword", "api_generate", _set("provider", "id", "class"), file_stem="class",
              expect=(("provider.id", "provider id 'class' is a Python keyword"),)),
    KnownCase("endpoint named with a keyword", "api_generate", _rename(("endpoints",), "get_result", "import"),
              expect=(("endpoints.import", "endpoint name 'import' is a Python keyword"),)),
    KnownCase("empty enum", "api_generate", _set("enums", "ImageSize", "values", []),
              expect=(("enums.ImageSize.values", "at least 1 item"),)),
    KnownCase("invalid pattern", "api_generate", _set("schemas", "TaskResult", "fields", "error", "pattern", "("),
              expect=(("schemas.TaskResult.fields.error.pattern", "unclosed group"),)),
    KnownCase("negative min_items", "api_generate", _set("schemas", "GenerateBody", "fields", "images", "min_items", -5),
              expect=(("schemas.GenerateBody.fields.images.min_items", "greater than or equal to 0"),)),
    KnownCase("schema named BaseModel", "api_generate", _rename(("schemas",), "TaskResult", "BaseModel"),
              expect=(("schemas.BaseModel", "model class name 'BaseModel' is already a name models.py"),)),
    KnownCase("two nested objects with one title", "api_generate",
              lambda data: data["schemas"]["TaskResult"]["fields"].__setitem__(
                  "results_", copy.deepcopy(data["schemas"]["TaskResult"]["fields"]["results"])),
              expect=(("schemas.TaskResult.fields.results_.items", "model class name 'TaskOutput' is already used"),)),
    KnownCase("reply field twin of a runtime member (images/Images)", "fal_queue", _add_fields("FluxOutput", "Images")),
    KnownCase("reply field X_ beside runtime member X (to_wire_)", "api_generate",
              _add_fields("TaskResult", "to_wire", "to_wire_")),
    KnownCase("no schemas and no endpoints", "api_generate", _no_models,
              expect=(("endpoints", "a spec needs at least one endpoint"),)),
    KnownCase("required: 'yes' is not coerced", "api_generate",
              _set("schemas", "GenerateBody", "fields", "prompt", "required", "yes"),
              expect=(("schemas.GenerateBody.fields.prompt.required", "expected true or false, got 'yes'"),)),
    # -- every problem at once: a shape error or a class-name clash does not hide a semantic error elsewhere
    KnownCase("shape and semantic errors together", "api_generate",
              _both(_set("schemas", "GenerateBody", "fields", "prompt", "required", "yes"),
                    _set("endpoints", "submit", "polling", "get", "get_results")),
              expect=(("schemas.GenerateBody.fields.prompt.required", "expected true or false"),
                      ("endpoints.submit.polling.get", "endpoint 'get_results' is not defined"))),
    KnownCase("class-name clash reported with semantic errors", "api_generate",
              _both(_rename(("schemas",), "TaskResult", "RelayModel"),
                    _set("endpoints", "submit", "polling", "get", "get_results")),
              expect=(("schemas.RelayModel", "is already a name models.py"),
                      ("endpoints.submit.polling.get", "endpoint 'get_results' is not defined"))),
    # -- YAML that crashed or hung the loader
    KnownCase("YAML tag !foo", "api_generate", text_edit=_replace("scheme: bearer", "scheme: !foo bearer"),
              expect=(("auth.scheme", _TAGS),)),
    KnownCase("YAML tag !!int one", "gemini_jobs", text_edit=_replace("spec_version: 1", "spec_version: !!int one"),
              expect=(("spec_version", _TAGS),)),
    KnownCase("YAML tag !!set", "api_generate", text_edit=_replace("scheme: bearer", "scheme: !!set {a, b}"),
              expect=(("auth.scheme", _TAGS),)),
    KnownCase("YAML tag !!binary", "api_generate", text_edit=_replace("scheme: bearer", "scheme: !!binary aGk="),
              expect=(("auth.scheme", _TAGS),)),
    KnownCase("merge key", "api_generate", text_edit=_replace("auth:\n", "auth:\n  <<: {name: x}\n"),
              expect=(("auth", "merge keys (<<) are not supported"),)),
    KnownCase("unquoted date as provider id", "api_generate", text_edit=_replace("id: api_generate", "id: 2024-05-01"),
              expect=(("provider.id", "an unquoted date"),)),
    _raw_control("NUL", "\x00", "U+0000 (NUL)"),
    _raw_control("BEL", "\x07", "U+0007 (BEL)"),
    _raw_control("ESC", "\x1b", "U+001B (ESC)"),
    KnownCase("lone surrogate", "api_generate", text_edit=_replace('title: "API Generate relay', 'title: "API \\ud800'),
              expect=(("provider.title", "U+D800"),)),
    KnownCase("5,000-digit integer", "api_generate", text_edit=_replace("spec_version: 1", "spec_version: " + "9" * 5000),
              expect=(("spec_version", "is outside the range"),)),
    KnownCase(".inf in fixed", "api_generate", text_edit=_replace("{replyType: json}", "{replyType: .inf}"),
              expect=(("endpoints.generate.request.fixed.replyType", "is not a finite number"),)),
    KnownCase("recursive alias", "api_generate", text_edit=_replace("scheme: bearer", "scheme: &loop [x, *loop]"),
              expect=(("auth.scheme[1]", "a recursive alias"),)),
    _deep(300),
    _deep(1000),
    KnownCase("billion laughs", "api_generate", text_edit=_text("billion_laughs"),
              expect=(("lol4[7]", "takes the spec past 100,000 values"),)),
)


def known_mutants() -> list[tuple[str, Mutant]]:
    bases = load_bases()
    return [(case.name, case.mutant(bases)) for case in KNOWN_CASES]
