"""Mutations of the parsed spec: each operator edits the data in place and describes the edit.

Operators take (rng, data, state) and return a one-line description, or None when the
spec has nothing they apply to. ``state["file_stem"]`` is the file name the mutant is
written under (a provider id rename may change it).
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from .payloads import (
    BAD_PATTERNS,
    BOOL_KEYS,
    CANARY_NAMES,
    COUNT_KEYS,
    COUNT_VALUES,
    HOSTILE_NAMES,
    RESERVED_BY_CATEGORY,
    RETYPE_VALUES,
    pick_payload,
)

NodePath = tuple[str | int, ...]
# Keys whose values are prose: references are never renamed inside them.
TEXT_KEYS = frozenset({"description", "title", "summary", "note", "source_doc", "hint", "example", "name"})


# ---- tree helpers -------------------------------------------------------------------------


def nodes(data: Any, path: NodePath = ()) -> Iterator[tuple[NodePath, Any]]:
    """Every node below ``data`` (not ``data`` itself), parents before children."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in list(items):
        yield (*path, key), value
        yield from nodes(value, (*path, key))


def get_at(data: Any, path: NodePath) -> Any:
    for key in path:
        data = data[key]
    return data


def set_at(data: Any, path: NodePath, value: Any) -> None:
    get_at(data, path[:-1])[path[-1]] = value


def rename_in(mapping: dict[str, Any], old: str, new: str) -> None:
    """Rename a key in place, keeping its position (later entries win on a clash)."""
    items = [(new if key == old else key, value) for key, value in mapping.items()]
    mapping.clear()
    mapping.update(items)


def dotted(path: NodePath) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))


