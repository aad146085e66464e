"""Deterministic mutation engine: a shipped spec plus 1-3 hostile edits, driven by one Random.

Everything random goes through the ``random.Random`` passed in, so a seed (``run.py``) or
hypothesis (an integer seed strategy) replays a mutant exactly. Data
operators (``dataops.py``) edit the parsed spec and re-dump it; text operators (``textops.py``) edit the
YAML source and keep the rest of it, so diagnostics still point at meaningful lines.
"""

from __future__ import annotations

import copy
import functools
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import textops
from .dataops import DATA_OPS, op_string_payload

SPEC_DIR = Path(__file__).resolve().parents[2] / "specs"


@dataclass(frozen=True)
class Step:
    """One applied mutation: the operator's name and what exactly it did."""

    operator: str
    detail: str

    def __str__(self) -> str:
        return f"{self.operator}: {self.detail}"


@dataclass(frozen=True)
class Mutant:
    """A mutated spec, ready to be written as ``specs/<file_stem>.yaml``."""

    base: str
    file_stem: str
    content: bytes
    steps: tuple[Step, ...]

    @property
    def description(self) -> str:
        return f"[{self.base}] " + "; ".join(str(step) for step in self.steps)


class _SpecLikeLoader(yaml.SafeLoader):
    """Reads the shipped specs as the project's loader does: only true/false are booleans."""


_SpecLikeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SpecLikeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$"), list("tTfF"))


def load_bases(spec_dir: Path = SPEC_DIR) -> dict[str, str]:
    """The shipped specs by file stem, as text."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(spec_dir.glob("*.yaml"))}


def dump(data: Any) -> str:
    # libyaml's emitter is several times faster, but cannot emit a lone surrogate (as an escape).
    options: dict[str, Any] = {"allow_unicode": True, "sort_keys": False, "width": 10**9}
    try:
        return str(yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), **options))
    except UnicodeEncodeError:
        return str(yaml.dump(data, Dumper=yaml.SafeDumper, **options))


def read_spec(text: str) -> Any:
    """Spec text as data, read as the project reads it (only true/false are booleans)."""
    return yaml.load(text, Loader=_SpecLikeLoader)


@functools.cache
def _parsed(text: str) -> Any:
    return read_spec(text)


def _choose(rng: random.Random, table: dict[str, float]) -> str:
    names = sorted(table)
    return rng.choices(names, weights=[table[name] for name in names])[0]


def mutate(rng: random.Random, bases: dict[str, str], base: str | None = None) -> Mutant:
    """One mutant: a base spec (chosen by ``rng`` unless given) and 1-3 mutations."""
    base = base or rng.choice(sorted(bases))
    weights = {name: weight for name, (_, weight) in DATA_OPS.items()}
    weights |= {name: weight for name, (_, weight) in textops.TEXT_OPS.items()}
    # Mostly one mutation: each further one makes a rejection (which masks the others) likelier.
    count = rng.choices((1, 2, 3), weights=(0.5, 0.3, 0.2))[0]
    chosen = sorted((_choose(rng, weights) for _ in range(count)), key=lambda n: n in textops.TEXT_OPS)
    data = copy.deepcopy(_parsed(bases[base]))  # parsed once per base, copied per mutant
    state = {"file_stem": base}
    steps: list[Step] = []
    for name in chosen:
        if name in DATA_OPS:
            detail = DATA_OPS[name][0](rng, data, state)
            if detail is not None:
                steps.append(Step(name, detail))
    text = dump(data) if steps else bases[base]
    for name in chosen:
        if name in textops.TEXT_OPS:
            text, detail = textops.TEXT_OPS[name][0](rng, text)
            steps.append(Step(name, detail))
    if not steps:  # every chosen data operator was inapplicable: fall back to a payload
        detail = op_string_payload(rng, data, state) or "no string leaf"
        steps.append(Step("string_payload", detail))
        text = dump(data)
    return Mutant(base, state["file_stem"], text.encode("utf-8", "surrogateescape"), tuple(steps))
