"""``python -m bench.synthetic N OUT_DIR``: write N provider specs of realistic size for the scaling figure.

Each synthetic provider is a clone of one of the real specs in ``specs/``, taken round-robin,
so the mix of wire formats, models, rules and endpoints is that of the real providers. The
edits are made on the YAML text (comments and layout kept, so each file is as long as a
hand-written one) and give each clone what a real provider has of its own:

- provider id and file name ``<source id>_<NNN>`` (the id must equal the file name),
- its own environment variables for base URL and API key,
- a title, and descriptions of the provider, endpoints and fields that differ from
  every other clone (a sentence naming the variant opens each block description),

so no two files are byte-identical and no generated file is shared between providers.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "specs"

_PROVIDER_ID = re.compile(r"^(  id: )(\S+)[ \t]*$", re.MULTILINE)
_PROVIDER_TITLE = re.compile(r'^(  title: ")(.*)("[ \t]*)$', re.MULTILINE)
_ENV = re.compile(r"^([ ]+env: )(\S+)[ \t]*$", re.MULTILINE)
_BLOCK_DESCRIPTION = re.compile(r"^[ ]*description: [|>][-+]?[ \t]*$")


def synthetic_id(source_id: str, index: int) -> str:
    return f"{source_id}_{index:03d}"


def clone_spec(text: str, source_id: str, index: int) -> str:
    """The spec ``text`` (of provider ``source_id``) as synthetic provider number ``index``."""
    new_id = synthetic_id(source_id, index)
    text, count = _PROVIDER_ID.subn(lambda m: f"{m[1]}{new_id}", text, count=1)
    if count != 1:
        raise ValueError(f"{source_id}: no provider id line to rewrite")
    text = _PROVIDER_TITLE.sub(lambda m: f"{m[1]}{m[2]} [variant {index}]{m[3]}", text, count=1)
    text = _ENV.sub(lambda m: f"{m[1]}{_env_name(new_id, m[2])}", text)
    text = _vary_block_descriptions(text, index)
    header = f"# Synthetic provider {index}: a clone of specs/{source_id}.yaml made by bench/synthetic.py.\n"
    return header + text


def _env_name(provider_id: str, old: str) -> str:
    suffix = "BASE_URL" if old.endswith("BASE_URL") else "API_KEY"
    return f"{provider_id.upper()}_{suffix}"


def _vary_block_descriptions(text: str, index: int) -> str:
    """Open every block-scalar description with a sentence naming the variant."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    for number, line in enumerate(lines):
        out.append(line)
        if not _BLOCK_DESCRIPTION.match(line):
            continue
        following = next((later for later in lines[number + 1:] if later.strip()), None)
        if following is None:
            continue
        indent = following[: len(following) - len(following.lstrip(" "))]
        out.append(f"{indent}Variant {index} of this relay (regional deployment #{index % 17 + 1}).\n")
    return "".join(out)


def make_specs(count: int, out_dir: Path, source_dir: Path = SOURCE_DIR) -> list[Path]:
    """Write ``count`` synthetic specs into ``out_dir`` (created; existing *.yaml removed); return their paths."""
    sources = sorted(source_dir.glob("*.yaml"))
    if not sources:
        raise FileNotFoundError(f"no *.yaml specs in {source_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.yaml"):
        stale.unlink()
    texts = {source.stem: source.read_text(encoding="utf-8") for source in sources}
    written = []
    for index in range(count):
        source_id = sources[index % len(sources)].stem
        path = out_dir / f"{synthetic_id(source_id, index)}.yaml"
        path.write_text(clone_spec(texts[source_id], source_id, index), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, help="number of providers to write")
    parser.add_argument("out_dir", type=Path, help="folder to write <id>.yaml files into")
    parser.add_argument("--source", type=Path, default=SOURCE_DIR, help="folder of real specs to clone")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("count must be at least 1")
    paths = make_specs(args.count, args.out_dir, args.source)
    print(f"wrote {len(paths)} specs to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
