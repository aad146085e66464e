"""``python -m tests.hostile.run --count N --seed S [--jobs J] [--keep DIR]``

Generates N mutants deterministically from the seed (the six shipped specs in turn),
runs the oracle on each in a process pool, prints the outcome table (per class, per
operator, per distinct cause) and keeps every failing spec with its evidence under
``--keep`` so that ``python -m generator.spec specs/<id>.yaml`` reproduces it there.
Exit status 1 when any mutant ends in crash, hang, broken or injected.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .mutate import Mutant, load_bases, mutate
from .oracle import DEFAULT_TIMEOUT, OUTCOMES, Result, check_mutant, keep_failure, warm_up


def make_mutants(count: int, seed: int, bases: dict[str, str]) -> list[Mutant]:
    """Mutant i depends only on (seed, i): a run can be extended or replayed one by one."""
    names = sorted(bases)
    return [mutate(random.Random(f"{seed}:{i}"), bases, names[i % len(names)]) for i in range(count)]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows)


def report(pairs: list[tuple[Mutant, Result]], wall: float, jobs: int) -> str:
    results = [result for _, result in pairs]
    by_outcome = Counter(result.outcome for result in results)
    lines = ["outcomes:", _table([["outcome", "count"]] + [[o, str(by_outcome[o])] for o in OUTCOMES])]
    per_op: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        for op in set(result.operators):
            per_op[op][result.outcome] += 1
    rows = [["operator"] + list(OUTCOMES)] + [[op] + [str(per_op[op][o]) for o in OUTCOMES] for op in sorted(per_op)]
    lines += ["", "per operator (a mutant counts once for each operator it used):", _table(rows)]
    seconds = [result.seconds for result in results]
    phases: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for phase, value in result.timings.items():
            phases[phase].append(value)
    lines += ["", (f"cost: {len(results)} specs in {wall:.1f} s wall with {jobs} jobs "
                   f"({wall / max(1, len(results)):.2f} s/spec effective); per spec mean {statistics.mean(seconds):.2f} s, "
                   f"median {statistics.median(seconds):.2f} s, max {max(seconds):.1f} s"),
              "  per outcome (mean s): " + ", ".join(
                  f"{o} {statistics.mean(r.seconds for r in results if r.outcome == o):.2f}"
                  for o in OUTCOMES if by_outcome[o]),
              "  per phase (mean s over the specs that reached it): "
              + ", ".join(f"{p} {statistics.mean(v):.3f} (n={len(v)})" for p, v in phases.items())]
    lines += ["", "distinct failure causes (count, outcome, cause; minimal kept reproduction):"]
    groups: dict[tuple[str, str], list[tuple[Mutant, Result]]] = defaultdict(list)
    for mutant, result in pairs:
        if not result.passed:
            groups[(result.outcome, result.cause)].append((mutant, result))
    for (outcome, cause), members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        mutant, result = min(members, key=lambda pair: (len(pair[0].steps), len(pair[0].content)))
        lines.append(f"{len(members):4d}  {outcome:8s} {cause}")
        lines.append(f"        {mutant.description[:300]}")
        lines.append(f"        {result.spec_path}")
    notes = Counter(note.split(":")[0] for result in results for note in result.notes if not note.startswith("calls"))
    if notes:
        lines += ["", "notes: " + ", ".join(f"{n} x {note}" for note, n in notes.most_common())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hostile.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=Path("/tmp/relaygen-hostile"))
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per spec before 'hang'")
    parser.add_argument("--only", type=int, nargs="*", help="run only these mutant indexes (replay)")
    args = parser.parse_args(argv)
    mutants = make_mutants(args.count, args.seed, load_bases())
    indexes = args.only if args.only else list(range(args.count))
    started = time.monotonic()
    pairs: list[tuple[Mutant, Result]] = []
    # fork: workers inherit nothing they must re-import, and warm_up runs once per worker.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context, initializer=warm_up) as pool:
        futures = [(i, pool.submit(check_mutant, mutants[i], args.timeout)) for i in indexes]
        for done, (i, future) in enumerate(futures, 1):
            result = future.result()
            pairs.append((mutants[i], result))
            if not result.passed:
                keep_failure(f"{i:05d}", mutants[i], result, args.keep)
                print(f"[{i}] {result.outcome}: {result.cause}", flush=True)
            if done % 50 == 0:
                print(f"... {done}/{len(futures)} in {time.monotonic() - started:.0f} s", flush=True)
    wall = time.monotonic() - started
    text = report(pairs, wall, args.jobs)
    args.keep.mkdir(parents=True, exist_ok=True)
    (args.keep / f"report-seed{args.seed}-n{args.count}.txt").write_text(text, encoding="utf-8", errors="surrogateescape")
    summary = [{"index": i, "outcome": r.outcome, "cause": r.cause, "mutation": m.description, "seconds": r.seconds}
               for i, (m, r) in zip(indexes, pairs)]
    (args.keep / f"results-seed{args.seed}-n{args.count}.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8", errors="surrogateescape")
    print(text)
    return 1 if any(not result.passed for _, result in pairs) else 0


if __name__ == "__main__":
    sys.exit(main())
