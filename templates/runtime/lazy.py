"""A module imported on first use: a provider's ``models`` loads with its first call.

Creating a provider's pydantic model classes is the largest part of importing it (bench
figure 5). A program that builds clients for several relays but calls one, or a CLI that
only reads the catalog, does not pay for the models of the others.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    """Stands in for module ``name`` as ``namespace[alias]`` until one of its attributes is
    read; then imports it and puts it there, so later lookups reach the module directly
    (a generated method pays for the stand-in once, not per call)."""

    __slots__ = ("_alias", "_name", "_namespace")

    def __init__(self, name: str, namespace: dict[str, Any], alias: str) -> None:
        self._name, self._namespace, self._alias = name, namespace, alias

    def load(self) -> ModuleType:
        module = importlib.import_module(self._name)
        self._namespace[self._alias] = module
        return module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.load(), attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r} (not imported yet)>"
