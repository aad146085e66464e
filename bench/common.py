"""What every benchmark shares: the Figure it reports, the run context, timing helpers.

Every figure is a ratio of our value to a baseline measured in the same run;
the two sides are run alternately (ours, baseline, ours, ...) so that drift in
machine load hits both, and the median of the repetitions is what is quoted.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Context:
    """How one benchmark run is set up."""

    quick: bool  # smoke mode: few repetitions, small inputs; figures are not meaningful
    work_dir: Path  # scratch space, removed after the run
    python: str = sys.executable
    root: Path = ROOT

    def repeats(self, full: int) -> int:
        return 1 if self.quick else full


@dataclass(frozen=True)
class Figure:
    """One row of bench/RESULTS.md.

    ``ratio = ours / baseline``. A figure passes when the ratio is within
    ``max_ratio`` and, where given, our value is within ``max_value`` (for
    targets stated as absolute times, such as the no-op regeneration).
    """

    key: str  # "1", "2a", ... in the order of the issue
    title: str
    ours: float
    baseline: float
    unit: str  # unit of ours and baseline: "s", "ms", "µs/call", "MB", ...
    ours_label: str  # what was measured on our side
    baseline_label: str  # what was measured as the baseline
    max_ratio: float | None = None
    max_value: float | None = None
    repeats: int = 1
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    @property
    def target(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"≤ {self.max_ratio:g}×")
        if self.max_value is not None:
            parts.append(f"≤ {self.max_value:g} {self.unit}")
        return " and ".join(parts) or "reported"

    @property
    def passed(self) -> bool:
        ok = True
        if self.max_ratio is not None:
            ok = ok and self.ratio <= self.max_ratio
        if self.max_value is not None:
            ok = ok and self.ours <= self.max_value
        return ok


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def alternate(ours: Callable[[], float], baseline: Callable[[], float], repeats: int,
              warmup: int = 0) -> tuple[list[float], list[float]]:
    """Run both sides ``repeats`` times, interleaved; each callable returns its own measurement."""
    for _ in range(warmup):
        ours()
        baseline()
    ours_values, base_values = [], []
    for _ in range(repeats):
        ours_values.append(ours())
        base_values.append(baseline())
    return ours_values, base_values


@dataclass(frozen=True)
class ProcessRun:
    seconds: float  # wall time, start to exit
    stdout: str
    stderr: str


def run_process(cmd: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> ProcessRun:
    """Run ``cmd`` to completion; RuntimeError (with the end of stderr) when it fails.

    A child that needs its peak RSS reads it itself (``sdk_process.peak_rss_bytes``):
    ``wait4``'s figure carries over this process's own peak.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        proc.wait()
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{tail}")
        return ProcessRun(seconds, out.read().decode(errors="replace"), err.read().decode(errors="replace"))
