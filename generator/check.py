"""The checker as the generator runs it: the spec stage, then the IR the templates read.

``python -m generator.spec`` and ``python -m generator`` both call these functions, so a
spec the checker accepts is one the generator builds: the same code decides. Problems
of every file are collected before anything is reported, sorted, in one SpecError.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import Diagnostic, SourceMark, SpecError
from generator.ir.build import build_provider_ir, class_name_problems
from generator.ir.nodes import ProviderIR
from generator.spec.load import CheckedSpec, inspect_spec_file


def check_provider(path: Path, display_name: str) -> tuple[ProviderIR | None, list[Diagnostic]]:
    """The IR of one spec file, or every problem found in it."""
    report = inspect_spec_file(path, display_name)
    if report.loaded is None or report.spec is None:
        return None, report.problems
    checked = CheckedSpec(report.loaded, report.spec, display_name)
    # Model class names are found by the IR's walk over the fields; it runs on the valid part
    # of a spec too, so a name clash shows up together with the spec's other problems.
    problems = report.problems + [p for p in class_name_problems(checked) if p not in report.problems]
    if problems:
        return None, problems
    try:
        return build_provider_ir(checked), []
    except SpecError as exc:
        return None, exc.diagnostics


def spec_files(spec_dir: Path) -> list[tuple[Path, str]]:
    """Every ``*.yaml`` of a folder with the name diagnostics give it: ``<folder>/<file>``.

    Names never depend on the working directory, so output never varies by machine.
    """
    return [(file, f"{spec_dir.name}/{file.name}") for file in sorted(spec_dir.glob("*.yaml"))]


def check_spec_dir(spec_dir: Path) -> list[ProviderIR]:
    """The IR of every spec in ``spec_dir``; one SpecError listing every problem of every file."""
    files = spec_files(spec_dir)
    if not files:
        raise SpecError([Diagnostic(SourceMark(spec_dir.name, 1, 1), "", "no *.yaml spec files found")])
    problems: list[Diagnostic] = []
    irs: list[ProviderIR] = []
    for file, display in files:
        ir, file_problems = check_provider(file, display)
        problems += file_problems
        if ir is not None:
            irs.append(ir)
    if problems:
        raise SpecError(problems)
    return irs
