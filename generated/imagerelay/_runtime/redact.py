"""The one redactor: every text the SDK can show passes through here first.

It knows every API key in use (a key is remembered while the ``Secret`` that
holds it is alive, see ``auth.py``) and every way a relay can write a key back:
raw, percent-encoded (``quote``/``quote_plus``, either hex case), JSON-escaped
(``\\"``, ``\\/``, ``\\u002b``...), Python ``repr`` escapes (``\\x2b``, ``\\'``),
HTML character references, escaped twice over (a relay that wraps an upstream's
JSON error text in its own JSON string), and with any whitespace in it folded
or collapsed. Mixed spellings match too: each character of a key may take any form.
Errors scrub every attribute they are given (``errors.RelayError``), and a
logging filter scrubs the records of the ``imagerelay``, ``httpx`` and
``httpcore`` loggers (``log.py``), so nothing has to remember to call it.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

if TYPE_CHECKING:
    # Annotations only: httpx loads when a client is created, not on import (see client.py).
    import httpx

__all__ = [
    "MASK",
    "SECRET_HEADERS",
    "SECRET_QUERY_PARAMS",
    "clip",
    "forget_secret",
    "redact",
    "redact_headers",
    "redact_url",
    "remember_secret",
    "scrub",
]

MASK = "***"
# Very short values would mask ordinary words; real keys are long.
MIN_SECRET_LENGTH = 6

# Always masked, whatever the provider's auth scheme says: keys leak through
# copied example URLs more often than through the configured parameter.
SECRET_QUERY_PARAMS = frozenset(
    {"key", "api_key", "apikey", "api-key", "token", "access_token", "secret", "signature"}
)
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-goog-api-key",
        "cookie",
        "set-cookie",
    }
)

_JSON_SHORT = {"\n": r"\n", "\r": r"\r", "\t": r"\t", "\b": r"\b", "\f": r"\f"}
_HTML_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


def _hex(value: int, width: int) -> str:
    """A regex for ``value`` as hex digits, either case (``%2f`` and ``%2F``)."""
    return f"(?i:{value:0{width}x})"


# One or more backslashes: the escape of an escape (a relay that puts an upstream's JSON
# error text inside its own JSON string writes \" as \\\" and \u002f as \\u002f).
_BACKSLASHES = r"\\+"


def _char_forms(char: str) -> list[str]:
    """Regex alternatives that each spell ``char`` in some escaping scheme.

    Escapes come before the raw character: a raw ``&`` would otherwise match
    the start of ``&#38;`` and leave ``#38;`` behind.
    """
    code = ord(char)
    if char == "\\":
        forms = [_BACKSLASHES]  # \\ in JSON and repr(), \\\\ inside those
    else:
        forms = [_BACKSLASHES + re.escape(char)]  # backslash-escaped: \" \/ \'
    forms.append("".join("%" + _hex(byte, 2) for byte in char.encode("utf-8")))
    if code < 0x10000:
        forms.append(_BACKSLASHES + "u" + _hex(code, 4))
    else:  # JSON spells astral characters as a surrogate pair
        high, low = divmod(code - 0x10000, 0x400)
        pair = (0xD800 + high, 0xDC00 + low)
        forms.append("".join(_BACKSLASHES + "u" + _hex(half, 4) for half in pair))
        forms.append(_BACKSLASHES + "U" + _hex(code, 8))
    if code < 0x100:
        forms.append(_BACKSLASHES + "x" + _hex(code, 2))
    forms.append(f"&#0{{0,4}}{code};")
    forms.append("&#[xX]0{0,4}" + _hex(code, 1) + ";")
    if char in _JSON_SHORT:
        forms.append(_BACKSLASHES + re.escape(_JSON_SHORT[char][1]))
    if char in _HTML_NAMED:
        forms.append(re.escape(_HTML_NAMED[char]))
    if char.isspace() or unicodedata.category(char) == "Zs":
        # Folded headers, collapsed messages and quote_plus all rewrite whitespace.
        forms += [r"\s+", r"\+"]
    return [*forms, re.escape(char)]


def _secret_regex(secret: str) -> str:
    return "".join("(?:" + "|".join(_char_forms(char)) + ")" for char in secret)


@lru_cache(maxsize=32)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    usable = sorted((s for s in secrets if len(s) >= MIN_SECRET_LENGTH), key=len, reverse=True)
    if not usable:
        return None
    return re.compile("|".join(_secret_regex(secret) for secret in usable))


class _Registry:
    """The API keys of the live clients (counted: clients may share a key)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self.secrets: frozenset[str] = frozenset()

    def add(self, secret: str) -> None:
        with self._lock:
            self._counts[secret] = self._counts.get(secret, 0) + 1
            self.secrets = frozenset(self._counts)

    def discard(self, secret: str) -> None:
        with self._lock:
            left = self._counts.get(secret, 0) - 1
            if left > 0:
                self._counts[secret] = left
            else:
                self._counts.pop(secret, None)
            self.secrets = frozenset(self._counts)


