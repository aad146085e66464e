"""What the client-side figures (4, 5, 6) share: a child environment that imports the
generated SDK as installed, the recorded fixtures, and the peak-RSS reading.

Every client-side measurement runs in a fresh child interpreter, so the state of the
bench process (other benchmarks' imports and garbage) never leaks into a figure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bench.common import Context

# The API key the children pass; the transports and the local server ignore it.
BENCH_KEY = "bench-key-not-a-secret"


def sdk_env(ctx: Context) -> dict[str, str]:
    """The environment of every child: ``imagerelay`` from generated/, ``bench`` from the root.

    The same for both sides of a figure, so neither pays for a path the other skips.
    Bytecode caches go to the scratch folder (never into the repository) and are
    always written: with ``PYTHONDONTWRITEBYTECODE`` set, as it may be in CI
    containers, generated/ would be compiled from source on every import while
    the pip-installed baselines load their ``.pyc`` files, and an installed
    imagerelay wheel has those too.
    """
    env = dict(os.environ)
    paths = [str(ctx.root / "generated"), str(ctx.root), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(ctx.work_dir / "pycache")
    return env


def fixture(root: Path, provider: str, name: str) -> dict[str, Any]:
    """One recorded exchange of tests/fixtures (see tests/fixtures/README.md)."""
    data: dict[str, Any] = json.loads((root / "tests" / "fixtures" / provider / f"{name}.json").read_text("utf-8"))
    return data


def current_rss_bytes() -> int:
    """Resident set size of this process now (Linux ``/proc/self/statm``)."""
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def reset_peak_rss() -> None:
    """Start this process's peak-RSS mark afresh at its current RSS (Linux >= 4.0).

    Where the kernel refuses, the peak also covers what came before (a higher figure).
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_rss_bytes() -> int:
    """The peak resident set of this process (``VmHWM``), as the process itself sees it.

    Not ``wait4``'s ``ru_maxrss``: Linux carries the peak of the process image that
    called ``exec`` over into it, which for a child that Python starts with vfork is
    the parent's own peak, so a small child of a big bench process reports the parent.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM line in /proc/self/status")
