"""The SDK's version: MAJOR.MINOR.PATCH, advanced by the change report when the specs change.

The version of the previous generation is read from the output folder (its
``imagerelay/__init__.py``), so regenerating is deterministic: the same specs over the same
``generated/`` give the same version. A generation whose specs changed (any change the
report sees, a revert included) advances it, so every later release is strictly greater
under PEP 440 and ``pip install -U`` finds it:

- while the SDK is 0.x: a breaking change bumps the minor, anything else the patch;
- from 1.0: breaking -> major, needs attention or non-breaking -> minor, docs only -> patch.

A first generation (no previous folder) is 0.1.0.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from packaging.version import InvalidVersion, Version

from generator.errors import RenderError

FIRST_VERSION = "0.1.0"
_VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)
_CURRENT: ContextVar[str | None] = ContextVar("sdk_version", default=None)


def recorded_version(out_dir: Path | None, package: str) -> str | None:
    """The version the previous generation in ``out_dir`` carries, or None (no generation)."""
    if out_dir is None:
        return None
    init = out_dir / package / "__init__.py"
    if not init.is_file():
        return None
    found = _VERSION_LINE.search(init.read_text(encoding="utf-8"))
    if found is None:
        raise RenderError(f"{init}: no __version__ line to continue from")
    return found[1]


def advance(previous: str | None, bump: str) -> str:
    """The version after ``previous`` for a change report's ``bump`` (major, minor, patch or
    none); always strictly greater than ``previous`` unless the bump is none."""
    if previous is None:
        return FIRST_VERSION
    try:
        parsed = Version(previous)
    except InvalidVersion:
        raise RenderError(f"the previous SDK version {previous!r} is not a PEP 440 version") from None
    if bump == "none":
        return previous
    major, minor, patch = (*parsed.release, 0, 0)[:3]
    if bump == "major" and major == 0:
        bump = "minor"  # 0.x: a breaking change is a minor release
    elif bump == "minor" and major == 0:
        bump = "patch"
    if bump == "major":
        following = (major + 1, 0, 0)
    elif bump == "minor":
        following = (major, minor + 1, 0)
    else:
        following = (major, minor, patch + 1)
    version = ".".join(map(str, following))
    if Version(version) <= parsed:  # e.g. a pre-release or post-release previous version
        raise RenderError(f"cannot advance {previous!r} by a {bump} bump to a greater version")
    return version


@contextmanager
def using_version(version: str) -> Iterator[None]:
    """Within this block, the generation being rendered carries ``version``."""
    token = _CURRENT.set(version)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_version() -> str:
    """The version of the generation being rendered (a first generation's outside ``using_version``)."""
    return _CURRENT.get() or FIRST_VERSION
