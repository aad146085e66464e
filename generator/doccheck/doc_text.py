"""A vendor doc as lines, and the JSON objects and curl commands written in it.

Docs are terse and sometimes broken (an example that lost its opening brace, a body
quoted for the shell); what cannot be read as JSON is left alone, never guessed at.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# A doc is a file from a stranger: bound what is read and how far a command may run on.
MAX_DOC_BYTES = 2_000_000
_MAX_COMMAND_LINES = 400
_MAX_BRACELESS_LINES = 80

_CURL = re.compile(r"^\s*(?:\$\s*)?curl\b")
_BRACELESS_START = re.compile(r'^\s*"[^"\n]+"\s*:')
_METHOD_FLAGS = ("-X", "--request")
_DATA_FLAGS = ("-d", "--data", "--data-raw", "--data-binary")
_FORM_FLAGS = ("-F", "--form")
_VALUE_FLAGS = ("-H", "--header", "-o", "--output", "-u", "--user", "-A", "--user-agent")
_SHELL_STOPS = frozenset({"|", ">", ">>", "&&", ";", "||"})


@dataclass(frozen=True)
class DocJson:
    """A JSON object written in the doc: lines ``line``..``end_line`` (1-based)."""

    line: int
    end_line: int
    value: dict[str, Any]
    # Set when the object is the body of a curl command (the command's own first line).
    curl_line: int | None = None


@dataclass(frozen=True)
class CurlCall:
    line: int
    end_line: int
    method: str
    url: str
    query: tuple[tuple[str, str], ...]
    body: DocJson | None
    form_fields: tuple[str, ...]


class DocText:
    """The doc's lines, numbered from 1 as editors show them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        self._starts = [0]
        for line in self.lines:
            self._starts.append(self._starts[-1] + len(line) + 1)

    def line_of(self, index: int) -> int:
        """The 1-based line holding character ``index`` of the text."""
        low, high = 0, len(self.lines)
        while low < high:
            middle = (low + high + 1) // 2
            if self._starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        return low + 1

    def line_of_key(self, key: str, start: int, end: int) -> int:
        """The first line in ``start``..``end`` that writes ``"key"``, else ``start``."""
        needle = json.dumps(key, ensure_ascii=False)
        for number in range(start, min(end, len(self.lines)) + 1):
            if needle in self.lines[number - 1] or f'\\"{key}\\"' in self.lines[number - 1]:
                return number
        return start


def curl_calls(doc: DocText) -> list[CurlCall]:
    """Every curl command of the doc, with its JSON body when the body is JSON."""
    calls: list[CurlCall] = []
    number = 1
    while number <= len(doc.lines):
        if not _CURL.match(doc.lines[number - 1]):
            number += 1
            continue
        tokens, end = _command_tokens(doc, number)
        call = _curl_call(doc, tokens, number, end) if tokens else None
        if call is not None:
            calls.append(call)
        number = end + 1
    return calls


def _command_tokens(doc: DocText, first: int) -> tuple[list[str], int]:
    """The shell words of the command starting at line ``first`` and its last line."""
    text = ""
    last = min(len(doc.lines), first + _MAX_COMMAND_LINES)
    for number in range(first, last + 1):
        line = doc.lines[number - 1]
        text += line + "\n"
        if line.rstrip().endswith("\\"):
            continue
        try:
            # A backslash at the end of a line continues the command (shlex keeps the newline).
            return shlex.split(text.replace("\\\n", " "), comments=False), number
        except ValueError:  # a quote still open: the body runs on to later lines
            continue
    return [], first


def _curl_call(doc: DocText, tokens: list[str], first: int, end: int) -> CurlCall | None:
    method, url, data, forms = "", "", None, []
    words = iter(tokens[1:])
    for word in words:
        if word in _SHELL_STOPS:
            break
        if word in _METHOD_FLAGS:
            method = next(words, "")
        elif word in _DATA_FLAGS:
            data = next(words, None)
        elif word in _FORM_FLAGS:
            forms.append(next(words, "").split("=", 1)[0])
        elif word in _VALUE_FLAGS:
            next(words, None)
        elif not word.startswith("-") and not url:
            url = word
    if not url:
        return None
    body = _body(doc, data, first, end) if data is not None else None
    query = tuple(parse_qsl(urlsplit(url).query, keep_blank_values=True)) if "?" in url else ()
    verb = method.upper() or ("POST" if data is not None or forms else "GET")
    return CurlCall(first, end, verb, url, query, body, tuple(forms))


def _body(doc: DocText, data: str, first: int, end: int) -> DocJson | None:
    try:
        value = json.loads(data)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    opening = next((n for n in range(first, end + 1) if "{" in doc.lines[n - 1]), first)
    return DocJson(opening, end, value, curl_line=first)


def json_objects(doc: DocText, skip: list[tuple[int, int]]) -> list[DocJson]:
    """Every JSON object of the doc outside the line ranges in ``skip`` (curl commands)."""
    decoder = json.JSONDecoder()
    found: list[DocJson] = []
    index = 0
    while (index := doc.text.find("{", index)) != -1:
        line = doc.line_of(index)
        if any(start <= line <= stop for start, stop in skip):
            index += 1
            continue
        try:
            value, stop = decoder.raw_decode(doc.text, index)
        except ValueError:
            index += 1
            continue
        if isinstance(value, dict) and value:
            found.append(DocJson(line, doc.line_of(stop - 1), value))
        index = stop
    return found + list(_braceless_objects(doc, skip + [(item.line, item.end_line) for item in found]))


def _braceless_objects(doc: DocText, taken: list[tuple[int, int]]) -> Iterator[DocJson]:
    """Examples that lost their opening brace: ``"key": value,`` lines up to a closing ``}``."""
    number = 1
    while number <= len(doc.lines):
        if any(start <= number <= stop for start, stop in taken) or not _BRACELESS_START.match(doc.lines[number - 1]):
            number += 1
            continue
        last = min(len(doc.lines), number + _MAX_BRACELESS_LINES)
        close = next((n for n in range(number, last + 1) if doc.lines[n - 1].rstrip().endswith("}")), None)
        if close is None:
            number += 1
            continue
        try:
            value = json.loads("{" + "\n".join(doc.lines[number - 1:close]))
        except ValueError:
            number += 1
            continue
        if isinstance(value, dict) and value:
            yield DocJson(number, close, value)
        number = close + 1


def url_path(url: str) -> str:
    """The path of a doc URL with its scheme, host placeholder and query taken off, led by '/'.

    Docs write hosts as ``{BASE_URL}``, ``https://{base_url}`` or leave them out
    (``https://v1/api/generate``); endpoints are matched on the path's end, so the host's
    fate does not matter.
    """
    rest = re.sub(r"^[a-zA-Z][\w+.-]*://", "", url.strip()).split("?", 1)[0].split("#", 1)[0]
    rest = re.sub(r"^\{[^}]*\}", "", rest)
    return "/" + rest.lstrip("/")
