"""Figure 3: how a cold generation grows with the number of providers.

Synthetic spec folders of 10 and 100 providers (bench/synthetic.py: clones of the real specs,
round-robin, each with its own id, environment variables and descriptions) are each
generated cold (``--no-cache``) into a new folder, in fresh processes, alternately.
Linear growth with a fixed start-up cost gives t(100)/t(10) < 10; the target allows 11.
"""

from __future__ import annotations

from bench.common import Context, Figure, alternate, median
from bench.generator_process import cold_generation
from bench.synthetic import make_specs

FULL_SIZES = (10, 100)
QUICK_SIZES = (2, 4)
SLACK = 1.1  # the 11 for 10 -> 100 providers: 10% over proportional growth


def run(ctx: Context) -> list[Figure]:
    small, large = QUICK_SIZES if ctx.quick else FULL_SIZES
    spec_dirs, spec_bytes = {}, {}
    for count in (small, large):
        paths = make_specs(count, ctx.work_dir / f"synthetic-{count}" / "specs", ctx.root / "specs")
        spec_dirs[count] = paths[0].parent
        spec_bytes[count] = sum(path.stat().st_size for path in paths)
    files: dict[int, int] = {}

    def timed(count: int) -> float:
        cold = cold_generation(ctx, spec_dirs[count])
        files[count] = cold.files
        return cold.seconds

    ours, base = alternate(lambda: timed(large), lambda: timed(small), ctx.repeats(3))
    t_large, t_small = median(ours), median(base)
    per_provider = (t_large - t_small) / (large - small)
    sources = len(list((ctx.root / "specs").glob("*.yaml")))
    notes = (
        (f"specs: bench/synthetic.py clones of the {sources} real specs, {spec_bytes[large] // large // 1000} KB "
         f"each on average; output {files[small]} and {files[large]} files"),
        (f"marginal cost {per_provider:.2f} s per provider, fixed cost about "
         f"{max(t_small - small * per_provider, 0.0):.2f} s"),
        f"runs (s): t({large}) {_listing(ours)}; t({small}) {_listing(base)}",
    )
    return [Figure(
        "3", f"Scaling: cold generation of {large} vs {small} providers", t_large, t_small, "s",
        f"t({large}): `python -m generator --no-cache`, {large} synthetic providers",
        f"t({small}): the same with {small} synthetic providers",
        max_ratio=SLACK * large / small, repeats=len(ours), notes=notes,
    )]


def _listing(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)
