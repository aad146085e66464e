"""The runtime's logger, and a guard on httpx's own request log.

httpx logs every request URL at INFO on the "httpx" logger; with
query-string auth (``?key=...``) that would put the key in log records, so a
filter on that logger redacts secret query parameters first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .redact import redact_url

__all__ = ["logger", "protect_httpx_logs"]

logger = logging.getLogger("imagerelay")


class _RedactURLs(logging.Filter):
    def __init__(self) -> None:
        super().__init__("imagerelay-redact")
        self.secret_params: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        # Only httpx's own records pass here, so httpx is loaded by then.
        import httpx

        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(arg, self.secret_params) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


_FILTER = _RedactURLs()


def protect_httpx_logs(secret_params: Iterable[str]) -> None:
    """Redact ``secret_params`` (and the usual key names) in httpx's log records."""
    _FILTER.secret_params.update(name.lower() for name in secret_params)
    httpx_logger = logging.getLogger("httpx")
    if _FILTER not in httpx_logger.filters:
        httpx_logger.addFilter(_FILTER)
