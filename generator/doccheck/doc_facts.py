"""Lists and tables a vendor doc writes in prose: model ids, aspect ratios, size tables,
request field tables and endpoint lines, each with the line it is on.

Recognition is by shape, never by vendor: a bullet list under a line that talks about
models, a run of ``W:H`` values, a table whose cells are ``WxH``, a row whose second
cell is a type name. Anything else in the doc is prose and is not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.doccheck.doc_text import DocText, url_path

_BULLET = re.compile(r"^\s*(?:[•·]\s*|[*-]\s+)(\S.*)$")
_BOLD_ITEM = re.compile(r"^\s*\*\*([A-Za-z][\w.*-]*)\b[^*]*\*\*\s*$")
MODEL_ID = re.compile(r"^[A-Za-z][\w.*-]*$")
# "models/" is a URL path segment, not talk about models.
_MODEL_TALK = re.compile(r"模型|(?<![/\w])models?\b(?!/)", re.IGNORECASE)
RATIO_TEXT = r"(?<![\d.])\d+(?:\.\d+)?:\d+(?:\.\d+)?(?![\d:x])"
_RATIO = re.compile(RATIO_TEXT)
_RATIO_ITEM = re.compile(rf"^(auto|{RATIO_TEXT})$")
_PIXELS = re.compile(r"\b(\d+)\s*[x×]\s*(\d+)\b")
_TIER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?K)\b")
_SIZE_ROW_ITEM = re.compile(r"^(\d+(?:\.\d+)?:\d+(?:\.\d+)?)\s*[:：]\s*(\d+x\d+(?:\s*[、,，]\s*\d+x\d+)*)\s*$")
# "例如 1:1、16:9" / "e.g.": the doc gives examples, not the whole set.
_NOT_EXHAUSTIVE = re.compile(r"例如|比如|如\s*[\"“]|e\.g\.|for example|such as", re.IGNORECASE)
_EXTRA = re.compile(r"额外|另外|additional|also|extra", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:[、,，;；]|\s或\s|\sor\s)\s*")
_ENDPOINT_LINE = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE)\s*((?:https?://)?\S*/\S*)")
_TYPE = re.compile(r"^(string|integer|int|number|float|boolean|bool|object|array|enum|file|image|binary)"
                   r"(?:\s*\[\s*\w*\s*\]|\[\])?(?:/\w+(?:\[\])?)?$", re.IGNORECASE)
_SPACED_ROW = re.compile(r"^([A-Za-z_-][\w.\[\]-]*)\s+((?:array\s*\[\w*\]|[a-zA-Z]+(?:\[\])?(?:/\w+)?))\s+"
                         r"(必需|必填|可选|是|否|Y|N|Yes|No|条件必填)(?:\s|$)")
_REQUIRED = {"必需": True, "必填": True, "是": True, "y": True, "yes": True, "required": True,
             "可选": False, "否": False, "n": False, "no": False, "optional": False}
_FIELD_NAME = re.compile(r"^(--)?([A-Za-z_][\w\[\]-]*(?:\.[A-Za-z_][\w\[\]-]*)*)$")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
_REQUEST_LABEL = re.compile(r"Body\s*参数|请求参数|请求体参数|INPUT SCHEMA|Query\s*参数|请求字段(?!\s*/)", re.IGNORECASE)
_OTHER_LABEL = re.compile(r"Path\s*参数|Header\s*参数|返回响应|RESPONSE|响应字段|响应参数|^\s*Body\s+application/json\s*$",
                          re.IGNORECASE)


@dataclass(frozen=True)
class ModelMention:
    line: int
    model: str


@dataclass(frozen=True)
class ModelList:
    """One list of model ids as the doc writes it; ratio lists below it are about these models."""

    line: int
    models: tuple[ModelMention, ...]


@dataclass(frozen=True)
class RatioList:
    line: int
    ratios: tuple[str, ...]
    # Model ids or id prefixes the list's label names; empty: the section's models.
    scope: tuple[str, ...]
    exhaustive: bool
    additive: bool


@dataclass(frozen=True)
class SizeRow:
    line: int
    ratio: str
    sizes: tuple[str, ...]


@dataclass(frozen=True)
class SizeTable:
    line: int
    # Model ids or id prefixes named by the table's heading or label.
    scope: tuple[str, ...]
    tiers: tuple[str, ...]
    rows: tuple[SizeRow, ...]


@dataclass(frozen=True)
class FieldRow:
    line: int
    path: str
    # Written ``--name``: nested somewhere the doc does not say.
    nested: bool
    # The doc's required column: True, False, or None when it has none (or says "conditionally").
    required: bool | None = None


@dataclass(frozen=True)
class EndpointLine:
    line: int
    method: str
    path: str


def model_tokens(text: str) -> list[str]:
    """Words of ``text`` that could be model ids; ``nano-banana-2系列`` (series) gives ``nano-banana-2*``."""
    found = []
    for match in re.finditer(r"[A-Za-z][A-Za-z0-9_.*-]*[A-Za-z0-9_*]", text, re.ASCII):
        series = re.match(r"\s*(系列|series|family)", text[match.end():], re.IGNORECASE)
        if len(match.group()) >= 3:
            found.append(match.group() + ("*" if series and not match.group().endswith("*") else ""))
    return found


def model_lists(doc: DocText) -> list[ModelList]:
    """Model ids listed under a line about models (bullets, bold items, a lone id, 可选: A,B)
    and in a table column headed as ids."""
    found: list[ModelList] = []
    for index, line in enumerate(doc.lines):
        if not _MODEL_TALK.search(line):
            continue
        for group in (_listed_after(doc, index), _inline_choices(line, index + 1)):
            if group:
                found.append(ModelList(group[0].line, tuple(group)))
    column = example_ids_column(doc)
    if column:
        found.append(ModelList(column[0].line, tuple(column)))
    return sorted(found, key=lambda item: item.line)


def _listed_after(doc: DocText, index: int) -> list[ModelMention]:
    """Bullets or bold items after line ``index`` (0-based); bold items may have prose between them."""
    found: list[ModelMention] = []
    bold = False
    for number in range(index + 2, min(len(doc.lines), index + 40) + 1):
        text = doc.lines[number - 1]
        if not text.strip():
            continue
        if _HEADING.match(text) or text.strip().startswith("---"):
            break
        item = _BULLET.match(text) or _BOLD_ITEM.match(text)
        word = item.group(1).split()[0].split("(")[0].split("（")[0] if item else text.strip()
        if not MODEL_ID.match(word) or _RATIO_ITEM.match(word) or (not item and found):
            if bold:
                continue
            break
        bold = bold or bool(_BOLD_ITEM.match(text))
        found.append(ModelMention(number, word))
        if not item:
            break  # a lone id on the line after the label ("模型名 (model)" / "nano-banana-pro")
    return found


def _inline_choices(line: str, number: int) -> list[ModelMention]:
    """``model | string | Yes | ... | 可选:A,B,C`` or ``例如 A``: ids written in a model row."""
    cells = _cells(line)
    if not cells or cells[0].lower() != "model":
        return []
    found: list[ModelMention] = []
    for cell in cells[1:]:
        choice = re.search(r"(?:可选|支持|例如|e\.g\.)\s*[:：]?\s*(.+)$", cell)
        if choice is None:
            continue
        words = [word.strip(" \"'“”。.") for word in _LIST_SPLIT.split(choice.group(1))]
        found += [ModelMention(number, word) for word in words if MODEL_ID.match(word)]
    return found


def example_ids_column(doc: DocText) -> list[ModelMention]:
    """Ids in a table column headed as model ids (``示例 ID`` / ``Model ID``); examples, not the whole set."""
    found: list[ModelMention] = []
    column: int | None = None
    for number, line in enumerate(doc.lines, start=1):
        cells = _cells(line)
        following = _cells(doc.lines[number]) if number < len(doc.lines) else []
        if not cells:
            column = None
        elif following and all(set(cell) <= set("-: ") for cell in following):
            headed = [i for i, cell in enumerate(cells) if re.search(r"\bID\b", cell)]
            column = headed[0] if headed else None
        elif column is not None and column < len(cells) and not set(cells[column]) <= set("-: "):
            found += [ModelMention(number, word) for word in _LIST_SPLIT.split(cells[column]) if MODEL_ID.match(word)]
    return found


def ratio_lists(doc: DocText) -> list[RatioList]:
    """Runs of aspect ratios: a bullet list of them, or three or more on one line."""
    found: list[RatioList] = []
    index = 0
    while index < len(doc.lines):
        items, end = _ratio_bullets(doc, index)
        if len(items) >= 2:
            label = _label_before(doc, index)
            found.append(_ratio_list(index + 1, tuple(items), label))
            index = end
            continue
        line = doc.lines[index]
        inline = _RATIO.findall(line)
        if len(inline) >= 3 and not _PIXELS.search(line):
            found.append(_ratio_list(index + 1, tuple(inline), line))
        index += 1
    return found


def _ratio_bullets(doc: DocText, index: int) -> tuple[list[str], int]:
    items: list[str] = []
    while index < len(doc.lines) and (item := _BULLET.match(doc.lines[index])):
        word = item.group(1).strip()
        if not _RATIO_ITEM.match(word):
            return [], index + 1
        items.append(word)
        index += 1
    return items, index


def _ratio_list(line: int, ratios: tuple[str, ...], label: str) -> RatioList:
    scope = tuple(word for word in model_tokens(label) if not _FIELD_NAME.match(word) or "-" in word)
    return RatioList(line, ratios, scope, not _NOT_EXHAUSTIVE.search(label), bool(_EXTRA.search(label)))


def _label_before(doc: DocText, index: int) -> str:
    for number in range(index, 0, -1):
        text = doc.lines[number - 1].strip()
        if text:
            return text
    return ""


def size_tables(doc: DocText) -> list[SizeTable]:
    return _pipe_size_tables(doc) + _bullet_size_tables(doc)


def _pipe_size_tables(doc: DocText) -> list[SizeTable]:
    found: list[SizeTable] = []
    index = 0
    while index < len(doc.lines):
        header = _cells(doc.lines[index])
        if not header or not _RATIO.search(" ".join(_cells(doc.lines[index + 2]) if index + 2 < len(doc.lines) else [])):
            index += 1
            continue
        rows: list[SizeRow] = []
        number = index + 3
        while number <= len(doc.lines) and (cells := _cells(doc.lines[number - 1])):
            sizes = tuple(cell.replace(" ", "") for cell in cells[1:] if _PIXELS.fullmatch(cell.replace(" ", "")))
            if _RATIO_ITEM.match(cells[0]) and sizes:
                rows.append(SizeRow(number, cells[0], sizes))
            number += 1
        if rows:
            tiers = tuple(tier for cell in header[1:] for tier in _TIER.findall(cell))
            found.append(SizeTable(index + 1, _heading_scope(doc, index), tiers, tuple(rows)))
        index = number
    return found


def _bullet_size_tables(doc: DocText) -> list[SizeTable]:
    found: list[SizeTable] = []
    index = 0
    while index < len(doc.lines):
        rows: list[SizeRow] = []
        number = index + 1
        while number <= len(doc.lines) and (item := _BULLET.match(doc.lines[number - 1])):
            row = _SIZE_ROW_ITEM.match(item.group(1).strip())
            if row:
                rows.append(SizeRow(number, row.group(1), tuple(_pixel_values(row.group(2)))))
            elif item.group(1).strip() != "auto":
                break
            number += 1
        if rows:
            label = _label_before(doc, index)
            found.append(SizeTable(index, tuple(model_tokens(label)), tuple(_TIER.findall(label)), tuple(rows)))
            index = number
        else:
            index += 1
    return found


def _pixel_values(text: str) -> list[str]:
    return [f"{w}x{h}" for w, h in _PIXELS.findall(text)]


def _heading_scope(doc: DocText, index: int) -> tuple[str, ...]:
    """Model tokens of the nearest heading (or label line) above a table."""
    for number in range(index, max(0, index - 6), -1):
        text = doc.lines[number - 1]
        heading = _HEADING.match(text)
        if heading or text.strip():
            tokens = model_tokens(heading.group(1) if heading else text)
            if tokens:
                return tuple(tokens)
    return ()


def field_rows(doc: DocText) -> list[FieldRow]:
    """Rows of request field tables: name, then a type, under a request label."""
    found: list[FieldRow] = []
    section: str | None = None
    prefix = ""
    for number, line in enumerate(doc.lines, start=1):
        row = _field_row(line)
        if row is None:
            section, prefix = _section_after(line, section, prefix)
            continue
        if section == "request":
            nested, name, required = row
            path = f"{prefix}.{name}" if prefix and not nested else name
            found.append(FieldRow(number, path, nested, required))
    return found


def _section_after(line: str, section: str | None, prefix: str) -> tuple[str | None, str]:
    heading = _HEADING.match(line)
    if heading and _FIELD_NAME.match(heading.group(1).strip()) and "." in heading.group(1):
        return section, heading.group(1).strip()
    request, other = _REQUEST_LABEL.search(line), _OTHER_LABEL.search(line)
    if request and not other:
        return "request", ""
    if other and not request:
        return "other", ""
    return section, prefix if not heading else ""


def _field_row(line: str) -> tuple[bool, str, bool | None] | None:
    cells = _cells(line)
    if len(cells) >= 2:
        name, kind, flag = cells[0], cells[1], cells[2] if len(cells) > 2 else ""
    elif (spaced := _SPACED_ROW.match(line.strip())) is not None:
        name, kind, flag = spaced.group(1), spaced.group(2), spaced.group(3)
    else:
        return None
    field = _FIELD_NAME.match(name)
    if field is None or not _TYPE.match(kind.strip()):
        return None
    return bool(field.group(1)), field.group(2), _REQUIRED.get(flag.strip().lower())


def endpoint_lines(doc: DocText) -> list[EndpointLine]:
    found = []
    for number, line in enumerate(doc.lines, start=1):
        match = _ENDPOINT_LINE.match(line)
        if match:
            found.append(EndpointLine(number, match.group(1), url_path(match.group(2))))
    return found


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row (``|`` separated, outer pipes optional)."""
    if "|" not in line:
        return []
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return cells if len(cells) >= 2 else []
