"""isort then black, in-process, each with one fixed configuration.

Neither reads a local config file, so the output never depends on where the
generator runs. The settings match the generated package's own ruff config
(line length 100, ``imagerelay`` first-party), so ``ruff check`` on the output
finds nothing to re-sort.
"""

from __future__ import annotations

import black
import isort
from black.mode import TargetVersion
from black.parsing import InvalidInput
from isort.exceptions import ISortError

from generator.cache.store import memoized
from generator.errors import RenderError
from generator.render.output import PACKAGE
from generator.render.prelayout import prelayout

LINE_LENGTH = 100

_BLACK_MODE = black.Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)
# src_paths=() keeps isort from classifying modules by what happens to sit in
# the working directory; first-party is exactly the generated package.
_ISORT_CONFIG = isort.Config(
    profile="black",
    line_length=LINE_LENGTH,
    py_version="311",
    known_first_party=frozenset({PACKAGE}),
    src_paths=(),
)


def sort_imports(source: str, path: str) -> str:
    try:
        return isort.code(source, config=_ISORT_CONFIG)
    except ISortError as exc:
        raise RenderError(f"{path}: isort could not sort the rendered imports: {exc}") from exc


def format_python(source: str, path: str) -> str:
    """``source`` with sorted imports, in black style; RenderError when it does not parse.

    Memoised by content: black and isort are the most expensive step of a generation.
    """
    return memoized("format_python", (source,), lambda: _format(source, path))


def _format(source: str, path: str) -> str:
    sorted_source = sort_imports(source, path)
    # Laid out as black would first: black then stops after one pass (see prelayout.py).
    laid_out = prelayout(sorted_source)
    if laid_out != sorted_source:
        try:
            return black.format_str(laid_out, mode=_BLACK_MODE)
        except (InvalidInput, ValueError):
            pass  # prelayout is only a speed-up: black formats the code as rendered instead
    try:
        return black.format_str(sorted_source, mode=_BLACK_MODE)
    except (InvalidInput, ValueError) as exc:
        raise RenderError(f"{path}: rendered code is not valid Python: {exc}") from exc
