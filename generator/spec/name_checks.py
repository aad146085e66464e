"""Names in a spec that become Python names: valid, not keywords, clear of what the generated code uses.

Provider ids become subpackages, endpoint names methods and module constants, enum
names type aliases and constants of ``catalog.py``, request fields keyword arguments.
Each clash is a located error that names what it clashes with and suggests a rename.
Model class names (schemas, inline objects) are checked where the IR names them.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from typing import TYPE_CHECKING

from generator.naming import (
    CLIENT_MEMBERS,
    CLIENT_MODULE_CONSTANTS,
    RESERVED_CATALOG_NAMES,
    RESERVED_PARAMS,
    RESERVED_PROVIDER_IDS,
    constant_case,
    is_keyword,
    rename_hint,
    reserved_in_force,
    snake_case,
    wait_method_name,
)
from generator.spec.loader import PathKey
from generator.spec.schema import FieldSpec

if TYPE_CHECKING:
    from generator.spec.validate import SpecChecker


def _keyword_problem(kind: str, name: str) -> str | None:
    if is_keyword(name):
        return f"{kind} '{name}' is a Python keyword or soft keyword; rename it, e.g. '{rename_hint(name, ())}'"
    return None


class NameChecks:
    """Provider-level name checks of one spec; reports through the SpecChecker."""

    def __init__(self, checker: SpecChecker) -> None:
        self.checker = checker
        self.spec = checker.spec

    def run(self) -> None:
        self._provider_id()
        self._endpoint_names()
        self._catalog_names()

    def _provider_id(self) -> None:
        if self.checker.unchecked.covers("provider"):
            return
        name = self.spec.provider.id
        problem = _keyword_problem("provider id", name)
        if problem is None and name in RESERVED_PROVIDER_IDS:
            problem = (f"provider id '{name}' is reserved: the package 'imagerelay' or its docs site already has "
                       f"'{name}' (reserved ids: {', '.join(sorted(RESERVED_PROVIDER_IDS))}); rename the spec file "
                       f"and id, e.g. '{name}_relay'")
        if problem:
            self.checker.error(("provider", "id"), problem)

    def _endpoint_names(self) -> None:
        constants: dict[str, str] = {constant: "the provider's configuration" for constant in CLIENT_MODULE_CONSTANTS}
        for name in self.spec.endpoints:
            path: PathKey = ("endpoints", name)
            problem = _keyword_problem("endpoint name", name) or self._method_clash(name)
            if problem:
                self.checker.error_at_key(path, problem)
                continue
            constant = constant_case(name)
            first = constants.setdefault(constant, f"endpoint '{name}'")
            if first != f"endpoint '{name}'":
                self.checker.error_at_key(path, f"endpoint name '{name}' becomes the module constant '{constant}', "
                                          f"which {first} already is; rename it")

    def _method_clash(self, name: str) -> str | None:
        if name in CLIENT_MEMBERS:
            return (f"endpoint name '{name}' would replace the client's own '{name}' (client members: "
                    f"{', '.join(sorted(CLIENT_MEMBERS))}); rename it, e.g. '{name}_image'")
        submitters = [key for key, endpoint in self.spec.endpoints.items() if endpoint.polling]
        polled = [endpoint.polling.get for endpoint in self.spec.endpoints.values() if endpoint.polling]
        for other in submitters:
            # The generated client adds these two methods for every endpoint that polls a task.
            for added in (f"{other}_and_wait", wait_method_name(other, submitters, polled)):
                if added == name:
                    return (f"endpoint name '{name}' clashes with the method '{added}' that the client adds for "
                            f"the polling endpoint '{other}'; choose another name")
        return None

    def _catalog_names(self) -> None:
        """Enum names and their constants share catalog.py with its own names."""
        taken = {name: "a name catalog.py defines itself" for name in RESERVED_CATALOG_NAMES}
        for name in self.spec.enums:
            path: PathKey = ("enums", name)
            problem = _keyword_problem("enum name", name)
            for python, role in ((name, "type alias"), (constant_case(name), "constant")):
                if problem is None and python in taken:
                    problem = (f"enum '{name}' becomes the catalog {role} '{python}', which is already "
                               f"{taken[python]}; rename the enum, e.g. '{rename_hint(name, self.spec.enums)}'")
            if problem:
                self.checker.error_at_key(path, problem)
                continue
            taken[name] = f"the type alias of enum '{name}'"
            taken[constant_case(name)] = f"the constant of enum '{name}'"


def python_name(wire: str, field: FieldSpec) -> str:
    """The Python name of a field: its ``python_name`` or the snake_case of its wire name."""
    return field.python_name or snake_case(wire)


def check_argument_names(checker: SpecChecker, path: PathKey, fields: Mapping[str, FieldSpec]) -> None:
    """Top-level request fields become keyword arguments: distinct, valid and clear of the method's own names."""
    first_by_python: dict[str, str] = {}
    for name, field in fields.items():
        python = python_name(name, field)
        where: PathKey = (*path, name, "python_name") if field.python_name else (*path, name)
        report = checker.error if field.python_name else checker.error_at_key
        if keyword.iskeyword(python):
            report(where, f"python_name '{python}' is a Python keyword; choose another, e.g. '{python}_'")
            continue
        if python in RESERVED_PARAMS and reserved_in_force():
            hint = rename_hint(python, {python_name(other, spec) for other, spec in fields.items()} | RESERVED_PARAMS)
            report(where, f"field '{name}' becomes the Python argument '{python}', which every generated method "
                   f"already uses (reserved: {', '.join(sorted(RESERVED_PARAMS))}); add 'python_name: {hint}'")
            continue
        first = first_by_python.setdefault(python, name)
        if first != name:
            line = checker.loaded.key_mark_of((*path, first)).line
            report(where, f"'{name}' and '{first}' (line {line}) both become the Python name '{python}'; sibling "
                   "fields need distinct Python names (set 'python_name' on one)")
