"""The call phase: build both clients of a generated provider and call every method once.

Runs inside the oracle's child process, after the package was imported from the fresh
output folder. Arguments are derived from each method's annotations (the generated
signature is the only contract), replies come from ``httpx.MockTransport``: first an
empty ``{}`` JSON object, then each endpoint's first documented example reply. A call
may end in a value or in one of the SDK's own errors; anything else is a problem.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import json
import re
import traceback
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

API_KEY = "sk-hostile-0000"
BASE_URL = "https://relay.test"
# A 1x1 PNG, for file and image parameters.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
# wait / *_and_wait are called, not skipped: a tiny deadline bounds them, so they end in a
# value or WaitTimeoutError/ResponseValidationError within milliseconds.
WAIT_OVERRIDES = {"deadline": 0.05, "interval": 0.005}


@dataclass(frozen=True)
class CallProblem:
    """A call that raised something other than the SDK's own errors."""

    where: str  # e.g. "AsyncClient.submit [example reply]"
    error: str  # "TypeError: ..."
    frame: str  # innermost frame, for deduplication
    trace: str


@dataclass
class Reply:
    """What the mock transport answers next (mutable: set before each call)."""

    status: int = 200
    headers: dict[str, str] | None = None
    body: bytes = b"{}"

    def response(self, request: Any) -> Any:
        import httpx

        headers = self.headers or {"content-type": "application/json"}
        return httpx.Response(self.status, headers=headers, content=self.body)


def reply_from_example(example: Any) -> Reply | None:
    """The spec's documented reply as a Reply; None when the example holds no usable reply."""
    if not isinstance(example, dict) or not isinstance(example.get("response"), dict):
        return None
    spec = example["response"]
    status = spec.get("status", 200)
    status = status if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599 else 200
    try:
        if isinstance(spec.get("sse"), list):
            events = [item if isinstance(item, str) else json.dumps(item) for item in spec["sse"]]
            body = "".join(f"data: {event}\n\n" for event in events).encode("utf-8", "surrogatepass")
            return Reply(status, {"content-type": "text/event-stream"}, body)
        if "json" in spec:
            return Reply(status, None, json.dumps(spec["json"]).encode())
        if isinstance(spec.get("text"), str):
            return Reply(status, {"content-type": "text/plain"}, spec["text"].encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError):
        return None  # a reply json.dumps cannot write (e.g. NaN is fine, a set is not): not the SDK's fault
    return None


def value_for(annotation: Any, depth: int = 0) -> Any:
    """A minimal valid-looking argument for a parameter of this type."""
    from pydantic import BaseModel

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    simple = {str: "x", int: 1, float: 1.0, bool: True, bytes: PNG, bytearray: PNG, Path: PNG}
    if annotation in simple:
        return simple[annotation]
    if origin is typing.Literal:
        return args[0]
    if origin in (typing.Union, types.UnionType):
        variants = [arg for arg in args if arg is not type(None)]
        return value_for(variants[0], depth) if variants else None
    if origin in (list, tuple, set, frozenset) or str(origin).startswith("<class 'collections.abc."):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return tuple(value_for(arg, depth + 1) for arg in args)
        return [value_for(args[0], depth + 1)] if args and depth < 4 else []
    if origin is dict:
        return {}
    if origin is typing.Annotated:
        return value_for(args[0], depth)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if depth >= 4:
            return {}
        return {name: value_for(info.annotation, depth + 1)
                for name, info in annotation.model_fields.items() if info.is_required()}
    return "x"  # Any, TypeVars, unresolved forward references


def _annotation(func: Callable[..., Any], param: inspect.Parameter) -> Any:
    text = param.annotation
    if not isinstance(text, str):
        return text
    module = inspect.getmodule(func)
    namespace = dict(vars(module)) if module is not None else {}
    # The names a type checker sees: client modules import params (and models) only then.
    for sibling in ("models", "params"):
        try:
            namespace[sibling] = importlib.import_module(f"{namespace.get('__package__')}.{sibling}")
        except ImportError:
            pass
    try:  # generated modules use `from __future__ import annotations`: evaluate in the module
        return eval(text, namespace)  # our own generated annotation
    except Exception:  # noqa: BLE001 - an unresolvable annotation still gets a guess
        return str if "str" in text else int if "int" in text else "x"


