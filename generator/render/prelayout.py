"""Black's layout applied ahead of black, for the code shapes relaygen emits.

``black.format_str`` formats twice whenever its input is not already in black
style (a stability pass), so most of a cold generation went into black's second
pass over template and datamodel-code-generator output. This module lays code out
the way black does for what those emit (string quotes; over-long lines of calls,
subscripts and literals split at their last bracket, one item per line with a
trailing comma), so black then finds nothing to change and stops after one pass.

Black still formats every file afterwards: a shape handled differently here only
costs black's second pass, never a difference in output.
"""

from __future__ import annotations

import io
import itertools
import tokenize
from dataclasses import dataclass

from black.strings import normalize_string_quotes, str_width

LINE_LENGTH = 100
INDENT = "    "

_OPEN = {"(", "[", "{"}
_CLOSE = {")", "]", "}"}
# Tokens after which "(" / "[" belong to a call or subscript rather than a literal.
_TRAILER_AFTER = {")", "]", "}"}
_KEYWORDS = {
    "and", "as", "assert", "async", "await", "del", "elif", "else", "for", "from", "if",
    "import", "in", "is", "lambda", "not", "or", "return", "while", "with", "yield",
}  # fmt: skip
# No space after these tokens when a line is joined.
_NO_SPACE_AFTER = {"(", "[", "{", ".", "~"}


@dataclass(frozen=True)
class _Tok:
    text: str
    kind: int

    @property
    def is_name(self) -> bool:
        return self.kind == tokenize.NAME and self.text not in _KEYWORDS


def prelayout(source: str) -> str:
    """``source`` with black's quotes and line splits; unchanged where it cannot say."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return source  # black reports the problem
    lines = source.splitlines(keepends=True)
    quoted = _requote(lines, tokens)
    text = "".join(_split_long(quoted, tokens))
    return _blank_after_class_docstrings(text).rstrip("\n") + "\n"


def _blank_after_class_docstrings(text: str) -> str:
    """Black puts one empty line between a class docstring and the class body."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        stripped = line.lstrip()
        if not (stripped.startswith("class ") and stripped.endswith(":")) or index >= len(lines):
            continue
        doc = lines[index].lstrip()
        if not doc.startswith('"""'):
            continue
        end = index if doc.count('"""') >= 2 and len(doc) > 3 else _closing_quotes(lines, index + 1)
        if end is None:
            continue
        out.extend(lines[index : end + 1])
        index = end + 1
        following = lines[index] if index < len(lines) else ""
        if following.strip() and _indent_of(following) >= _indent_of(lines[end]):
            out.append("")
    return "\n".join(out)


