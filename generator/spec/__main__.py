"""``python -m generator.spec FILE...``: check spec files and print every diagnostic.

The same check as ``python -m generator`` runs before it writes anything (spec stage and
IR stage, see generator/check.py): a file this command calls ok always generates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.check import check_provider
from generator.errors import SpecError


def main(argv: list[str]) -> int:
    failed = False
    for name in argv:
        provider, problems = check_provider(Path(name), name)
        for problem in SpecError(problems).diagnostics:
            print(problem, file=sys.stderr)
        failed = failed or provider is None
        if provider is not None:
            print(f"{name}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