def arguments(method: Callable[..., Any]) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments for one call: required ones filled, wait bounded."""
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for name, param in inspect.signature(method).parameters.items():
        has_default = param.default is not inspect.Parameter.empty
        if has_default and name in WAIT_OVERRIDES and param.annotation in ("float", float):
            keywords[name] = WAIT_OVERRIDES[name]
        elif has_default or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        elif param.kind is param.POSITIONAL_ONLY or param.kind is param.POSITIONAL_OR_KEYWORD:
            positional.append("task-1")  # wait(task_id): the only positional parameters
        else:
            keywords[name] = value_for(_annotation(method, param))
    return positional, keywords


def endpoint_methods(client_file: str, module: Any) -> dict[str, list[str]]:
    """Method name -> spec endpoint names it sends (the Endpoint constants its body names)."""
    tree = ast.parse(Path(client_file).read_text(encoding="utf-8"))
    endpoint_type = getattr(module, "Endpoint", None)
    found: dict[str, list[str]] = {}
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Client"):
        for fn in (n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            names = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
            constants = [getattr(module, n) for n in sorted(names) if hasattr(module, n)]
            found[fn.name] = [c.name for c in constants if endpoint_type and isinstance(c, endpoint_type)]
    return found


def public_methods(cls: type) -> Iterator[str]:
    """Methods the generated class itself defines (not the runtime base's)."""
    for name, value in vars(cls).items():
        if not name.startswith("_") and inspect.isfunction(value):
            yield name


def _problem(where: str, exc: BaseException, out_dir: str) -> CallProblem:
    frames = traceback.extract_tb(exc.__traceback__)
    # The innermost frame of the generated package says which part of the SDK let it through.
    ours = [f for f in frames if f.filename.startswith(out_dir)] or frames
    inner = ours[-1] if ours else None
    frame = f"{inner.filename.replace(out_dir + '/', '')}:{inner.lineno} in {inner.name}" if inner else "?"
    trace = "".join(traceback.format_exception(exc)).replace(out_dir + "/", "")
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    # pydantic-core puts the root cause of a SchemaError on its last line.
    message = lines[0] if len(lines) < 2 else f"{lines[0]} ... {lines[-1]}"
    return CallProblem(where, f"{type(exc).__name__}: {message}"[:400], frame, trace[-3000:])


def _consume(outcome: Any) -> None:
    # A streaming method returns a context manager; entering and iterating it does the I/O.
    if hasattr(outcome, "__enter__") and hasattr(outcome, "__iter__"):
        with outcome as stream:
            for _ in stream:
                pass


async def _aconsume(outcome: Any) -> None:
    if inspect.isawaitable(outcome):
        outcome = await outcome
    if hasattr(outcome, "__aenter__"):
        async with outcome as stream:
            async for _ in stream:
                pass


_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class Exerciser:
    """Calls every method of Client and AsyncClient, first with an empty, then an example reply."""

    def __init__(self, package: Any, sends: dict[str, list[str]], endpoints: Any,
                 relay_error: type[BaseException], out_dir: str, notes: list[str]) -> None:
        self.package, self.sends, self.endpoints = package, sends, endpoints
        self.relay_error, self.out_dir, self.notes = relay_error, out_dir, notes
        self.reply = Reply()
        self.calls: Counter[str] = Counter()  # "ok" or the SDK error's class name
        self.problems: list[CallProblem] = []

    def handler(self, request: Any) -> Any:
        # A real transport (h11) refuses such headers; the mock would not, so look here.
        for name, value in request.headers.raw:
            if not _TOKEN.fullmatch(name) or any(c in value for c in b"\r\n\0"):
                note = f"sent an invalid HTTP header: {name!r}: {value[:60]!r}"
                self.notes.extend([note] if note not in self.notes else [])
        return self.reply.response(request)

    def reply_for(self, method: str, mode: str) -> Reply | None:
        if mode == "empty":
            return Reply()
        for name in self.sends.get(method, []):
            spec = self.endpoints.get(name) if isinstance(self.endpoints, dict) else None
            examples = spec.get("examples") if isinstance(spec, dict) else None
            for example in examples if isinstance(examples, list) else []:
                found = reply_from_example(example)
                if found is not None:
                    return found
        return None

    def build_both(self) -> bool:
        """Both clients are built (and closed) even when they have no method."""
        import httpx

        for cls_name in ("Client", "AsyncClient"):
            try:
                cls = getattr(self.package, cls_name)
                client = cls(API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(self.handler))
                if cls_name == "Client":
                    client.close()
                else:
                    asyncio.run(client.aclose())
            except BaseException as exc:  # noqa: BLE001 - anything but RelayError is a finding
                self.problems.append(_problem(f"{cls_name}(...)", exc, self.out_dir))
        return not self.problems

    def call(self, cls_name: str, method: str, mode: str) -> None:
        import httpx

        chosen = self.reply_for(method, mode)
        if chosen is None:
            return
        self.reply.status, self.reply.headers, self.reply.body = chosen.status, chosen.headers, chosen.body
        cls, transport = getattr(self.package, cls_name), httpx.MockTransport(self.handler)
        try:
            if cls_name == "Client":
                with cls(API_KEY, base_url=BASE_URL, transport=transport, max_retries=0) as client:
                    bound = getattr(client, method)
                    positional, keywords = arguments(bound)
                    _consume(bound(*positional, **keywords))
            else:
                asyncio.run(_call_async(cls, method, transport))
            self.calls["ok"] += 1
        except self.relay_error as exc:  # the SDK's own error: an allowed outcome
            self.calls[type(exc).__name__] += 1
        except BaseException as exc:  # noqa: BLE001 - anything else is what this harness looks for
            self.calls["problem"] += 1
            self.problems.append(_problem(f"{cls_name}.{method} [{mode} reply]", exc, self.out_dir))


def exercise(package: Any, client_module: Any, client_file: str, endpoints: Any,
             relay_error: type[BaseException], out_dir: str, notes: list[str]) -> tuple[Counter[str], list[CallProblem]]:
    """Build both clients and call each method once per reply mode; (how calls ended, problems)."""
    runner = Exerciser(package, endpoint_methods(client_file, client_module), endpoints, relay_error, out_dir, notes)
    if runner.build_both():
        for mode in ("empty", "example"):
            for cls_name in ("Client", "AsyncClient"):
                for method in public_methods(getattr(package, cls_name)):
                    runner.call(cls_name, method, mode)
    return runner.calls, runner.problems


async def _call_async(cls: type, method: str, transport: Any) -> None:
    async with cls(API_KEY, base_url=BASE_URL, transport=transport, max_retries=0) as client:
        bound = getattr(client, method)
        positional, keywords = arguments(bound)
        await _aconsume(bound(*positional, **keywords))
