"""Dictionaries of hostile text, names and values the mutation operators draw from.

Every payload that could run as code is a canary: it either names an identifier
starting with ``CANARY_PREFIX`` (found by the AST oracle when it is code, harmless
when it is text inside a string constant) or touches a file starting with
``PWNED_PREFIX`` in the working directory (found by the runtime oracle). Neither
depends on sys.path, so a canary that runs is seen whatever imports it.
"""

from __future__ import annotations

import random

CANARY_PREFIX = "RELAYGEN_CANARY_"
PWNED_PREFIX = "RELAYGEN_PWNED_"


def _touch(n: int) -> str:
    return f'__import__("pathlib").Path("{PWNED_PREFIX}{n}").touch()'


def _call(n: int) -> str:
    return f"{CANARY_PREFIX}{n}()"


# (label, text). Labels name the payload in the outcome table and the evidence. The first
# CODE_PAYLOADS entries try to become code; the next ESCAPE_PAYLOADS break literals.
TEXT_PAYLOADS: tuple[tuple[str, str], ...] = (
    ("triple-double-quote", f'x"""; {_call(1)}; """'),
    ("triple-single-quote", f"x'''; {_call(2)}; '''"),
    ("docstring-breakout-touch", f'x"""\n{_touch(3)}\n"""'),
    ("base-url-breakout", f'https://x""";{_touch(4)};"""'),
    ("newline-statement", f"value\n{_touch(5)}"),
    ("cr-statement", f"value\r{_touch(6)}"),
    ("crlf-statement", f"value\r\n{_call(7)}"),
    ("u2028-statement", f"value\u2028{_call(8)}"),
    ("double-quote-breakout", f'x"+{_call(9)}+"'),
    ("single-quote-breakout", f"x'+{_call(10)}+'"),
    ("escaped-quote-breakout", f'x\\"+{_call(11)}+\\"'),
    ("paren-breakout", f'x")\n{_call(12)}\n#'),
    ("fstring-braces", f"{{{_call(13)}}}"),
    ("jinja-ssti", '{{ lipsum.__globals__["os"].system("touch RELAYGEN_PWNED_14") }}'),
    ("jinja-expression", "{{ x }}{{ 7*7 }}"),
    ("jinja-raw", "{% raw %}x{% endraw %}{% if %}"),
    ("jinja-comment", "{# x"),
    ("trailing-double-quote", 'ends with a quote"'),
    ("trailing-backslash", "ends with a backslash\\"),
    ("windows-path", "C:\\Users\\new\\doc.txt"),
    ("named-escape", "\\N{"),
    ("hex-escape", "\\x4"),
    ("unicode-escape", "\\u12"),
    ("lone-backslash", "\\"),
    ("lone-double-quote", '"'),
    ("lone-single-quote", "'"),
    ("triple-quote-only", '"""'),
    ("hash", "# not a comment"),
    ("nul", "a\x00b"),
    ("control-chars", "a\x07\x1b[31mred\x1b[0m\x7f\x85b"),
    ("lone-surrogate", "a\ud800b"),
    ("bidi-override", "safe\u202e)(txet_desrever\u202c"),
    ("zero-width", "a\u200b\ufeffb"),
    ("c-comment-end", "*/ x /*"),
    ("html-comment-end", "--> x <!--"),
    ("script-tag", "<script>alert(1)</script>"),
    ("markdown-table", "| a | b |\n|---|---|"),
    ("backticks", "``` `x` ```"),
    ("percent-format", "%s %(x)s {0} {}"),
    ("long-text", "long " * 4000),
    ("empty", ""),
    ("whitespace", " \t "),
    ("chinese", "中文描述：生成一张图片（测试）"),
    ("u2028-alone", "a\u2028b\u2029c"),
    ("tab", "a\tb"),
    ("form-feed", "a\x0cb\x0bc"),
)
CODE_PAYLOADS = 14
ESCAPE_PAYLOADS = 13  # trailing quote .. hash


