"""``python -m generator doc-check SPEC [DOC]``: exit 0 when the doc and the spec agree
(or every disagreement is a departure the spec explains), 1 on drift, 2 on an error."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.cli import as_typed
from generator.doccheck.compare_catalog import CatalogCheck
from generator.doccheck.compare_wire import WireCheck
from generator.doccheck.doc_facts import (
    EndpointLine,
    FieldRow,
    ModelList,
    RatioList,
    SizeTable,
    endpoint_lines,
    field_rows,
    model_lists,
    ratio_lists,
    size_tables,
)
from generator.doccheck.doc_text import MAX_DOC_BYTES, CurlCall, DocJson, DocText, curl_calls, json_objects
from generator.doccheck.findings import Finding, Verdict, judge, render
from generator.doccheck.spec_places import SpecUnderCheck
from generator.errors import SourceMark, SpecError
from generator.ir.build import build_provider_ir, class_name_problems
from generator.spec.load import CheckedSpec, inspect_spec_file

COMMAND = "doc-check"
ROOT = Path(__file__).resolve().parents[2]
# A spec's provider.source_doc is looked for in this folder next to the spec.
DOCS_FOLDER = "docs"


class DocCheckError(Exception):
    """The check could not run: an invalid spec, or a doc that cannot be read."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m generator {COMMAND}",
        description="Compare a vendor doc with a spec: every JSON example, curl command, endpoint, model id "
                    "list, aspect-ratio list, size table and request field table the doc has that the spec does "
                    "not match is printed, located in both files. Exit 0 clean, 1 drift, 2 error.",
    )
    parser.add_argument("specs", nargs="*", type=Path, help="spec file(s); with --all, every specs/*.yaml")
    parser.add_argument("--doc", type=Path, help="the vendor doc (plain text or Markdown); default: the "
                        "spec's provider.source_doc in --docs")
    parser.add_argument("--docs", type=Path, default=None,
                        help="folder of source docs (default: docs/ next to each spec, e.g. specs/docs)")
    parser.add_argument("--all", action="store_true", help="check every spec of specs/ against its source_doc")
    parser.add_argument("--verbose", action="store_true", help="also print the findings the spec explains")
    return parser


def main(argv: list[str]) -> int:
    # "doc-check SPEC DOC" is the short form of "doc-check SPEC --doc DOC".
    if len(argv) >= 2 and not argv[0].startswith("-") and not argv[1].startswith("-") and argv[1].endswith(
            (".txt", ".md", ".markdown", ".text")):
        argv = [argv[0], "--doc", argv[1], *argv[2:]]
    args = _parser().parse_args(argv)
    specs = [as_typed(path) for path in sorted((ROOT / "specs").glob("*.yaml"))] if args.all else list(args.specs)
    if not specs or (args.doc is not None and len(specs) != 1):
        print("error: give one spec with --doc, one or more specs, or --all", file=sys.stderr)
        return 2
    worst = 0
    for spec in specs:
        worst = max(worst, _check_one(spec, args))
    return worst


def _check_one(spec_path: Path, args: argparse.Namespace) -> int:
    try:
        target = load_target(spec_path)
        docs = args.docs if args.docs is not None else spec_path.parent / DOCS_FOLDER
        doc_path = args.doc if args.doc is not None else _source_doc(target, docs)
        if doc_path is None:
            print(f"{spec_path}: skipped: provider.source_doc '{target.ir.source_doc}' is not a local file")
            return 0
        doc = read_doc(doc_path)
        facts = read_facts(doc)
        verdict, stale_marks = check(target, doc, facts)
    except DocCheckError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for line in render(verdict, str(doc_path), stale_marks, args.verbose):
        print(line)
    if args.verbose:
        print(f"{doc_path}: {coverage(target, doc, facts)}")
    explained = f", {len(verdict.explained)} explained by doc_departures" if verdict.explained else ""
    print(f"{spec_path} against {doc_path}: {len(verdict.unexplained)} unexplained finding(s){explained}"
          + (f", {len(verdict.stale)} stale departure(s)" if verdict.stale else ""))
    return 0 if verdict.clean else 1


