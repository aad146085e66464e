"""``imagerelay.generate``: one request, any relay that can honour it.

Candidates are tried in order (the ``provider`` list, else every provider whose API key
is set). A candidate that cannot take every requested value is skipped with the reason,
found by building its real request without sending it (the same models and rules as a
direct call), so nothing is ever sent with another ratio or size than asked. A failed
attempt moves on only when it provably started no paid work; otherwise the error is
raised with every attempt attached, unless ``fallback_after_billing=True``.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .canonical import Canonical, CanonicalRequest, Unsupported, arguments_for
from .descriptors import Endpoint, ProviderConfig
from .errors import (
    APIConnectionError,
    AuthenticationError,
    InvalidRequestError,
    NoCapableProviderError,
    PermissionDeniedError,
    RateLimitError,
    RelayError,
)
from .images import Image

__all__ = [
    "Attempt",
    "GenerateResult",
    "Plan",
    "agenerate",
    "canonical_of",
    "client_class",
    "dry_run",
    "endpoints",
    "generate",
    "known_providers",
    "no_candidate",
    "plan",
    "provider_config",
    "safe_to_retry_elsewhere",
]

_PACKAGE = __name__.rsplit(".", 2)[0]
Outcome = Literal["skipped", "failed", "succeeded"]
# on_progress(what is happening, fraction done or None): "gemini_12ai: sent", a task's
# status and progress while it is polled, the chunks of a stream.
Progress = Callable[[str, float | None], None]


@dataclass(frozen=True)
class Attempt:
    """One candidate considered: skipped (with why), failed (with the error) or succeeded."""

    provider: str
    model: str | None
    endpoint: str | None
    outcome: Outcome
    reason: str = ""
    # The request may have reached the relay and started paid work.
    may_be_billed: bool = False


@dataclass(frozen=True)
class Plan:
    """A capable candidate: the endpoint method and its keyword arguments."""

    provider: str
    model: str
    endpoint: Endpoint
    arguments: dict[str, Any]
    # How the method returns images: "json" (a reply), "polled" (``*_and_wait``), "sse".
    delivery: str


@dataclass
class GenerateResult:
    """The images, who made them, and every attempt on the way."""

    images: list[Image]
    provider: str
    model: str
    endpoint: str
    request_id: str | None
    attempts: tuple[Attempt, ...]
    reply: Any = field(repr=False, default=None)

    def save_images(self, directory: str | Path, stem: str = "image", *,
                    on_progress: Callable[[int, int, int | None], None] | None = None) -> list[Path]:
        """Write every image as ``<stem>-<n>.<ext>``; URLs are downloaded through a client of
        the provider that made them (its key goes only to its own host).
        ``on_progress(n, written, total)`` follows each download."""
        with client_class(self.provider, "Client")() as client:
            return list(client.save_images(_Found(self.images), directory, stem, on_progress=on_progress))


class _Found:
    """The images of a result, as ``save_images`` reads them."""

    def __init__(self, images: list[Image]) -> None:
        self._images = images

    def images(self) -> list[Image]:
        return self._images


@cache
def _client_module(provider: str) -> Any:
    return importlib.import_module(f"{_PACKAGE}.{provider}.client")


@cache
def known_providers() -> tuple[str, ...]:
    """Every provider id of the package (``imagerelay.PROVIDERS``)."""
    known: tuple[str, ...] = importlib.import_module(_PACKAGE).PROVIDERS
    return known


@cache
def canonical_of(provider: str, endpoint: str) -> Canonical:
    """The canonical mapping of ``provider``'s endpoint ``endpoint``, read once."""
    data = next(found.canonical for found, _ in endpoints(provider) if found.name == endpoint)
    return Canonical.of(data or {})


def client_class(provider: str, name: str) -> Any:
    """The generated ``Client`` or ``AsyncClient`` class of ``provider``."""
    return getattr(_client_module(provider), name)