def sibling_variant(rng: random.Random, name: str) -> str:
    """A name that differs from ``name`` only by case or separators (collides once normalised)."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    camel = re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)
    options = [snake, camel, name.upper(), name.replace("_", "-"), name + "_", name.replace("_", " "), "_" + name,
               name + "Base", name[:1].upper() + name[1:], name + "s"]
    return rng.choice([option for option in options if option != name] or [name + "_"])


def hostile_name(rng: random.Random, siblings: list[str], category: str) -> str:
    draw = rng.random()
    if siblings and draw < 0.2:
        return sibling_variant(rng, rng.choice(siblings))
    if draw < 0.45:
        return rng.choice(RESERVED_BY_CATEGORY.get(category, HOSTILE_NAMES))
    return rng.choice(CANARY_NAMES if draw > 0.8 else HOSTILE_NAMES)


# ---- data operators -----------------------------------------------------------------------
# Each takes (rng, data, state) and returns a description, or None when it does not apply.


_HOT_LEAVES = frozenset({("provider", "title"), ("provider", "source_doc"), ("provider", "description"),
                         ("base_url", "default"), ("base_url", "note")})


def _hot(path: NodePath) -> bool:
    """Text that lands in module, class and method docstrings or comments of the output."""
    return (path in _HOT_LEAVES
            or (len(path) == 3 and path[0] == "endpoints" and path[2] in {"summary", "description", "path"})
            or (len(path) == 3 and path[0] in {"schemas", "enums", "model_families", "size_tables"}
                and path[2] == "description")
            or ("rules" in path and path[-1] == "note"))


# Where a spec's text reaches generated code, with how often a payload is aimed there.
_TARGETS: tuple[tuple[str, float, Callable[[NodePath], bool]], ...] = (
    ("hot spot", 0.25, _hot),
    ("prose", 0.20, lambda p: p[-1] in TEXT_KEYS and "examples" not in p),
    ("provider facts", 0.10, lambda p: p[0] in {"provider", "base_url", "auth", "errors"} and p[-1] != "id"),
    ("rule and enum values", 0.20, lambda p: bool({"rules", "values", "models", "patterns", "in"} & set(p))),
    ("endpoint facts", 0.05, lambda p: p[0] == "endpoints" and "examples" not in p and "request" not in p),
    ("examples", 0.05, lambda p: "examples" in p),
    ("any", 0.15, lambda p: True),
)


def op_string_payload(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    leaves = [p for p, v in nodes(data) if isinstance(v, str)]
    if not leaves:
        return None
    name, _, wanted = rng.choices(_TARGETS, weights=[weight for _, weight, _ in _TARGETS])[0]
    path = rng.choice([p for p in leaves if wanted(p)] or leaves)
    label, payload = pick_payload(rng)
    parent = get_at(data, path[:-1])
    if isinstance(parent, list) and rng.random() < 0.4:
        # A new list item next to valid ones (an extra enum or rule value) keeps the rest valid.
        parent.insert(rng.randint(0, len(parent)), payload)
        return f"{dotted(path[:-1])} += {label} ({name})"
    mode = rng.choice(["replace", "append", "append", "prepend"])
    old = get_at(data, path)
    set_at(data, path, payload if mode == "replace" else old + payload if mode == "append" else payload + old)
    return f"{dotted(path)} <- {label} ({mode}, {name})"


def _name_maps(data: Any) -> list[tuple[str, NodePath]]:
    """(category, path of a mapping whose keys are names); fields weigh triple."""
    found: list[tuple[str, NodePath]] = []
    for top, category in (("endpoints", "endpoint"), ("enums", "enum"), ("schemas", "schema"),
                          ("model_families", "family"), ("size_tables", "size_table")):
        if isinstance(data.get(top), dict) and data[top]:
            found.append((category, (top,)))
    for path, node in nodes(data):
        if path[-1] == "fields" and isinstance(node, dict) and node:
            found += [("field", path)] * 3
    return found


_WIRE_PATH = re.compile(r"^[\w$@-]+(\[\])?(\.[\w$@-]+(\[\])?)+$")


def _rename_refs(data: Any, old: str, new: str, is_field: bool, skip: frozenset[str] = frozenset()) -> None:
    """Follow a rename everywhere the spec refers to the name (references, rules, wire paths, examples)."""
    segment = re.compile(r"(?<![^.\[\]])" + re.escape(old) + r"(?![^.\[\]])")
    for path, node in list(nodes(data)):
        if isinstance(node, str) and path[-1] not in TEXT_KEYS | skip:
            if node == old:
                set_at(data, path, new)
            elif is_field and _WIRE_PATH.match(node):
                set_at(data, path, segment.sub(lambda _: new, node))
        elif is_field and isinstance(node, dict) and old in node and _is_value_map(path):
            rename_in(node, old, new)


def _is_value_map(path: NodePath) -> bool:
    # Wire data keyed by field names: fixed values and example requests/replies.
    return "fixed" in path or ("examples" in path and bool({"json", "query", "path", "form", "files"} & set(path)))


def op_rename_key(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    maps = _name_maps(data)
    if rng.random() < 0.15 or not maps:
        return _rename_provider(rng, data, state)
    category, path = rng.choice(maps)
    mapping = get_at(data, path)
    old = rng.choice(list(mapping))
    new = hostile_name(rng, [key for key in mapping if key != old], category)
    rename_in(mapping, old, new)
    consistent = rng.random() < 0.7
    if consistent:
        # A request parameter is what polling.id_param names; id_from names a reply field.
        _rename_refs(data, old, new, category == "field", frozenset({"id_from"}) if "request" in path else frozenset())
    return f"{category} {dotted((*path, old))} -> {new!r}{' (references too)' if consistent else ''}"


def op_clone_definition(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    """A second endpoint, schema, enum or field beside the original, under a twin or reserved name."""
    maps = _name_maps(data)
    if not maps:
        return None
    category, path = rng.choice(maps)
    mapping = get_at(data, path)
    old = rng.choice(list(mapping))
    new = sibling_variant(rng, old) if rng.random() < 0.6 else hostile_name(rng, list(mapping), category)
    if new in mapping:
        return None
    mapping[new] = copy.deepcopy(mapping[old])
    return f"{category} {dotted((*path, old))} cloned as {new!r}"


def _rename_provider(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    provider = data.get("provider")
    if not isinstance(provider, dict):
        return None
    new = rng.choice(HOSTILE_NAMES + CANARY_NAMES)
    provider["id"] = new
    file_safe = bool(new) and new not in {".", ".."} and new.isprintable() and "/" not in new and len(new) < 100
    if file_safe and rng.random() < 0.7:
        state["file_stem"] = new
    return f"provider.id -> {new!r} (file {state['file_stem']}.yaml)"


def op_retype(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    every = list(nodes(data))
    typed = [(p, v) for p, v in every if isinstance(p[-1], str) and p[-1] in BOOL_KEYS | COUNT_KEYS]
    if not every:
        return None
    path, old = rng.choice(typed if typed and rng.random() < 0.5 else every)
    if path[-1] in BOOL_KEYS:
        pool: tuple[object, ...] = ("yes", "no", "true", 1, 0, None, [])
    elif path[-1] in COUNT_KEYS:
        pool = COUNT_VALUES
    else:
        pool = tuple(v for v in RETYPE_VALUES if type(v) is not type(old))
    value = copy.deepcopy(rng.choice(pool))
    set_at(data, path, value)
    return f"{dotted(path)}: {type(old).__name__} -> {value!r}"[:200]


def op_delete_key(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    keyed = [p for p, _ in nodes(data) if isinstance(p[-1], str)]
    if not keyed:
        return None
    path = rng.choice(keyed)
    del get_at(data, path[:-1])[path[-1]]
    return f"delete {dotted(path)}"


def op_duplicate_subtree(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    every = [(p, v) for p, v in nodes(data) if isinstance(v, (dict, list))]
    targets = [p for p, v in every if isinstance(v, dict)]
    if not every or not targets:
        return None
    source, subtree = rng.choice(every)
    mode = rng.choice(["copy", "move", "replace"])
    if mode == "replace":
        path, _ = rng.choice(every)
        set_at(data, path, copy.deepcopy(subtree))
        return f"replace {dotted(path)} with a copy of {dotted(source)}"
    target = rng.choice(targets)
    key = str(source[-1])
    mapping = get_at(data, target)
    name = key if key not in mapping else sibling_variant(rng, key)
    mapping[name] = copy.deepcopy(subtree)
    if mode == "move" and not (source[: len(target)] == target and len(source) > len(target)) and source != target:
        try:
            del get_at(data, source[:-1])[source[-1]]
        except (KeyError, IndexError, TypeError):
            pass  # the source moved under the copy; keep both
    return f"{mode} {dotted(source)} to {dotted((*target, name))}"


_EMPTYABLE = frozenset({"values", "fields", "endpoints", "models", "variants", "rows", "tiers",
                        "examples", "enums", "schemas", "model_families", "rules", "accepts", "in", "family"})


def op_empty_container(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    every = [(p, v) for p, v in nodes(data) if isinstance(v, (dict, list)) and v]
    prime = [(p, v) for p, v in every if p[-1] in _EMPTYABLE]
    if not every:
        return None
    path, node = rng.choice(prime if prime and rng.random() < 0.8 else every)
    set_at(data, path, type(node)())
    return f"empty {dotted(path)}"


def _field_specs(data: Any) -> list[NodePath]:
    return [p for p, v in nodes(data) if isinstance(v, dict) and len(p) >= 2 and p[-2] == "fields"]


def op_bad_pattern(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    fields = _field_specs(data)
    strings = [p for p in fields if get_at(data, p).get("type") == "string"]
    if not fields:
        return None
    path = rng.choice(strings if strings and rng.random() < 0.8 else fields)
    pattern = rng.choice(BAD_PATTERNS)
    get_at(data, path)["pattern"] = pattern
    return f"{dotted(path)}.pattern = {pattern!r}"


_CONSTRAINTS = ("min_items", "max_items", "minimum", "maximum", "default", "example", "const", "values")


def op_set_constraint(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    fields = _field_specs(data)
    if not fields:
        return None
    path = rng.choice(fields)
    key = rng.choice(_CONSTRAINTS)
    label, text = pick_payload(rng)
    value: object = (rng.choice(COUNT_VALUES) if key in _CONSTRAINTS[:4] else
                     [text] if key == "values" else rng.choice([text, rng.choice(COUNT_VALUES)]))
    get_at(data, path)[key] = value
    shown = label if value == text or value == [text] else repr(value)
    return f"{dotted(path)}.{key} = {shown}"


_POLL_NAMES = ("self", "timeout", "interval", "deadline", "on_progress", "taskId", "task_id", "id",
               "submitted", "request", "cls", "class", "")


def op_polling_id(rng: random.Random, data: Any, state: dict[str, str]) -> str | None:
    endpoints = data.get("endpoints") if isinstance(data, dict) else None
    polled = [(name, ep["polling"]) for name, ep in (endpoints or {}).items()
              if isinstance(ep, dict) and isinstance(ep.get("polling"), dict)]
    if not polled:
        return None
    name, polling = rng.choice(polled)
    key = rng.choice(["id_param", "id_param", "id_from", "get", "result"])
    new = rng.choice(_POLL_NAMES) if key != "id_from" else rng.choice(["", "a.b[]", "[]", "id.id.id", "x"])
    old = polling.get(key)
    polling[key] = new
    # Half the time the polled endpoint's parameter is renamed too, so the spec stays consistent
    # and the generator must cope with the name itself (e.g. a parameter called `self`).
    target = (endpoints or {}).get(polling.get("get")) if isinstance(polling.get("get"), str) else None
    fields = ((target or {}).get("request") or {}).get("fields") if isinstance(target, dict) else None
    if key == "id_param" and isinstance(fields, dict) and old in fields and rng.random() < 0.5:
        rename_in(fields, old, new)
        _rename_refs(data, old, new, True, frozenset({"id_from"}))
        return f"endpoints.{name}.polling.id_param and the polled field -> {new!r}"
    return f"endpoints.{name}.polling.{key} -> {new!r}"


DataOp = Callable[[random.Random, Any, dict[str, str]], str | None]
DATA_OPS: dict[str, tuple[DataOp, float]] = {
    "string_payload": (op_string_payload, 9.0),  # the operator issue 12's injections need most
    "rename_key": (op_rename_key, 5.0),
    "clone_definition": (op_clone_definition, 2.0),
    "retype": (op_retype, 3.0),
    "delete_key": (op_delete_key, 1.0),
    "duplicate_subtree": (op_duplicate_subtree, 1.0),
    "empty_container": (op_empty_container, 1.5),
    "bad_pattern": (op_bad_pattern, 1.0),
    "set_constraint": (op_set_constraint, 1.5),
    "polling_id": (op_polling_id, 1.0),
}