def load_target(spec_path: Path) -> SpecUnderCheck:
    """The spec and its IR, or a DocCheckError listing every problem the checker finds."""
    report = inspect_spec_file(spec_path, str(spec_path))
    if report.loaded is None or report.spec is None or report.problems:
        raise DocCheckError("\n".join(str(problem) for problem in report.problems) or f"{spec_path}: cannot be read")
    checked = CheckedSpec(report.loaded, report.spec, str(spec_path))
    problems = class_name_problems(checked)
    try:
        if not problems:
            return SpecUnderCheck(checked, build_provider_ir(checked))
    except SpecError as exc:
        problems = exc.diagnostics
    raise DocCheckError("\n".join(str(problem) for problem in problems))


def read_doc(path: Path) -> DocText:
    try:
        if path.stat().st_size > MAX_DOC_BYTES:
            raise DocCheckError(f"{path}: larger than {MAX_DOC_BYTES} bytes; not a vendor doc")
        return DocText(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise DocCheckError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise DocCheckError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _source_doc(target: SpecUnderCheck, folder: Path) -> Path | None:
    name = target.ir.source_doc
    if "://" in name or not name:
        return None
    path = folder / name
    if not path.is_file():
        raise DocCheckError(f"{target.checked.display_name}: provider.source_doc '{name}' is not in {folder}")
    return path


@dataclass(frozen=True)
class DocFacts:
    """Everything doc-check recognised in a doc, before comparing it with a spec."""

    calls: list[CurlCall]
    objects: list[DocJson]
    endpoint_lines: list[EndpointLine]
    model_lists: list[ModelList]
    ratio_lists: list[RatioList]
    size_tables: list[SizeTable]
    field_rows: list[FieldRow]


def read_facts(doc: DocText) -> DocFacts:
    calls = curl_calls(doc)
    return DocFacts(calls, json_objects(doc, [(call.line, call.end_line) for call in calls]), endpoint_lines(doc),
                    model_lists(doc), ratio_lists(doc), size_tables(doc), field_rows(doc))


def check(target: SpecUnderCheck, doc: DocText,
          facts: DocFacts | None = None) -> tuple[Verdict, dict[int, SourceMark]]:
    """Every finding of ``doc`` against ``target`` (``facts``: what was read of it, when already
    read), judged against the spec's departures."""
    departures = target.checked.spec.doc_departures
    stale_marks = {index: target.mark("doc_departures", index) for index in range(len(departures))}
    return judge(findings(target, doc, facts or read_facts(doc)), departures), stale_marks


def findings(target: SpecUnderCheck, doc: DocText, facts: DocFacts) -> list[Finding]:
    wire = WireCheck(doc, target)
    placed = list(wire.place_calls(facts.calls)) + list(wire.place_objects(facts.objects))
    catalog = CatalogCheck(target, facts.model_lists, list(wire.model_values(placed)))
    return [
        *wire.endpoint_findings(facts.endpoint_lines, facts.calls),
        *wire.query_findings(facts.calls),
        *wire.example_findings(placed),
        *wire.field_findings(facts.field_rows, facts.endpoint_lines),
        *catalog.model_findings(),
        *catalog.ratio_findings(facts.ratio_lists),
        *catalog.size_findings(facts.size_tables),
    ]


def coverage(target: SpecUnderCheck, doc: DocText, facts: DocFacts) -> str:
    """What was compared, so a clean result can be trusted: and which JSON objects were not."""
    placed = {id(item.example) for item in WireCheck(doc, target).place_objects(facts.objects)}
    unmatched = [str(item.line) for item in facts.objects if id(item) not in placed]
    counts = [(len(facts.calls), "curl command"), (len(facts.objects), "JSON object"),
              (len(facts.endpoint_lines), "endpoint line"), (len(facts.model_lists), "model list"),
              (len(facts.ratio_lists), "ratio list"), (len(facts.size_tables), "size table"),
              (len(facts.field_rows), "field table row")]
    text = "read: " + ", ".join(f"{count} {noun}{'s' if count != 1 else ''}" for count, noun in counts)
    return text + (f"; JSON objects matching no endpoint, not checked: line {', '.join(unmatched)}" if unmatched else "")
