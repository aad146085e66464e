"""The whole pipeline as one function: specs -> IR -> planned files."""

from __future__ import annotations

from pathlib import Path

from generator.cache.fingerprint import provider_digest
from generator.cache.store import ContentStore, using_store
from generator.check import check_spec_dir
from generator.ir.nodes import ProviderIR
from generator.release import using_version
from generator.render.env import make_env
from generator.render.output import OutputFile
from generator.render.plan import plan_outputs
from generator.render.prefetch import prefetch
from generator.report.changelog import history_files, next_version

_RENDERED = "provider_rendered"


def build_ir(spec_dir: Path) -> list[ProviderIR]:
    """Load and check every spec, then build their IR; raises SpecError listing all problems."""
    return check_spec_dir(spec_dir)


def generate(spec_dir: Path, template_dir: Path, out_dir: Path | None = None, *,
             store: ContentStore | None = None, jobs: int = 1) -> list[OutputFile]:
    """Every file of ``generated/`` for the specs in ``spec_dir``, rendered in memory.

    ``out_dir`` is the existing output folder: its copy of the previous specs and its
    changelog are read (never written) so the new changelog continues them. Without it
    the output is that of a first generation, whose changelog lists every provider as added.
    ``store`` memoises the expensive render steps (a fresh in-memory one by default) and
    ``jobs`` > 1 computes them for several providers at once; neither changes the output.
    """
    irs = build_ir(spec_dir)
    store = store or ContentStore(None)
    env = make_env(template_dir, None if store.directory is None else store.directory / "jinja")
    rendered = {ir.id: provider_digest(spec_dir / Path(ir.spec_file).name, template_dir) for ir in irs}
    with using_store(store):
        # A provider rendered before from the same spec, templates and generator has its
        # expensive steps in the store already; only the others are worth a worker.
        prefetch(env, [ir for ir in irs if store.lookup(_RENDERED, (rendered[ir.id],)) is None], jobs)
        with using_version(next_version(spec_dir, irs, out_dir)):
            files = plan_outputs(template_dir, irs, env) + history_files(spec_dir, irs, out_dir)
        for digest in rendered.values():
            store.put(_RENDERED, (digest,), "")
    return sorted(files, key=lambda file: file.path)
