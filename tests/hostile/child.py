"""What the forked child does with one spec file: check, generate, compile, scan, import, call.

Writes ``result.json`` (outcome, cause, evidence, phase, notes, timings) into the work
folder and the current phase into ``phase``, so the parent can name the phase of a hang.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import keyword
import os
import re
import resource
import sys
import time
import traceback
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .payloads import CANARY_PREFIX, PWNED_PREFIX

PROJECT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 4 * 1024**3  # a memory bomb becomes MemoryError (a crash), not a dead machine
SUMMARY = re.compile(r"\d+ errors?; nothing was written\.")


class Verdict(Exception):
    """Raised inside the child to end it with an outcome."""

    def __init__(self, outcome: str, cause: str, evidence: str = "") -> None:
        super().__init__(cause)
        self.outcome, self.cause, self.evidence = outcome, cause, evidence


class Child:
    def __init__(self, workdir: Path, stem: str) -> None:
        self.workdir, self.stem = workdir, stem
        self.spec_file = workdir / "specs" / f"{stem}.yaml"
        self.display = f"specs/{stem}.yaml"
        self.out = workdir / "out"
        self.phase = "start"
        self.notes: list[str] = []
        self.timings: dict[str, float] = {}
        self.located = re.compile(rf"specs/{re.escape(stem)}\.yaml:\d+:\d+: error: (at \S.*?: )?.+")

    def enter(self, phase: str) -> None:
        self.phase = phase
        (self.workdir / "phase").write_text(phase, encoding="utf-8")

    def timed(self, phase: str, work: Callable[[], Any]) -> Any:
        self.enter(phase)
        started = time.perf_counter()
        try:
            return work()
        finally:
            self.timings[phase] = round(time.perf_counter() - started, 4)

    def norm(self, text: str) -> str:
        from .oracle import normalize

        return normalize(text, self.stem)

    # ---- check and generate -----------------------------------------------------------

    def check(self) -> tuple[bool, list[str]]:
        """Run ``python -m generator.spec specs/<id>.yaml`` in-process: (accepted, diagnostic lines).

        The checker's own entry point, not one of its functions: what it calls inside may change
        (it grew an IR stage while this harness was written), what it prints is the contract.
        """
        from generator.spec.__main__ import main as checker_main

        os.chdir(self.workdir)  # the name given is the name diagnostics print
        stdout, stderr = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = checker_main([self.display])
        except BaseException as exc:  # noqa: BLE001 - any exception of the checker is a finding
            raise Verdict("crash", f"checker raised {_where(exc)}", _trace(exc)) from None
        # A line is what a terminal shows: str.splitlines also breaks at \r, \x0b, \x1c, \x85, U+2028...
        lines = stderr.getvalue().splitlines()
        accepted = code == 0 and stdout.getvalue().strip() == f"{self.display}: ok"
        if code not in (0, 1) or (code == 0) != accepted or (code == 1) != bool(lines) or (accepted and lines):
            raise Verdict("crash", f"checker exits {code} with {len(lines)} diagnostic lines",
                          f"stdout: {stdout.getvalue()[:500]!r}\nstderr: {stderr.getvalue()[:2000]!r}")
        bad = [i for i, line in enumerate(lines) if not self.located.fullmatch(line)]
        if bad:
            after_located = bad[0] > 0 and self.located.fullmatch(lines[bad[0] - 1])
            cause = ("a diagnostic spans several lines (it quotes a line break)" if after_located
                     else "unlocated diagnostic line: " + self.norm(lines[bad[0]][:80]))
            raise Verdict("crash", cause, "\n".join(repr(line)[:400] for line in lines[max(0, bad[0] - 1):][:8]))
        raw = [line for line in lines if any(unicodedata.category(c) == "Cc" and c != "\t" for c in line)]
        if raw:
            self.notes.append("diagnostic echoes raw control characters: " + repr(raw[0])[:200])
        return accepted, lines

    def generate(self) -> tuple[int, str]:
        from generator.cli import main as generator_main

        cwd = self.workdir / "gen-cwd"
        cwd.mkdir()
        os.chdir(cwd)  # a side effect during generation lands here
        stdout, stderr = io.StringIO(), io.StringIO()
        argv = ["--specs", str(self.spec_file.parent), "--out", str(self.out), "--no-cache", "--jobs", "1"]
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = generator_main(argv)
        except BaseException as exc:  # noqa: BLE001 - any exception of the generator is a finding
            raise Verdict("crash", f"generator raised {_where(exc)}", _trace(exc)) from None
        return code, stderr.getvalue()

    def message(self, line: str) -> str:
        """A diagnostic without its location and node path: what deduplicates a failure."""
        text = re.sub(r"^.*?: error: (at .*?: )?", "", line, count=1)
        # Node paths named in the message (schemas.X.fields.y[0]) vary with the mutant, not the cause.
        return self.norm(re.sub(r"\b[\w-]+(?:\.[\w-]+|\[\w*\])+", "<path>", text))

    def compare(self, accepted: bool, lines: list[str], code: int, stderr: str) -> None:
        first = self.message(stderr.strip().splitlines()[0]) if stderr.strip() else ""
        if accepted:
            if code != 0:
                raise Verdict("crash", f"checker accepts, generator exits {code}: {first}", stderr[:3000])
            if not (self.out / "imagerelay").is_dir():
                raise Verdict("crash", "generator exits 0 but wrote no package", stderr[:3000])
            return
        if code != 2:
            raise Verdict("crash", f"checker rejects, generator exits {code}: {first}", stderr[:3000])
        shown = sorted(line for line in stderr.splitlines() if not SUMMARY.fullmatch(line))
        expected = sorted(lines)
        if shown != expected:
            extra, missing = sorted(set(shown) - set(expected)), sorted(set(expected) - set(shown))
            which = f"generator adds: {self.message(extra[0])}" if extra else f"generator lacks: {self.message(missing[0])}"
            evidence = "\n".join([f"+ {line}" for line in extra[:8]] + [f"- {line}" for line in missing[:8]])
            raise Verdict("crash", f"generator diagnostics differ from the checker's; {which}", evidence)
        ours = {"specs", "gen-cwd", "phase", "child.log"}
        debris = sorted(p.name for p in self.workdir.iterdir() if p.name not in ours)
        debris += [f"gen-cwd/{p.name}" for p in (self.workdir / "gen-cwd").iterdir()]
        if debris:  # "nothing is written": neither the output nor staging folders or lock files
            raise Verdict("crash", "generator wrote something for a rejected spec", "\n".join(debris[:10]))

    # ---- generated code ---------------------------------------------------------------

    def compile_and_scan(self) -> None:
        failures: list[tuple[str, str]] = []
        canaries: list[str] = []
        for path in sorted(self.out.rglob("*.py")):
            rel = path.relative_to(self.out).as_posix()
            source = path.read_bytes()
            try:
                with warnings.catch_warnings():
                    # An invalid escape warns today and is an error in a later Python.
                    warnings.simplefilter("error", SyntaxWarning)
                    warnings.simplefilter("error", DeprecationWarning)
                    tree = ast.parse(source, rel)
                    compile(tree, rel, "exec", dont_inherit=True)
            except (SyntaxError, ValueError, SyntaxWarning, DeprecationWarning) as exc:
                failures.append((rel, _syntax_evidence(exc, source)))
                continue
            canaries += [f"{rel}:{line}: {what}" for line, what in find_canaries(tree)]
        if canaries:
            raise Verdict("injected", f"canary as code in {_module_kind(canaries[0])}", "\n".join(canaries[:10]))
        failures += parse_data_files(self.out)
        if failures:
            rel, evidence = failures[0]
            cause = f"compile {_module_kind(rel)}: {self.norm(evidence.splitlines()[0])}"
            raise Verdict("broken", cause, "\n\n".join(f"{r}: {e}" for r, e in failures[:4]))

    def import_and_call(self, endpoints: Any) -> None:
        from . import calls

        cwd = self.workdir / "cwd"
        cwd.mkdir()
        os.chdir(cwd)
        # Only the fresh output and site-packages: never the project's own generated/ package
        # (pytest puts it on the path), nor the project root or its tests.
        hidden = (PROJECT / "generated", PROJECT / "tests")
        sys.path[:] = [str(self.out)] + [p for p in sys.path if p and Path(p).resolve() != PROJECT
                                         and not any(Path(p).resolve().is_relative_to(h) for h in hidden)]
        for name in [m for m in sys.modules if m == "imagerelay" or m.startswith("imagerelay.")]:
            del sys.modules[name]
        packages = sorted(p.name for p in (self.out / "imagerelay").iterdir()
                          if p.is_dir() and p.name != "_runtime" and (p / "__init__.py").exists())
        if not packages:
            raise Verdict("broken", "no provider subpackage in the output")
        for name in packages:
            if not name.isidentifier() or keyword.iskeyword(name):
                raise Verdict("broken", f"provider package name is not importable with `import`: {name!r}")
        modules = ["imagerelay", "imagerelay.errors"]
        for name in packages:
            modules += [f"imagerelay.{name}"] + [f"imagerelay.{name}.{f.stem}" for f in
                                                  sorted((self.out / "imagerelay" / name).glob("*.py")) if f.stem != "__init__"]
        loaded = {module: self._import(module) for module in modules}
        relay_error = loaded["imagerelay.errors"].RelayError
        problems: list[Any] = []
        count: Counter[str] = Counter()
        for name in packages:
            client_file = str(self.out / "imagerelay" / name / "client.py")
            made, found = calls.exercise(loaded[f"imagerelay.{name}"], loaded[f"imagerelay.{name}.client"],
                                         client_file, endpoints, relay_error, str(self.out), self.notes)
            count, problems = count + made, problems + found
        self.notes.append("calls: " + ", ".join(f"{n} {what}" for what, n in sorted(count.items())))
        if problems:
            first = problems[0]
            kind, _, message = first.error.partition(": ")
            cause = f"call: {kind}: {self.norm(message.split(' ... ')[-1])} at {self.norm(first.frame)}"
            evidence = "\n".join(f"{p.where}: {p.error}" for p in problems[:12]) + "\n\n" + first.trace
            raise Verdict("broken", cause, evidence)

    def _import(self, module: str) -> Any:
        try:
            return importlib.import_module(module)
        except BaseException as exc:  # noqa: BLE001 - any import failure is a finding
            raise Verdict("broken", f"import {self.norm(module)}: {_where(exc, str(self.out))}",
                          _trace(exc).replace(str(self.out) + "/", "")) from None

    def side_effects(self) -> None:
        touched = [p for folder in (self.workdir, self.workdir / "gen-cwd", self.workdir / "cwd", self.out)
                   if folder.is_dir() for p in folder.iterdir() if p.name.startswith(PWNED_PREFIX)]
        if touched:
            raise Verdict("injected", f"a payload ran: {touched[0].name} created in {touched[0].parent.name}/",
                          "\n".join(str(p.relative_to(self.workdir)) for p in touched))

    def run(self, check_only: bool) -> tuple[str, str, str]:
        accepted, lines = self.timed("check", self.check)
        if check_only:
            return ("accepted_ok", "accepted by the checker (not generated)", "") if accepted else \
                ("located", f"{len(lines)} diagnostics", "\n".join(lines[:5]))
        code, stderr = self.timed("generate", self.generate)
        self.compare(accepted, lines, code, stderr)
        self.side_effects()
        if not accepted:
            return "located", f"{len(lines)} diagnostics", "\n".join(lines[:5])
        self.timed("compile", self.compile_and_scan)
        self.timed("import_call", lambda: self.import_and_call(_endpoints_of(self.spec_file)))
        self.side_effects()
        return "accepted_ok", "", ""


def run_child(workdir: Path, stem: str, check_only: bool = False) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    log = open(workdir / "child.log", "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives until _exit
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log
    warnings.resetwarnings()  # the same filters whether the parent is pytest or the runner
    child = Child(workdir, stem)
    try:
        outcome, cause, evidence = child.run(check_only)
    except Verdict as verdict:
        outcome, cause, evidence = verdict.outcome, verdict.cause, verdict.evidence
        try:
            child.side_effects()  # a payload that ran trumps whatever failed after it
        except Verdict as ran:
            outcome, cause, evidence = ran.outcome, ran.cause, ran.evidence + "\n\n" + evidence
    result = {"outcome": outcome, "cause": cause, "evidence": evidence[:6000], "phase": child.phase,
              "notes": child.notes, "timings": child.timings}
    # ASCII JSON: evidence may hold lone surrogates; written whole, then renamed into place.
    (workdir / "result.tmp").write_text(json.dumps(result), encoding="ascii")
    (workdir / "result.tmp").rename(workdir / "result.json")


# ---- helpers ------------------------------------------------------------------------------


def find_canaries(tree: ast.AST) -> list[tuple[int, str]]:
    """Canary identifiers used as code (a canary inside a string constant is escaped text)."""
    found = []
    for node in ast.walk(tree):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name is not None and (name.startswith(CANARY_PREFIX) or name == "__import__"):
            found.append((getattr(node, "lineno", 0), f"{type(node).__name__} {name}"))
    return sorted(found)


def _endpoints_of(spec_file: Path) -> Any:
    """The accepted spec's endpoints, for their documented example replies (None if unreadable)."""
    from .mutate import read_spec

    try:
        data = read_spec(spec_file.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - without the examples, only the empty-reply pass runs
        return None
    return data.get("endpoints") if isinstance(data, dict) else None


def parse_data_files(out: Path) -> list[tuple[str, str]]:
    """TOML, JSON and YAML the generator writes must still parse (spec text lands in some)."""
    import tomllib

    import yaml

    readers: dict[str, Callable[[str], Any]] = {".toml": tomllib.loads, ".json": json.loads, ".yml": yaml.safe_load}
    failures = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        # .specs/ holds the mutant itself, copied for the changelog: hostile by construction.
        if path.suffix in readers and not rel.startswith(".specs/"):
            try:
                readers[path.suffix](path.read_text(encoding="utf-8"))
            except Exception as exc:  # noqa: BLE001 - any parse error of an output file is a finding
                failures.append((rel, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"))
    return failures


def _module_kind(text: str) -> str:
    # "imagerelay/foo/client.py:12: ..." -> "client.py": the module template, not the provider
    match = re.search(r"imagerelay/(?:[^/]+/)?([\w.]+\.py)|([\w.]+\.py)", text)
    return (match.group(1) or match.group(2)) if match else text[:40]


def _where(exc: BaseException, strip: str = "") -> str:
    """Exception type, message head and innermost project frame: a stable cause."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/generator/" in f.filename or "imagerelay" in f.filename] or frames
    inner = ours[-1] if ours else None
    where = ""
    if inner is not None:
        file = inner.filename.replace(strip + "/", "") if strip else inner.filename
        file = file.split("/generator/", 1)[-1] if "/generator/" in file else file
        where = f" at {Path(file).name}:{inner.lineno} in {inner.name}"
    message = str(exc).splitlines()[0] if str(exc) else ""
    from .oracle import normalize

    return f"{type(exc).__name__}: {normalize(message)[:100]}{where}"


def _trace(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc))
    return text[-4000:]


def _syntax_evidence(exc: BaseException, source: bytes) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno:
        lines = source.decode("utf-8", "replace").splitlines()
        around = lines[max(0, exc.lineno - 3): exc.lineno + 1]
        return f"{type(exc).__name__}: {exc.msg} (line {exc.lineno})\n" + "\n".join(f"    {line[:160]}" for line in around)
    return f"{type(exc).__name__}: {exc}"
