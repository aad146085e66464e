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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
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
    "dry_run",
    "endpoints",
    "generate",
    "known_providers",
    "plan",
    "provider_config",
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

    @property
    def label(self) -> str:
        """How progress names this attempt: ``provider (model)``."""
        return f"{self.provider} ({self.model})"


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
        with _client_class(self.provider, "Client")() as client:
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


def _client_class(provider: str, name: str) -> Any:
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


def dry_run(provider: str, endpoint: Endpoint, arguments: dict[str, Any]) -> tuple[str, Any]:
    """Build the request with the provider's own client and stop before it leaves.

    Returns ("", the httpx.Request) when the client accepts it, else (why not, None). The
    client holds a stand-in key, never the caller's.
    """
    import httpx

    built: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        built.append(request)
        raise httpx.ConnectError("dry run: not sent", request=request)

    cls = _client_class(provider, "Client")
    try:
        with cls(api_key=DRY_RUN_KEY, transport=httpx.MockTransport(refuse), max_retries=0) as client:
            outcome = getattr(client, endpoint.name)(**arguments)
            if hasattr(outcome, "close"):
                outcome.close()
    except InvalidRequestError as exc:
        return "; ".join(exc.problems), None
    except TypeError as exc:  # a required argument the canonical request does not fill
        missing = str(exc).partition("missing ")[2] or str(exc)
        return f"the request also needs {missing}", None
    except APIConnectionError:
        pass
    except RelayError as exc:  # anything else the client says before sending
        return str(exc), None
    return ("", built[0]) if built else ("the client sent nothing", None)


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


def plan(request: CanonicalRequest, provider: str | Sequence[str] | None = None
         ) -> tuple[list[Plan], list[Attempt]]:
    """For each candidate, the first (endpoint, model) that accepts every value; and why the
    others were skipped. Sends nothing."""
    plans: list[Plan] = []
    skipped: list[Attempt] = []
    for name in _candidates(provider):
        reasons: dict[str, None] = {}
        chosen = None
        for endpoint, delivery in endpoints(name):
            canonical = canonical_of(name, endpoint.name)
            for model, problem in _options(name, canonical, request):
                if model is None:
                    reasons[problem] = None
                    continue
                try:
                    arguments = arguments_for(canonical, request, model)
                except Unsupported as exc:
                    reasons[f"{endpoint.name}: {exc}"] = None
                    continue
                refused = _refusal(name, endpoint, model, request, arguments)
                if refused:
                    reasons[f"{endpoint.name} with {model}: {refused}"] = None
                    continue
                chosen = Plan(name, model, endpoint, arguments, delivery)
                break
            if chosen is not None:
                break
        if chosen is not None:
            plans.append(chosen)
        else:
            why = "; ".join(reasons) or "no endpoint maps the cross-provider request"
            skipped.append(Attempt(name, request.model, None, "skipped", why))
    return plans, skipped


# Request shapes a candidate's client has accepted: the dry run (a client, a request built) is
# most of the cost of planning, and a repeated shape needs it once. Only acceptances are kept:
# the real call validates again (a refusal then is not sent, so the next candidate is tried),
# while a refusal may depend on content (a prompt pattern, an image) and is checked each time.
_ACCEPTED: dict[tuple[Any, ...], None] = {}
_ACCEPTED_LIMIT = 4096


def _refusal(provider: str, endpoint: Endpoint, model: str, request: CanonicalRequest,
             arguments: dict[str, Any]) -> str:
    shape = (provider, endpoint.name, model, request.aspect_ratio, request.size, request.n, request.output_format,
             tuple(type(image).__name__ for image in request.images))
    if shape in _ACCEPTED:
        return ""
    refused, _ = dry_run(provider, endpoint, arguments)
    if not refused:
        if len(_ACCEPTED) >= _ACCEPTED_LIMIT:
            _ACCEPTED.clear()
        _ACCEPTED[shape] = None
    return refused


def _safe_to_retry_elsewhere(error: RelayError) -> bool:
    """The failed attempt provably started no paid work."""
    if isinstance(error, InvalidRequestError):
        return True
    if isinstance(error, (AuthenticationError, PermissionDeniedError, RateLimitError)):
        return True  # refused before any work
    return isinstance(error, APIConnectionError) and not error.request_sent


def _request(prompt: str, model: str | None, aspect_ratio: str | None, size: str | None,
             images: Sequence[Any] | None, n: int | None, output_format: str | None) -> CanonicalRequest:
    return CanonicalRequest(prompt, model, aspect_ratio, size, tuple(images or ()), n, output_format)


