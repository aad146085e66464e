"""Differences between two versions of a provider's client methods.

Methods sharing a request model change together; identical changes of several
methods are reported once, e.g. ``api_generate.{generate,submit}(prompt)``.
"""

from __future__ import annotations

from dataclasses import replace

from generator.ir.nodes import EndpointIR, EnvelopeIR, PollingIR, ProviderIR
from generator.report.canonical import canonical_changes
from generator.report.changes import Change, Direction, Severity, method_group, shown
from generator.report.fields import FieldScope, field_list_changes, wire_renames
from generator.report.images import differing
from generator.report.renames import NO_RENAMES, SymbolRenames
from generator.report.rules import rule_changes

_INPUT: frozenset[Direction] = frozenset({"input"})


def _request_line(endpoint: EndpointIR) -> str:
    return f"{endpoint.http_method} {endpoint.path}"


def endpoint_changes(old: ProviderIR, new: ProviderIR, renames: SymbolRenames = NO_RENAMES) -> list[Change]:
    pid = new.id
    old_by = {endpoint.name: endpoint for endpoint in old.endpoints}
    new_by = {endpoint.name: endpoint for endpoint in new.endpoints}
    changes = []
    for endpoint in old.endpoints:
        if endpoint.name not in new_by:
            changes += _whole_method(pid, endpoint, "removed")
    for endpoint in new.endpoints:
        if endpoint.name not in old_by:
            changes += _whole_method(pid, endpoint, "added")
    kept = [(old_by[endpoint.name], endpoint) for endpoint in new.endpoints if endpoint.name in old_by]
    located = [(after.name, change) for before, after in kept for change in _method_changes(pid, before, after, renames)]
    waits = [change for before, after in kept
             for change in _polling_changes(pid, before.polling, after.polling, renames)]
    return changes + fold_methods(pid, located) + waits


def _whole_method(pid: str, endpoint: EndpointIR, how: str) -> list[Change]:
    """A method (and its wait helper) added or removed."""
    removed = how == "removed"
    severity: Severity = "breaking" if removed else "non-breaking"
    line = _request_line(endpoint)
    changes = [Change(pid, f"{pid}.{endpoint.name}", f"method {how}", severity,
                      line if removed else "", "" if removed else line)]
    if endpoint.polling is not None:
        text = _polling(endpoint.polling)
        changes.append(Change(pid, f"{pid}.{endpoint.polling.wait_method}", f"method {how}", severity,
                              text if removed else "", "" if removed else text))
    return changes


def fold_methods(pid: str, located: list[tuple[str, Change]]) -> list[Change]:
    """Merge changes that differ only by method; locations are suffixes of the method name."""
    methods: dict[Change, list[str]] = {}
    for name, change in located:
        methods.setdefault(change, []).append(name)
    folded = []
    for change, names in methods.items():
        folded.append(Change(pid, f"{pid}.{method_group(names)}{change.location}", change.what, change.severity,
                             change.old, change.new))
    return folded


def _method_changes(pid: str, old: EndpointIR, new: EndpointIR, renames: SymbolRenames) -> list[Change]:
    """One method's changes, located relative to it (``(param)``, `` rule ...`` or nothing)."""
    changes = []
    if _request_line(old) != _request_line(new):
        changes.append(Change(pid, "", "request line changed", "attention", _request_line(old), _request_line(new)))
    scope = FieldScope(pid, "({name})", "", "parameter", _INPUT, renames)
    changes += field_list_changes(scope, old.params, new.params)
    changes += _fixed_changes(pid, old, new)
    changes += _reply_changes(pid, old, new, renames)
    changes += canonical_changes(pid, old.canonical, new.canonical)
    arguments = {param.wire_name: param.param_name for param in (*old.params, *new.params)}
    changes += rule_changes(pid, old.rules, new.rules, wire_renames(old.params, new.params), arguments)
    for what, before, after in (("summary", old.summary, new.summary),
                                ("description", old.description, new.description)):
        if before != after:
            changes.append(Change(pid, "", f"{what} changed", "docs"))
    if old.examples != new.examples:
        changes.append(Change(pid, "", "examples changed", "docs"))
    return changes


