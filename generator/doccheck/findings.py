"""Findings of a doc check, the spec's departures that explain some, and how both print."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from generator.errors import SourceMark
from generator.spec.schema import DocDeparture


@dataclass(frozen=True)
class Finding:
    """A doc fact the spec does not match, at ``doc_line`` of the doc and ``spec_mark`` of the spec.

    ``key`` (``"<kind> <subject>"``) names the finding independently of line numbers, so a
    spec's ``doc_departures`` entry keeps silencing it when the doc moves.
    """

    doc_line: int | None
    spec_mark: SourceMark
    key: str
    message: str


@dataclass(frozen=True)
class Verdict:
    unexplained: tuple[Finding, ...]
    explained: tuple[tuple[Finding, str], ...]
    # Departures that silence nothing: the doc or the spec moved, and the marker should go.
    stale: tuple[tuple[int, DocDeparture], ...]

    @property
    def clean(self) -> bool:
        return not self.unexplained and not self.stale


def judge(findings: Iterable[Finding], departures: list[DocDeparture]) -> Verdict:
    reasons = {item.finding: item.reason for item in departures}
    unique = sorted(set(findings), key=lambda f: (f.doc_line or 0, f.key, f.message))
    used = {finding.key for finding in unique if finding.key in reasons}
    return Verdict(
        unexplained=tuple(finding for finding in unique if finding.key not in reasons),
        explained=tuple((finding, reasons[finding.key]) for finding in unique if finding.key in reasons),
        stale=tuple((index, item) for index, item in enumerate(departures) if item.finding not in used),
    )


def render(verdict: Verdict, doc_name: str, stale_marks: dict[int, SourceMark], verbose: bool) -> list[str]:
    """One line per finding: ``DOC:L: message [key]; specs/X.yaml:L:C``."""
    lines = [_line(finding, doc_name) for finding in verdict.unexplained]
    lines += [f"{stale_marks[index]}: doc_departures[{index}] '{item.finding}' matches no finding of {doc_name}; "
              "remove it" for index, item in verdict.stale]
    if verbose:
        lines += [_line(finding, doc_name) + f" (explained: {reason})" for finding, reason in verdict.explained]
    return lines


def _line(finding: Finding, doc_name: str) -> str:
    where = f"{doc_name}:{finding.doc_line}" if finding.doc_line is not None else doc_name
    return f"{where}: {finding.message} [{finding.key}]; {finding.spec_mark}"
