"""Property tests of issue 12: for any spec, the only outcomes are located errors or a
working package (see ``oracle.py`` for both definitions).

Expected to fail until the generator is fixed; nothing here is skipped or xfailed.
``RELAYGEN_HOSTILE_EXAMPLES=N`` runs N pipeline examples (and 5*N checker examples)
instead of the defaults, for a long run. A failing spec is kept under
``$RELAYGEN_HOSTILE_KEEP`` (default /tmp/relaygen-hostile/property) with its evidence,
and the failure names its seed: ``mutate(random.Random(seed), load_bases())`` rebuilds it.
"""

from __future__ import annotations

import ast
import functools
import importlib
import os
import random
import re
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .child import find_canaries
from .mutate import Mutant, Step, load_bases, mutate
from .oracle import Result, check_mutant, keep_failure, warm_up

# Measured on this 2-core machine (pytest, warm fork per example): a pipeline example costs
# 0.27 s on average (0.05 s when the checker rejects the mutant, about 0.75 s when it is
# generated, compiled, imported and called), a checker example 0.05 s. The counts below are
# the fixed-seed slice `make test` runs (about 20 s and 15 s); `make fuzz` runs thousands.
PIPELINE_EXAMPLES = 80
CHECKER_EXAMPLES = 300
_SCALE = int(os.environ.get("RELAYGEN_HOSTILE_EXAMPLES", "0") or 0)
# Shorter than the runner's 30 s: the slowest honest example takes about 4 s.
TIMEOUT = float(os.environ.get("RELAYGEN_HOSTILE_TIMEOUT", "10"))
KEEP = Path(os.environ.get("RELAYGEN_HOSTILE_KEEP", "/tmp/relaygen-hostile/property"))
# No shrink phase: a smaller seed is an unrelated mutant, and each try would cost a pipeline run.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate)
BASES = load_bases()
# Integer seeds rather than st.randoms(): hypothesis' own Random leans to its simplest draws
# (first operator, first payload), so most examples were the same few mutants; a seeded
# random.Random gives the runner's spread. A failure names its seed: mutate(Random(seed), BASES).
SEEDS = st.integers(min_value=0, max_value=2**64 - 1)


@functools.cache
def _warm() -> None:
    warm_up()  # once per session: forks of a warm process start in milliseconds


def _explain(mutant: Mutant, result: Result, label: str) -> str:
    spec = keep_failure(label, mutant, result, KEEP)
    evidence = "\n".join(result.evidence.splitlines()[:20])
    return (f"{result.outcome}: {result.cause}\nmutation: {mutant.description}\nkept: {spec}\n"
            f"reproduce: cd {spec.parent.parent} && python -m generator.spec specs/{spec.name}\n{evidence}")


@settings(derandomize=True, max_examples=_SCALE or PIPELINE_EXAMPLES, deadline=None, database=None,
          phases=PHASES, suppress_health_check=list(HealthCheck))
@given(seed=SEEDS)
def test_any_spec_is_located_or_generates_a_working_package(seed: int) -> None:
    _warm()
    mutant = mutate(random.Random(seed), BASES)
    result = check_mutant(mutant, TIMEOUT)
    assert result.passed, _explain(mutant, result, f"pipeline-{seed}")


@settings(derandomize=True, max_examples=5 * _SCALE or CHECKER_EXAMPLES, deadline=None, database=None,
          phases=PHASES, suppress_health_check=list(HealthCheck))
@given(seed=SEEDS)
def test_checker_never_raises_never_hangs_and_locates_every_line(seed: int) -> None:
    _warm()
    mutant = mutate(random.Random(seed), BASES)
    result = check_mutant(mutant, TIMEOUT, check_only=True)
    assert result.passed, _explain(mutant, result, f"checker-{seed}")


# ---- the harness itself: each oracle must be able to fail ----------------------------------


