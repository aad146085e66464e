"""Entry point of the spec stage: load, shape-check and cross-check every spec."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import Diagnostic, SourceMark, SpecError
from generator.spec.loader import LoadedSpec, load_spec_file
from generator.spec.schema import ProviderSpec
from generator.spec.shape import check_shape
from generator.spec.validate import check_semantics


@dataclass(frozen=True)
class CheckedSpec:
    """A valid provider spec with its source file and line marks."""

    loaded: LoadedSpec
    spec: ProviderSpec
    display_name: str


def check_spec_file(path: Path, display_name: str) -> tuple[CheckedSpec | None, list[Diagnostic]]:
    loaded, problems = load_spec_file(path, display_name)
    if loaded is None:
        return None, problems
    spec, shape_problems = check_shape(loaded)
    problems += shape_problems
    if spec is None:
        return None, problems
    problems += check_semantics(loaded, spec)
    return (CheckedSpec(loaded, spec, display_name) if not problems else None), problems


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
