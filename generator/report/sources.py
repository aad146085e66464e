"""A version of the specs to compare: a folder, or ``git:REV`` (the spec folder at a git revision)."""

from __future__ import annotations

import subprocess
import tempfile
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

from generator.check import check_spec_dir
from generator.errors import Diagnostic, RelaygenError, SpecError
from generator.ir.nodes import ProviderIR
from generator.naming import names_as_written

GIT_PREFIX = "git:"


class SourceError(RelaygenError):
    """A version of the specs cannot be read: no such folder, revision or spec folder in it."""


def read_source(source: str, repo: Path, spec_folder: str = "specs", *, old: bool = False) -> list[ProviderIR]:
    """The IR of every spec in ``source``; raises SourceError, or SpecError for invalid specs.

    ``git:REV`` reads ``<spec_folder>/*.yaml`` as committed at REV in the repository at
    ``repo``; anything else is a folder path. An ``old`` version may use names the generator
    has reserved since (``extra_body`` became every method's argument): it is read as written,
    so the report can show what the new spec renamed.
    """
    with names_as_written() if old else nullcontext():
        if source.startswith(GIT_PREFIX):
            return ir_at_revision(source[len(GIT_PREFIX):], repo, spec_folder)
        return ir_of_folder(Path(source), shown_as=source)


def ir_of_folder(folder: Path, *, shown_as: str | None = None) -> list[ProviderIR]:
    """The IR of every spec in ``folder``. With ``shown_as``, diagnostics name the files
    under that text, the folder exactly as the user typed it, instead of the bare folder name
    the checker uses (which, for ``old/specs``, names a folder the user cannot find)."""
    if not folder.is_dir():
        raise SourceError(f"spec folder {str(folder)!r} does not exist")
    try:
        return check_spec_dir(folder)
    except SpecError as exc:
        if shown_as is None:
            raise
        raise SpecError([_shown_under(item, folder.name, shown_as) for item in exc.diagnostics]) from None


def _shown_under(diagnostic: Diagnostic, folder_name: str, shown_as: str) -> Diagnostic:
    """``diagnostic`` located under ``shown_as``: the checker names files ``<folder name>/<file>``."""
    file = diagnostic.mark.file
    if file != folder_name and not file.startswith(folder_name + "/"):
        return diagnostic
    # "old/" and "old" are the same folder: its files read "old/acme.yaml" either way.
    return replace(diagnostic, mark=replace(diagnostic.mark, file=shown_as.rstrip("/") + file[len(folder_name):]))


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"cannot run git in {str(repo)!r}: {exc}") from exc


def ir_at_revision(revision: str, repo: Path, spec_folder: str) -> list[ProviderIR]:
    """Check out ``spec_folder`` at ``revision`` into a temporary folder of the same name and read it.

    The temporary folder keeps the spec folder's name, so diagnostics read
    ``specs/acme.yaml:12:3`` as they would for the working tree.
    """
    found = _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if found.returncode != 0:
        raise SourceError(f"git revision {revision!r} not found in {str(repo)!r}")
    commit = found.stdout.decode().strip()
    listing = _git(repo, "ls-tree", "-z", f"{commit}:{spec_folder}")
    if listing.returncode != 0:
        raise SourceError(f"git revision {revision!r} has no folder {spec_folder!r}")
    # Entries read "<mode> <type> <object>\t<name>", NUL-terminated so names come unquoted.
    entries = [entry.split("\t", 1) for entry in listing.stdout.decode().split("\0") if entry]
    names = [name for meta, name in entries if meta.split()[1] == "blob" and name.endswith(".yaml")]
    with tempfile.TemporaryDirectory(prefix="relaygen-report-") as scratch:
        folder = Path(scratch) / Path(spec_folder).name
        folder.mkdir()
        for name in names:
            shown = _git(repo, "show", f"{commit}:{spec_folder}/{name}")
            if shown.returncode != 0:
                raise SourceError(f"git cannot show {spec_folder}/{name} at {revision!r}: "
                                  f"{shown.stderr.decode().strip()}")
            (folder / name).write_bytes(shown.stdout)
        return check_spec_dir(folder)
