"""What a well-formed 2xx reply can still mean: a refusal, or no image at all.

Relays answer 200 when the model refused (Gemini's ``finishReason:
IMAGE_SAFETY``, ``promptFeedback.blockReason``) or simply drew nothing.
These checks turn such replies into ``ContentPolicyError`` and
``NoImageError``, and a blocking call whose task is not final yet into
``TaskPendingError`` (carrying the task id to wait for); they run on a decoded JSON reply (``ClientCore._decode``)
and on each chunk and the end of a stream (``streaming.ChunkReader``), so both
kinds of reply fail the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .decode import Exchange
from .descriptors import Endpoint, TaskStatusSpec
from .errors import (
    ContentPolicyError,
    NoImageError,
    RelayError,
    TaskFailedError,
    TaskPendingError,
)
from .model import RelayResponse, find_refusal, task_error_in, task_outcome_in, task_status_in
from .paths import find_first

if TYPE_CHECKING:
    # Annotations only: httpx loads when a client is created, not on import (see client.py).
    import httpx

__all__ = [
    "awaiting_task",
    "no_image_error",
    "refusal_error",
    "task_failure_error",
    "task_reply_error",
]


def refusal_error(
    model: type[BaseModel], payload: Any, exchange: Exchange, response: httpx.Response
) -> ContentPolicyError | None:
    """The error for a ``payload`` that sets one of ``model``'s refusal markers, or None.

    Checked on the raw payload, before validation: a refusal often lacks the
    fields a normal reply has, and "refused" is the more useful error.
    """
    markers = getattr(model, "__relay_refusals__", ())
    text = find_refusal(payload, markers) if markers else None
    if text is None:
        return None
    return ContentPolicyError(
        f"{exchange.name}: the provider refused the request on content policy",
        provider_message=exchange.clean(text),
        **exchange.facts(response, payload),
    )


def _task_of(result: BaseModel | None, payload: Any) -> tuple[Any, TaskStatusSpec] | None:
    """The reply as sent (``payload``, else a dump of ``result``) and its task spec, if a task."""
    spec = type(result).__relay_task__ if isinstance(result, RelayResponse) else None
    if not isinstance(result, RelayResponse) or spec is None:
        return None
    return (result.to_wire() if payload is None else payload), spec


def task_reply_error(
    result: BaseModel | None,
    endpoint: Endpoint,
    exchange: Exchange,
    response: httpx.Response,
    payload: Any = None,
) -> RelayError | None:
    """The error for a task reply of a call that does not poll, or None: a failed or refused
    final status (``endpoint.raise_task_failure``), or a task not final yet
    (``endpoint.raise_task_pending``). The status is read once, from ``payload`` (the
    reply as parsed) when given, which spares a dump of ``result``."""
    task = _task_of(result, payload)
    if task is None:
        return None
    wire, spec = task
    outcome = task_outcome_in(wire, spec)
    if outcome in ("failure", "violation") and endpoint.raise_task_failure:
        return _failed(wire, spec, outcome == "violation", exchange, response)
    if outcome == "pending" and endpoint.raise_task_pending:
        assert isinstance(result, RelayResponse)  # _task_of found a task
        return _pending(result, wire, spec, endpoint, exchange, response)
    return None


def task_failure_error(
    result: BaseModel | None, exchange: Exchange, response: httpx.Response
) -> TaskFailedError | ContentPolicyError | None:
    """The error for a task in a failed or refused final status, or None (stream chunks)."""
    task = _task_of(result, None)
    if task is None:
        return None
    wire, spec = task
    outcome = task_outcome_in(wire, spec)
    if outcome not in ("failure", "violation"):
        return None
    return _failed(wire, spec, outcome == "violation", exchange, response)


def _failed(
    wire: Any, spec: TaskStatusSpec, refused: bool, exchange: Exchange, response: httpx.Response
) -> TaskFailedError | ContentPolicyError:
    status, detail = task_status_in(wire, spec), task_error_in(wire, spec)
    kind = ContentPolicyError if refused else TaskFailedError
    what = "refused on content policy" if refused else "failed"
    return kind(
        f"{exchange.name}: the task {what} (status {status!r})",
        task_status=status,
        provider_message=exchange.clean(detail) if detail else None,
        **exchange.facts(response),
    )


def _pending(
    result: RelayResponse,
    wire: Any,
    spec: TaskStatusSpec,
    endpoint: Endpoint,
    exchange: Exchange,
    response: httpx.Response,
) -> TaskPendingError:
    """A blocking call whose task is not final yet.

    A relay may answer a synchronous generate with ``queued``/``running`` (or a status
    the spec does not list) when its own wait runs out. Returning that reply would look
    like a success without images; the work may still finish and be billed, so the error
    carries the task id and the wait helper that picks it up (``endpoint.resume``).
    """
    status = task_status_in(wire, spec)
    resume = endpoint.resume
    found = find_first(wire, resume.id_from) if resume is not None else None
    task_id = None if found is None or isinstance(found, (dict, list)) else str(found)
    if resume is not None and task_id is not None:
        hint = f"wait for it with client.{resume.method}({task_id!r})"
    else:
        hint = "the reply names no way to wait for it"
    return TaskPendingError(
        f"{exchange.name}: the task is not finished (status {status!r}), so there is no "
        f"image yet; {hint}",
        task_id=task_id,
        task_status=status,
        progress=result.task_progress(),
        resume_with=resume.method if resume is not None else None,
        **exchange.facts(response),
    )


def awaiting_task(result: BaseModel | None) -> bool:
    """True for a task that has not succeeded (yet): its images are not due."""
    return (
        isinstance(result, RelayResponse)
        and type(result).__relay_task__ is not None
        and result.task_outcome() != "success"
    )


def no_image_error(
    result: BaseModel | None,
    found: bool,
    exchange: Exchange,
    response: httpx.Response,
    payload: Any = None,
) -> NoImageError | None:
    """The error for a reply of a ``requires_image`` endpoint that has none, or None.

    ``found`` says whether any image was seen (in a stream: in any chunk);
    ``result`` is the parsed reply or the last chunk.
    """
    if found or awaiting_task(result):
        return None
    return NoImageError(
        f"{exchange.name}: the reply holds no image",
        response=result,
        provider_message=exchange.provider_message(payload) if payload is not None else None,
        **exchange.facts(response, payload),
    )