def _fixed_changes(pid: str, old: EndpointIR, new: EndpointIR) -> list[Change]:
    """Values the method always sends; users cannot set them, but the server sees them."""
    before = {item.wire_name: item.value_repr for item in old.fixed}
    after = {item.wire_name: item.value_repr for item in new.fixed}
    changes = []
    # A fixed field gone and another sending the same value new: the relay renamed it.
    for gone in [wire for wire in before if wire not in after]:
        renamed = next((wire for wire in after if wire not in before and after[wire] == before[gone]), None)
        if renamed is not None:
            changes.append(Change(pid, "", f"fixed field renamed on the wire (always sends {before[gone]})",
                                  "breaking", shown(gone), shown(renamed)))
            del before[gone], after[renamed]
    for wire in dict.fromkeys([*before, *after]):
        if before.get(wire) != after.get(wire):
            changes.append(Change(pid, "", f"fixed value of {wire!r} changed", "attention",
                                  before.get(wire, "not sent"), after.get(wire, "not sent")))
    return changes


def _reply_changes(pid: str, old: EndpointIR, new: EndpointIR, renames: SymbolRenames) -> list[Change]:
    changes = []
    # A reply class renamed and otherwise unchanged is reported once, on the class.
    if renames.cls(old.response_class) != new.response_class:
        changes.append(Change(pid, "", "return type changed", "breaking", f"models.{old.response_class}",
                              f"models.{new.response_class}"))
    if old.response_kind != new.response_kind:
        # A JSON reply returns a model, an SSE reply a stream of them: callers' code differs.
        changes.append(Change(pid, "", "reply kind changed", "breaking", old.response_kind, new.response_kind))
    behaviour = (
        ("request body encoding changed", old.body, new.body),
        ("reply envelope changed", *differing(_envelope(old.envelope), _envelope(new.envelope))),
        ("stream end marker changed", shown(old.stream_done), shown(new.stream_done)),
        ("stream finish field changed", shown(old.stream_finish), shown(new.stream_finish)),
        ("raises when the reply has no image", shown(old.requires_image), shown(new.requires_image)),
        ("raises when the task failed", shown(old.raise_task_failure), shown(new.raise_task_failure)),
        ("retried on transient errors", shown(old.idempotent), shown(new.idempotent)),
    )
    changes += [Change(pid, "", what, "attention", before, after)
                for what, before, after in behaviour if before != after]
    return changes


def _envelope(envelope: EnvelopeIR | None) -> dict[str, str]:
    if envelope is None:
        return {"envelope": "none"}
    return {"data": envelope.data, "code": envelope.code or "none", "success codes": ", ".join(envelope.success_codes),
            "message": envelope.message or "none"}


def _polling_changes(pid: str, old: PollingIR | None, new: PollingIR | None,
                     renames: SymbolRenames) -> list[Change]:
    """The wait helper a polling method brings, located at the helper users call."""
    if old is None and new is not None:
        return [Change(pid, f"{pid}.{new.wait_method}", "method added", "non-breaking", new=_polling(new))]
    if old is not None and new is None:
        return [Change(pid, f"{pid}.{old.wait_method}", "method removed", "breaking", old=_polling(old))]
    if old is None or new is None:
        return []
    changes = []
    if old.wait_method != new.wait_method:
        changes.append(Change(pid, f"{pid}.{old.wait_method}", "method renamed", "breaking", old.wait_method,
                              new.wait_method))
    if old.id_arg != new.id_arg:
        # wait(task_id=...) is called by keyword: the old keyword now fails.
        changes.append(Change(pid, f"{pid}.{new.wait_method}({old.id_arg})", "task id argument renamed",
                              "breaking", old.id_arg, new.id_arg))
    # A renamed task id is the line above (and the polled method's own); the rest may still change.
    before = _polling(replace(old, id_param=new.id_param))
    if renames.annotation(before) != _polling(new):
        changes.append(Change(pid, f"{pid}.{new.wait_method}", "polling changed", "attention", _polling(old),
                              _polling(new)))
    return changes


def _polling(polling: PollingIR) -> str:
    """How a wait helper polls, e.g. ``get_task(id=<id>) -> models.TaskResult``."""
    text = f"{polling.get_method}({polling.id_param}=<{polling.id_from}>) -> models.{polling.task_class}"
    if polling.result_method:
        text += f", then {polling.result_method}() -> models.{polling.return_class}"
    return text
