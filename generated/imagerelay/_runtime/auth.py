"""Where the API key comes from, whether it can be sent, and where it goes on the wire.

The key is held in a :class:`Secret` so that debuggers, ``vars(client)`` and
pretty-printers show ``***`` rather than the key itself, and while a Secret
lives the redactor masks its key everywhere (``redact.remember_secret``).
"""

from __future__ import annotations

import os
import re
import unicodedata
import weakref
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from .descriptors import AuthScheme, ProviderConfig
from .errors import InvalidAPIKeyError, InvalidRequestError, MissingAPIKeyError
from .redact import forget_secret, remember_secret

if TYPE_CHECKING:
    # Imported where used: httpx loads when a client is created, not on import (see client.py).
    import httpx

__all__ = [
    "Secret",
    "auth_headers",
    "auth_params",
    "check_headers",
    "key_problems",
    "resolve_api_key",
    "same_origin",
]


class Secret:
    """A string that never shows itself in str/repr, and is redacted everywhere while alive."""

    __slots__ = ("__weakref__", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        remember_secret(value)
        weakref.finalize(self, forget_secret, value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def _describe(char: str) -> str:
    """A character that cannot be in a key, named by its code point.

    Keys are printable ASCII, so naming the offending character shows nothing of the key.
    """
    code = f"U+{ord(char):04X}"
    if char == " ":
        return "a space"
    if char in "\r\n":
        return f"a line break ({code})"
    if unicodedata.category(char) == "Cc":
        return f"a control character ({code})"
    name = unicodedata.name(char, "")
    kind = "whitespace" if char.isspace() else "a non-ASCII character"
    return f"{kind} ({code} {name})" if name else f"{kind} ({code})"


def key_problems(key: str, offset: int = 0) -> list[str]:
    """What makes ``key`` unsendable: every character must be printable ASCII (``!``..``~``).

    Each problem names the character and its 1-based position (plus ``offset``),
    never the key. At most three are listed: a key with more is plainly not a key.
    """
    bad = [(index, char) for index, char in enumerate(key, 1 + offset) if not "!" <= char <= "~"]
    problems = [f"{_describe(char)} at position {index}" for index, char in bad[:3]]
    if len(bad) > 3:
        problems.append(f"and {len(bad) - 3} more")
    return problems


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def check_headers(
    headers: Mapping[str, str] | None, *, subject: str = "headers= argument"
) -> dict[str, str]:
    """``headers`` (the client's extra headers) as a dict, refused at construction when httpx
    could not send them: a name that is no HTTP token, or a value with characters other
    than printable ASCII, space and tab. httpx would raise UnicodeEncodeError or a
    protocol error from inside every call instead; values are not shown (they may be keys).
    """
    problems: list[str] = []
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            problems.append(f"header name {name!r} is not an HTTP token")
            continue
        if not isinstance(value, str):
            problems.append(f"header {name}: the value must be a str, not {type(value).__name__}")
            continue
        bad = [(index, char) for index, char in enumerate(value, 1) if not (" " <= char <= "~" or char == "\t")]
        problems += [f"header {name}: {_describe(char)} at position {index} of its value" for index, char in bad[:3]]
    if problems:
        raise InvalidRequestError(problems, subject=subject)
    return dict(headers or {})


def _unwrap(raw: str, prefix: str) -> tuple[str, int]:
    """``raw`` without surrounding whitespace or a pasted scheme word, and where that starts in it.

    People paste "Bearer sk-..." (or "Key ...") from curl examples; the scheme adds it back.
    """
    start, key = len(raw) - len(raw.lstrip()), raw.strip()
    for pasted in ("bearer ", prefix.lower()):
        if pasted.strip() and key.lower().startswith(pasted):
            rest = key[len(pasted) :]
            start += len(pasted) + len(rest) - len(rest.lstrip())
            key = rest.strip()
    return key, start


def resolve_api_key(provider: ProviderConfig, explicit: str | None) -> Secret | None:
    """The key passed in, else the one in the provider's environment variable.

    Surrounding whitespace and a pasted scheme word ("Bearer sk-...") are
    dropped. Raises MissingAPIKeyError (naming the variable, never a value)
    when the provider needs a key and there is none (a provider whose doc marks
    the key optional is then called without one), and InvalidAPIKeyError
    when what is left cannot be a key: no header can carry it, and an escaped
    spelling of it could slip past redaction.
    """
    scheme = provider.auth
    if scheme.kind == "none":
        return None
    raw = explicit if explicit is not None else os.environ.get(scheme.env, "")
    key, start = _unwrap(raw, scheme.prefix)
    if not key and scheme.optional:
        return None
    if not key:
        raise MissingAPIKeyError(
            f"no API key for {provider.title}: pass api_key=... or set the "
            f"{scheme.env} environment variable"
        )
    problems = key_problems(key, start)
    if problems:
        source = "api_key" if explicit is not None else f"${scheme.env}"
        raise InvalidAPIKeyError(
            f"the API key for {provider.title} is not valid: {source} has "
            + "; ".join(problems)
            + ". Keys are printable ASCII without spaces: look for a line break, a quote "
            "or an invisible character copied along with it"
        )
    return Secret(key)


def auth_headers(scheme: AuthScheme, key: Secret | None) -> dict[str, str]:
    if key is None:
        return {}
    if scheme.kind == "bearer":
        return {scheme.name or "Authorization": f"Bearer {key.reveal()}"}
    if scheme.kind == "header":
        return {scheme.name: scheme.prefix + key.reveal()}
    return {}


def auth_params(scheme: AuthScheme, key: Secret | None) -> dict[str, str]:
    if key is None or scheme.kind != "query":
        return {}
    return {scheme.name: key.reveal()}


def same_origin(url: str | httpx.URL, base_url: str | httpx.URL) -> bool:
    """True when both URLs share scheme, host and port (so the key may go along).

    ``url`` comes from a reply (an image to download): one httpx cannot parse
    raises InvalidRequestError, before anything is sent.
    """
    import httpx

    try:
        a = httpx.URL(url)
    except httpx.InvalidURL as exc:
        # Only the part before any query is shown: it may carry a signature.
        shown = str(url).split("?", 1)[0][:120]
        raise InvalidRequestError(
            [f"{shown!r} is not a URL that can be fetched ({exc})"], subject="download"
        ) from None
    return (a.scheme, a.host, a.port) == _origin(str(base_url))


@lru_cache(maxsize=16)
def _origin(url: str) -> tuple[str, str, int | None]:
    """A client's base URL as (scheme, host, port), parsed once: every download asks."""
    import httpx

    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port
