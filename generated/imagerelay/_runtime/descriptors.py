"""Declarative descriptions of a provider and its endpoints.

Generated client modules build these once at import time from the spec; the
runtime reads them to send requests, parse responses, stream and poll.
Nothing here performs I/O.

They are NamedTuples rather than frozen dataclasses because every provider
module creates them while it is imported: a NamedTuple class costs a fraction
of a dataclass, which compiles half a dozen methods (about 1 ms a class,
measured by bench/import_time.py). Only read them by field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from .families import ModelFamily

AuthKind = Literal["bearer", "header", "query", "none"]
BodyKind = Literal["json", "multipart", "none"]
ResponseKind = Literal["json", "sse"]


class AuthScheme(NamedTuple):
    """How the API key travels: a bearer header, a named header or a query parameter."""

    kind: AuthKind
    # Header name for "bearer"/"header", query parameter name for "query".
    name: str
    # Environment variable the key is read from when the caller passes none.
    env: str
    # "header" only: text sent before the key, e.g. "Key " for ``Authorization: Key <key>``.
    prefix: str = ""
    # The doc marks the key optional: a client without one sends requests without it.
    optional: bool = False


class ProviderConfig(NamedTuple):
    """Connection facts shared by every endpoint of one provider."""

    id: str
    title: str
    base_url: str
    # Environment variable that overrides ``base_url`` when the caller passes none.
    base_url_env: str
    auth: AuthScheme
    # Wire paths (see ``paths.py``) tried in order to find the provider's own
    # error message in an error body, e.g. ("error.message", "message").
    error_message_fields: tuple[str, ...] = ()
    # Wire paths and header names that may carry a request id.
    request_id_fields: tuple[str, ...] = ()
    request_id_headers: tuple[str, ...] = ()
    # (status, text the provider's message contains, "" for any) of error replies the doc
    # says come before any paid work (spec ``errors.before_work``).
    before_work: tuple[tuple[int, str], ...] = ()
    # Model ids the doc lists, and its families: another id is sent with a warning.
    model_ids: tuple[str, ...] = ()
    families: tuple[ModelFamily, ...] = ()


class Envelope(NamedTuple):
    """A wrapper such as ``{code, message, data}`` around the real payload."""

    data: str
    code: str | None = None
    message: str | None = None
    # Values of ``code`` that mean success; empty means "any".
    success_codes: tuple[str, ...] = ()


class ImagePaths(NamedTuple):
    """Where images sit in a response payload (wire paths, see ``paths.py``)."""

    # Paths whose string values are image URLs, or text containing URLs.
    urls: tuple[str, ...] = ()
    # Paths of objects holding base64 data, and the keys inside them.
    inline: tuple[InlineImagePath, ...] = ()


class InlineImagePath(NamedTuple):
    path: str
    data_key: str
    # None when the payload names no MIME type (OpenAI b64_json): sniffed from the bytes.
    mime_key: str | None


class RefusalMarker(NamedTuple):
    """A response field that, when set, means the provider refused on content policy.

    ``values`` empty: any non-empty value is a refusal (e.g. ``promptFeedback.blockReason``);
    otherwise only those values are (e.g. ``candidates[].finishReason`` in IMAGE_SAFETY, SAFETY).
    """

    path: str
    values: tuple[str, ...] = ()


class TaskStatusSpec(NamedTuple):
    """Status field of a task/job payload and what its values mean."""

    status_field: str
    progress_field: str | None
    known: frozenset[str]
    success: frozenset[str]
    failure: frozenset[str]
    violation: frozenset[str]
    # Wire path of the provider's error text in a task payload.
    error_field: str | None = None

    @property
    def terminal(self) -> frozenset[str]:
        return self.success | self.failure | self.violation


class Resume(NamedTuple):
    """How to wait for a task a blocking call returned unfinished: the wire path of its id
    in the reply, and the client's wait helper to pass it to."""

    id_from: str
    method: str


class Endpoint(NamedTuple):
    """One HTTP operation; parameters are named by their wire names."""

    name: str
    method: str
    # "{name}" takes one escaped segment; "{name:path}" a value that may contain '/'.
    path: str
    path_params: tuple[str, ...] = ()
    query_params: tuple[str, ...] = ()
    header_params: tuple[str, ...] = ()
    body: BodyKind = "json"
    # Multipart fields sent as files rather than form values.
    file_fields: tuple[str, ...] = ()
    response: ResponseKind = "json"
    envelope: Envelope | None = None
    # True when sending it twice cannot start (or bill) work twice.
    idempotent: bool = False
    # SSE data value that ends a stream, e.g. "[DONE]".
    stream_done: str | None = None
    # Wire path in a chunk whose non-empty value marks the last chunk, e.g.
    # "choices[].finish_reason". A stream is complete when either marker is seen.
    stream_finish: str | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()
    # A successful reply (or a finished stream) without any image is an error
    # (``NoImageError``) rather than an empty result.
    requires_image: bool = False
    # The reply is a task that may already be final (a synchronous generate): a failed
    # or refused final status raises TaskFailedError / ContentPolicyError instead of
    # coming back as data. Status polls leave this off and let the wait loop decide.
    raise_task_failure: bool = False
    # A blocking call (not a submit that polls): a task still unfinished in the reply raises
    # TaskPendingError, naming ``resume``'s wait helper and the task id to pass it (resume
    # None: the spec gives no way to poll).
    raise_task_pending: bool = False
    resume: Resume | None = None
    # The request's model-id field (wire name): an id the doc does not list is warned about.
    model_field: str | None = None
    # imagerelay.generate's request on this endpoint, as plain data (cheap to import); read
    # by ``canonical.Canonical.of``.
    canonical: Mapping[str, Any] | None = None