def _candidates(provider: str | Sequence[str] | None) -> list[str]:
    known = known_providers()
    if provider is None:
        return [name for name in known if os.environ.get(provider_config(name).auth.env)]
    names = [provider] if isinstance(provider, str) else list(provider)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidRequestError([f"unknown provider {name!r} (providers: {', '.join(known)})" for name in unknown])
    return names


def provider_config(provider: str) -> ProviderConfig:
    config: ProviderConfig = _client_module(provider).PROVIDER
    return config


@cache
def endpoints(provider: str) -> tuple[tuple[Endpoint, str], ...]:
    """Endpoints with a canonical mapping, preferred first: a JSON reply, a polled task, a stream."""
    module = _client_module(provider)
    found = [value for value in vars(module).values() if isinstance(value, Endpoint) and value.canonical]
    client = module.Client

    def delivery(endpoint: Endpoint) -> str:
        if hasattr(client, f"{endpoint.name}_and_wait"):
            return "polled"
        return "sse" if endpoint.response == "sse" else "json"

    order = {"json": 0, "polled": 1, "sse": 2}
    return tuple(sorted(((endpoint, delivery(endpoint)) for endpoint in found), key=lambda pair: order[pair[1]]))


class _DryRun(Exception):
    """Raised by the dry-run transport: the request was fully built, and is not sent."""


DRY_RUN_KEY = "dry-run-key"


def dry_run(provider: str, endpoint: Endpoint, arguments: dict[str, Any], canonical: Canonical | None = None
            ) -> tuple[str, Any]:
    """Build the request with the provider's own client and stop before it leaves.

    Returns ("", the httpx.Request) when the client accepts it, else (why not, None). The
    client holds a stand-in key, never the caller's. ``canonical`` lets a missing argument be
    named as the ``generate`` value that would fill it.
    """
    import httpx

    built: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        built.append(request)
        raise httpx.ConnectError("dry run: not sent", request=request)

    cls = client_class(provider, "Client")
    try:
        with cls(api_key=DRY_RUN_KEY, transport=httpx.MockTransport(refuse), max_retries=0) as client:
            outcome = getattr(client, endpoint.name)(**arguments)
            if hasattr(outcome, "close"):
                outcome.close()
    except InvalidRequestError as exc:
        return "; ".join(exc.problems), None
    except TypeError as exc:  # a required argument the canonical request does not fill
        return _missing(exc, canonical), None
    except APIConnectionError:
        pass
    except RelayError as exc:  # anything else the client says before sending
        return str(exc), None
    return ("", built[0]) if built else ("the client sent nothing", None)


def _missing(error: TypeError, canonical: Canonical | None) -> str:
    """A required argument the call lacked, named with the ``generate`` values that fill it:
    "needs extra_body, which generate fills from aspect_ratio= or output_format="."""
    names = re.findall(r"'(\w+)'", str(error).partition("missing ")[2])
    if not names:
        return f"the request also needs {error}"
    wire = {argument: wire_name for wire_name, argument in canonical.arguments} if canonical else {}
    needs = []
    for name in names:
        top = wire.get(name, name)
        fills = [f"{_ARGUMENT.get(slot.concept, slot.concept)}=" for slot in (canonical.slots if canonical else ())
                 if re.split(r"[.\[]", slot.path)[0] == top]
        needs.append(f"{top}, which generate fills from {' or '.join(dict.fromkeys(fills))}" if fills
                     else f"{top}, which generate cannot fill")
    return "needs " + "; and ".join(needs)


# The ``generate`` argument behind each canonical concept, where the names differ.
_ARGUMENT = {"size_tier": "size", "pixel_size": "size", "input_images": "images"}


