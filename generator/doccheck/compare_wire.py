"""Doc facts about the wire against the spec: endpoint lines, curl commands, JSON examples
and request field tables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.doccheck.doc_facts import EndpointLine, FieldRow
from generator.doccheck.doc_text import CurlCall, DocJson, DocText, url_path
from generator.doccheck.examples import ExampleJudge, Problem, endpoints_at, fits_fixed, request_keys
from generator.doccheck.findings import Finding
from generator.doccheck.spec_places import SpecUnderCheck
from generator.ir.nodes import ClassIR, EndpointIR, FieldIR

# An object is taken for an endpoint's request or reply when this share of its keys match.
_MATCHING_SHARE = 0.5


@dataclass(frozen=True)
class PlacedExample:
    """A JSON example tied to the endpoint it is for, or None when nothing in the spec fits it."""

    example: DocJson
    endpoint: EndpointIR
    role: str
    path_values: dict[str, str]


class WireCheck:
    def __init__(self, doc: DocText, target: SpecUnderCheck) -> None:
        self.doc = doc
        self.target = target
        self.judge = ExampleJudge(target.ir)

    # -- endpoints --------------------------------------------------------------------------------
    def endpoint_findings(self, lines: list[EndpointLine], calls: list[CurlCall]) -> Iterator[Finding]:
        seen = [(line.line, line.method, line.path) for line in lines]
        seen += [(call.line, call.method, url_path(call.url)) for call in calls]
        for number, method, path in seen:
            if not endpoints_at(self.target.ir, method, path):
                yield Finding(number, self.target.mark("endpoints"), f"endpoint-unknown {method} {path}",
                              f"{method} {path} is not an endpoint of the spec")

    def nearest_endpoint(self, line: int, lines: list[EndpointLine]) -> EndpointIR | None:
        """The endpoint of the closest endpoint line above ``line`` (field tables sit under one)."""
        for item in sorted(lines, key=lambda e: e.line, reverse=True):
            if item.line <= line and (found := endpoints_at(self.target.ir, item.method, item.path)):
                return found[0][0]
        return None

    # -- examples ---------------------------------------------------------------------------------
    def place_calls(self, calls: list[CurlCall]) -> Iterator[PlacedExample]:
        for call in calls:
            if call.body is None:
                continue
            candidates = endpoints_at(self.target.ir, call.method, url_path(call.url))
            fitting = [pair for pair in candidates if fits_fixed(pair[0], call.body.value)] or candidates
            if fitting:
                yield PlacedExample(call.body, fitting[0][0], "request", fitting[0][1])

    def place_objects(self, objects: list[DocJson]) -> Iterator[PlacedExample]:
        for example in objects:
            best: tuple[float, int, EndpointIR, str] | None = None
            for order, endpoint in enumerate(self.target.ir.endpoints):
                for role, keys in (("request", request_keys(endpoint)), ("reply", self._reply_keys(endpoint))):
                    matched = len(set(example.value) & keys) / len(example.value)
                    fits = role == "reply" or fits_fixed(endpoint, example.value)
                    if fits and matched >= _MATCHING_SHARE and (best is None or matched > best[0]):
                        best = (matched, order, endpoint, role)
            if best is not None:
                yield PlacedExample(example, best[2], best[3], {})

    def _reply_keys(self, endpoint: EndpointIR) -> set[str]:
        cls = self.judge.reply_class(endpoint)
        keys = {name for field in cls.fields for name in (field.wire_name, *field.aliases)} if cls else set()
        if endpoint.envelope is not None:
            keys |= {endpoint.envelope.data.split(".")[0], endpoint.envelope.code or "", endpoint.envelope.message or ""}
        return keys

    def example_findings(self, placed: list[PlacedExample]) -> Iterator[Finding]:
        for item in placed:
            body = item.example.value
            if item.role == "request":
                problems = self.judge.request(item.endpoint, body, item.path_values)
            else:
                problems = self.judge.reply(item.endpoint, body)
            for problem in problems:
                yield self._finding(item, problem)

    def _finding(self, item: PlacedExample, problem: Problem) -> Finding:
        line = self.doc.line_of_key(problem.key, item.example.line, item.example.end_line)
        where = ("request",) if item.role == "request" else ("response",)
        what = "request" if item.role == "request" else "reply"
        return Finding(line, self.target.mark("endpoints", item.endpoint.name, *where),
                       f"{problem.kind} {problem.subject}", f"{item.endpoint.name} {what} example: {problem.message}")

    def model_values(self, placed: list[PlacedExample]) -> Iterator[tuple[int, str]]:
        """Model ids the examples send, in the body or the path, with their lines."""
        for item in placed:
            if item.role != "request":
                continue
            field = item.endpoint.model_field
            value: Any = item.example.value.get(field) if field else item.path_values.get("model")
            if field and value is None:
                value = item.path_values.get(field)
            if isinstance(value, str):
                line = self.doc.line_of_key(field, item.example.line, item.example.end_line) if field and \
                    field in item.example.value else item.example.curl_line or item.example.line
                yield line, value

    # -- query parameters and field tables --------------------------------------------------------
    def query_findings(self, calls: list[CurlCall]) -> Iterator[Finding]:
        auth = self.target.ir.auth
        for call in calls:
            for endpoint, _ in endpoints_at(self.target.ir, call.method, url_path(call.url))[:1]:
                known = set(endpoint.query_params) | ({auth.name} if auth.kind == "query" else set())
                for key, _ in call.query:
                    if key not in known:
                        yield Finding(call.line, self.target.mark("endpoints", endpoint.name, "request"),
                                      f"field-unknown {endpoint.name} {key}",
                                      f"query parameter '{key}' of {endpoint.name} is not in the spec")

    def field_findings(self, rows: list[FieldRow], lines: list[EndpointLine]) -> Iterator[Finding]:
        paths, leaves = self._request_fields()
        for row in rows:
            dotted = ("." in row.path or "[" in row.path) and not row.nested
            leaf = row.path.split(".")[-1]
            known = row.path in paths if dotted else leaf in leaves
            fields = [paths[row.path]] if dotted and known else leaves.get(leaf, [])
            endpoint = self.nearest_endpoint(row.line, lines)
            name = endpoint.name if endpoint else None
            mark = self.target.field_mark(row.path, name) if known else self.target.request_mark(name)
            if not known:
                yield Finding(row.line, mark, f"field-unknown {row.path}", f"request field '{row.path}' is not in the spec")
                continue
            flags = {field.required for field in fields}
            if row.required is None or len(flags) != 1 or row.required in flags:
                continue
            said, spec = ("required", "optional") if row.required else ("optional", "required")
            yield Finding(row.line, mark, f"field-{spec} {row.path}",
                          f"the doc marks request field '{row.path}' {said}; the spec makes it {spec}")

    def _request_fields(self) -> tuple[dict[str, FieldIR], dict[str, list[FieldIR]]]:
        """Every request field by wire path (``a.b``, ``a[]``, ``a[].b``) and by name; fixed values
        and file fields are names with no field behind them (the SDK sends them itself)."""
        classes = {cls.name: cls for cls in self.target.ir.classes}
        paths: dict[str, FieldIR] = {}
        leaves: dict[str, list[FieldIR]] = {}
        for endpoint in self.target.ir.endpoints:
            for name in (*(fixed.wire_name for fixed in endpoint.fixed), *endpoint.file_fields):
                leaves.setdefault(name, [])
            for field in endpoint.params:
                _walk_field(field, field.wire_name, classes, paths, leaves, depth=0)
        return paths, leaves


def _walk_field(field: FieldIR, path: str, classes: dict[str, ClassIR], paths: dict[str, FieldIR],
                leaves: dict[str, list[FieldIR]], depth: int) -> None:
    for name in (field.wire_name, *field.aliases):
        leaves.setdefault(name, []).append(field)
    paths.setdefault(path, field)
    if depth > 12:  # recursive schemas: a doc table never goes this deep
        return
    pending = [(field.type, path)]
    while pending:
        type_ir, where = pending.pop()
        if type_ir.item is not None:
            paths.setdefault(f"{where}[]", field)
            pending.append((type_ir.item, f"{where}[]"))
        pending += [(variant, where) for variant in type_ir.variants]
        cls = classes.get(type_ir.class_name or "")
        for inner in cls.fields if cls is not None else ():
            for name in (inner.wire_name, *inner.aliases):
                _walk_field(inner, f"{where}.{name}", classes, paths, leaves, depth + 1)
