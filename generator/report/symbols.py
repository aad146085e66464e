"""The Python symbols of the generated SDK a change reaches, named as users type them.

Catalog values are ``Literal`` aliases in ``imagerelay.<provider>.catalog`` (``ModelId``,
one per enum), so a value is named by its alias and the value itself. Methods are named
with the argument that takes the value, folded like method lines elsewhere in the report:
``acme.{generate,generate_now}(model)``.
"""

from __future__ import annotations

from collections.abc import Callable

from generator.ir.nodes import EndpointIR, EnumIR, FieldIR, ProviderIR
from generator.report.changes import method_group

# What wait helpers do when a polled task reports a status with this outcome (runtime
# polling.settle), said of one helper and of several.
WAIT_ACTIONS: dict[str | None, tuple[str, str]] = {
    "success": ("stops waiting and returns", "stop waiting and return"),
    "failure": ("raises TaskFailedError", "raise TaskFailedError"),
    "violation": ("raises ContentPolicyError", "raise ContentPolicyError"),
    None: ("keeps polling", "keep polling"),
}

def catalog_symbol(provider: ProviderIR, name: str) -> str:
    """``acme.catalog.ModelId``: a name of the provider's catalog module."""
    return f"{provider.id}.catalog.{name}"


def folded_calls(provider: ProviderIR, calls: list[tuple[str, str]]) -> str:
    """``acme.{generate,generate_now}(model)`` for (method, argument) pairs, grouped by argument."""
    by_argument: dict[str, list[str]] = {}
    for method, argument in calls:
        by_argument.setdefault(argument, []).append(method)
    parts = []
    for argument, methods in by_argument.items():
        parts.append(f"{provider.id}.{method_group(methods)}({argument})")
    return ", ".join(parts)


def _takers(provider: ProviderIR, takes: Callable[[EndpointIR, FieldIR], bool]) -> list[tuple[str, str]]:
    return [(endpoint.name, param.param_name) for endpoint in provider.endpoints for param in endpoint.params
            if takes(endpoint, param)]


def model_takers(provider: ProviderIR) -> str:
    """The methods and arguments typed ``catalog.ModelId`` (the request's model-id field)."""
    return folded_calls(provider, _takers(provider, lambda endpoint, param: param.type.model
                                          or param.wire_name == endpoint.model_field))


def enum_takers(provider: ProviderIR, enum: str) -> str:
    """The methods and arguments whose values come from ``enum``; empty when only replies hold it."""
    return folded_calls(provider, _takers(provider, lambda _, param: param.enum_name == enum))


def status_waiters(provider: ProviderIR, enum: EnumIR) -> list[str]:
    """``acme.wait()``, ``acme.generate_and_wait()``: the helpers that poll a task whose status
    values are ``enum``'s (the IR gives a task every value of its status enum as ``known``)."""
    values = tuple(item.value for item in enum.values)
    tasks = {cls.name for cls in provider.classes if cls.task is not None and cls.task.known == values}
    waiters: list[str] = []
    for endpoint in provider.endpoints:
        polling = endpoint.polling
        if polling is not None and polling.task_class in tasks:
            for name in (polling.wait_method, f"{endpoint.name}_and_wait"):
                if f"{provider.id}.{name}()" not in waiters:
                    waiters.append(f"{provider.id}.{name}()")
    return waiters


def wait_effect(waiters: list[str], outcome: str | None) -> str:
    """``acme.wait() and acme.generate_and_wait() now raise TaskFailedError on it``."""
    one, several = WAIT_ACTIONS.get(outcome, WAIT_ACTIONS[None])
    if len(waiters) == 1:
        return f"{waiters[0]} now {one} on it"
    return f"{', '.join(waiters[:-1])} and {waiters[-1]} now {several} on it"