def _options(provider: str, canonical: Canonical, request: CanonicalRequest) -> Iterator[tuple[str | None, str]]:
    """(model, "") for each model to try, or (None, reason) when there is none to try."""
    if request.model is not None:
        yield request.model, ""
        return
    models = provider_config(provider).model_ids
    tiers = canonical.tiers
    if request.size is not None and tiers and canonical.slot("size_tier") is None:
        # The tier is part of the model id: only the ids of that tier can honour it.
        models = tuple(model for model in models if tiers.get(model) == request.size)
        if not models:
            yield None, f"size {request.size}: no model id of that tier (tiers: {', '.join(dict.fromkeys(tiers.values()))})"
            return
    if not models:
        yield None, "the relay lists its models by pattern only; name one with model="
    for model in models:
        yield model, ""


@dataclass(frozen=True, slots=True)
class _Route:
    """A capable candidate for one request shape: everything but the prompt and the images."""

    provider: str
    model: str
    endpoint: Endpoint
    delivery: str
    # Builds the keyword arguments from (prompt, images); compiled once per shape.
    fill: Callable[[str, Sequence[Any]], dict[str, Any]]
    succeeded: Attempt

    @property
    def label(self) -> str:
        """How progress names this attempt: ``provider (model)``."""
        return f"{self.provider} ({self.model})"

    def plan(self, prompt: str, images: Sequence[Any]) -> Plan:
        return Plan(self.provider, self.model, self.endpoint, self.fill(prompt, images), self.delivery)


Routes = tuple[tuple[_Route, ...], tuple[Attempt, ...]]


def plan(request: CanonicalRequest, provider: str | Sequence[str] | None = None
         ) -> tuple[list[Plan], list[Attempt]]:
    """For each candidate, the first (endpoint, model) that accepts every value; and why the
    others were skipped. Sends nothing."""
    routes, skipped = _routes(request, provider)
    return [route.plan(request.prompt, request.images) for route in routes], list(skipped)


# Routes by request shape (candidates, model, ratio, size, count, format, image kinds):
# finding them means a dry run per candidate, and a repeated shape needs it once. A shape is
# kept only when no candidate was refused by its client: a refusal may depend on content (a
# prompt pattern, an image) and is checked each time. The real call validates again, and a
# refusal then is not sent, so the next candidate is tried.
_ROUTES: dict[tuple[Any, ...], Routes] = {}
_ROUTES_LIMIT = 4096
# The same routes for a text-only request to one named provider, keyed by the arguments as given.
_NAMED: dict[tuple[Any, ...], Routes] = {}


def _routes(request: CanonicalRequest, provider: str | Sequence[str] | None) -> Routes:
    names = _candidates(provider)
    key = _shape(tuple(names), request.model, request.aspect_ratio, request.size, request.n, request.output_format,
                 request.images)
    found = _ROUTES.get(key) if key is not None else None
    if found is None:
        found, settled = _find_routes(request, names)
        if settled and key is not None:
            if len(_ROUTES) >= _ROUTES_LIMIT:
                _ROUTES.clear()
            _ROUTES[key] = found
    return found


def _shape(*values: Any) -> tuple[Any, ...] | None:
    """The cache key of a request shape (image kinds, not contents), or None if unhashable."""
    *rest, images = values
    key = (*rest, tuple(map(type, images)))
    try:
        hash(key)
    except TypeError:
        return None
    return key


