"""Running the generator and openapi-python-client as a user does: one fresh process per run.

Shared by the generation figures (1, 2a, 2b) and the scaling figure (3).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.common import Context, run_process

# The folder name of a spec copy: diagnostics and generated headers name specs as
# "<folder>/<file>", so a copy called anything else would not produce the same files.
SPEC_FOLDER = "specs"


def tool_env(ctx: Context) -> dict[str, str]:
    """The environment of every child: the venv's tools first on PATH (ruff for the
    baseline's formatting hooks), the repository importable."""
    env = dict(os.environ)
    # Bytecode as a user's machine keeps it: the baseline's site-packages were compiled at
    # install time, so our checkout must not recompile its sources on every run either.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PATH"] = os.pathsep.join([str(Path(ctx.python).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ctx.root), env.get("PYTHONPATH", "")]))
    return env


def fresh_dir(ctx: Context, prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=ctx.work_dir))


def provider_ids(ctx: Context) -> list[str]:
    """The providers of the repository's specs/, sorted."""
    return sorted(path.stem for path in (ctx.root / "specs").glob("*.yaml"))


def copy_specs(ctx: Context, parent: Path, providers: Iterable[str]) -> Path:
    """Copy the named providers' specs into ``parent/specs``; return that folder."""
    spec_dir = parent / SPEC_FOLDER
    spec_dir.mkdir(parents=True, exist_ok=True)
    for provider in providers:
        shutil.copy2(ctx.root / "specs" / f"{provider}.yaml", spec_dir / f"{provider}.yaml")
    return spec_dir


def run_generator(ctx: Context, spec_dir: Path, out_dir: Path, *flags: str) -> float:
    """Wall seconds of one ``python -m generator`` process; RuntimeError when it fails."""
    cmd = [ctx.python, "-m", "generator", "--specs", str(spec_dir), "--out", str(out_dir), *flags]
    return run_process(cmd, cwd=ctx.root, env=tool_env(ctx)).seconds


@dataclass(frozen=True)
class ColdRun:
    seconds: float
    files: int  # files written


def cold_generation(ctx: Context, spec_dir: Path) -> ColdRun:
    """A cold, cache-less generation of ``spec_dir`` into a new folder (removed afterwards)."""
    parent = fresh_dir(ctx, "cold-")
    try:
        out_dir = parent / "generated"
        seconds = run_generator(ctx, spec_dir, out_dir, "--no-cache")
        files = [path for path in out_dir.rglob("*") if path.is_file()]
        if not any(path.suffix == ".py" for path in files):
            raise RuntimeError(f"the generator wrote no Python files into {out_dir}")
        return ColdRun(seconds, len(files))
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (dotfiles included) by its relative POSIX path."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def tree_differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """Paths missing, extra or different between two trees, sorted."""
    return sorted(
        path for path in expected.keys() | actual.keys() if expected.get(path) != actual.get(path)
    )


def describe_differences(differences: list[str], limit: int = 10) -> str:
    shown = ", ".join(differences[:limit])
    more = f" and {len(differences) - limit} more" if len(differences) > limit else ""
    return f"{len(differences)} file(s) differ: {shown}{more}"
