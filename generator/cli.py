"""``python -m generator``: regenerate ``generated/`` from ``specs/``, or check it is current."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.errors import RelaygenError, SpecError
from generator.pipeline import generate
from generator.render.write import stale_files, write_tree

ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    parser.add_argument("--specs", type=Path, default=ROOT / "specs", help="folder of provider YAML specs")
    parser.add_argument("--templates", type=Path, default=ROOT / "templates", help="Jinja templates and runtime")
    parser.add_argument("--out", type=Path, default=ROOT / "generated", help="output folder (replaced whole)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if --out is stale")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        files = generate(args.specs, args.templates)
    except SpecError as exc:
        print(exc, file=sys.stderr)
        count = len(exc.diagnostics)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was written.", file=sys.stderr)
        return 2
    except RelaygenError as exc:
        print(f"error: {exc}\nnothing was written.", file=sys.stderr)
        return 3
    if args.check:
        stale = stale_files(args.out, files)
        for path in stale:
            print(f"stale: {args.out.name}/{path}", file=sys.stderr)
        if stale:
            print(f"{len(stale)} file(s) differ from the specs; run `make generate`.", file=sys.stderr)
            return 1
        print(f"{args.out.name}/ is up to date ({len(files)} files).")
        return 0
    write_tree(args.out, files)
    print(f"wrote {len(files)} files to {args.out.name}/")
    return 0