class _Image:
    """Stands for the request's ``index``-th image in a compiled argument template."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


_PROMPT: Any = object()  # stands for the prompt in a compiled argument template


def _compile(template: Any) -> Callable[[str, Sequence[Any]], Any] | None:
    """A function rebuilding the parts of ``template`` that hold the prompt or an image; None
    when there are none (the value is shared as it is)."""
    if template is _PROMPT:
        return _the_prompt
    if isinstance(template, _Image):
        index = template.index
        return lambda prompt, images: images[index]
    if isinstance(template, (dict, list)):
        pairs = list(template.items()) if isinstance(template, dict) else list(enumerate(template))
        parts = [(key, value, _compile(value)) for key, value in pairs]
        if all(part is None for _, _, part in parts):
            return None
        if isinstance(template, list):
            return lambda prompt, images: [value if part is None else part(prompt, images) for _, value, part in parts]
        return lambda prompt, images: {key: value if part is None else part(prompt, images)
                                       for key, value, part in parts}
    return None


def _the_prompt(prompt: str, images: Sequence[Any]) -> str:
    return prompt


def _filler(canonical: Canonical, request: CanonicalRequest, model: str
            ) -> Callable[[str, Sequence[Any]], dict[str, Any]]:
    """Compiles ``arguments_for`` for this shape: the prompt and images are filled in per call.
    Keyword arguments have no order, so the constant ones are copied and the others set."""
    stand_in = replace(request, prompt=_PROMPT, images=tuple(_Image(index) for index in range(len(request.images))))
    template = arguments_for(canonical, stand_in, model)
    parts = {key: _compile(value) for key, value in template.items()}
    constant = {key: value for key, value in template.items() if parts[key] is None}
    filled = tuple((key, part) for key, part in parts.items() if part is not None)

    def fill(prompt: str, images: Sequence[Any]) -> dict[str, Any]:
        arguments = constant.copy()
        for key, part in filled:
            arguments[key] = part(prompt, images)
        return arguments

    return fill


def _find_routes(request: CanonicalRequest, names: list[str]) -> tuple[Routes, bool]:
    """The routes and skipped candidates, and whether they hold for every request of this shape."""
    routes: list[_Route] = []
    skipped: list[Attempt] = []
    settled = True
    for name in names:
        # Reason -> the models it applies to: one line when every model fails alike.
        reasons: dict[str, list[str]] = {}
        chosen = None
        for endpoint, delivery in endpoints(name):
            canonical = canonical_of(name, endpoint.name)
            for model, problem in _options(name, canonical, request):
                if model is None:
                    reasons.setdefault(problem, [])
                    continue
                try:
                    arguments = arguments_for(canonical, request, model)
                except Unsupported as exc:
                    reasons.setdefault(f"{endpoint.name}: {exc}", [])
                    continue
                refused, _ = dry_run(name, endpoint, arguments, canonical)
                if refused:
                    settled = False
                    reasons.setdefault(f"{endpoint.name} with {{}}: {refused}", []).append(model)
                    continue
                chosen = _Route(name, model, endpoint, delivery, _filler(canonical, request, model),
                                Attempt(name, model, endpoint.name, "succeeded"))
                break
            if chosen is not None:
                break
        if chosen is not None:
            routes.append(chosen)
        else:
            why = "; ".join(_with_models(reason, models) for reason, models in reasons.items())
            why = why or "no endpoint maps the cross-provider request"
            skipped.append(Attempt(name, request.model, None, "skipped", why))
    return (tuple(routes), tuple(skipped)), settled


def _with_models(reason: str, models: list[str]) -> str:
    if not models:
        return reason
    named = models[0] if len(models) == 1 else f"{models[0]} (and {len(models) - 1} more models)"
    return reason.replace("{}", named, 1)


def safe_to_retry_elsewhere(error: RelayError, provider: str) -> bool:
    """The failed attempt provably started no paid work: refused before sending, refused
    before any work (401/403, 429), or a reply the spec's ``errors.before_work`` marks."""
    if isinstance(error, (InvalidRequestError, AuthenticationError, PermissionDeniedError, RateLimitError)):
        return True
    if isinstance(error, APIConnectionError):
        return not error.request_sent
    message = error.provider_message or ""
    return any(error.status == status and text in message for status, text in provider_config(provider).before_work)


def no_candidate(skipped: Sequence[Attempt]) -> NoCapableProviderError:
    lines = [f"{a.provider}" + (f" ({a.model})" if a.model else "") + f": {a.reason}" for a in skipped]
    error = NoCapableProviderError(lines or ["no provider has an API key set; pass provider= or set one"])
    error.attempts = tuple(skipped)
    return error


