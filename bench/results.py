"""bench/RESULTS.md: the table of figures and how they were measured."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.common import Figure


def _number(value: float) -> str:
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def render_results(figures: Sequence[Figure], failures: Sequence[str], machine: str, command: str,
                   quick: bool) -> str:
    lines = ["# Benchmark results", ""]
    if quick:
        lines += ["**Smoke run (`--quick`): one repetition, small inputs. These numbers are not the figures.**", ""]
    lines += [
        f"Measured with `{command}` on: {machine}.",
        "",
        ("Every figure is our value over a baseline measured in the same run, the two run alternately; "
         "values are medians of the repetitions shown."),
        "",
        "| # | figure | ours | baseline | ratio | target | result | runs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fig in figures:
        lines.append(
            f"| {fig.key} | {fig.title} | {_number(fig.ours)} {fig.unit} | {_number(fig.baseline)} {fig.unit} "
            f"| {fig.ratio:.3f}× | {fig.target} | {'pass' if fig.passed else '**FAIL**'} | {fig.repeats} |"
        )
    lines += ["", "## What each figure measures", ""]
    for fig in figures:
        lines.append(f"- **{fig.key}. {fig.title}**: ours = {fig.ours_label}; baseline = {fig.baseline_label}.")
        lines += [f"  {note}" for note in fig.notes]
    if failures:
        lines += ["", "## Benchmarks that could not run", ""]
        lines += [f"- {failure}" for failure in failures]
    return "\n".join(lines) + "\n"


def write_results(path: Path, text: str) -> None:
    """Replace ``path`` atomically, so an interrupted run keeps the previous results."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
