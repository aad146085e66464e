"""The runtime's logger, and a guard on every log record about our traffic.

httpx logs each request URL at INFO ("httpx"), and httpcore logs every step
of an exchange at DEBUG ("httpcore.http11", "httpcore.connection", ...), reply
headers included. With query-string auth (``?key=...``), or a relay that
echoes the key in a header, those records would carry the key. So a filter
on each of these loggers (and on "imagerelay") rewrites a record before any
handler sees it: secret query parameters masked in URL arguments, then the
whole message, exception text and stack text passed through the redactor.

A logger's filters only see records logged on that very logger, not its
children, which is why the filter goes on each child logger by name.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from .redact import redact, redact_url

__all__ = ["LOG_ENV", "PROTECTED_LOGGERS", "log_from_env", "logger", "protect_httpx_logs"]

logger = logging.getLogger("imagerelay")

# The loggers httpx and httpcore create (httpcore: one per module, see httpcore/_sync/).
PROTECTED_LOGGERS = (
    "imagerelay",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.connection_pool",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_FAMILIES = ("imagerelay", "httpx", "httpcore")


class _RedactRecords(logging.Filter):
    def __init__(self) -> None:
        super().__init__("imagerelay-redact")
        self.secret_params: set[str] = set()

    def _message(self, record: logging.LogRecord) -> str:
        args, httpx = record.args, sys.modules.get("httpx")  # URLs exist only once it is loaded
        if isinstance(args, tuple) and args and httpx is not None:
            record.args = tuple(
                redact_url(arg, self.secret_params) if isinstance(arg, httpx.URL) else arg
                for arg in args
            )
        try:
            return record.getMessage()
        except Exception:  # noqa: BLE001 - a filter must not raise into httpcore's call site
            shown = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
            return f"{shown} (arguments could not be formatted)"

    def filter(self, record: logging.LogRecord) -> bool:
        # The formatted message replaces msg/args: redacting args one by one would miss a
        # key that only appears once they are put together (or inside a repr()).
        record.msg, record.args = redact(self._message(record)), ()
        if record.exc_info and isinstance(record.exc_info[1], BaseException):
            # A formatter that ignores exc_text prints the exception itself.
            error = record.exc_info[1]
            error.args = tuple(redact(a) if isinstance(a, str) else a for a in error.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = _RedactRecords()
# How many loggers existed when the filter was last installed: creating a client
# walks the logger registry again only when a logger was added since.
_seen_loggers = -1


def _protected_names() -> set[str]:
    """PROTECTED_LOGGERS and any other logger of those families that already exists."""
    existing = [name for name in list(logging.root.manager.loggerDict) if isinstance(name, str)]
    family = {n for n in existing if n.split(".", 1)[0] in _FAMILIES}
    return family | set(PROTECTED_LOGGERS)


def protect_httpx_logs(secret_params: Iterable[str]) -> None:
    """Redact every record of the imagerelay, httpx and httpcore loggers.

    ``secret_params`` (and the usual key names) are masked in URL arguments;
    known API keys in any spelling anywhere in the record. Called when a
    client is created: the filter is installed once per logger.
    """
    global _seen_loggers
    _FILTER.secret_params.update(name.lower() for name in secret_params)
    if len(logging.root.manager.loggerDict) == _seen_loggers:
        return
    for name in _protected_names():
        named = logging.getLogger(name)
        if _FILTER not in named.filters:
            named.addFilter(_FILTER)
    _seen_loggers = len(logging.root.manager.loggerDict)


# ``IMAGERELAY_LOG=debug|info``: like openai's OPENAI_LOG, a switch for seeing the traffic.
LOG_ENV = "IMAGERELAY_LOG"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_env_read = False


def log_from_env() -> None:
    """Once per process (at the first client): with ``IMAGERELAY_LOG`` set, the records of
    ``imagerelay`` and ``httpx`` at that level go to stderr, redacted like every record
    (the filters above run before any handler). The application's own logging setup is
    left alone: the handler sits on those two loggers, not on the root."""
    global _env_read
    if _env_read:
        return
    _env_read = True
    import os

    value = os.environ.get(LOG_ENV, "").strip().lower()
    if not value:
        return
    level = _LEVELS.get(value)
    if level is None:
        import warnings

        warnings.warn(f"{LOG_ENV}={value!r} is not 'debug' or 'info'; ignored", stacklevel=3)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
    for name in ("imagerelay", "httpx"):
        named = logging.getLogger(name)
        named.setLevel(level)
        named.addHandler(handler)
