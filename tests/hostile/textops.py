"""Mutations of the YAML source itself: what no parsed data can express.

Each operator takes (rng, text) and returns (new text, description). The rest of the
text is kept byte for byte, so a diagnostic's line number still points at the edit.
Invalid UTF-8 is carried as surrogate-escaped characters (U+DC80..U+DCFF) that
``Mutant.content`` encodes back to the raw bytes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

# `key: value` with a plain scalar value: where a value can be swapped without breaking the block.
_SCALAR_LINE = re.compile(r"^(?P<head>\s*(?:- )?(?![-\s#:'\"])[^:#{}\[\]]+?:[ ]+)(?P<value>[^\s#&*!|>{\[\"'][^#]*?)\s*$")
# `key:` opening a block mapping (the next line is its first child).
_BLOCK_LINE = re.compile(r"^(?P<indent>\s*)[^\s#:'\"{\[-][^:#]*?:\s*$")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _scalar_lines(lines: list[str]) -> list[int]:
    """Lines holding `key: value`, outside block scalars (whose text only looks like keys)."""
    found, block_indent = [], None
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None and (not line.strip() or indent > block_indent):
            continue
        block_indent = indent if re.search(r":\s*[|>][-+]?\s*$", line) else None
        if _SCALAR_LINE.match(line):
            found.append(i)
    return found


def _replace_value(rng: random.Random, text: str, make: Callable[[str], str], label: str) -> tuple[str, str]:
    lines = _lines(text)
    candidates = _scalar_lines(lines)
    if not candidates:
        return text + f"\nx: {make('x')}\n", f"{label} appended as a new key"
    i = rng.choice(candidates)
    match = _SCALAR_LINE.match(lines[i])
    assert match is not None
    new_value = make(match["value"])
    lines[i] = match["head"] + new_value
    return "\n".join(lines), f"line {i + 1}: {match['value'][:40]!r} -> {new_value[:60]!r}"


_TAGS = ("!foo {v}", "!!binary {v}", "!!int one", "!!set {{a, b}}", "!!float x", "!!timestamp x",
         "!!null x", "!!map [a]", "!!omap [{{a: 1}}]", "!!pairs [[a, 1]]", "!!str {v}", "!<tag:x> {v}",
         '!!python/object/apply:os.system ["touch RELAYGEN_PWNED_40"]', "!!python/name:os.system")


def op_yaml_tag(rng: random.Random, text: str) -> tuple[str, str]:
    tag = rng.choice(_TAGS)
    return _replace_value(rng, text, lambda v: tag.format(v=v), "tag")


def op_merge_key(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    blocks = [i for i, line in enumerate(lines[:-1]) if _BLOCK_LINE.match(line)
              and len(lines[i + 1]) - len(lines[i + 1].lstrip()) > len(line) - len(line.lstrip())]
    if len(blocks) < 2:
        return text + "\n<<: {x: 1}\n", "merge key at top level"
    source, target = rng.sample(blocks, 2)
    child = lines[target + 1]
    indent = child[: len(child) - len(child.lstrip())].replace("- ", "  ")
    lines[source] = lines[source].rstrip() + " &merged"
    lines.insert(target + 1, f"{indent}<<: *merged")
    return "\n".join(lines), f"line {source + 1} anchored &merged, merged with <<: into line {target + 1}"


def op_recursive_alias(rng: random.Random, text: str) -> tuple[str, str]:
    form = rng.choice(["&loop [x, *loop]", "&loop {a: *loop}"])
    return _replace_value(rng, text, lambda _: form, "recursive alias")


def op_plain_alias(rng: random.Random, text: str) -> tuple[str, str]:
    """An ordinary anchor and alias: one value reused at another place (legal YAML)."""
    lines = _lines(text)
    candidates = _scalar_lines(lines)
    if len(candidates) < 2:
        return text, "no two scalar lines to alias"
    first, second = sorted(rng.sample(candidates, 2))
    source, target = _SCALAR_LINE.match(lines[first]), _SCALAR_LINE.match(lines[second])
    assert source is not None and target is not None
    lines[first] = f"{source['head']}&shared {source['value']}"
    lines[second] = f"{target['head']}*shared"
    return "\n".join(lines), f"line {second + 1} is an alias of line {first + 1} ({source['value'][:30]!r})"


def op_billion_laughs(rng: random.Random, text: str) -> tuple[str, str]:
    levels = rng.randint(7, 9)
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * 10) + "]" for n in range(1, levels + 1)]
    return text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", f"billion laughs, 10^{levels + 1} nodes"


_CONTROL = ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\x0c", "\x0b", "\r", "\x01", "\u202e")


def op_control_char(rng: random.Random, text: str) -> tuple[str, str]:
    char = rng.choice(_CONTROL)
    lines = _lines(text)
    i = rng.randrange(len(lines))
    col = rng.randint(0, len(lines[i]))
    lines[i] = lines[i][:col] + char + lines[i][col:]
    return "\n".join(lines), f"raw {char!r} at line {i + 1}, column {col + 1}"


_ESCAPES = ('"a\\0b"', '"\\e[31mred"', '"\\ud800"', '"\\udfff\\ud800"', '"\\x00"', '"\\N\\L\\P"',
            '"\\a\\b"', '"x\\"\\"\\"y"', '"\\U0010FFFF"', '"\\\\N{"', '"a\\\nb"')


def op_quoted_escape(rng: random.Random, text: str) -> tuple[str, str]:
    escaped = rng.choice(_ESCAPES)
    return _replace_value(rng, text, lambda _: escaped, "escape")


def op_unquoted_date(rng: random.Random, text: str) -> tuple[str, str]:
    value = rng.choice(["2024-01-01", "2024-01-01T10:00:00Z", "2001-12-14 21:59:43.10 -5", "12:30:45", "190:20:30"])
    return _replace_value(rng, text, lambda _: value, "date")


def op_huge_int(rng: random.Random, text: str) -> tuple[str, str]:
    digits = rng.choice([4301, 5000, 20000])
    value = rng.choice(["", "-", "0x"]) + "9" * digits
    return _replace_value(rng, text, lambda _: value, "huge int")


def op_special_float(rng: random.Random, text: str) -> tuple[str, str]:
    value = rng.choice([".inf", "-.inf", ".nan", ".NaN", "1e400", "0o17", "0x1F", "1_000", "+1", "0b101", "~", "1e-400"])
    return _replace_value(rng, text, lambda _: value, "number")


def op_deep_nesting(rng: random.Random, text: str) -> tuple[str, str]:
    depth = rng.choice([300, 600, 1000, 5000])
    value = rng.choice(["[" * depth + "]" * depth, "{a: " * depth + "1" + "}" * depth])
    return _replace_value(rng, text, lambda _: value, f"nesting {depth}")


def op_duplicate_key(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    candidates = _scalar_lines(lines)
    if not candidates:
        return text + "\na: 1\na: 2\n", "duplicate top-level key"
    i = rng.choice(candidates)
    line = lines[i].replace("- ", "  ", 1) if lines[i].lstrip().startswith("- ") else lines[i]
    lines.insert(i + 1, line)
    return "\n".join(lines), f"line {i + 1} duplicated"


def op_tab_indent(rng: random.Random, text: str) -> tuple[str, str]:
    lines = _lines(text)
    indented = [i for i, line in enumerate(lines) if line.startswith("  ")]
    if not indented:
        return "\t" + text, "tab at the start"
    i = rng.choice(indented)
    lines[i] = "\t" + lines[i].lstrip(" ")
    return "\n".join(lines), f"tab indentation on line {i + 1}"


def op_bom(rng: random.Random, text: str) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "\ufeff" + text, "BOM at the start"
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines[i] = "\ufeff" + lines[i]
    return "\n".join(lines), f"BOM at line {i + 1}"


def op_invalid_utf8(rng: random.Random, text: str) -> tuple[str, str]:
    raw = rng.choice(["\udcff", "\udcc3(", "\udced\udca0\udc80", "\udcf8\udc88\udc80\udc80\udc80"])
    lines = _lines(text)
    i = rng.randrange(len(lines))
    col = rng.randint(0, len(lines[i]))
    lines[i] = lines[i][:col] + raw + lines[i][col:]
    shown = bytes(ord(c) - 0xDC00 if 0xDC80 <= ord(c) <= 0xDCFF else ord(c) for c in raw)
    return "\n".join(lines), f"bytes {shown!r} at line {i + 1}, column {col + 1}"


def op_second_document(rng: random.Random, text: str) -> tuple[str, str]:
    extra = rng.choice(["---\nprovider: {id: x}\n", "...\n---\n", "---\n", "--- !foo\n"])
    if rng.random() < 0.5:
        return text.rstrip("\n") + "\n" + extra, f"{extra.splitlines()[0]!r} document appended"
    lines = _lines(text)
    i = rng.randrange(1, len(lines))
    lines.insert(i, "---")
    return "\n".join(lines), f"'---' inserted at line {i + 1}"


TextOp = Callable[[random.Random, str], tuple[str, str]]
TEXT_OPS: dict[str, tuple[TextOp, float]] = {
    "yaml_tag": (op_yaml_tag, 1.0),
    "merge_key": (op_merge_key, 0.7),
    "recursive_alias": (op_recursive_alias, 0.5),
    "plain_alias": (op_plain_alias, 0.5),
    "billion_laughs": (op_billion_laughs, 0.2),
    "control_char": (op_control_char, 1.0),
    "quoted_escape": (op_quoted_escape, 1.0),
    "unquoted_date": (op_unquoted_date, 0.5),
    "huge_int": (op_huge_int, 0.5),
    "special_float": (op_special_float, 0.7),
    "deep_nesting": (op_deep_nesting, 0.5),
    "duplicate_key": (op_duplicate_key, 0.5),
    "tab_indent": (op_tab_indent, 0.5),
    "bom": (op_bom, 0.3),
    "invalid_utf8": (op_invalid_utf8, 0.5),
    "second_document": (op_second_document, 0.4),
}
