"""black, in-process, with one fixed mode so output never depends on local config."""

from __future__ import annotations

import black
from black.mode import TargetVersion
from black.parsing import InvalidInput

from generator.errors import RenderError

_MODE = black.Mode(target_versions={TargetVersion.PY311}, line_length=100)


def format_python(source: str, path: str) -> str:
    try:
        return black.format_str(source, mode=_MODE)
    except (InvalidInput, ValueError) as exc:
        raise RenderError(f"{path}: rendered code is not valid Python: {exc}") from exc