def _prepared(prompt: str, provider: str | Sequence[str] | None, model: str | None, aspect_ratio: str | None,
              size: str | None, images: Sequence[Any] | None, n: int | None, output_format: str | None) -> Routes:
    """The routes for these values; NoCapableProviderError if none. A repeated shape with an
    explicit provider costs a dictionary lookup."""
    if images is None and isinstance(provider, str):
        try:  # the common case: a text prompt to one named provider, its shape seen before
            found = _NAMED.get((provider, model, aspect_ratio, size, n, output_format))
        except TypeError:  # an unhashable value: the full path below says what is wrong
            found = None
        if found is not None:
            return found
    request = CanonicalRequest(prompt, model, aspect_ratio, size, tuple(images or ()), n, output_format)
    found = _routes(request, provider)
    if not found[0]:
        raise no_candidate(list(found[1]))
    if images is None and isinstance(provider, str) and _shape((provider,), model, aspect_ratio, size, n,
                                                               output_format, ()) in _ROUTES:
        if len(_NAMED) >= _ROUTES_LIMIT:
            _NAMED.clear()
        _NAMED[provider, model, aspect_ratio, size, n, output_format] = found
    return found


def generate(prompt: str, *, provider: str | Sequence[str] | None = None, model: str | None = None,
             aspect_ratio: str | None = None, size: str | None = None, images: Sequence[Any] | None = None,
             n: int | None = None, output_format: str | None = None,
             fallback_after_billing: bool = False, clients: Mapping[str, Any] | None = None,
             on_progress: Progress | None = None) -> GenerateResult:
    """Generate with the first candidate that can honour every value; see the module doc.

    ``clients`` maps provider ids to clients to use (and leave open); other providers get a
    client from their environment variables, closed after the call. ``on_progress`` follows
    each attempt: sent, each polled status, each streamed chunk.
    """
    routes, skipped = _prepared(prompt, provider, model, aspect_ratio, size, images, n, output_format)
    failed: list[Attempt] = []
    for route in routes:
        arguments = route.fill(prompt, () if images is None else images)
        given = clients.get(route.provider) if clients else None
        try:
            if given is not None:
                reply, found = _call(given, route, arguments, on_progress)
            else:
                with client_class(route.provider, "Client")() as client:
                    reply, found = _call(client, route, arguments, on_progress)
        except RelayError as exc:
            stop = _stop_after(exc, route, skipped, failed, last=route is routes[-1], fallback=fallback_after_billing)
            if stop is exc:
                raise
            if stop is not None:
                raise stop from exc
            continue
        return _succeeded(route, skipped, failed, reply, found)
    raise AssertionError("unreachable: the last route returns or raises")


def _stop_after(error: RelayError, route: _Route, skipped: tuple[Attempt, ...], failed: list[Attempt], *,
                last: bool, fallback: bool) -> RelayError | None:
    """Record a failed attempt; the error to raise (with every attempt on it) when the request
    may have been billed and the caller did not opt in, or no candidate is left; else None.

    Routes are found per request shape, so a client may still refuse this request's content
    (an image it cannot take) before sending: that candidate is skipped, and when every
    candidate was, the error is NoCapableProviderError with each reason, as from planning."""
    if isinstance(error, InvalidRequestError):
        failed.append(Attempt(route.provider, route.model, route.endpoint.name, "skipped", "; ".join(error.problems)))
        if not last:
            return None
        if all(attempt.outcome == "skipped" for attempt in failed):
            return no_candidate((*skipped, *failed))
        error.attempts = (*skipped, *failed)
        return error
    billed = not safe_to_retry_elsewhere(error, route.provider)
    failed.append(Attempt(route.provider, route.model, route.endpoint.name, "failed", str(error), billed))
    if billed and not fallback or last:
        error.attempts = (*skipped, *failed)
        return error
    return None


