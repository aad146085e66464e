"""Canary keys, the spellings a relay can echo them in, and a watch on every log record.

``LogWatch`` turns DEBUG on for the ``imagerelay``, ``httpx`` and ``httpcore``
loggers and formats every record the way a careless handler would: message,
raw ``args`` and exception text. A test then asserts that no spelling of the
key is in any line, nor in anything an error shows.
"""

from __future__ import annotations

import html
import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, quote_plus

CANARIES = {
    "plain": "sk-CANARY-12345",
    # '+', '/' and '=' change under URL encoding: quote() and quote_plus() differ from the key.
    "url-encoded": "sk-CANARY+12/34=x",
    # JSON, repr() and HTML escape these.
    "escaped": 'sk-CANARY"q\\b<&>z',
}
WATCHED_LOGGERS = ("imagerelay", "httpx", "httpcore")


def spellings(key: str) -> dict[str, str]:
    """The key as a relay or a log line may write it."""
    as_json = json.dumps(key)[1:-1]
    return {
        "raw": key,
        "quote": quote(key),
        "quote-all": quote(key, safe=""),
        "quote_plus": quote_plus(key),
        "json": as_json,
        "json-escaped-slash": as_json.replace("/", "\\/"),
        "json-in-json": json.dumps(json.dumps(key))[3:-3],
        "json-unicode": "".join(f"\\u{ord(c):04x}" for c in key),
        "repr": repr(key)[1:-1],
        "bytes-repr": repr(key.encode())[2:-1],
        "html": html.escape(key),
    }


def echoes(key: str) -> str:
    """A text holding the key in each of its spellings (what a hostile relay echoes)."""
    return " | ".join(f"{name}={spelled}" for name, spelled in spellings(key).items())


def error_texts(error: BaseException) -> dict[str, str]:
    texts = {
        "str": str(error),
        "repr": repr(error),
        "traceback": "".join(traceback.format_exception(error)),
        "vars": repr(vars(error)),
    }
    headers = getattr(error, "headers", None)
    if headers is not None:
        texts["headers"] = repr(dict(headers))
    return texts


def assert_no_spelling(texts: dict[str, str], key: str) -> None:
    """No spelling of ``key`` in any text, nor the head of one (a key cut before it was masked)."""
    for where, text in texts.items():
        for name, spelled in spellings(key).items():
            assert spelled[:12] not in text, f"{name} spelling of the key in {where}: {text[:2000]}"


class LogWatch(logging.Handler):
    """Every record of the watched loggers, formatted with its args and exception."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s args=%(args)r"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + " " + repr(record.__dict__.get("msg")))

    def by_logger(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for line in self.lines:
            name = line.split(" ", 1)[0].split(".", 1)[0]
            counts[name] = counts.get(name, 0) + 1
        return counts


@contextmanager
def watching_logs() -> Iterator[LogWatch]:
    watch = LogWatch()
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(watch)
    try:
        yield watch
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(watch)
            logger.setLevel(level)


def shown_by(error: BaseException | None, watch: LogWatch) -> dict[str, Any]:
    texts: dict[str, Any] = {} if error is None else error_texts(error)
    texts.update({f"log line {i}": line for i, line in enumerate(watch.lines)})
    return texts
