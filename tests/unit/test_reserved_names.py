"""The reserved-name lists in generator/naming.py cover what the runtime and the templates really use.

The checker rejects a spec name on these lists; if a template or the runtime gains a name
and the list does not, a spec could take that name and the generated code would break.
Each test reads the real thing (runtime classes, generated modules) and compares.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from imagerelay._runtime.client import AsyncBaseClient, BaseClient
from imagerelay._runtime.model import RelayInput, RelayModel, RelayRequest, RelayResponse

from generator.ir.build import RUNTIME_MEMBERS
from generator.naming import (
    CLIENT_MEMBERS,
    CLIENT_MODULE_CONSTANTS,
    RESERVED_CATALOG_NAMES,
    RESERVED_MODEL_NAMES,
    RESERVED_PARAMS,
    RESERVED_PROVIDER_IDS,
)
from generator.pipeline import build_ir

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "generated" / "imagerelay"
PROVIDERS = sorted(path.name for path in PACKAGE.iterdir() if (path / "catalog.py").exists())


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _module_names(tree: ast.Module) -> set[str]:
    """Names a module binds at top level: imports, assignments, functions, classes (both TYPE_CHECKING branches)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node in tree.body:
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def test_client_members_cover_the_runtime_clients() -> None:
    public = {name for cls in (BaseClient, AsyncBaseClient) for name, _ in inspect.getmembers(cls)
              if not name.startswith("_")}
    assert public <= CLIENT_MEMBERS, sorted(public - CLIENT_MEMBERS)


def test_provider_ids_cannot_take_a_name_of_the_package_or_its_docs() -> None:
    taken = _module_names(_tree(PACKAGE / "__init__.py")) - set(PROVIDERS) - {"__future__"}
    taken |= {path.stem for path in PACKAGE.iterdir() if path.suffix == ".py" or path.is_dir()} - set(PROVIDERS)
    taken |= {path.stem for path in (ROOT / "generated" / "docs").iterdir()} - set(PROVIDERS)
    taken |= {"changelog"}  # mkdocs_hooks.py adds the changelog page as docs/changelog.md
    lower = {name for name in taken if name.islower() and not name.startswith("_")}
    assert lower <= RESERVED_PROVIDER_IDS, sorted(lower - RESERVED_PROVIDER_IDS)


def _methods(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    classes = [node for node in _tree(path).body if isinstance(node, ast.ClassDef)]
    return [node for cls in classes for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def test_reserved_params_cover_every_name_a_generated_method_adds_or_uses() -> None:
    """Parameters that are not request fields, and module names the bodies read, in every generated client."""
    irs = {ir.id: ir for ir in build_ir(ROOT / "specs")}
    used: set[str] = set()
    for provider in PROVIDERS:
        fields = {param.param_name for ep in irs[provider].endpoints for param in ep.params}
        module = _module_names(_tree(PACKAGE / provider / "client.py"))
        for method in _methods(PACKAGE / provider / "client.py"):
            args = method.args
            params = {arg.arg for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
            waits = {ep.polling.id_arg for ep in irs[provider].endpoints if ep.polling}
            used |= params - fields - waits
            read = {node.id for node in ast.walk(method) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
            used |= {name for name in read & module if name.islower()}
    assert used <= RESERVED_PARAMS, sorted(used - RESERVED_PARAMS)
    assert used, "no generated method was read"


def test_catalog_names_cover_every_catalog_module() -> None:
    irs = {ir.id: ir for ir in build_ir(ROOT / "specs")}
    for provider in PROVIDERS:
        enums = {name for enum in irs[provider].enums for name in (enum.name, enum.constant)}
        own = _module_names(_tree(PACKAGE / provider / "catalog.py")) - enums - {"__future__"}
        assert own <= RESERVED_CATALOG_NAMES, (provider, sorted(own - RESERVED_CATALOG_NAMES))


def test_model_names_cover_every_import_of_models_and_bases() -> None:
    for provider in PROVIDERS:
        for module in ("models.py", "bases.py"):
            tree = _tree(PACKAGE / provider / module)
            imported = {(alias.asname or alias.name) for node in tree.body if isinstance(node, ast.ImportFrom)
                        and node.module not in ("__future__",) and not (node.module or "").endswith(".bases")
                        for alias in node.names}
            assert imported <= RESERVED_MODEL_NAMES, (provider, module, sorted(imported - RESERVED_MODEL_NAMES))


def test_client_module_constants_cover_the_client_modules() -> None:
    irs = {ir.id: ir for ir in build_ir(ROOT / "specs")}
    for provider in PROVIDERS:
        constants = {ep.constant for ep in irs[provider].endpoints}
        upper = {name for name in _module_names(_tree(PACKAGE / provider / "client.py")) if name.isupper()}
        assert upper - constants <= CLIENT_MODULE_CONSTANTS


def test_runtime_members_cover_the_public_methods_of_the_model_bases() -> None:
    for base, cls in (("RelayModel", RelayModel), ("RelayInput", RelayInput), ("RelayRequest", RelayRequest),
                      ("RelayResponse", RelayResponse)):
        own = {name for name, _ in inspect.getmembers(cls) if not name.startswith("_")
               and not hasattr(RelayModel.__mro__[-2], name) and not name.startswith("model_")}
        assert own <= set(RUNTIME_MEMBERS[base]), (base, sorted(own - set(RUNTIME_MEMBERS[base])))


def test_common_wire_names_stay_usable() -> None:
    # The lists are what the generated code uses, not a ban on ordinary field names.
    assert not (RESERVED_PARAMS & {"type", "id", "input", "format", "filter", "request", "task_id", "model"})
