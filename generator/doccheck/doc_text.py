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
# No vendor example is this long; a JSON object is looked for within this many characters.
_MAX_EXAMPLE_CHARS = 65_536
# Places tried per kind (curl commands, JSON objects): a doc of nothing but braces stays quick.
_MAX_TRIES = 3_000
# An example starts a line (or follows "= "): a brace inside prose or code is not tried.
_OBJECT_START = re.compile(r"^[ \t]*(?:[\w.]+[ \t]*=[ \t]*)?\{", re.MULTILINE)

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
    starts = [number for number, line in enumerate(doc.lines, start=1) if _CURL.match(line)][:_MAX_TRIES]
    after = 0
    for number in starts:
        if number <= after:
            continue
        tokens, end = _command_tokens(doc, number)
        call = _curl_call(doc, tokens, number, end) if tokens else None
        if call is not None:
            calls.append(call)
        after = end
    return calls


def _command_tokens(doc: DocText, first: int) -> tuple[list[str], int]:
    """The shell words of the command starting at line ``first`` and its last line (the last
    line looked at when its quotes never close: those lines are not tried again)."""
    text = ""
    quote = ""
    last = min(len(doc.lines), first + _MAX_COMMAND_LINES)
    for number in range(first, last + 1):
        line = doc.lines[number - 1]
        text += line + "\n"
        quote = _open_quote(line, quote)
        if quote or line.rstrip().endswith("\\"):
            continue
        try:
            # A backslash at the end of a line continues the command (shlex keeps the newline).
            return shlex.split(text.replace("\\\n", " "), comments=False), number
        except ValueError:
            return [], number
    return [], last


def _open_quote(line: str, quote: str) -> str:
    """The shell quote still open after ``line``, given the one open before it ("" for none)."""
    escaped = False
    for char in line:
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
    return quote


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
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    opening = next((n for n in range(first, end + 1) if "{" in doc.lines[n - 1]), first)
    return DocJson(opening, end, value, curl_line=first)


def json_objects(doc: DocText, skip: list[tuple[int, int]]) -> list[DocJson]:
    """Every JSON object of the doc outside the line ranges in ``skip`` (curl commands)."""
    decoder = json.JSONDecoder()
    found: list[DocJson] = []
    after = -1
    for tries, match in enumerate(_OBJECT_START.finditer(doc.text)):
        index = match.end() - 1
        line = doc.line_of(index)
        if tries >= _MAX_TRIES or index < after:
            if tries >= _MAX_TRIES:
                break
            continue
        if any(start <= line <= stop for start, stop in skip):
            continue
        try:
            value, stop = decoder.raw_decode(doc.text[index:index + _MAX_EXAMPLE_CHARS])
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." deeper than the parser goes
            continue
        if isinstance(value, dict) and value:
            found.append(DocJson(line, doc.line_of(index + stop - 1), value))
            after = index + stop
    return found + list(_braceless_objects(doc, skip + [(item.line, item.end_line) for item in found]))


def _braceless_objects(doc: DocText, taken: list[tuple[int, int]]) -> Iterator[DocJson]:
    """Examples that lost their opening brace: ``"key": value,`` lines up to a closing ``}``."""
    number, tries = 1, 0
    while number <= len(doc.lines) and tries < _MAX_TRIES:
        if any(start <= number <= stop for start, stop in taken) or not _BRACELESS_START.match(doc.lines[number - 1]):
            number += 1
            continue
        tries += 1
        last = min(len(doc.lines), number + _MAX_BRACELESS_LINES)
        close = next((n for n in range(number, last + 1) if doc.lines[n - 1].rstrip().endswith("}")), None)
        try:
            value = json.loads("{" + "\n".join(doc.lines[number - 1:close])) if close is not None else None
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict) and value and close is not None:
            yield DocJson(number, close, value)
            number = close + 1
        else:
            number += 1


def url_path(url: str) -> str:
    """The path of a doc URL with its scheme, host placeholder and query taken off, led by '/'.

    Docs write hosts as ``{BASE_URL}``, ``https://{base_url}`` or leave them out
    (``https://v1/api/generate``); endpoints are matched on the path's end, so the host's
    fate does not matter.
    """
    rest = re.sub(r"^[a-zA-Z][\w+.-]*://", "", url.strip()).split("?", 1)[0].split("#", 1)[0]
    rest = re.sub(r"^\{[^}]*\}", "", rest)
    return "/" + rest.lstrip("/")
