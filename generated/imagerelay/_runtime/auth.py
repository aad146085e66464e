"""Where the API key comes from and where it goes on the wire.

The key is held in a :class:`Secret` so that debuggers, ``vars(client)`` and
pretty-printers show ``***`` rather than the key itself.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .descriptors import AuthScheme, ProviderConfig
from .errors import MissingAPIKeyError

if TYPE_CHECKING:
    # Imported where used: httpx loads when a client is created, not on import (see client.py).
    import httpx

__all__ = ["Secret", "auth_headers", "auth_params", "resolve_api_key", "same_origin"]


class Secret:
    """A string that never shows itself in str/repr."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def resolve_api_key(provider: ProviderConfig, explicit: str | None) -> Secret | None:
    """The key passed in, else the one in the provider's environment variable.

    Raises MissingAPIKeyError (naming the variable, never a value) when the
    provider needs a key and there is none.
    """
    scheme = provider.auth
    if scheme.kind == "none":
        return None
    raw = explicit if explicit is not None else os.environ.get(scheme.env, "")
    key = raw.strip()
    # People paste "Bearer sk-..." (or "Key ...") from curl examples; the scheme adds it back.
    for pasted in ("bearer ", scheme.prefix.lower()):
        if pasted.strip() and key.lower().startswith(pasted):
            key = key[len(pasted) :].strip()
    if not key:
        raise MissingAPIKeyError(
            f"no API key for {provider.title}: pass api_key=... or set the "
            f"{scheme.env} environment variable"
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
    """True when both URLs share scheme, host and port (so the key may go along)."""
    import httpx

    a, b = httpx.URL(url), httpx.URL(base_url)
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)
