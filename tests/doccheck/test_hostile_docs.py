"""A vendor doc is text from a stranger: whatever it holds, doc-check ends in findings located
inside the doc, never an exception. A fixed-seed slice runs in ``make test``."""

from __future__ import annotations

import functools
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from generator.doccheck.cli import DocCheckError, check, load_target
from generator.doccheck.doc_text import DocText
from generator.doccheck.spec_places import SpecUnderCheck

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("RELAYGEN_HOSTILE_EXAMPLES", "60"))
# Mutants of the specs from tests/hostile (seeds 0..N-1), each checked against its seed doc.
MUTANT_SPECS = int(os.environ.get("RELAYGEN_HOSTILE_EXAMPLES", "40"))
TARGETS = {name: load_target(ROOT / "specs" / f"{name}.yaml") for name in ("api_generate", "gemini_12ai")}
SEED_LINES = {name: (ROOT / "specs/docs" / target.ir.source_doc).read_text(encoding="utf-8").splitlines()
              for name, target in TARGETS.items()}
# Pieces doc-check looks for, so mutations land on what it parses.
_PIECES = st.sampled_from([
    "{", "}", "[", "]", '"model": ', '"aspectRatio": "16:9",', "curl -X POST 'https://x/v1/api/generate' \\",
    "-d '{", "}'", "  • 1:1", "  • 3:2:1536x1024、2048x1360", "| 1:1 | 1024x1024 | 2048x2048 |", "|---|---|",
    "model string 必需 模型名称", "支持以下模型:", "  • nano-banana", "**gemini-x (y)**", "POST /v1/api/generate",
    "### generationConfig.imageConfig", "| a.b[].c | string | Y |", "\\", "'", '"', "\x00", "\u202e", "可选:A,B",
    "[" * 3000, "{\"a\":" * 3000,
])


def _assert_findings_inside(target: SpecUnderCheck, text: str) -> None:
    doc = DocText(text)
    verdict, _ = check(target, doc)
    for finding in verdict.unexplained + tuple(item for item, _ in verdict.explained):
        assert finding.doc_line is None or 1 <= finding.doc_line <= max(1, len(doc.lines))
        assert finding.key.split(" ", 1)[0] and finding.message


@seed(20261207)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(TARGETS)), edits=st.lists(
    st.tuples(st.integers(min_value=0, max_value=500), st.one_of(_PIECES, st.text(max_size=40)),
              st.booleans()), max_size=8))
def test_a_mutated_seed_doc_gives_only_located_findings(name: str, edits: list[tuple[int, str, bool]]) -> None:
    lines = list(SEED_LINES[name])
    for at, piece, replace in edits:
        index = at % (len(lines) + 1)
        if replace and index < len(lines):
            lines[index] = piece
        else:
            lines.insert(index, piece)
    _assert_findings_inside(TARGETS[name], "\n".join(lines))


@seed(20261207)
@settings(max_examples=EXAMPLES, deadline=None)
@given(text=st.text(max_size=400))
def test_any_text_gives_only_located_findings(text: str) -> None:
    _assert_findings_inside(TARGETS["api_generate"], text)


@pytest.mark.parametrize("text", ["", "\n\n\n", "{" * 100_000, "[" * 50_000 + "]" * 50_000,
                                  "curl '" + "a" * 10_000, "\r\n".join(["  • 1:1"] * 5000)])
def test_degenerate_docs_finish(text: str) -> None:
    _assert_findings_inside(TARGETS["api_generate"], text)


@functools.cache
def _bases() -> dict[str, str]:
    from tests.hostile.mutate import load_bases

    return load_bases()


def _mutant_target(seed_number: int, base: str, tmp_path: Path) -> SpecUnderCheck | None:
    from tests.hostile.mutate import mutate

    mutant = mutate(random.Random(seed_number), _bases(), base)
    path = tmp_path / f"{mutant.file_stem}.yaml"
    path.write_bytes(mutant.content)
    try:
        return load_target(path)
    except DocCheckError:
        return None  # the checker refused it with located errors: doc-check never starts


@pytest.mark.parametrize("seed_number", range(MUTANT_SPECS))
def test_a_hostile_spec_either_is_refused_or_checks_its_doc(seed_number: int, tmp_path: Path) -> None:
    """Specs are untrusted too: a mutant the checker accepts is compared with its doc without
    an exception (a regex built from its paths, its names, its rules, its enums)."""
    base = sorted(TARGETS)[seed_number % len(TARGETS)]
    target = _mutant_target(seed_number, base, tmp_path)
    if target is not None:
        _assert_findings_inside(target, "\n".join(SEED_LINES[base]))
