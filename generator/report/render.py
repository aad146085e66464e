"""A ChangeReport as terminal text or Markdown: grouped per provider, breaking first."""

from __future__ import annotations

from generator.render.escape import md_code, md_inline
from generator.report.changes import SEVERITY_LABELS, Change, ChangeReport

_LABEL_WIDTH = max(len(label) for label in SEVERITY_LABELS.values())


def _text_detail(change: Change) -> str:
    if change.old and change.new:
        return f": {change.old} -> {change.new}"
    if change.old or change.new:
        return f": {change.old or change.new}"
    return ""


def change_line(change: Change) -> str:
    """``api_generate.generate(prompt): parameter removed: str, required`` (no severity)."""
    return f"{change.location}: {change.what}{_text_detail(change)}"


def render_text(report: ChangeReport, old_label: str, new_label: str) -> str:
    """The report for a terminal: a summary line, then each provider's changes, breaking first."""
    lines = [f"Spec changes from {old_label} to {new_label}"]
    if not report.changes:
        return "\n".join([*lines, "No changes for SDK users.", "Suggested version bump: none", ""])
    lines.append(f"Suggested version bump: {report.bump} ({report.tally()})")
    for provider in report.providers():
        changes = report.of_provider(provider)
        lines += ["", f"{provider}: {report.tally(changes)}"]
        lines += [f"  {SEVERITY_LABELS[change.severity]:<{_LABEL_WIDTH}}  {change_line(change)}" for change in changes]
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """Inline Markdown code holding ``text`` verbatim (spec text may hold backticks, newlines, HTML)."""
    return md_code(text)


def _markdown_item(change: Change) -> str:
    label = SEVERITY_LABELS[change.severity]
    severity = f"**{label}**" if change.severity in ("breaking", "attention") else label
    detail = ""
    if change.old and change.new:
        detail = f": {_code(change.old)} → {_code(change.new)}"
    elif change.old or change.new:
        detail = f": {_code(change.old or change.new)}"
    return f"- {severity} · {_code(change.location)}: {md_inline(change.what)}{detail}"


def markdown_sections(report: ChangeReport, level: int) -> list[str]:
    """One section per provider at heading ``level``, as lines."""
    lines: list[str] = []
    for provider in report.providers():
        changes = report.of_provider(provider)
        lines += [f"{'#' * level} {provider}", "", f"{report.tally(changes).capitalize()}.", ""]
        lines += [_markdown_item(change) for change in changes]
        lines.append("")
    return lines


def render_markdown(report: ChangeReport, old_label: str, new_label: str) -> str:
    """The report as a Markdown document."""
    lines = [f"# Spec changes from {_code(old_label)} to {_code(new_label)}", ""]
    if not report.changes:
        return "\n".join([*lines, "No changes for SDK users. Suggested version bump: **none**.", ""])
    lines += [f"Suggested version bump: **{report.bump}** ({report.tally()}).", ""]
    return "\n".join(lines + markdown_sections(report, 2)).rstrip("\n") + "\n"
