"""The whole pipeline as one function: specs -> IR -> planned files."""

from __future__ import annotations

from pathlib import Path

from generator.ir.build import build_provider_ir
from generator.ir.nodes import ProviderIR
from generator.render.output import OutputFile
from generator.render.plan import plan_outputs
from generator.report.changelog import history_files
from generator.spec.load import load_specs


def build_ir(spec_dir: Path) -> list[ProviderIR]:
    """Load and check every spec, then build their IR; raises SpecError listing all problems."""
    return [build_provider_ir(checked) for checked in load_specs(spec_dir)]


def generate(spec_dir: Path, template_dir: Path, out_dir: Path | None = None) -> list[OutputFile]:
    """Every file of ``generated/`` for the specs in ``spec_dir``, rendered in memory.

    ``out_dir`` is the existing output folder: its copy of the previous specs and its
    changelog are read (never written) so the new changelog continues them. Without it
    the output is that of a first generation, whose changelog lists every provider as added.
    """
    irs = build_ir(spec_dir)
    files = plan_outputs(template_dir, irs) + history_files(spec_dir, irs, out_dir)
    return sorted(files, key=lambda file: file.path)