def _no_candidate(skipped: list[Attempt]) -> NoCapableProviderError:
    lines = [f"{a.provider}" + (f" ({a.model})" if a.model else "") + f": {a.reason}" for a in skipped]
    error = NoCapableProviderError(lines or ["no provider has an API key set; pass provider= or set one"])
    error.attempts = tuple(skipped)
    return error


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
    plans, attempts = _capable(_request(prompt, model, aspect_ratio, size, images, n, output_format), provider)
    for chosen in plans:
        try:
            given = (clients or {}).get(chosen.provider)
            if given is not None:
                reply, found = _call(given, chosen, on_progress)
            else:
                with _client_class(chosen.provider, "Client")() as client:
                    reply, found = _call(client, chosen, on_progress)
        except RelayError as exc:
            if _stop_after(exc, chosen, attempts, last=chosen is plans[-1], fallback=fallback_after_billing):
                raise
            continue
        return _succeeded(chosen, attempts, reply, found)
    raise AssertionError("unreachable: the last plan returns or raises")


def _capable(request: CanonicalRequest, provider: str | Sequence[str] | None) -> tuple[list[Plan], list[Attempt]]:
    """The plans to try in order, and the skipped candidates; NoCapableProviderError if none."""
    plans, attempts = plan(request, provider)
    if not plans:
        raise _no_candidate(attempts)
    return plans, attempts


def _stop_after(error: RelayError, chosen: Plan, attempts: list[Attempt], *, last: bool, fallback: bool) -> bool:
    """Record a failed attempt; True when ``error`` must be raised (with every attempt on it):
    the request may have been billed and the caller did not opt in, or no candidate is left."""
    billed = not _safe_to_retry_elsewhere(error)
    attempts.append(Attempt(chosen.provider, chosen.model, chosen.endpoint.name, "failed", str(error), billed))
    if billed and not fallback or last:
        error.attempts = tuple(attempts)
        return True
    return False


def _succeeded(chosen: Plan, attempts: list[Attempt], reply: Any, found: list[Image]) -> GenerateResult:
    attempts.append(Attempt(chosen.provider, chosen.model, chosen.endpoint.name, "succeeded"))
    return GenerateResult(found, chosen.provider, chosen.model, chosen.endpoint.name,
                          getattr(reply, "_request_id", None), tuple(attempts), reply)


def _status_reporter(chosen: Plan, on_progress: Progress) -> Callable[[str, float | None], None]:
    def report(status: str, progress: float | None) -> None:
        on_progress(f"{chosen.label}: {status}", progress)

    return report


def _call(client: Any, chosen: Plan, on_progress: Progress | None) -> tuple[Any, list[Image]]:
    method = getattr(client, chosen.endpoint.name)
    if on_progress is not None:
        on_progress(f"{chosen.label}: sending to {chosen.endpoint.name}", None)
    if chosen.delivery == "polled":
        watch = None if on_progress is None else _status_reporter(chosen, on_progress)
        reply = getattr(client, f"{chosen.endpoint.name}_and_wait")(**chosen.arguments, on_progress=watch)
    elif chosen.delivery == "sse":
        with method(**chosen.arguments) as stream:
            for count, _ in enumerate(stream, start=1):
                if on_progress is not None:
                    on_progress(f"{chosen.label}: {count} chunk(s) streamed", None)
        reply = stream
    else:
        reply = method(**chosen.arguments)
    return reply, list(reply.images())


async def agenerate(prompt: str, *, provider: str | Sequence[str] | None = None, model: str | None = None,
                    aspect_ratio: str | None = None, size: str | None = None,
                    images: Sequence[Any] | None = None, n: int | None = None, output_format: str | None = None,
                    fallback_after_billing: bool = False, clients: Mapping[str, Any] | None = None,
                    on_progress: Progress | None = None) -> GenerateResult:
    """``generate`` with the providers' async clients (``clients``: async clients by provider id)."""
    plans, attempts = _capable(_request(prompt, model, aspect_ratio, size, images, n, output_format), provider)
    for chosen in plans:
        try:
            given = (clients or {}).get(chosen.provider)
            if given is not None:
                reply, found = await _acall(given, chosen, on_progress)
            else:
                async with _client_class(chosen.provider, "AsyncClient")() as client:
                    reply, found = await _acall(client, chosen, on_progress)
        except RelayError as exc:
            if _stop_after(exc, chosen, attempts, last=chosen is plans[-1], fallback=fallback_after_billing):
                raise
            continue
        return _succeeded(chosen, attempts, reply, found)
    raise AssertionError("unreachable: the last plan returns or raises")


async def _acall(client: Any, chosen: Plan, on_progress: Progress | None) -> tuple[Any, list[Image]]:
    method = getattr(client, chosen.endpoint.name)
    if on_progress is not None:
        on_progress(f"{chosen.label}: sending to {chosen.endpoint.name}", None)
    if chosen.delivery == "polled":
        watch = None if on_progress is None else _status_reporter(chosen, on_progress)
        reply = await getattr(client, f"{chosen.endpoint.name}_and_wait")(**chosen.arguments, on_progress=watch)
    elif chosen.delivery == "sse":
        async with await method(**chosen.arguments) as stream:
            count = 0
            async for _ in stream:
                count += 1
                if on_progress is not None:
                    on_progress(f"{chosen.label}: {count} chunk(s) streamed", None)
        reply = stream
    else:
        reply = await method(**chosen.arguments)
    return reply, list(reply.images())
