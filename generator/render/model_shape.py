"""Proof that a models.py from datamodel-code-generator holds declarations only.

Spec text reaches models.py through datamodel-code-generator, not through the escaping
filters of the templates, so its output is checked instead: imports, classes, docstrings
and annotated fields whose annotations and defaults are type expressions, literals and
``Field(...)`` calls over literals. Any other statement, call or name (text of a spec
that became code) is a RenderError, and nothing is written.
"""

from __future__ import annotations

import ast
from typing import NoReturn

from generator.errors import RenderError

_BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "tuple", "set", "None"})
# Expression nodes a field's annotation, Field(...) arguments or default may hold.
_LITERAL_NODES = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.Tuple, ast.List, ast.Dict, ast.BinOp,
                  ast.BitOr, ast.UnaryOp, ast.USub, ast.UAdd, ast.Load, ast.keyword, ast.Call)


def check_model_module(source: str, where: str) -> None:
    """Raise RenderError unless ``source`` is a module of imports and declarative classes."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise RenderError(f"{where}: datamodel-code-generator wrote invalid Python: {exc.msg} (line {exc.lineno})") \
            from exc
    bound = set(_BUILTIN_TYPES)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            bound |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.ClassDef):
            bound.add(node.name)
        else:
            _refuse(where, node, "a module-level statement other than an import or a class")
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        _check_class(cls, bound, where)


def _check_class(cls: ast.ClassDef, bound: set[str], where: str) -> None:
    if cls.decorator_list or cls.keywords:
        _refuse(where, cls, "a decorated class or class keywords")
    for base in cls.bases:
        _check_expression(base, bound, where)
    for index, statement in enumerate(cls.body):
        if index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
                and isinstance(statement.value.value, str):
            continue  # the docstring
        if isinstance(statement, ast.Pass):
            continue
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            _refuse(where, statement, f"a statement other than a field in class {cls.name}")
        _check_expression(statement.annotation, bound, where)
        if statement.value is not None:
            _check_expression(statement.value, bound, where)


def _check_expression(expression: ast.expr, bound: set[str], where: str) -> None:
    for node in ast.walk(expression):
        if not isinstance(node, _LITERAL_NODES):
            _refuse(where, node, f"a {type(node).__name__} expression")
        if isinstance(node, ast.Name) and node.id not in bound:
            _refuse(where, node, f"the name {node.id!r}, which the module does not define or import")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id == "Field"
                                               and not node.args):
            _refuse(where, node, "a call other than Field(keyword=...)")


def _refuse(where: str, node: ast.AST, what: str) -> NoReturn:
    line = getattr(node, "lineno", 0)
    raise RenderError(f"{where}:{line}: datamodel-code-generator wrote {what}; a spec's text may have become code")
