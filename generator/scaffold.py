"""``python -m generator.scaffold NAME``: start ``specs/NAME.yaml`` for a new provider.

The file holds every construct of the spec language, each with a comment saying what it does
(``templates/scaffold/provider.yaml.jinja``). It is checked before it is written, so it validates
and generates as it stands; the author then replaces the placeholder facts with the vendor's.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from generator.errors import RelaygenError
from generator.render.env import make_env
from generator.render.output import render
from generator.spec.load import check_spec_file
from generator.spec.schema import IDENT, PATTERN_WORDS, ProviderInfo

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "scaffold/provider.yaml.jinja"


class ScaffoldError(RelaygenError):
    """A scaffold that cannot be written: a bad name, an existing file, or a template bug."""


def check_name(name: str) -> None:
    """Raise ScaffoldError unless ``name`` can be a provider id (it becomes the file and package name)."""
    # The limit lives in the schema (annotated-types MaxLen), so the two cannot drift apart.
    limit = next(item.max_length for item in ProviderInfo.model_fields["id"].metadata if hasattr(item, "max_length"))
    if not re.match(IDENT, name):
        raise ScaffoldError(f"'{name}' is not a provider id: use {PATTERN_WORDS[IDENT]}")
    if len(name) > limit:
        raise ScaffoldError(f"'{name}' is {len(name)} characters long; a provider id has at most {limit}")


def scaffold_text(name: str, template_dir: Path) -> str:
    """The scaffold spec for provider ``name``."""
    title = " ".join(word.capitalize() for word in name.split("_") if word)
    return render(make_env(template_dir), TEMPLATE, id=name, env_prefix=name.upper(), title=title)


def _check_text(name: str, text: str) -> None:
    """Check the rendered spec as ``specs/NAME.yaml`` would be checked; a failure is a template bug."""
    with tempfile.TemporaryDirectory(prefix="relaygen-scaffold-") as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        _, problems = check_spec_file(path, f"specs/{name}.yaml")
    if problems:
        shown = "\n".join(str(problem) for problem in problems)
        raise ScaffoldError(f"the scaffold template {TEMPLATE} does not validate:\n{shown}")


def write_scaffold(name: str, specs_dir: Path, template_dir: Path, *, force: bool = False) -> Path:
    """Write ``specs_dir/NAME.yaml``; refuse to replace an existing file unless ``force``."""
    check_name(name)
    target = specs_dir / f"{name}.yaml"
    if target.exists() and not force:
        raise ScaffoldError(f"{target} already exists; pass --force to overwrite it")
    text = scaffold_text(name, template_dir)
    _check_text(name, text)
    specs_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator.scaffold",
        description="Write specs/NAME.yaml for a new provider: every construct of the spec language, commented, "
                    "valid as it stands. Guide: docs/authoring.md.",
    )
    parser.add_argument("name", help="provider id, lower_snake_case (becomes specs/NAME.yaml and imagerelay.NAME)")
    parser.add_argument("--specs", type=Path, default=ROOT / "specs", help="folder to write the spec into")
    parser.add_argument("--templates", type=Path, default=ROOT / "templates", help=argparse.SUPPRESS)
    parser.add_argument("--force", action="store_true", help="overwrite an existing spec file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        target = write_scaffold(args.name, args.specs, args.templates, force=args.force)
    except RelaygenError as exc:  # ScaffoldError, or RenderError from the template
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {target} (it validates as it stands)")
    print("next: replace its placeholder facts with the vendor doc's (docs/authoring.md), then")
    print(f"  python -m generator.spec {target}\n  make generate && make test")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
