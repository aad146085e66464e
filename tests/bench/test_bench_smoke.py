"""`python -m bench --quick` still runs every benchmark end to end (no time is asserted).

The figures of a smoke run mean nothing; what is checked is that each benchmark
measured both of its sides, that its self-checks (each side got the right result,
the cache left output unchanged) passed, and that the results file is whole.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench.__main__ import BENCHMARKS

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_FIGURES = {"1", "2a", "2b", "3", "4a", "4b", "4c", "4d", "5a", "5b", "6a", "6b", "7a", "7b", "7c", "7d", "7e",
                    "8a", "8a_async", "8b", "8c", "9"}


def test_quick_run_reports_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--output", str(output)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    text = output.read_text(encoding="utf-8")
    assert "could not run" not in text
    rows = re.findall(r"^\| (\w+) \| .+ \| ([\d.,]+) \S+ \| ([\d.,]+) \S+ \| ([\d.]+)× \|", text, re.MULTILINE)
    keys = {key for key, *_ in rows}
    assert EXPECTED_FIGURES <= keys, f"missing figures: {sorted(EXPECTED_FIGURES - keys)}"
    for key, ours, baseline, _ in rows:
        assert float(ours.replace(",", "")) > 0 and float(baseline.replace(",", "")) > 0, key
    assert "Smoke run" in text
    assert len(BENCHMARKS) == 8