_REGISTRY = _Registry()


def remember_secret(secret: str) -> None:
    """Mask ``secret`` (in all its spellings) wherever ``redact`` runs, until forgotten."""
    _REGISTRY.add(secret)


def forget_secret(secret: str) -> None:
    """Undo one ``remember_secret(secret)``."""
    _REGISTRY.discard(secret)


def redact(text: str, extra: Iterable[str | None] = ()) -> str:
    """``text`` with every known secret, and each of ``extra``, replaced by ``***``."""
    secrets = _REGISTRY.secrets
    more = frozenset(s for s in extra if s) - secrets
    pattern = _pattern(secrets | more if more else secrets)
    return text if pattern is None else pattern.sub(MASK, text)


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``redact(text, secrets)``: kept for callers that pass their own secrets."""
    return redact(text, secrets)


def clip(text: str | bytes, limit: int, extra: Iterable[str | None] = ()) -> str:
    """At most ``limit`` characters of the redacted start of ``text`` (bytes: UTF-8, lenient).

    Only a head of ``text`` is redacted (and decoded): a 20 MB base64 body for
    300 characters is waste. A secret that straddles the end of that head is
    no longer a whole secret, so redaction would keep its first characters:
    the head is taken with a margin as long as the longest spelling of any
    secret, and the margin is dropped after redaction.
    """
    secrets = _REGISTRY.secrets.union(s for s in extra if s)
    # No spelling of one character above is longer than 16 (&#x00001f600;).
    margin = 16 * max((len(s) for s in secrets), default=0)
    window = limit + margin
    if isinstance(text, bytes):
        window *= 4  # UTF-8: at most 4 bytes a character
        head = text[:window].decode("utf-8", "replace")
    else:
        head = text[:window]
    clean = redact(head, extra)
    if len(text) > window:
        clean = clean[: max(0, len(clean) - margin)]
    return clean[:limit]


def _masked_netloc(netloc: str) -> str:
    # user:password@host -> ***@host
    if "@" not in netloc:
        return netloc
    return MASK + "@" + netloc.rsplit("@", 1)[1]


def redact_url(url: str | httpx.URL, secret_params: Iterable[str] = ()) -> str:
    """``url`` with the values of secret query parameters (and known keys) replaced by ``***``."""
    text = str(url)
    parts = urlsplit(text)
    names = SECRET_QUERY_PARAMS | {name.lower() for name in secret_params}
    netloc = _masked_netloc(parts.netloc)
    if not parts.query and netloc == parts.netloc:
        return redact(text)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(
        f"{quote(name, safe='[]')}={MASK if name.lower() in names else quote(value, safe='/:,')}"
        for name, value in pairs
    )
    return redact(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def redact_headers(
    headers: Mapping[str, str] | httpx.Headers, secret_names: Iterable[str] = ()
) -> dict[str, str]:
    """A copy of ``headers``: credential headers masked, known keys masked in every other.

    A relay may echo the key in any header (``X-Debug-Auth: sk-...``), so names
    alone are not enough.
    """
    names = SECRET_HEADERS | {name.lower() for name in secret_names}
    return {
        redact(name): (MASK if name.lower() in names else redact(value))
        for name, value in headers.items()
    }