# Names for mapping keys (fields, endpoints, enums, schemas, families, provider id).
# A name carrying a canary starts with a letter, so a sanitizer that keeps only the
# identifier characters cannot turn it into a name that starts with the canary prefix.
HOSTILE_NAMES: tuple[str, ...] = (
    # keywords and soft keywords
    "class", "def", "import", "lambda", "return", "yield", "async", "await", "from", "global",
    "None", "True", "False", "match", "case", "type", "_",
    # parameters and names the generated code already uses
    "self", "cls", "timeout", "request", "models", "catalog", "build_request", "deadline",
    "on_progress", "interval", "submitted", "task_id", "find_first", "Size", "SizeTable",
    "ModelId", "Final", "Literal", "errors", "PROVIDER", "Client", "AsyncClient", "Endpoint",
    "ImageSource", "Timeout", "annotations", "model_config", "model_fields", "to_wire",
    "images", "__init__", "__class__", "_request", "__", "_private", "id",
    # shapes that are not identifiers
    "a-b", "a.b", "a b", "a/b", "ünïcödé", "名字", "1abc", "", "A" * 300, "x\x00y", "x\ud800",
)
CANARY_NAMES: tuple[str, ...] = (
    "x\nRELAYGEN_CANARY_20()", 'x"""RELAYGEN_CANARY_21()"""', "x'+RELAYGEN_CANARY_22()+'",
    'x"""\nRELAYGEN_CANARY_23()\n"""', "x``\nRELAYGEN_CANARY_24()\n", "x\rRELAYGEN_CANARY_25()",
    'x")\nRELAYGEN_CANARY_26()\n#', "x\'\'\'\nRELAYGEN_CANARY_27()\n\'\'\'",
)

# Values for type changes; the second group targets booleans and counts.
RETYPE_VALUES: tuple[object, ...] = (
    "x", 1, 1.5, [], {}, None, True, False, ["x"], {"a": 1}, 0, -1,
    "yes", "no", "true", -5, 10**30, 1e308, "1", 2**63,
)
BOOL_KEYS = frozenset({"required", "open", "idempotent", "requires_image", "raise_task_failure"})
COUNT_KEYS = frozenset({
    "min_items", "max_items", "minimum", "maximum", "limit", "max_edge", "multiple_of",
    "max_ratio", "min_pixels", "max_pixels", "spec_version", "status", "default",
})
COUNT_VALUES: tuple[object, ...] = (-5, 0, -1, 10**30, 2**63, 1.5, "3", "yes", True, None, 1e308)

# Regexes: invalid in Python, or valid in Python but not in Rust/JS/ECMA engines.
BAD_PATTERNS: tuple[str, ...] = (
    "(", "[", "*", "a{2,1}", "(?=x)", "(a)\\1", "(?<=a)b", "(?P<n>x)(?P=n)", "\\p{L}",
    "(a+)+$", "a{99999}", "\\", "", "(?i)x", "x\n" + "RELAYGEN_CANARY_30()", '"""',
)


def pick_payload(rng: random.Random) -> tuple[str, str]:
    """A payload, code breakouts most often: they are what must never reach code unescaped."""
    groups = (TEXT_PAYLOADS[:CODE_PAYLOADS], TEXT_PAYLOADS[CODE_PAYLOADS:CODE_PAYLOADS + ESCAPE_PAYLOADS],
              TEXT_PAYLOADS[CODE_PAYLOADS + ESCAPE_PAYLOADS:])
    return rng.choice(rng.choices(groups, weights=(0.45, 0.30, 0.25))[0])

# Names that collide with what the generated code already defines next to the renamed thing:
# pydantic's BaseModel members and builtins for fields, client members and module constants
# for endpoints (an endpoint `provider` has the constant PROVIDER), imports and catalog names
# for schemas and enums.
RESERVED_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "field": ("json", "dict", "copy", "schema", "model_dump", "model_validate", "model_post_init",
              "model_computed_fields", "validate", "construct", "fields", "__fields__", "__slots__",
              "__dict__", "register", "mro", "str", "int", "float", "bool", "list", "object", "super",
              "len", "Any", "Optional", "Field", "BaseModel", "task_status", "refusal", "__relay_rules__",
              "api_key", "base_url", "headers", "transport", "max_retries", "retry_unsafe", "http_client"),
    "endpoint": ("provider", "Provider", "wait", "close", "aclose", "download", "save_image", "save_images",
                 "submit_and_wait", "get_and_wait", "final", "endpoint", "Endpoint", "auth_scheme",
                 "provider_config", "stream", "async_stream", "mro", "__enter__", "__aenter__"),
    "schema": ("BaseModel", "Field", "Any", "Optional", "Literal", "RootModel", "ConfigDict", "AwareDatetime",
               "RelayRequest", "RelayResponse", "ImageInput", "ImagePaths", "TaskStatusSpec", "Final",
               "ModelId", "Client", "AsyncClient", "Annotated", "Union", "List", "Dict", "Enum", "str"),
    "enum": ("ModelId", "MODEL_IDS", "FAMILIES", "SIZE_TABLES", "ModelFamily", "find_family", "Size",
             "SizeTable", "Final", "Literal", "None", "True", "Size_", "TYPE_CHECKING", "annotations"),
    "family": ("None", "True", "", "*", "a/b", "x" * 200, "__proto__", "constructor"),
    "size_table": ("None", "", "*", "__class__", "SIZE_TABLES"),
}