def _closing_quotes(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if '"""' in lines[index]:
            return index
    return None


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _requote(lines: list[str], tokens: list[tokenize.TokenInfo]) -> list[str]:
    """Lines with every one-line string token in black's preferred quotes."""
    out = list(lines)
    # Right to left, so earlier columns on a line stay valid.
    for tok in reversed(tokens):
        if tok.type != tokenize.STRING or tok.start[0] != tok.end[0]:
            continue
        row, (start, end) = tok.start[0] - 1, (tok.start[1], tok.end[1])
        new = normalize_string_quotes(tok.string)
        if new != tok.string:
            line = out[row]
            out[row] = line[:start] + new + line[end:]
    return out


def _split_long(lines: list[str], tokens: list[tokenize.TokenInfo]) -> list[str]:
    """Each over-long line that is a whole bracket-balanced statement or item, split."""
    multiline_rows = _rows_inside_multiline_tokens(tokens)
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        body = line.rstrip("\n")
        if str_width(body) <= LINE_LENGTH or number in multiline_rows or "#" in body:
            out.append(line)
            continue
        split = _split_line(body)
        out.append(line if split is None else "\n".join(split) + "\n")
    return out


def _rows_inside_multiline_tokens(tokens: list[tokenize.TokenInfo]) -> set[int]:
    rows: set[int] = set()
    for tok in tokens:
        if tok.start[0] != tok.end[0]:
            rows.update(range(tok.start[0], tok.end[0] + 1))
    return rows


def _split_line(line: str) -> list[str] | None:
    """Black's split of one over-long physical line, or None when it is not ours to split."""
    stripped = line.lstrip(" ")
    indent = line[: len(line) - len(stripped)]
    try:
        raw = list(tokenize.generate_tokens(io.StringIO(stripped).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None  # e.g. the head of a bracket that closes on a later line
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
    toks = [_Tok(t.string, t.type) for t in raw if t.type not in skip]
    if any(t.kind == tokenize.COMMENT for t in toks) or not _balanced(toks):
        return None
    words = [t.text for t in toks[:2]]
    if words[:1] in (["def"], ["class"], ["if"], ["elif"], ["while"], ["for"]) or words in (
        ["async", "def"],
        ["async", "for"],
    ):
        return None  # statements with their own rules in black; templates lay these out
    inside = bool(toks) and toks[-1].text == ","
    return _layout(toks, indent, inside_brackets=inside)


def _balanced(toks: list[_Tok]) -> bool:
    depth = 0
    for tok in toks:
        if tok.text in _OPEN:
            depth += 1
        elif tok.text in _CLOSE:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _join(toks: list[_Tok], inside: bool) -> str:
    """Tokens as black spaces them; ``inside``: the tokens sit inside brackets."""
    text = ""
    depth = 1 if inside else 0
    prev: _Tok | None = None
    before_prev: _Tok | None = None
    for tok in toks:
        if prev is not None and not _glued(before_prev, prev, tok, depth > 0):
            text += " "
        text += tok.text
        if tok.text in _OPEN:
            depth += 1
        elif tok.text in _CLOSE:
            depth -= 1
        before_prev, prev = prev, tok
    return text


def _glued(before: _Tok | None, prev: _Tok, tok: _Tok, in_brackets: bool) -> bool:
    if tok.text in {")", "]", "}", ",", ".", ":"}:
        return True
    if prev.text in _NO_SPACE_AFTER:
        return True
    if in_brackets and (tok.text == "=" or prev.text == "="):
        return True  # keyword arguments (annotated defaults are in def lines, not split here)
    if tok.text in {"(", "["}:
        return prev.is_name or prev.text in _TRAILER_AFTER or prev.kind == tokenize.STRING
    if prev.text in {"-", "+", "*", "**"} and prev.kind == tokenize.OP:
        # Unary: after an operator, an opening bracket, a comma or nothing.
        return before is None or before.text in _OPEN or (
            before.kind == tokenize.OP and before.text not in _CLOSE
        ) or before.text in _KEYWORDS
    return False


def _depth0(toks: list[_Tok], text: str) -> list[int]:
    """Indexes of ``text`` tokens outside any bracket of ``toks``."""
    found, depth = [], 0
    for index, tok in enumerate(toks):
        if tok.text in _OPEN:
            depth += 1
        elif tok.text in _CLOSE:
            depth -= 1
        elif depth == 0 and tok.text == text:
            found.append(index)
    return found


def _fits(indent: str, toks: list[_Tok], inside: bool) -> bool:
    # Black measures East Asian wide characters as two columns.
    return len(indent) + str_width(_join(toks, inside)) <= LINE_LENGTH


def _layout(toks: list[_Tok], indent: str, *, inside_brackets: bool) -> list[str]:
    if _fits(indent, toks, inside_brackets):
        return [indent + _join(toks, inside_brackets)]
    if inside_brackets and _inner_commas(toks):
        return _explode(toks, indent)
    if inside_brackets and _depth0(toks, "|"):
        return _split_before(toks, "|", indent)
    if not inside_brackets:
        wrapped = _wrap_right_side(toks, indent)
        if wrapped is not None:
            return wrapped
    return _right_hand_split(toks, indent, inside_brackets)


def _split_before(toks: list[_Tok], operator: str, indent: str) -> list[str]:
    """Black's split at an operator: each operand on its own line, led by the operator."""
    cuts = [0, *_depth0(toks, operator), len(toks)]
    if toks[-1].text == ",":
        cuts[-1] = len(toks) - 1  # the trailing comma stays on the last operand's line
    lines: list[str] = []
    for start, end in itertools.pairwise(cuts):
        piece = toks[start:end] + (toks[-1:] if end == len(toks) - 1 else [])
        lines.extend(_layout(piece, indent, inside_brackets=True))
    return lines


def _wrap_right_side(toks: list[_Tok], indent: str) -> list[str] | None:
    """``x: Annotated[...] = None`` -> ``... = (`` / ``None`` / ``)``, as black prefers
    when the left side has brackets and fits with " = (", and the right side has none."""
    equals = _depth0(toks, "=")
    if len(equals) != 1:
        return None
    left, right = toks[: equals[0]], toks[equals[0] + 1 :]
    if not right or any(t.text in _OPEN for t in right) or not any(t.text in _OPEN for t in left):
        return None
    head = f"{indent}{_join(left, False)} = ("
    if str_width(head) > LINE_LENGTH:
        return None
    return [head, *_layout(right, indent + INDENT, inside_brackets=True), indent + ")"]


def _inner_commas(toks: list[_Tok]) -> bool:
    """Commas outside brackets other than a trailing one."""
    return any(index != len(toks) - 1 for index in _depth0(toks, ","))


def _explode(toks: list[_Tok], indent: str) -> list[str]:
    """One item per line at the commas outside brackets, each ending in a comma."""
    commas = _depth0(toks, ",")
    starts = [0, *(comma + 1 for comma in commas)]
    items = [toks[start:end] for start, end in zip(starts, [*commas, len(toks)])]
    if not items[-1]:
        items.pop()  # after a trailing comma
    lines: list[str] = []
    for item in items:
        lines.extend(_layout([*item, _Tok(",", tokenize.OP)], indent, inside_brackets=True))
    return lines


def _right_hand_split(toks: list[_Tok], indent: str, inside: bool) -> list[str]:
    """Split at the last bracket pair: head + opening, body indented, closing + tail."""
    closing = next((i for i in range(len(toks) - 1, -1, -1) if toks[i].text in _CLOSE), None)
    if closing is None:
        return [indent + _join(toks, inside)]
    opening = _matching_open(toks, closing)
    head, body, tail = toks[: opening + 1], toks[opening + 1 : closing], toks[closing:]
    if not body:
        return [indent + _join(toks, inside)]
    inner = indent + INDENT
    # Black explodes a literal's items, or any items ending in a "magic" trailing
    # comma, one per line even when they would fit on one.
    if _inner_commas(body) and (_is_literal_bracket(toks, opening) or body[-1].text == ","):
        body_lines = _explode(body, inner)
    else:
        body_lines = _layout(body, inner, inside_brackets=True)
    return [indent + _join(head, inside), *body_lines, indent + _join(tail, inside)]


def _matching_open(toks: list[_Tok], closing: int) -> int:
    depth = 0
    for index in range(closing, -1, -1):
        if toks[index].text in _CLOSE:
            depth += 1
        elif toks[index].text in _OPEN:
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced brackets")  # _balanced ruled this out


def _is_literal_bracket(toks: list[_Tok], opening: int) -> bool:
    """True for a tuple/list/dict/set display, False for a call or subscript."""
    if toks[opening].text == "{":
        return True
    if opening == 0:
        return True
    before = toks[opening - 1]
    return not (before.is_name or before.text in _TRAILER_AFTER or before.kind == tokenize.STRING)
