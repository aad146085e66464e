from __future__ import annotations

import httpx
import pytest
from imagerelay._runtime import errors
from imagerelay._runtime.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InvalidRequestError,
    RelayError,
    status_error_class,
)
from imagerelay._runtime.redact import redact_headers, redact_url, scrub


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (422, errors.UnprocessableEntityError),
        (429, errors.RateLimitError),
        (500, errors.InternalServerError),
        (503, errors.InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_error_class(status: int, cls: type[APIStatusError]) -> None:
    assert status_error_class(status) is cls


def test_hierarchy() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(errors.StreamIncompleteError, APIConnectionError)
    assert issubclass(InvalidRequestError, ValueError) and issubclass(
        InvalidRequestError, RelayError
    )
    for name in (
        "ResponseValidationError",
        "TaskFailedError",
        "ContentPolicyError",
        "NoImageError",
        "WaitTimeoutError",
    ):
        assert issubclass(getattr(errors, name), RelayError)


def test_status_error_str_is_one_line_with_all_facts() -> None:
    error = errors.RateLimitError(
        "generate failed: Too Many Requests",
        status=429,
        method="POST",
        url="https://r.test/v1/x?key=***",
        provider_message="quota\nexceeded",
        request_id="req-1",
    )
    assert str(error) == (
        "generate failed: Too Many Requests [POST https://r.test/v1/x?key=***; HTTP 429; "
        "provider says: 'quota exceeded'; request id req-1]"
    )
    assert error.request_sent is True
    assert repr(error) == f"RateLimitError({str(error)!r})"


def test_connection_error_says_whether_request_was_sent() -> None:
    error = APIConnectionError(
        "x failed: refused", method="GET", url="https://r.test/a", request_sent=False
    )
    assert str(error) == "x failed: refused [GET https://r.test/a; request was not sent]"
    error = APITimeoutError(
        "x failed: read", method="POST", url="https://r.test/a", request_sent=True
    )
    assert str(error).endswith("request may have been sent]")


def test_invalid_request_lists_problems() -> None:
    error = InvalidRequestError(["a is required", "b='x' is not allowed"])
    assert error.problems == ["a is required", "b='x' is not allowed"]
    assert str(error) == "invalid request (2 problems): a is required; b='x' is not allowed"


def test_redact_url_masks_configured_and_usual_params() -> None:
    url = "https://r.test/v1beta/models/m:generateContent?alt=sse&key=SECRET&x-token=1&api_key=S2&Token=S3"
    assert redact_url(url) == (
        "https://r.test/v1beta/models/m:generateContent?alt=sse&key=***&x-token=1&api_key=***&Token=***"
    )
    assert (
        redact_url(httpx.URL("https://r.test/a?sig=abc&q=1"), ["sig"])
        == "https://r.test/a?sig=***&q=1"
    )
    assert redact_url("https://user:pw@r.test/a") == "https://***@r.test/a"
    assert redact_url("https://r.test/a") == "https://r.test/a"


def test_redact_headers() -> None:
    headers = httpx.Headers(
        {"Authorization": "Bearer SECRET", "X-Custom-Key": "S", "Accept": "a/b"}
    )
    assert redact_headers(headers, ["x-custom-key"]) == {
        "authorization": "***",
        "x-custom-key": "***",
        "accept": "a/b",
    }


def test_scrub_removes_secret_and_its_url_encoding() -> None:
    assert scrub("bad key sk-a/b+c=d (sk-a%2Fb%2Bc%3Dd)", ["sk-a/b+c=d"]) == "bad key *** (***)"
    assert scrub("short ab", ["ab"]) == "short ab"
