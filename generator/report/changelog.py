"""``generated/CHANGELOG.md``: one entry per generation whose specs changed, newest first.

The specs of the last generation are kept byte for byte in ``generated/.specs/``.
A generation compares the current specs with that copy; when they differ it puts a
report of the changes on top of the existing entries and refreshes the copy. The
output depends only on the specs and the previous output folder, never on the clock,
so ``--check`` regenerates an unchanged tree byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from generator.check import check_provider
from generator.ir.nodes import ProviderIR
from generator.naming import names_as_written
from generator.release import advance, recorded_version
from generator.render.output import PACKAGE, OutputFile
from generator.render.package_meta import SdkRelease, sdk_release
from generator.report.changes import Change, ChangeReport
from generator.report.compare import compare_specs
from generator.report.render import markdown_sections

SNAPSHOT_FOLDER = ".specs"
CHANGELOG_FILE = "CHANGELOG.md"
_ENTRY_HEADING = re.compile(r"^## (\d+)\b", re.MULTILINE)
_PREAMBLE = """\
# Changelog

What changed for users of the generated SDK, newest first. `make generate` adds an entry
each time the specs differ from those of the previous generation (kept in `.specs/`);
entries are numbered, and name the SDK version (`imagerelay.__version__`) they describe.
Compare any two versions with `python -m generator report OLD NEW` (a folder or `git:REV`).

Classes: **breaking** (existing code may fail: suggests a major version), **needs
attention** (code keeps working but behaves differently: minor), non-breaking (additions:
minor), docs only (descriptions, notes, examples: patch). The version each entry names is
the previous one advanced by that bump; while the SDK is 0.x, a major bump is a minor
release and a minor bump a patch release. Versions only go up, a revert included.
"""


def spec_texts(folder: Path) -> dict[str, str]:
    """Every ``*.yaml`` of ``folder`` by file name, exactly as on disk (empty if no folder)."""
    if not folder.is_dir():
        return {}
    return {path.name: path.read_bytes().decode("utf-8") for path in sorted(folder.glob("*.yaml"))}


def history_files(spec_dir: Path, current: Sequence[ProviderIR], out_dir: Path | None) -> list[OutputFile]:
    """The spec copy and the changelog continuing those of ``out_dir`` (None: a first generation)."""
    specs = spec_texts(spec_dir)
    entries = _entries_of(_read(out_dir / CHANGELOG_FILE) if out_dir is not None else "")
    report = _report(spec_dir, current, out_dir)
    if report is not None and report.changes:
        entry = changelog_entry(report, _next_number(entries), sdk_release(list(current)))
        entries = entry + ("\n" + entries if entries else "")
    files = [OutputFile(f"{SNAPSHOT_FOLDER}/{name}", text) for name, text in specs.items()]
    return [*files, OutputFile(CHANGELOG_FILE, _PREAMBLE + ("\n" + entries if entries else ""))]


def next_version(spec_dir: Path, current: Sequence[ProviderIR], out_dir: Path | None) -> str:
    """The version this generation carries: the previous one, advanced by the report's bump
    when the specs changed (see generator/release.py)."""
    report = _report(spec_dir, current, out_dir)
    return advance(recorded_version(out_dir, PACKAGE), "none" if report is None else report.bump)


def _report(spec_dir: Path, current: Sequence[ProviderIR], out_dir: Path | None) -> ChangeReport | None:
    """The changes since the specs of ``out_dir``'s generation; None when the specs are the same."""
    specs = spec_texts(spec_dir)
    previous = spec_texts(out_dir / SNAPSHOT_FOLDER) if out_dir is not None else {}
    if specs == previous:
        return None
    # Only the files that differ can hold changes; reading just those keeps a one-provider
    # edit from re-checking every previous spec.
    differing = {name for name in specs.keys() | previous.keys() if specs.get(name) != previous.get(name)}
    changed = tuple(provider for provider in current if Path(provider.spec_file).name in differing)
    before = tuple(sorted((name, previous[name]) for name in differing & previous.keys()))
    return _changes_cached(out_dir, before, changed, spec_dir.name)


# The version and the changelog both need one generation's report: computed once.
@lru_cache(maxsize=4)
def _changes_cached(out_dir: Path | None, before: tuple[tuple[str, str], ...], changed: tuple[ProviderIR, ...],
                    folder_name: str) -> ChangeReport:
    return _changes_since(out_dir, dict(before), changed, folder_name)


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8") if path.is_file() else ""


def _entries_of(changelog: str) -> str:
    """The entries of an existing changelog, verbatim; its preamble is rewritten every time."""
    first = _ENTRY_HEADING.search(changelog)
    return changelog[first.start():] if first else ""


def _next_number(entries: str) -> int:
    return max((int(number) for number in _ENTRY_HEADING.findall(entries)), default=0) + 1


def _changes_since(out_dir: Path | None, previous: dict[str, str], current: Sequence[ProviderIR],
                   folder_name: str) -> ChangeReport:
    if not previous or out_dir is None:
        return compare_specs([], current)
    before, unreadable = _previous_ir(out_dir / SNAPSHOT_FOLDER, previous.keys())
    # A provider whose old copy no longer reads is left out of the comparison, not reported as added.
    skipped = {Path(name).stem for name in unreadable}
    report = compare_specs(before, [provider for provider in current if provider.id not in skipped])
    notes = tuple(Change(Path(name).stem, f"{folder_name}/{name}",
                         "not compared: the previous copy no longer passes the checker", "attention", old=reason)
                  for name, reason in unreadable.items())
    return ChangeReport(report.changes + notes)


def _previous_ir(folder: Path, names: Iterable[str]) -> tuple[list[ProviderIR], dict[str, str]]:
    """IR of each previous spec copy that still passes today's checker, and why the others do not.

    The spec language may have moved on since the copy was made; that must not stop a
    generation, so each file is read on its own and a failure becomes a changelog note.
    """
    providers: list[ProviderIR] = []
    unreadable: dict[str, str] = {}
    for path in sorted(folder / name for name in names):
        # Names reserved since the copy was made do not stop the comparison (see read_source).
        with names_as_written():
            provider, problems = check_provider(path, f"{folder.name}/{path.name}")
        if provider is None:
            unreadable[path.name] = str(min(problems, key=lambda problem: problem.mark))
            continue
        providers.append(provider)
    return providers, unreadable


def changelog_entry(report: ChangeReport, number: int, release: SdkRelease) -> str:
    """One numbered changelog entry: the suggested bump, the SDK it describes, each provider's changes."""
    lines = [f"## {number} · suggested bump: {report.bump}", "",
             f"SDK `{release.version}` (spec digest `{release.spec_digest}`) · {report.tally()}.", ""]
    return "\n".join(lines + markdown_sections(report, 3)).rstrip("\n") + "\n"
