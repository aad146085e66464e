"""``python -m bench [--quick] [--only NAME ...] [--output FILE]``: run the benchmarks, write RESULTS.md.

Each benchmark module has ``run(ctx) -> list[Figure]``. One that fails is
listed under "could not run" with its error; the others still report.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from bench.common import ROOT, Context, Figure
from bench.machine import describe
from bench.results import render_results, write_results

# In the order of the figures.
BENCHMARKS = ("generation", "scaling", "client_overhead", "import_time", "large_image", "concurrency", "facade",
              "mock")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke mode: one repetition, small inputs")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these benchmarks")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args(argv)
    machine = describe()
    figures: list[Figure] = []
    failures: list[str] = []
    work_dir = Path(tempfile.mkdtemp(prefix="relaygen-bench-"))
    try:
        ctx = Context(quick=args.quick, work_dir=work_dir)
        for name in args.only or BENCHMARKS:
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            try:
                module = importlib.import_module(f"bench.{name}")
                figures.extend(module.run(ctx))
            except Exception as exc:  # noqa: BLE001 -- one broken benchmark must not hide the others' figures
                traceback.print_exc()
                failures.append(f"`{name}`: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    command = "python -m bench" + (" --quick" if args.quick else "") + (f" --only {' '.join(args.only)}" if args.only else "")
    text = render_results(figures, failures, machine, command, args.quick)
    write_results(args.output, text)
    sys.stdout.write(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
