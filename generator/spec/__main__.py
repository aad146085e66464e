"""``python -m generator.spec FILE...``: check spec files and print every diagnostic."""

from __future__ import annotations

import sys
from pathlib import Path

from generator.spec.load import check_spec_file


def main(argv: list[str]) -> int:
    failed = False
    for name in argv:
        spec, problems = check_spec_file(Path(name), name)
        for problem in problems:
            print(problem, file=sys.stderr)
        failed = failed or spec is None
        if spec is not None:
            print(f"{name}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
