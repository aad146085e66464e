"""The whole pipeline as one function: specs -> IR -> planned files."""

from __future__ import annotations

from pathlib import Path

from generator.ir.build import build_provider_ir
from generator.ir.nodes import ProviderIR
from generator.render.output import OutputFile
from generator.render.plan import plan_outputs
from generator.spec.load import load_specs


def build_ir(spec_dir: Path) -> list[ProviderIR]:
    """Load and check every spec, then build their IR; raises SpecError listing all problems."""
    return [build_provider_ir(checked) for checked in load_specs(spec_dir)]


def generate(spec_dir: Path, template_dir: Path) -> list[OutputFile]:
    """Every file of ``generated/`` for the specs in ``spec_dir``, rendered in memory."""
    return plan_outputs(template_dir, build_ir(spec_dir))
