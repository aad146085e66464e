"""The one redactor: every spelling of a key, every error attribute, every log record.

Unit level: ``redact``/``clip`` over each encoding a relay can echo a key in,
every exception class built with the key in each of its arguments, the
logging filter on the imagerelay / httpx / httpcore loggers, and API-key
validation at client construction. The same properties against a real
server are in tests/faults/test_fault_secrecy.py.
"""

from __future__ import annotations

import gc
import html
import inspect
import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from imagerelay._runtime import errors
from imagerelay._runtime.auth import Secret, resolve_api_key
from imagerelay._runtime.errors import (
    APIConnectionError,
    InvalidAPIKeyError,
    MissingAPIKeyError,
    NoImageError,
    RelayError,
    TaskFailedError,
)
from imagerelay._runtime.log import PROTECTED_LOGGERS, protect_httpx_logs
from imagerelay._runtime.redact import MASK, clip, forget_secret, redact, remember_secret
from rt_helpers import provider

CANARIES = [
    "sk-CANARY-12345",
    "sk-CANARY+12/34=x",  # URL-encodes: %2B %2F %3D
    "sk-CANARY\"q\\b<&>'z",  # JSON, repr and HTML escapes
]


def spellings(secret: str) -> dict[str, str]:
    """The ways a relay, a log line or a repr() can write ``secret`` back."""
    as_json = json.dumps(secret)[1:-1]
    return {
        "raw": secret,
        "quote": quote(secret),
        "quote-all": quote(secret, safe=""),
        "quote_plus": quote_plus(secret),
        "quote-lower-hex": quote(secret, safe="").replace("%2B", "%2b").replace("%2F", "%2f"),
        "json": as_json,
        "json-escaped-slash": as_json.replace("/", "\\/"),
        "json-in-json": json.dumps(json.dumps(secret))[3:-3],
        "json-unicode-escapes": "".join(f"\\u{ord(c):04x}" for c in secret),
        "json-go-style": json.dumps(secret).replace("<", "\\u003c").replace(">", "\\u003e")[1:-1],
        "repr": repr(secret)[1:-1],
        "bytes-repr": repr(secret.encode())[2:-1],
        "html": html.escape(secret),
        "html-decimal": "".join(f"&#{ord(c)};" for c in secret),
    }


def shown(error: BaseException) -> str:
    """Everything an error shows: str, repr, traceback (cause included), its attributes."""
    return "\n".join(
        [str(error), repr(error), "".join(traceback.format_exception(error)), repr(vars(error))]
    )


def assert_hidden(text: str, secret: str) -> None:
    for name, spelled in spellings(secret).items():
        assert spelled not in text, f"{name} spelling of the key shown"


@pytest.fixture(params=CANARIES, ids=["plain", "url-encoded", "escaped"])
def canary(request: pytest.FixtureRequest) -> Iterator[str]:
    secret = str(request.param)
    remember_secret(secret)
    yield secret
    forget_secret(secret)


# --- the redactor ---------------------------------------------------------------------------


def test_every_spelling_is_masked(canary: str) -> None:
    for name, spelled in spellings(canary).items():
        assert redact(f"before {spelled} after") == f"before {MASK} after", name


def test_whitespace_in_a_secret_matches_folded_and_plus_forms() -> None:
    # Keys with whitespace are refused at construction; the redactor is total anyway.
    secret = "sk-CANARY-12345 x"
    for text in (secret, "sk-CANARY-12345+x", "sk-CANARY-12345\r\n x", "sk-CANARY-12345%20x"):
        assert redact(f"<{text}>", [secret]) == f"<{MASK}>"


def test_unrelated_text_and_short_secrets_are_left_alone(canary: str) -> None:
    text = "sk-CANARY-1234 is not the key; SK-canary-12345 neither"
    assert redact(text) == text
    assert redact("short ab here", ["ab"]) == "short ab here"


def test_a_forgotten_secret_is_no_longer_masked_and_a_dead_secret_is_forgotten() -> None:
    remember_secret("sk-forget-me-1")
    forget_secret("sk-forget-me-1")
    assert redact("sk-forget-me-1") == "sk-forget-me-1"
    held = Secret("sk-held-secret-2")
    assert redact("x sk-held-secret-2") == f"x {MASK}"
    del held
    gc.collect()
    assert redact("x sk-held-secret-2") == "x sk-held-secret-2"


def test_two_secrets_with_the_same_key_are_counted() -> None:
    first, second = Secret("sk-shared-key-3"), Secret("sk-shared-key-3")
    del first
    gc.collect()
    assert redact("sk-shared-key-3") == MASK  # the second one still holds it
    del second
    gc.collect()
    assert redact("sk-shared-key-3") == "sk-shared-key-3"