def _succeeded(route: _Route, skipped: tuple[Attempt, ...], failed: list[Attempt], reply: Any,
               found: list[Image]) -> GenerateResult:
    attempts = (*skipped, *failed, route.succeeded) if failed or skipped else (route.succeeded,)
    return GenerateResult(found, route.provider, route.model, route.endpoint.name,
                          getattr(reply, "_request_id", None), attempts, reply)


def _status_reporter(route: _Route, on_progress: Progress) -> Callable[[str, float | None], None]:
    def report(status: str, progress: float | None) -> None:
        on_progress(f"{route.label}: {status}", progress)

    return report


def _call(client: Any, route: _Route, arguments: dict[str, Any], on_progress: Progress | None
          ) -> tuple[Any, list[Image]]:
    name = route.endpoint.name
    if on_progress is not None:
        on_progress(f"{route.label}: sending to {name}", None)
    if route.delivery == "polled":
        watch = None if on_progress is None else _status_reporter(route, on_progress)
        reply = getattr(client, f"{name}_and_wait")(**arguments, on_progress=watch)
    elif route.delivery == "sse":
        with getattr(client, name)(**arguments) as stream:
            for count, _ in enumerate(stream, start=1):
                if on_progress is not None:
                    on_progress(f"{route.label}: {count} chunk(s) streamed", None)
        reply = stream
    else:
        reply = getattr(client, name)(**arguments)
    return reply, list(reply.images())


async def agenerate(prompt: str, *, provider: str | Sequence[str] | None = None, model: str | None = None,
                    aspect_ratio: str | None = None, size: str | None = None,
                    images: Sequence[Any] | None = None, n: int | None = None, output_format: str | None = None,
                    fallback_after_billing: bool = False, clients: Mapping[str, Any] | None = None,
                    on_progress: Progress | None = None) -> GenerateResult:
    """``generate`` with the providers' async clients (``clients``: async clients by provider id)."""
    routes, skipped = _prepared(prompt, provider, model, aspect_ratio, size, images, n, output_format)
    failed: list[Attempt] = []
    for route in routes:
        arguments = route.fill(prompt, () if images is None else images)
        given = clients.get(route.provider) if clients else None
        try:
            if given is not None and route.delivery == "json" and on_progress is None:
                # One coroutine less on the common path: each costs on every suspension.
                reply = await getattr(given, route.endpoint.name)(**arguments)
                found = list(reply.images())
            elif given is not None:
                reply, found = await _acall(given, route, arguments, on_progress)
            else:
                async with client_class(route.provider, "AsyncClient")() as client:
                    reply, found = await _acall(client, route, arguments, on_progress)
        except RelayError as exc:
            stop = _stop_after(exc, route, skipped, failed, last=route is routes[-1], fallback=fallback_after_billing)
            if stop is exc:
                raise
            if stop is not None:
                raise stop from exc
            continue
        return _succeeded(route, skipped, failed, reply, found)
    raise AssertionError("unreachable: the last route returns or raises")


async def _acall(client: Any, route: _Route, arguments: dict[str, Any], on_progress: Progress | None
                 ) -> tuple[Any, list[Image]]:
    name = route.endpoint.name
    if on_progress is not None:
        on_progress(f"{route.label}: sending to {name}", None)
    if route.delivery == "polled":
        watch = None if on_progress is None else _status_reporter(route, on_progress)
        reply = await getattr(client, f"{name}_and_wait")(**arguments, on_progress=watch)
    elif route.delivery == "sse":
        async with await getattr(client, name)(**arguments) as stream:
            count = 0
            async for _ in stream:
                count += 1
                if on_progress is not None:
                    on_progress(f"{route.label}: {count} chunk(s) streamed", None)
        reply = stream
    else:
        reply = await getattr(client, name)(**arguments)
    return reply, list(reply.images())