def test_shipped_specs_pass_the_whole_oracle() -> None:
    """Unmutated, every shipped spec is accepted, generated, imported and called."""
    _warm()
    for stem, text in BASES.items():
        mutant = Mutant(stem, stem, text.encode("utf-8"), (Step("none", "shipped spec"),))
        result = check_mutant(mutant, TIMEOUT)
        assert result.outcome == "accepted_ok", (stem, result.cause, result.evidence[:2000])
        assert re.search(r"\d+ ok", " ".join(result.notes)), result.notes  # some calls really succeeded


def test_canary_found_as_code_not_as_text() -> None:
    as_code = ast.parse('"""doc"""\nRELAYGEN_CANARY_1()\n__import__("os")\nx.RELAYGEN_CANARY_2\n')
    as_text = ast.parse('"""RELAYGEN_CANARY_1(); __import__("os")"""\n# RELAYGEN_CANARY_3()\nx = "RELAYGEN_CANARY_4"\n')
    assert [what for _, what in find_canaries(as_code)] == [
        "Name RELAYGEN_CANARY_1", "Name __import__", "Attribute RELAYGEN_CANARY_2"]
    assert find_canaries(as_text) == []


def _classify(monkeypatch: pytest.MonkeyPatch, module: str, name: str, fake: object, **options: object) -> Result:
    """The oracle's verdict when a generator entry point is replaced by ``fake`` (the fork inherits it)."""
    _warm()
    monkeypatch.setattr(importlib.import_module(module), name, fake)
    mutant = Mutant("api_generate", "api_generate", BASES["api_generate"].encode(), (Step("none", "shipped"),))
    return check_mutant(mutant, **options)  # type: ignore[arg-type]


def test_oracle_classifies_checker_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fakes of ``python -m generator.spec``'s main: each misbehaviour gets its verdict."""

    def printing(text: str) -> object:
        def fake_main(argv: list[str]) -> int:
            print(text.format(name=argv[0]), file=sys.stderr)
            return 1
        return fake_main

    def raising(argv: list[str]) -> int:
        raise KeyError("boom")

    def hanging(argv: list[str]) -> int:
        time.sleep(60)
        return 1

    cli = "generator.spec.__main__"
    two_lines = printing("{name}:3:1: error: at a.b: value 'x\nimport os' is bad")
    assert _classify(monkeypatch, cli, "main", raising).cause.startswith("checker raised KeyError")
    assert _classify(monkeypatch, cli, "main", two_lines).cause.startswith("a diagnostic spans several lines")
    assert _classify(monkeypatch, cli, "main", printing("error: no place")).cause.startswith("unlocated diagnostic")
    assert _classify(monkeypatch, cli, "main", hanging, timeout=1.0).outcome == "hang"


def test_oracle_finds_injected_code_and_side_effects(monkeypatch: pytest.MonkeyPatch) -> None:
    def generate(body: str) -> object:
        def fake_main(argv: list[str]) -> int:
            package = Path(argv[argv.index("--out") + 1]) / "imagerelay" / "api_generate"
            package.mkdir(parents=True)
            (package.parent / "__init__.py").write_text(body)
            (package / "__init__.py").write_text("")
            return 0
        return fake_main

    as_code = _classify(monkeypatch, "generator.cli", "main", generate('"""x"""\nRELAYGEN_CANARY_1()\n'))
    assert (as_code.outcome, as_code.cause) == ("injected", "canary as code in __init__.py")
    as_text = _classify(monkeypatch, "generator.cli", "main", generate('"""RELAYGEN_CANARY_1()"""\n'))
    assert as_text.outcome == "broken"  # harmless text, but this fake package has no errors module
    ran = _classify(monkeypatch, "generator.cli", "main", generate('open("RELAYGEN_PWNED_1", "w").close()\n'))
    assert (ran.outcome, ran.cause) == ("injected", "a payload ran: RELAYGEN_PWNED_1 created in cwd/")


def test_mutants_are_deterministic() -> None:
    first = [mutate(random.Random(f"7:{i}"), BASES) for i in range(20)]
    again = [mutate(random.Random(f"7:{i}"), BASES) for i in range(20)]
    assert first == again
    assert len({m.content for m in first}) == 20
