"""Run one mutant through checker, generator and generated package; classify the outcome.

Allowed outcomes: ``located`` (every diagnostic line located, the generator exits 2 with
the same diagnostics and writes nothing) and ``accepted_ok`` (the generator writes a tree
that compiles without warnings, holds no canary as code, imports, builds both clients and
survives one call per method with only ``RelayError`` subclasses). Everything else is
``crash`` (traceback, unlocated line, checker/generator disagreement), ``hang``,
``broken`` (compile/import/call failure) or ``injected`` (a canary is code, or ran).

All of it runs in one forked child per mutant: the parent has the generator and pydantic
imported already (``warm_up``), so a mutant costs its own work, not interpreter start-up,
and a hang, a memory bomb or a segfault stays in the child.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .child import run_child
from .mutate import Mutant

OUTCOMES = ("located", "accepted_ok", "crash", "hang", "broken", "injected", "harness_error")
PASSING = frozenset({"located", "accepted_ok"})
DEFAULT_TIMEOUT = 30.0


@dataclass
class Result:
    """What happened to one mutant; ``cause`` is the deduplication key of a failure."""

    outcome: str
    cause: str
    evidence: str = ""
    phase: str = ""
    seconds: float = 0.0
    description: str = ""
    spec_path: str = ""
    operators: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.outcome in PASSING

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)  # ASCII: evidence may hold lone surrogates


def warm_up() -> None:
    """Import (and run once) everything a mutant's child needs, so forks start warm."""
    import httpx  # noqa: F401  - imported by the generated clients
    import pydantic  # noqa: F401

    import generator.spec.__main__  # noqa: F401  - the checker's entry point, called in the child
    from generator.cli import main as generator_main

    with tempfile.TemporaryDirectory(prefix="relaygen-warm-") as tmp:
        specs = Path(tmp) / "specs"
        specs.mkdir()
        shutil.copy(Path(__file__).resolve().parents[2] / "specs" / "api_generate.yaml", specs)
        _quietly(lambda: generator_main(["--specs", str(specs), "--out", f"{tmp}/out", "--no-cache", "--jobs", "1"]))


def _quietly(run: Any) -> Any:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return run()


def write_mutant(mutant: Mutant, workdir: Path) -> Path:
    path = workdir / "specs" / f"{mutant.file_stem}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(mutant.content)
    return path


def keep_failure(label: str, mutant: Mutant, result: Result, keep: Path) -> Path:
    """Write the spec and its evidence to ``keep/<outcome>/<index>-<base>/``; return the spec path."""
    folder = keep / result.outcome / f"{label}-{mutant.base}"
    shutil.rmtree(folder, ignore_errors=True)
    spec = write_mutant(mutant, folder)
    result.spec_path = str(spec)
    rel = spec.relative_to(folder).as_posix()
    python = sys.executable
    (folder / "evidence.txt").write_text(
        f"outcome: {result.outcome}\ncause: {result.cause}\nphase: {result.phase}\n"
        f"mutation: {result.description}\n\nreproduce:\n  cd {folder}\n"
        f"  {python} -m generator.spec {rel}\n"
        f"  {python} -m generator --specs specs --out out --no-cache --jobs 1\n"
        f"  PYTHONPATH=out {python} -c 'import imagerelay.<id>'   # then call it\n\n"
        f"evidence:\n{result.evidence}\n", encoding="utf-8", errors="backslashreplace")
    (folder / "result.json").write_text(result.to_json(), encoding="ascii")
    return spec


def check_mutant(mutant: Mutant, timeout: float = DEFAULT_TIMEOUT, *, check_only: bool = False,
                 keep_workdir: bool = False) -> Result:
    """The outcome of one mutant (never raises for anything the mutant does).

    ``check_only`` stops after the checker: ``located`` or ``accepted_ok`` then only
    say that the checker answered, located, without raising or hanging.
    """
    workdir = Path(tempfile.mkdtemp(prefix="relaygen-hostile-"))
    try:
        write_mutant(mutant, workdir)
        result = run_forked(workdir, mutant.file_stem, timeout, check_only)
    except Exception:  # noqa: BLE001 - a bug of this harness, never blamed on the generator
        result = Result("harness_error", "harness error", evidence=traceback.format_exc()[-3000:])
    finally:
        if not keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    result.description = mutant.description
    result.operators = tuple(step.operator for step in mutant.steps)
    return result


def run_forked(workdir: Path, stem: str, timeout: float, check_only: bool = False) -> Result:
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child: never returns, never runs the parent's exit handlers
        os.setpgrp()  # its own group, so a timeout also ends anything it started
        code = 0
        try:
            run_child(workdir, stem, check_only)
        except BaseException:  # noqa: BLE001 - logged; the parent reports the child's death
            with open(workdir / "child.log", "a", encoding="utf-8") as log:
                log.write(traceback.format_exc())
            code = 70
        finally:
            os._exit(code)
    status = _wait(pid, started + timeout)
    elapsed = time.monotonic() - started
    phase = _read(workdir / "phase").strip() or "start"
    if status is None:
        return Result("hang", f"no answer within {timeout:.0f} s in phase {phase}", phase=phase, seconds=elapsed,
                      evidence=_tail(workdir / "child.log"))
    result_file = workdir / "result.json"
    if not result_file.exists():
        how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.waitstatus_to_exitcode(status)}"
        return Result("crash", f"child died ({how}) in phase {phase}", phase=phase, seconds=elapsed,
                      evidence=_tail(workdir / "child.log"))
    data = json.loads(result_file.read_text(encoding="utf-8"))
    return Result(**data, seconds=elapsed)


def _wait(pid: int, deadline: float) -> int | None:
    """The child's wait status, or None after killing it at the deadline."""
    delay = 0.005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return None
        time.sleep(delay)
        delay = min(delay * 1.5, 0.05)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _tail(path: Path, lines: int = 25) -> str:
    return "\n".join(_read(path).splitlines()[-lines:])


def normalize(text: str, stem: str = "") -> str:
    """A failure message without the parts that vary between mutants (for deduplication)."""
    if stem:
        text = text.replace(stem, "<id>")
    # Quoted values are the mutant's own names; YAML tags ('!foo', 'tag:...') tell causes apart.
    text = re.sub(r"'(?!!|tag:)[^'\n]{0,200}'|\"[^\"\n]{0,200}\"", "'…'", text)
    return re.sub(r"\d+", "N", text)[:160]
