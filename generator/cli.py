"""``python -m generator``: regenerate ``generated/`` from ``specs/``, or check it is current.

``python -m generator report OLD [NEW]`` prints what changed for SDK users between two
versions of the specs (each a folder or ``git:REV``).

``python -m generator doc-check specs/X.yaml DOC`` prints every fact of a vendor doc the
spec does not match, located in both files (``--all``: every spec against its source_doc).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.cache.fingerprint import inputs_digest
from generator.cache.runs import is_current, record_run
from generator.errors import RelaygenError, SpecError

# The generation stages are imported only once the no-op check has missed: it must
# answer "nothing changed" without loading pydantic, Jinja or black.

ROOT = Path(__file__).resolve().parent.parent
REPORT_COMMAND = "report"
CACHE_ENV = "RELAYGEN_CACHE_DIR"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--specs", type=Path, default=ROOT / "specs", help="folder of provider YAML specs")
    parser.add_argument("--templates", type=Path, default=ROOT / "templates", help="Jinja templates and runtime")
    parser.add_argument("--out", type=Path, default=ROOT / "generated",
                        help="output folder (replaced whole; its .specs/ and CHANGELOG.md are continued)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if --out is stale")
    parser.add_argument("--cache-dir", type=Path, default=Path(os.environ.get(CACHE_ENV, ROOT / ".relaygen-cache")),
                        help=f"where results are kept between runs (default: ${CACHE_ENV} or .relaygen-cache/)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the cache (the output is the same either way)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes for the expensive steps (default: one per CPU; 1 = none)")
    return parser


def _report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m generator {REPORT_COMMAND}",
        description="What changed for SDK users between two versions of the specs, per provider, "
                    "classified breaking / needs attention / non-breaking / docs, with a suggested version bump.",
    )
    parser.add_argument("old", help="earlier specs: a folder, or git:REV for the spec folder at a git revision")
    parser.add_argument("new", nargs="?", default=None,
                        help="later specs, the same way (default: the working tree's specs/)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown instead of terminal text")
    parser.add_argument("--repo", type=Path, default=ROOT,
                        help="git repository git:REV is read from (default: this project)")
    parser.add_argument("--spec-folder", default="specs", help="spec folder inside the repository, for git:REV")
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == [REPORT_COMMAND]:
        return report_main(args_list[1:])
    if args_list[:1] == ["doc-check"]:
        from generator.doccheck.cli import main as doc_check_main

        return doc_check_main(args_list[1:])
    args = _parser().parse_args(args_list)
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    cache_dir = None if args.no_cache else args.cache_dir
    digest = None if cache_dir is None else inputs_digest(args.specs, args.templates)
    if cache_dir is not None and digest is not None:
        count = is_current(cache_dir, args.out, digest)
        if count is not None:
            print(f"{args.out.name}/ is up to date ({count} files; nothing changed since the last run).")
            return 0
    return _generate(args, cache_dir, digest)


def _generate(args: argparse.Namespace, cache_dir: Path | None, digest: str | None) -> int:
    from generator.cache.store import ContentStore
    from generator.pipeline import generate
    from generator.render.prefetch import default_jobs
    from generator.render.write import recover_output, stale_files, write_tree

    store = ContentStore(cache_dir)
    try:
        files = generate(args.specs, args.templates, args.out, store=store, jobs=args.jobs or default_jobs())
    except SpecError as exc:
        print(exc, file=sys.stderr)
        count = len(exc.diagnostics)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was written.", file=sys.stderr)
        return 2
    except RelaygenError as exc:
        print(f"error: {exc}\nnothing was written.", file=sys.stderr)
        return 3
    if args.check:
        recover_output(args.out)  # an interrupted swap is repaired first, so the real output is compared
        stale = stale_files(args.out, files)
        for path in stale:
            print(f"stale: {args.out.name}/{path}", file=sys.stderr)
        if stale:
            print(f"{len(stale)} file(s) differ from the specs; run `make generate`.", file=sys.stderr)
            return 1
        print(f"{args.out.name}/ is up to date ({len(files)} files).")
    else:
        try:
            write_tree(args.out, files)
        except OSError as exc:
            print(f"error: cannot write {args.out}: {exc}\nthe previous output is unchanged.", file=sys.stderr)
            return 4
        print(f"wrote {len(files)} files to {args.out.name}/")
    if cache_dir is not None and digest is not None:
        record_run(cache_dir, args.out, digest, {file.path: file.content.encode("utf-8") for file in files})
        store.prune()
    return 0


def report_main(argv: list[str]) -> int:
    """Print the change report; exit 0 whatever changed, 2 when a version cannot be read."""
    from generator.report.compare import compare_specs
    from generator.report.render import render_markdown, render_text
    from generator.report.sources import SourceError, read_source

    args = _report_parser().parse_args(argv)
    args.new = args.new if args.new is not None else str(as_typed(ROOT / "specs"))
    versions, failed = [], False
    # Both versions are read before giving up, so one run shows every problem.
    for role, source in (("OLD", args.old), ("NEW", args.new)):
        try:
            versions.append(read_source(source, args.repo, args.spec_folder, old=role == "OLD"))
        except SourceError as exc:
            print(f"error: {role}: {exc}", file=sys.stderr)
            failed = True
        except SpecError as exc:
            count = len(exc.diagnostics)
            print(f"error: {role} ({source}) has invalid specs:\n{exc}", file=sys.stderr)
            print(f"{count} error{'s' if count != 1 else ''} in {role}.", file=sys.stderr)
            failed = True
    if failed:
        print("no report.", file=sys.stderr)
        return 2
    report = compare_specs(versions[0], versions[1])
    render = render_markdown if args.markdown else render_text
    sys.stdout.write(render(report, _label(args.old), _label(args.new)))
    return 0


def as_typed(path: Path) -> Path:
    """``path`` as a user here would type it: relative to the working directory when inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _label(source: str) -> str:
    """How a version is named in the report: ``git:REV`` as given, a folder relative to the project."""
    from generator.report.sources import GIT_PREFIX

    if source.startswith(GIT_PREFIX):
        return source
    path = Path(source).resolve()
    return path.relative_to(ROOT).as_posix() + "/" if path.is_relative_to(ROOT) else source
