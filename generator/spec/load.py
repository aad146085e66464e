"""Entry point of the spec stage: load, shape-check and cross-check every spec."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import Diagnostic, SourceMark, SpecError
from generator.spec.loader import LoadedSpec, load_spec_file
from generator.spec.schema import ProviderSpec
from generator.spec.shape import check_shape
from generator.spec.validate import Unchecked, check_semantics


@dataclass(frozen=True)
class CheckedSpec:
    """A valid provider spec with its source file and line marks."""

    loaded: LoadedSpec
    spec: ProviderSpec
    display_name: str


@dataclass(frozen=True)
class SpecReport:
    """Everything the spec stage found in one file.

    ``spec`` is the part of the spec whose shape is valid (None when not even that could
    be read), so later stages can still look for problems of their own; it is a valid
    spec only when ``problems`` is empty.
    """

    loaded: LoadedSpec | None
    spec: ProviderSpec | None
    problems: list[Diagnostic]


def inspect_spec_file(path: Path, display_name: str) -> SpecReport:
    loaded, problems = load_spec_file(path, display_name)
    if loaded is None:
        return SpecReport(None, None, problems)
    shape = check_shape(loaded)
    problems += shape.diagnostics
    if shape.spec is None:
        return SpecReport(loaded, None, problems)
    # Semantic checks run on whatever part of the spec has a valid shape, so one run shows both kinds.
    problems += check_semantics(loaded, shape.spec, Unchecked(shape.broken, shape.broken_sections))
    return SpecReport(loaded, shape.spec, problems)


def check_spec_file(path: Path, display_name: str) -> tuple[CheckedSpec | None, list[Diagnostic]]:
    """The spec stage's verdict on one file; ``generator.check`` adds the IR stage's."""
    report = inspect_spec_file(path, display_name)
    if report.problems or report.loaded is None or report.spec is None:
        return None, report.problems
    return CheckedSpec(report.loaded, report.spec, display_name), []


def load_specs(spec_dir: Path) -> list[CheckedSpec]:
    """Check every ``*.yaml`` in ``spec_dir``; raise one SpecError listing all problems.

    Files are named ``<folder>/<file>`` (e.g. ``specs/acme.yaml``) in diagnostics and
    generated headers, whatever the working directory, so output never varies by machine.
    """
    files = sorted(spec_dir.glob("*.yaml"))
    problems: list[Diagnostic] = []
    checked: list[CheckedSpec] = []
    for file in files:
        display = f"{spec_dir.name}/{file.name}"
        spec, file_problems = check_spec_file(file, display)
        problems += file_problems
        if spec is not None:
            checked.append(spec)
    if not files:
        raise SpecError([Diagnostic(SourceMark(spec_dir.name, 1, 1), "", "no *.yaml spec files found")])
    if problems:
        raise SpecError(problems)
    return checked