@settings(max_examples=200, deadline=None)
@given(
    secret=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=6, max_size=48),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    spelling=st.sampled_from(sorted(spellings("x"))),
)
@example(secret="sk-a/b+c=d", before="\\", after="", spelling="json")
def test_any_printable_key_in_any_spelling_anywhere_is_masked(
    secret: str, before: str, after: str, spelling: str
) -> None:
    spelled = spellings(secret)[spelling]
    assert spelled not in redact(before + spelled + after, [secret])


@settings(max_examples=300, deadline=None)
@given(
    repeats=st.integers(min_value=0, max_value=60),
    position=st.integers(min_value=0, max_value=1500),
    as_bytes=st.booleans(),
    filler=st.sampled_from(["x", "é", "中", "😀"]),
)
@example(repeats=25, position=50, as_bytes=False, filler="x")  # masking shrinks the head
def test_clip_never_leaves_the_head_of_a_key_it_cut(
    repeats: int, position: int, as_bytes: bool, filler: str
) -> None:
    secret = "sk-CLIP-0123456789abcdef"
    text = (secret + " ") * repeats + filler * position + secret + "y" * 3000
    out = clip(text.encode() if as_bytes else text, 300, [secret])
    assert len(out) <= 300
    assert secret[:4] not in out


def test_clip_keeps_a_full_excerpt_when_there_is_no_key() -> None:
    assert clip(b"a" * 5000, 300) == "a" * 300
    assert clip("é" * 5000, 300) == "é" * 300


# --- errors redact whatever they are given ----------------------------------------------------


def _argument(name: str, annotation: str, secret: str) -> Any:
    if name == "headers":
        return {"X-Echo": secret, "Authorization": f"Bearer {secret}", f"X-{secret}": "1"}
    if name == "problems":
        return [f"value {secret} is wrong"]
    if name == "response":
        return {"text": f"echo {secret}"}
    if "str" in annotation:
        return f"{name}: {secret}"
    if "int" in annotation:
        return 401
    if "float" in annotation:
        return 0.5
    if "bool" in annotation:
        return True
    return f"{name}: {secret}"


ERROR_CLASSES = sorted(
    (cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, RelayError)),
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_no_error_class_can_hold_the_key(cls: type[RelayError], canary: str) -> None:
    params = inspect.signature(cls.__init__).parameters
    positional, keywords = [], {}
    for name, param in list(params.items())[1:]:
        if param.kind is param.VAR_KEYWORD:
            keywords.update(method="POST", url=f"https://r.test/x?echo={quote(canary)}")
            keywords.update(request_id=f"req-{canary}")
            continue
        value = _argument(name, str(param.annotation), canary)
        if param.kind is param.POSITIONAL_OR_KEYWORD:
            positional.append(value)
        else:
            keywords[name] = value
    error = cls(*positional, **keywords)
    error.retry_note = f"note {canary}"
    error.__cause__ = httpx.ReadError(f"reset near {canary}")
    text = shown(error)
    assert_hidden(text, canary)
    assert MASK in str(error)


def test_status_error_headers_mask_any_header_echoing_the_key(canary: str) -> None:
    error = errors.status_error_class(401)(
        "generate failed: Unauthorized",
        status=401,
        headers=httpx.Headers({"X-Echo": f"got {canary}", "Retry-After": "3", "Set-Cookie": "s=1"}),
    )
    assert error.headers == {"x-echo": f"got {MASK}", "retry-after": "3", "set-cookie": MASK}


def test_no_image_error_keeps_the_reply_but_shows_it_redacted(canary: str) -> None:
    reply = {"text": f"I saw {canary}"}
    error = NoImageError("no image", response=reply)
    assert error.response is reply
    assert_hidden(shown(error), canary)


def test_task_failed_error_from_the_wait_loop_is_redacted(canary: str) -> None:
    # settle() builds it from the polled task alone, with no exchange to scrub with.
    error = TaskFailedError(
        f"task failed with status 'failed': quota of {canary} used up",
        task_status="failed",
        provider_message=f"quota of {canary} used up",
    )
    assert error.provider_message == f"quota of {MASK} used up"
    assert_hidden(shown(error), canary)


# --- the logging filter ---------------------------------------------------------------------


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s args=%(args)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def collected() -> Iterator[Collect]:
    handler = Collect()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)


