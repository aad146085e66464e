"""Every hostile spec of issue 12 (and each kind the harness found since), with its expected outcome.

A case that must be rejected names the node and the words of each diagnostic it must
get; a case that must be accepted goes through the whole oracle: generated, compiled,
scanned for code made from its text, imported, and every method called.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from generator.check import check_provider

from .known_cases import KNOWN_CASES, KnownCase
from .mutate import load_bases
from .oracle import check_mutant, keep_failure, warm_up

BASES = load_bases()
LOCATED = re.compile(r"^specs/[a-z0-9_]+\.yaml:\d+:\d+: error: (at \S.*?: )?\S.*$")
KEEP = Path("/tmp/relaygen-hostile/known")


@functools.cache
def _warm() -> None:
    warm_up()  # once: each case then runs in a fork of this warm process


def _cases(rejected: bool) -> list[object]:
    return [pytest.param(case, id=case.name) for case in KNOWN_CASES if bool(case.expect) == rejected]


def _diagnostics(case: KnownCase, tmp_path: Path) -> tuple[bool, list[tuple[str, str, str]]]:
    mutant = case.mutant(BASES)
    spec = tmp_path / "specs" / f"{mutant.file_stem}.yaml"
    spec.parent.mkdir()
    spec.write_bytes(mutant.content)
    provider, problems = check_provider(spec, f"specs/{spec.name}")
    return provider is not None, [(problem.path, problem.message, str(problem)) for problem in problems]


@pytest.mark.parametrize("case", _cases(rejected=True))
def test_rejected_with_the_expected_located_errors(case: KnownCase, tmp_path: Path) -> None:
    accepted, problems = _diagnostics(case, tmp_path)
    assert not accepted
    for line in (printed for _, _, printed in problems):
        assert LOCATED.match(line) and "\n" not in line, line
    for path, words in case.expect:
        assert any(at == path and words in message for at, message, _ in problems), (path, words, problems[:5])


@pytest.mark.parametrize("case", _cases(rejected=False))
def test_accepted_whatever_text_it_holds(case: KnownCase, tmp_path: Path) -> None:
    accepted, problems = _diagnostics(case, tmp_path)
    assert accepted, problems[:5]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in KNOWN_CASES])
def test_the_whole_pipeline_agrees(case: KnownCase) -> None:
    """Rejected: the generator exits 2 with the same diagnostics and writes nothing. Accepted: a working package."""
    _warm()
    mutant = case.mutant(BASES)
    result = check_mutant(mutant)
    expected = "located" if case.expect else "accepted_ok"
    if result.outcome != expected:
        kept = keep_failure("known-" + re.sub(r"\W+", "-", case.name)[:40], mutant, result, KEEP)
        pytest.fail(f"{result.outcome} (expected {expected}): {result.cause}\nkept: {kept}\n{result.evidence[:2000]}")
