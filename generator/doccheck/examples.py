"""A doc's JSON example against the spec: which endpoint it belongs to, and what the
spec's models and rules make of it (unknown request fields, wrong types, values outside
an enum, missing required fields, broken rules, task statuses the spec does not know)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from generator.doccheck.runtime_rules import broken_rules
from generator.ir.nodes import ClassIR, EndpointIR, FieldIR, ProviderIR, TypeIR

Role = Literal["request", "reply"]
_MAX_DEPTH = 64
_KIND_CHECKS: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,), "map": (dict,),
}


@dataclass(frozen=True)
class Problem:
    """What the spec makes of one part of an example; ``subject`` keys the finding."""

    kind: Literal["field-unknown", "example-rejected", "value-unknown", "status-unknown"]
    subject: str
    # The example's wire key the problem is at, to find its line in the doc.
    key: str
    message: str


def path_regex(path: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """A doc URL path ending in the endpoint's path, and the parameter each group captures
    (groups are numbered: a spec's parameter names are not regex group names)."""
    pattern, names = "", []
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            name, _, kind = part[1:-1].partition(":")
            names.append(name)
            pattern += "(.+)" if kind == "path" else "([^/]+)"
        else:
            pattern += re.escape(part)
    return re.compile(f"{pattern}$"), tuple(names)


def endpoints_at(provider: ProviderIR, method: str, url_path: str) -> list[tuple[EndpointIR, dict[str, str]]]:
    """Endpoints the doc's ``method url_path`` may be, with the path parameter values it carries."""
    found = []
    for endpoint in provider.endpoints:
        regex, names = path_regex(endpoint.path)
        match = regex.search(url_path) if endpoint.http_method == method else None
        if match:
            found.append((endpoint, {name: value for name, value in zip(names, match.groups())
                                     if not value.startswith("{")}))
    return found


def request_keys(endpoint: EndpointIR) -> set[str]:
    body = [field for field in endpoint.params if field.location == "body"]
    return {name for field in body for name in (field.wire_name, *field.aliases)} | {f.wire_name for f in endpoint.fixed}


def fits_fixed(endpoint: EndpointIR, body: dict[str, Any]) -> bool:
    return all(body.get(fixed.wire_name, fixed.value) == fixed.value for fixed in endpoint.fixed)


class ExampleJudge:
    """Checks examples against one provider's IR."""

    def __init__(self, provider: ProviderIR) -> None:
        self.provider = provider
        self.classes = {cls.name: cls for cls in provider.classes}

    def reply_class(self, endpoint: EndpointIR) -> ClassIR | None:
        return self.classes.get(endpoint.response_class)

    def unwrap(self, endpoint: EndpointIR, body: dict[str, Any]) -> Any:
        """The reply inside the endpoint's envelope (``{"code", "data": {...}}``), if it has one."""
        if endpoint.envelope is None:
            return body
        value: Any = body
        for step in endpoint.envelope.data.split("."):
            value = value.get(step) if isinstance(value, dict) else None
        return value if isinstance(value, dict) else body

    def request(self, endpoint: EndpointIR, body: dict[str, Any], path_values: dict[str, str]) -> list[Problem]:
        problems: list[Problem] = []
        fixed = {item.wire_name: item.value for item in endpoint.fixed}
        params = [field for field in endpoint.params if field.location == "body"]
        for key, value in body.items():
            if key in fixed:
                if value != fixed[key]:
                    problems.append(Problem("example-rejected", f"{endpoint.name} {key}", key,
                                            f"sends {key}={value!r}; the spec fixes it to {fixed[key]!r} here"))
                continue
            field = _field_named(params, key)
            if field is None:
                problems.append(Problem("field-unknown", f"{endpoint.name} {key}", key,
                                        f"request field '{key}' is not in the spec's {endpoint.name} request"))
                continue
            problems += self._value(field.type, value, key, "request", endpoint, field.known_values)
        problems += [Problem("example-rejected", f"{endpoint.name} {field.wire_name}", field.wire_name,
                             f"leaves out '{field.wire_name}', which the spec requires")
                     for field in params if field.required and not _given(body, field)]
        wire = {**body, **path_values}
        problems += [Problem("example-rejected", f"{endpoint.name} {rule.fields[0]}", rule.fields[0].split(".")[0],
                             f"breaks the spec's rule: {message}")
                     for rule, message in broken_rules(wire, self._rules(endpoint))]
        return problems

    def reply(self, endpoint: EndpointIR, body: dict[str, Any]) -> list[Problem]:
        cls = self.reply_class(endpoint)
        if cls is None:
            return []
        return list(self._object(cls, self.unwrap(endpoint, body), "", "reply", endpoint))

    def _rules(self, endpoint: EndpointIR) -> tuple[Any, ...]:
        request = self.classes.get(endpoint.request_class or "")
        return endpoint.rules + (request.rules if request is not None else ())

    def _object(self, cls: ClassIR, value: dict[str, Any], prefix: str, role: Role,
                endpoint: EndpointIR) -> Iterator[Problem]:
        task = cls.task
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            field = _field_named(cls.fields, key)
            if field is None:
                if role == "request":
                    yield Problem("field-unknown", f"{endpoint.name} {path}", key,
                                  f"request field '{path}' is not in the spec's {endpoint.name} request")
                continue
            if task is not None and key == task.status_field and item not in task.known and isinstance(item, str):
                yield Problem("status-unknown", f"{endpoint.name} {item}", key,
                              f"task status {item!r} is not one the spec knows ({', '.join(task.known)})")
                continue
            yield from self._value(field.type, item, path, role, endpoint, field.known_values)
        if role == "request":
            yield from (Problem("example-rejected", f"{endpoint.name} {prefix}.{field.wire_name}", prefix.split(".")[-1],
                                f"'{prefix}' leaves out '{field.wire_name}', which the spec requires")
                        for field in cls.fields if field.required and not _given(value, field))
            yield from (Problem("example-rejected", f"{endpoint.name} {prefix}.{rule.fields[0]}", prefix.split(".")[-1],
                                f"'{prefix}' breaks the spec's rule: {message}")
                        for rule, message in broken_rules(value, cls.rules))

    def _value(self, type_ir: TypeIR, value: Any, path: str, role: Role, endpoint: EndpointIR,
               known: tuple[str, ...] = ()) -> list[Problem]:
        key = path.split(".")[-1].removesuffix("[]")
        # A recursive schema meets a deeply nested example: no doc example is this deep.
        if value is None or type_ir.kind in ("any", "file") or path.count(".") + path.count("[]") > _MAX_DEPTH:
            return []
        if type_ir.kind == "union":
            tries = [self._value(variant, value, path, role, endpoint) for variant in type_ir.variants]
            return [] if not tries or any(not found for found in tries) else tries[0]
        expected = _KIND_CHECKS.get(type_ir.kind, ())
        wrong_bool = isinstance(value, bool) and type_ir.kind in ("integer", "number")
        if expected and (not isinstance(value, expected) or wrong_bool):
            return [Problem("example-rejected", f"{endpoint.name} {path}", key,
                            f"'{path}' is {type(value).__name__} {_short(value)}; the spec expects {type_ir.kind}")]
        if type_ir.values and not type_ir.model and value not in type_ir.values:
            allowed = ", ".join(str(v) for v in type_ir.values)
            return [Problem("example-rejected", f"{endpoint.name} {path}={value}", key,
                            f"'{path}' is {_short(value)}, which the spec does not allow (allowed: {allowed})")]
        # Model ids are the catalog check's: an id known by pattern only is no news.
        if known and not type_ir.model and isinstance(value, str) and value not in known:
            return [Problem("value-unknown", f"{endpoint.name} {path}={value}", key,
                            f"'{path}' is {_short(value)}, not one of the values the spec knows "
                            f"({', '.join(known)}); the SDK sends it with a warning")]
        if type_ir.kind == "array" and type_ir.item is not None:
            return [p for item in value for p in self._value(type_ir.item, item, f"{path}[]", role, endpoint)]
        if type_ir.kind == "object" and type_ir.class_name in self.classes:
            return list(self._object(self.classes[type_ir.class_name], value, path, role, endpoint))
        return []


def _field_named(fields: tuple[FieldIR, ...] | list[FieldIR], key: str) -> FieldIR | None:
    return next((field for field in fields if key == field.wire_name or key in field.aliases), None)


def _given(body: dict[str, Any], field: FieldIR) -> bool:
    return any(name in body for name in (field.wire_name, *field.aliases))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
