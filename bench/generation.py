"""Figures 1, 2a and 2b: full, no-op and one-provider-changed regeneration.

Every run of either side is a fresh process, as a user runs it, on a copy of specs/ and
into a new output folder inside the bench's scratch space; the repository is never written.

1   ours: ``python -m generator --no-cache``, cold, every provider (models, clients, docs,
    OpenAPI, black). Baseline: openapi-python-client generating a client from each of the
    OpenAPI documents we ship (generated/openapi/<provider>.json), one process per document
    as that tool works, ruff on PATH so its formatting post-hooks run; the times summed.
2a  ours: the second of two identical runs sharing a cache folder; the output folder must
    stay byte-identical. Its ratio column is against figure 1's cold run; the target is 0.3 s.
2b  ours: with a warm cache of every provider, one provider's spec gets a realistic doc edit
    (new aspect ratio or reworded endpoint description, a fresh edit each repetition) and the
    whole output is regenerated. Baseline: a cold run of a spec folder holding only that
    provider's edited spec. Once, the warm-cache output is compared byte for byte with a
    ``--no-cache`` generation of the same specs from the same previous output.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from pathlib import Path

from bench.common import Context, Figure, alternate, median, run_process
from bench.generator_process import (
    cold_generation,
    copy_specs,
    describe_differences,
    fresh_dir,
    provider_ids,
    read_tree,
    run_generator,
    tool_env,
    tree_differences,
)
from bench.spec_edits import EDIT_KINDS, SpecEdit, apply_edit

QUICK_PROVIDERS = 2  # smoke mode generates only the first providers, to stay fast
_SKIPPED_OPERATION = re.compile(r"WARNING parsing (\w+) (\S+) within")
_BASELINE_FAILURES = ("Skipping Integration", "Error(s) encountered", "ruff failed")


def run(ctx: Context) -> list[Figure]:
    providers = provider_ids(ctx)
    if ctx.quick:
        providers = providers[:QUICK_PROVIDERS]
    full = full_regeneration(ctx, providers)
    return [full, noop_regeneration(ctx, providers, full), one_provider_changed(ctx, providers)]


def full_regeneration(ctx: Context, providers: list[str]) -> Figure:
    spec_dir = copy_specs(ctx, fresh_dir(ctx, "fig1-"), providers)
    documents = [ctx.root / "generated" / "openapi" / f"{provider}.json" for provider in providers]
    skipped: set[str] = set()
    file_counts: set[int] = set()

    def ours() -> float:
        cold = cold_generation(ctx, spec_dir)
        file_counts.add(cold.files)
        return cold.seconds

    def baseline() -> float:
        seconds, skips = openapi_python_client_run(ctx, documents)
        skipped.update(skips)
        return seconds

    ours_values, base_values = alternate(ours, baseline, ctx.repeats(5), warmup=0 if ctx.quick else 1)
    version = importlib.metadata.version("openapi-python-client")
    notes = [(f"ours wrote {', '.join(map(str, sorted(file_counts)))} files per run; "
             f"runs (s): ours {_listing(ours_values)}, baseline {_listing(base_values)}")]
    if skipped:
        notes.append(f"openapi-python-client warned and skipped {len(skipped)} operation(s) it cannot handle "
                     f"(inline allOf request body): {', '.join(sorted(skipped))}; the baseline does less work "
                     "than ours, so the ratio is conservative")
    return Figure(
        "1", f"Full regeneration of all {len(providers)} providers", median(ours_values), median(base_values), "s",
        "one `python -m generator --no-cache` process, cold, into a new folder "
        "(models, clients, docs, OpenAPI, package, black)",
        f"openapi-python-client {version} `generate --path generated/openapi/<p>.json --overwrite`, "
        f"one process per document, ruff post-hooks on; sum of {len(documents)}",
        max_ratio=0.5, repeats=len(ours_values), notes=tuple(notes),
    )


def openapi_python_client_run(ctx: Context, documents: list[Path]) -> tuple[float, list[str]]:
    """Summed wall time of one openapi-python-client process per document, and the operations it skipped."""
    tool = Path(ctx.python).parent / "openapi-python-client"
    if not tool.exists():
        raise RuntimeError(f"{tool} is missing: install the bench extra")
    parent = fresh_dir(ctx, "opc-")
    total, skipped = 0.0, []
    try:
        for document in documents:
            out_dir = parent / document.stem
            cmd = [str(tool), "generate", "--path", str(document), "--output-path", str(out_dir), "--overwrite"]
            run = run_process(cmd, cwd=parent, env=tool_env(ctx))
            # The tool reports skipped operations and failed hooks on stderr.
            messages = run.stdout + run.stderr
            _check_baseline_output(document, out_dir, messages)
            total += run.seconds
            skipped += [f"{document.stem} {match[1]} {match[2]}" for match in _SKIPPED_OPERATION.finditer(messages)]
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    return total, skipped


def _check_baseline_output(document: Path, out_dir: Path, stdout: str) -> None:
    failures = [marker for marker in _BASELINE_FAILURES if marker in stdout]
    if failures:
        raise RuntimeError(f"openapi-python-client on {document.name}: {', '.join(failures)}:\n{stdout[-2000:]}")
    if not any(out_dir.rglob("client.py")) or len(list(out_dir.rglob("*.py"))) < 5:
        raise RuntimeError(f"openapi-python-client on {document.name} produced no client in {out_dir}")


def noop_regeneration(ctx: Context, providers: list[str], full: Figure) -> Figure:
    parent = fresh_dir(ctx, "fig2a-")
    spec_dir = copy_specs(ctx, parent, providers)
    out_dir, cache_flags = parent / "generated", ("--cache-dir", str(parent / "cache"))
    run_generator(ctx, spec_dir, out_dir, *cache_flags)  # the first run fills the cache
    before, stamps = read_tree(out_dir), _mtimes(out_dir)
    values = []
    for _ in range(ctx.repeats(10)):
        values.append(run_generator(ctx, spec_dir, out_dir, *cache_flags))
        differences = tree_differences(before, read_tree(out_dir))
        if differences:
            raise RuntimeError(f"a no-op regeneration changed the output: {describe_differences(differences)}")
    rewritten = sum(1 for path, stamp in _mtimes(out_dir).items() if stamps.get(path) != stamp)
    shutil.rmtree(parent, ignore_errors=True)
    return Figure(
        "2a", "No-op regeneration (nothing changed)", median(values), full.ours, "s",
        f"second identical `python -m generator --cache-dir` run, {len(providers)} providers",
        "cold full run of figure 1 (its median, same bench run)",
        max_value=0.3, repeats=len(values),
        notes=(f"output folder byte-identical after every run ({len(before)} files; {rewritten} rewritten)",
               f"runs (s): {_listing(values)}"),
    )


def _mtimes(root: Path) -> dict[str, int]:
    return {path.relative_to(root).as_posix(): path.stat().st_mtime_ns for path in root.rglob("*") if path.is_file()}


def one_provider_changed(ctx: Context, providers: list[str]) -> Figure:
    parent = fresh_dir(ctx, "fig2b-")
    spec_dir = copy_specs(ctx, parent, providers)
    out_dir, cache_flags = parent / "generated", ("--cache-dir", str(parent / "cache"))
    run_generator(ctx, spec_dir, out_dir, *cache_flags)  # a warm cache of every provider
    edits: list[SpecEdit] = []

    def ours() -> float:
        revision = len(edits)
        provider = providers[revision % len(providers)]
        edit = apply_edit(spec_dir / f"{provider}.yaml", EDIT_KINDS[revision % len(EDIT_KINDS)], revision)
        edits.append(edit)
        reference = _copy_output(out_dir, parent / "reference") if revision == 0 else None
        before = read_tree(out_dir)
        seconds = run_generator(ctx, spec_dir, out_dir, *cache_flags)
        after = read_tree(out_dir)
        _check_edit_visible(edit, before, after)
        if reference is not None:
            _check_cache_never_changes_output(ctx, spec_dir, reference, after)
        return seconds

    def baseline() -> float:
        single = fresh_dir(ctx, "fig2b-single-")
        try:
            return cold_generation(ctx, copy_specs_from(spec_dir, single, edits[-1].provider)).seconds
        finally:
            shutil.rmtree(single, ignore_errors=True)

    ours_values, base_values = alternate(ours, baseline, ctx.repeats(6))
    shutil.rmtree(parent, ignore_errors=True)
    return Figure(
        "2b", "Regeneration after one provider changed", median(ours_values), median(base_values), "s",
        f"`python -m generator --cache-dir` with a warm cache of {len(providers)} providers, one spec edited",
        "cold `--no-cache` run of a spec folder holding only the edited provider",
        max_ratio=1.5, repeats=len(ours_values),
        notes=(f"edits, one per repetition: {'; '.join(edit.describe() for edit in edits)}",
               ("warm-cache output equals a `--no-cache` generation of the same edited specs, byte for byte "
               "(checked on the first edit)"),
               f"runs (s): ours {_listing(ours_values)}, baseline {_listing(base_values)}"),
    )


def copy_specs_from(spec_dir: Path, parent: Path, provider: str) -> Path:
    single = parent / spec_dir.name
    single.mkdir(parents=True)
    shutil.copy2(spec_dir / f"{provider}.yaml", single / f"{provider}.yaml")
    return single


def _copy_output(out_dir: Path, parent: Path) -> Path:
    """A copy of the output as it is before a run, under the same folder name."""
    copy = parent / out_dir.name
    shutil.copytree(out_dir, copy)
    return copy


def _check_edit_visible(edit: SpecEdit, before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """The edit must reach the output: a cache serving stale files would fail here."""
    changed = tree_differences(before, after)
    marker = _squeeze(edit.marker)
    if not changed or not any(marker in _squeeze(after[path].decode(errors="replace"))
                              for path in changed if path in after):
        raise RuntimeError(f"regeneration after {edit.describe()} did not show the edit "
                           f"({len(changed)} file(s) changed)")


def _check_cache_never_changes_output(ctx: Context, spec_dir: Path, reference: Path,
                                      cached: dict[str, bytes]) -> None:
    run_generator(ctx, spec_dir, reference, "--no-cache")
    differences = tree_differences(read_tree(reference), cached)
    shutil.rmtree(reference.parent, ignore_errors=True)
    if differences:
        raise RuntimeError("the cache changed the output: warm-cache and --no-cache generations of the same "
                           f"specs differ; {describe_differences(differences)}")


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _listing(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)