@pytest.mark.parametrize("name", [*PROTECTED_LOGGERS, "httpcore.later_module"])
def test_records_of_every_protected_logger_are_redacted(
    name: str, canary: str, collected: Collect
) -> None:
    logging.getLogger(name)  # a logger that exists before the client is created
    protect_httpx_logs(["key"])
    target = logging.getLogger(name)
    url = httpx.URL("https://r.test/v1", params={"key": canary, "q": "1"})
    target.debug("%s %s headers=%r", "GET", url, [(b"X-Echo", canary.encode())])
    target.info("plain %s", json.dumps({"message": canary}))
    try:
        raise ValueError(f"boom {canary}")
    except ValueError:
        target.exception("failed with %s", quote_plus(canary))
    assert len(collected.lines) == 3
    text = "\n".join(collected.lines)
    assert_hidden(text, canary)
    assert "key=***&q=1" in text and "boom ***" in text


# --- API keys that cannot be sent -------------------------------------------------------------

KEY_PROVIDER = provider()


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (
            "sk-abc\u00e9def12",
            "a non-ASCII character (U+00E9 LATIN SMALL LETTER E WITH ACUTE) at position 7",
        ),
        ("sk-abc\u200bdef12", "a non-ASCII character (U+200B ZERO WIDTH SPACE) at position 7"),
        (
            "\u201csk-abcdef12\u201d",
            "a non-ASCII character (U+201C LEFT DOUBLE QUOTATION MARK) at position 1",
        ),
        ("sk-abc\ndef12", "a line break (U+000A) at position 7"),
        ("sk-abc\x00def12", "a control character (U+0000) at position 7"),
        ("sk-abc\x7fdef12", "a control character (U+007F) at position 7"),
        ("sk-abc def12", "a space at position 7"),
        ("sk-abc\tdef12", "a control character (U+0009) at position 7"),
        ("sk-abc\u00a0def12", "whitespace (U+00A0 NO-BREAK SPACE) at position 7"),
        ("  Bearer sk-abc def12", "a space at position 16"),
    ],
)
def test_unsendable_keys_are_refused_without_showing_them(key: str, problem: str) -> None:
    with pytest.raises(InvalidAPIKeyError) as caught:
        resolve_api_key(KEY_PROVIDER, key)
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, RelayError)
    assert f"api_key has {problem}" in str(error)
    for piece in ("sk-abc", "def12"):
        assert piece not in shown(error)


def test_an_unsendable_key_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TESTRELAY_API_KEY", "sk-env\r\nkey")
    with pytest.raises(
        InvalidAPIKeyError, match=r"\$TESTRELAY_API_KEY has a line break \(U\+000D\) at position 7"
    ):
        resolve_api_key(KEY_PROVIDER, None)


def test_a_key_full_of_junk_lists_three_problems_and_a_count() -> None:
    with pytest.raises(InvalidAPIKeyError) as caught:
        resolve_api_key(KEY_PROVIDER, "a b c d e f")
    assert "a space at position 2; a space at position 4; a space at position 6; and 2 more" in str(
        caught.value
    )


@pytest.mark.parametrize("pasted", ["Bearer sk-ok-123", "  sk-ok-123\n", "bearer   sk-ok-123 "])
def test_pasted_prefix_and_surrounding_whitespace_are_still_accepted(pasted: str) -> None:
    secret = resolve_api_key(KEY_PROVIDER, pasted)
    assert secret is not None and secret.reveal() == "sk-ok-123"


def test_missing_key_is_still_its_own_error() -> None:
    with pytest.raises(MissingAPIKeyError):
        resolve_api_key(KEY_PROVIDER, " \n ")


def test_connection_error_cause_set_later_is_redacted(canary: str) -> None:
    error = APIConnectionError("x failed", method="GET", url="https://r.test/a")
    cause = httpx.ConnectError(f"cannot reach {canary}")
    error.__cause__ = cause
    assert canary not in str(cause)


def test_a_malformed_record_is_shown_not_raised(canary: str, collected: Collect) -> None:
    protect_httpx_logs([])
    logging.getLogger("httpcore.http11").debug("%d bytes for " + canary, "not a number")
    assert collected.lines == [
        "httpcore.http11 DEBUG %d bytes for *** (arguments could not be formatted) args=()"
    ]


def test_other_attributes_are_redacted_by_shape_and_kept_otherwise(canary: str) -> None:
    error = RelayError("x")
    error.details = {"count": 1, "nested": [f"a {canary}", ("t", 2)]}  # type: ignore[attr-defined]
    error.endpoint = httpx.URL("https://r.test/")  # type: ignore[attr-defined]
    assert error.details == {"count": 1, "nested": [f"a {MASK}", ("t", 2)]}  # type: ignore[attr-defined]
    assert isinstance(error.endpoint, httpx.URL)  # type: ignore[attr-defined]
