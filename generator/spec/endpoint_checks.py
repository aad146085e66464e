"""Checks for one endpoint: request shape, path parameters, fixed values, polling, examples."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from generator.spec.canonical_checks import check_canonical
from generator.spec.fieldpaths import resolve_field_path
from generator.spec.loader import PathKey
from generator.spec.name_checks import check_argument_names
from generator.spec.schema import EndpointSpec, FieldSpec
from generator.spec.values import yaml_text

if TYPE_CHECKING:
    from generator.spec.validate import SpecChecker

# "{name}" or "{name:kind}"; the only kind is "path" (a value that may contain '/').
_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
PATH_PARAM_KINDS = ("path",)

def request_fields(spec_fields: Mapping[str, FieldSpec] | None, schema_fields: Mapping[str, FieldSpec] | None
                   ) -> Mapping[str, FieldSpec]:
    """The top-level fields of a request, inline or from its schema."""
    return spec_fields if spec_fields is not None else (schema_fields or {})


class EndpointChecker:
    def __init__(self, checker: SpecChecker, path: PathKey, name: str, endpoint: EndpointSpec) -> None:
        self.checker = checker
        self.spec = checker.spec
        self.path = path
        self.name = name
        self.endpoint = endpoint
        schema = self.spec.schemas.get(endpoint.request.schema_ref or "")
        self.fields = request_fields(endpoint.request.fields, schema.fields if schema else None)
        # The request schema's shape is broken: its fields are unknown, so checks that need them wait.
        self.fields_known = endpoint.request.schema_ref is None or schema is not None

    def error(self, path: PathKey, message: str) -> None:
        self.checker.error(path, message)

    def run(self) -> None:
        self._check_request()
        if self.fields_known:
            self._check_path_params()
            self._check_fixed()
            self._check_body_kind()
            self._check_examples()
            if self.endpoint.canonical is not None:
                check_canonical(self, self.endpoint.canonical)
        self._check_response()
        if self.endpoint.polling is not None:
            self._check_polling()

    def _check_request(self) -> None:
        request = self.endpoint.request
        where = (*self.path, "request")
        if request.schema_ref is not None and request.fields is not None:
            self.error(where, "a request takes either 'schema' or 'fields', not both")
        if request.schema_ref is not None and request.schema_ref not in self.spec.schemas:
            self.checker.unknown_schema((*where, "schema"), request.schema_ref)
        if request.fields is not None:
            self.checker.check_fields((*where, "fields"), request.fields, top_level=True)
            check_argument_names(self.checker, (*where, "fields"), request.fields)
        if self.fields_known:
            self.checker.check_rules((*where, "rules"), request.rules, self.checker.lookup(self.fields))

    def _check_path_params(self) -> None:
        placeholders = _PATH_PARAM.findall(self.endpoint.path)
        for name, kind in placeholders:
            if kind and kind not in PATH_PARAM_KINDS:
                self.error((*self.path, "path"), f"'{{{name}:{kind}}}' has an unknown kind '{kind}'; write "
                           f"'{{{name}}}' for one path segment or '{{{name}:path}}' for a value that may contain '/'")
        in_path = {name for name, _ in placeholders}
        declared = {name for name, field in self.fields.items() if field.location == "path"}
        for missing in sorted(in_path - declared):
            self.error((*self.path, "path"), f"path parameter '{{{missing}}}' has no request field with 'in: path'")
        for extra in sorted(declared - in_path):
            self.error((*self.path, "path"), f"field '{extra}' is 'in: path' but '{{{extra}}}' is not in the path")

    def _check_fixed(self) -> None:
        for key, value in self.endpoint.request.fixed.items():
            where = (*self.path, "request", "fixed", key)
            field = self.fields.get(key)
            if field is None:
                known = ", ".join(sorted(self.fields)) or "none"
                self.checker.error_at_key(where, f"fixed value for '{key}', which is not a request field "
                                          f"(fields: {known})")
                continue
            problem = self.checker.literal_problem(field, value)
            if problem:
                self.error(where, f"fixed value {yaml_text(value)} for '{key}' {problem}")

    def _check_body_kind(self) -> None:
        body = self.endpoint.request.body
        has_files = any(field.type == "file" for field in self.fields.values())
        if has_files and body != "multipart":
            self.error((*self.path, "request"), "file fields need 'body: multipart'")
        body_fields = [name for name, field in self.fields.items() if field.location == "body"]
        if body == "none" and body_fields:
            self.error((*self.path, "request", "body"),
                       f"'body: none' but the request has body fields: {', '.join(sorted(body_fields))}")

    def _check_response(self) -> None:
        response = self.endpoint.response
        where = (*self.path, "response")
        if response.schema_ref not in self.spec.schemas:
            self.checker.unknown_schema((*where, "schema"), response.schema_ref)
        for key in ("stream_done", "stream_finish"):
            if getattr(response, key) is not None and response.kind != "sse":
                self.error((*where, key), f"'{key}' applies to 'kind: sse' responses only")
        schema = self.spec.schemas.get(response.schema_ref)
        if response.raise_task_failure and schema is not None and schema.task is None:
            self.error((*where, "raise_task_failure"), f"'raise_task_failure' needs the response schema "
                       f"'{response.schema_ref}' to declare its 'task' (status field and status enum)")
        if response.requires_image and schema is not None and schema.images is None:
            self.error((*where, "requires_image"), f"'requires_image' needs the response schema "
                       f"'{response.schema_ref}' to declare where its images are ('images: {{urls, inline}}')")
        files = sorted(name for name, field in schema.fields.items() if field.type == "file") if schema else []
        if files:
            self.error((*where, "schema"), f"response schema '{response.schema_ref}' has file fields "
                       f"({', '.join(files)}); 'type: file' is allowed only in multipart requests")
        if response.stream_finish is not None and schema is not None:
            problem = resolve_field_path(response.stream_finish, self.checker.lookup(schema.fields))
            if problem:
                self.error((*where, "stream_finish"), problem)

    def _known_endpoint(self, where: PathKey, name: str) -> EndpointSpec | None:
        """The endpoint ``name``; None (reported unless its own shape errors are) when it is not usable."""
        target = self.spec.endpoints.get(name)
        if target is None and not self.checker.unchecked.covers("endpoints", name):
            known = ", ".join(sorted(self.spec.endpoints))
            self.error(where, f"endpoint '{name}' is not defined (endpoints: {known})")
        return target

    def _fields_of(self, endpoint: EndpointSpec) -> Mapping[str, FieldSpec] | None:
        """An endpoint's request fields, or None when its request schema's shape is broken."""
        schema = self.spec.schemas.get(endpoint.request.schema_ref or "")
        if endpoint.request.schema_ref is not None and schema is None:
            return None
        return request_fields(endpoint.request.fields, schema.fields if schema else None)

    def _check_polling(self) -> None:
        polling = self.endpoint.polling
        assert polling is not None
        where = (*self.path, "polling")
        response_schema = self.spec.schemas.get(self.endpoint.response.schema_ref)
        if response_schema is not None:
            problem = resolve_field_path(polling.id_from, self.checker.lookup(response_schema.fields))
            if problem:
                self.error((*where, "id_from"), problem)
        target = self._known_endpoint((*where, "get"), polling.get)
        if target is None:
            return
        polled = self.spec.schemas.get(target.response.schema_ref)
        if polled is not None and polled.task is None:
            self.error((*where, "get"), f"the response schema '{target.response.schema_ref}' of '{polling.get}' "
                       "declares no 'task' (status field and status enum), so it cannot be polled")
        target_fields = self._fields_of(target)
        if target_fields is not None:
            if polling.id_param not in target_fields:
                known = ", ".join(sorted(target_fields)) or "none"
                self.error((*where, "id_param"), f"'{polling.id_param}' is not a request field of '{polling.get}' "
                           f"(fields: {known})")
            else:
                self._check_id_only((*where, "get"), polling.get, target_fields, polling.id_param)
        if polling.result is not None:
            self._check_result_step((*where, "result"), polling.result, polling.id_param)

    def _check_result_step(self, where: PathKey, name: str, id_param: str) -> None:
        """The result endpoint is called with the task id alone and must answer JSON."""
        target = self._known_endpoint(where, name)
        if target is None:
            return
        if target.response.kind != "json":
            self.error(where, f"the result endpoint '{name}' must answer 'kind: json', not '{target.response.kind}'")
        fields = self._fields_of(target)
        if fields is None:
            return
        if id_param not in fields:
            known = ", ".join(sorted(fields)) or "none"
            self.error(where, f"the result endpoint '{name}' takes no '{id_param}' (the polling id_param); "
                       f"its fields: {known}")
        else:
            self._check_id_only(where, name, fields, id_param)

    def _check_id_only(self, where: PathKey, name: str, fields: Mapping[str, FieldSpec], id_param: str) -> None:
        # Waiting calls the endpoint with the task id only; another required argument could never be given.
        fixed = self.spec.endpoints[name].request.fixed
        if id_param in fixed:
            self.error(where, f"'{name}' has a fixed value for '{id_param}', so waiting could not pass the task id "
                       "to it; remove it from 'fixed'")
        others = sorted(key for key, field in fields.items()
                        if (field.required or field.location == "path") and key != id_param and key not in fixed)
        if others:
            self.error(where, f"'{name}' also requires {', '.join(others)}, which waiting cannot supply "
                       f"(it passes only '{id_param}'); make them optional or fixed")

    def _check_examples(self) -> None:
        by_location: dict[str, set[str]] = {"body": set(), "path": set(), "query": set(), "header": set()}
        for name, field in self.fields.items():
            by_location[field.location].add(name)
        for index, example in enumerate(self.endpoint.examples):
            where = (*self.path, "examples", index, "request")
            self._unknown_keys((*where, "path"), example.request.path, by_location["path"])
            self._unknown_keys((*where, "query"), example.request.query, by_location["query"])
            body = example.request.json_body if example.request.json_body is not None else example.request.form
            if isinstance(body, dict):
                self._unknown_keys((*where, "json"), body, by_location["body"])
            response = example.response
            if response is not None and response.json_body is None and response.sse is None:
                self.error((*self.path, "examples", index, "response"), "an example response needs 'json' or 'sse'")

    def _unknown_keys(self, where: PathKey, given: Mapping[str, object], allowed: set[str]) -> None:
        for key in given:
            if key not in allowed:
                known = ", ".join(sorted(allowed)) or "none"
                self.checker.error_at_key((*where, key), f"example sends '{key}', which is not a request field here "
                                          f"(fields: {known})")
