"""Which characters spec text may hold.

Spec text ends up in generated code, docs and terminals. Control characters,
lone surrogates, invisible line breaks and bidirectional controls ("Trojan
Source": text that displays differently from what it is) have no place in a
provider's names and descriptions, so every key and string is checked here.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

_C0_NAMES = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
    "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
)
_C1_NAMES = (
    "PAD", "HOP", "BPH", "NBH", "IND", "NEL", "SSA", "ESA", "HTS", "HTJ", "VTS", "PLD", "PLU", "RI", "SS2", "SS3",
    "DCS", "PU1", "PU2", "STS", "CCH", "MW", "SPA", "EPA", "SOS", "SGCI", "SCI", "CSI", "ST", "OSC", "PM", "APC",
)

# Tab and line feed are the only control characters spec text may hold.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# What YAML's reader refuses in a file (before any escape is read): the same as PyYAML's and libyaml's check.
_UNREADABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

REPLACEMENT = "\ufffd"


def code_point(char: str) -> str:
    """``U+001B`` for ESC."""
    return f"U+{ord(char):04X}"


def _control_name(code: int) -> str:
    if code < 0x20:
        return _C0_NAMES[code]
    return "DEL" if code == 0x7F else _C1_NAMES[code - 0x80]


def character_problem(char: str) -> str:
    """What ``char`` is and what to write instead, for a character spec text may not hold."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return (f"the control character {code_point(char)} ({_control_name(code)}); "
                "spec text may hold tabs and newlines but no other control characters")
    if 0xD800 <= code <= 0xDFFF:
        return (f"the lone surrogate {code_point(char)}, half of a UTF-16 pair and no character; "
                "write the character itself or its \\U00XXXXXX escape")
    if code in (0x2028, 0x2029):
        return (f"{code_point(char)} ({unicodedata.name(char)}), a line break most editors do not show; "
                "write a newline instead")
    if code in (0xFFFE, 0xFFFF):
        return f"{code_point(char)}, which Unicode reserves as a non-character; remove it"
    return (f"the bidirectional control {code_point(char)} ({unicodedata.name(char)}), "
            "which makes text display differently from what it is; remove it")


def text_problem(text: str) -> str | None:
    """Why ``text`` may not be spec text (its first bad character), or None when it may."""
    match = _FORBIDDEN.search(text)
    return None if match is None else f"contains {character_problem(match.group())}"


def clean_text(text: str) -> str:
    """``text`` with every character it may not hold replaced by U+FFFD.

    Later stages then never see (or print into a terminal) the characters already reported.
    """
    return _FORBIDDEN.sub(REPLACEMENT, text)


def unreadable_characters(text: str, limit: int) -> list[tuple[int, str]]:
    """Index and character of the first ``limit`` characters YAML refuses to read in a file."""
    return [(match.start(), match.group()) for match in itertools.islice(_UNREADABLE.finditer(text), limit)]


def replace_unreadable(text: str) -> str:
    """``text`` as YAML can read it, each refused character replaced by one U+FFFD.

    Positions do not move, so the rest of the file is still checked and located.
    """
    return _UNREADABLE.sub(REPLACEMENT, text)
