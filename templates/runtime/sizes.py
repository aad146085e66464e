"""Pixel sizes and per-provider ratio x tier size tables.

Providers document sizes as tables ("16:9 at 2K is 2048x1152"); generated
modules build one :class:`SizeTable` per table so callers can ask for a size
by ratio and tier instead of copying pixel values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import SizeLookupError
from .rules import parse_pixels

__all__ = ["Size", "SizeTable"]


@dataclass(frozen=True)
class Size:
    """A ``WIDTHxHEIGHT`` pixel size."""

    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    @classmethod
    def parse(cls, text: str) -> Size:
        """``Size.parse("1024x768")``; raises ValueError on anything else."""
        pixels = parse_pixels(text)
        if pixels is None:
            raise ValueError(f"not a WIDTHxHEIGHT size: {text!r}")
        return cls(*pixels)

    @property
    def pixels(self) -> int:
        return self.width * self.height


def _as_size(size: Size | str) -> Size:
    return size if isinstance(size, Size) else Size.parse(size)


@dataclass(frozen=True)
class SizeTable:
    """Sizes by aspect ratio (rows) and resolution tier (columns)."""

    name: str
    tiers: tuple[str, ...]
    # ratio -> tier -> size; a row may lack tiers the provider does not offer.
    rows: Mapping[str, Mapping[str, Size]] = field(hash=False)
    note: str = ""
    # Output tokens per ratio where the provider documents them (billing).
    tokens: Mapping[str, int] = field(default_factory=dict, hash=False)
    # Model families the table applies to.
    families: tuple[str, ...] = ()

    def ratios(self) -> list[str]:
        return list(self.rows)

    def lookup(self, ratio: str, tier: str | None = None) -> Size:
        """The size for ``ratio`` at ``tier`` (the only tier when the table has one)."""
        row = self.rows.get(ratio)
        if row is None:
            allowed = ", ".join(self.rows)
            problem = f"ratio {ratio!r} is not in size table {self.name!r}; allowed: {allowed}"
            raise SizeLookupError([problem], subject="size")
        if tier is None and len(self.tiers) == 1:
            tier = self.tiers[0]
        size = row.get(tier) if tier is not None else None
        if size is None:
            problem = (
                f"tier {tier!r} is not offered for ratio {ratio!r} in size table "
                f"{self.name!r}; allowed: {', '.join(row)}"
            )
            raise SizeLookupError([problem], subject="size")
        return size

    def sizes(self) -> list[Size]:
        """Every distinct size, row by row in tier order."""
        seen: dict[Size, None] = {}
        for row in self.rows.values():
            for tier in self.tiers:
                if tier in row:
                    seen.setdefault(row[tier], None)
        return list(seen)

    def ratio_of(self, size: Size | str) -> str | None:
        """The ratio whose row lists ``size``, or None."""
        wanted = _as_size(size)
        for ratio, row in self.rows.items():
            if wanted in row.values():
                return ratio
        return None

    def tokens_for(self, ratio: str) -> int | None:
        """Documented output tokens for ``ratio``, or None."""
        return self.tokens.get(ratio)

    def tier_of(self, size: Size | str) -> str | None:
        """The tier whose column lists ``size``, or None."""
        wanted = _as_size(size)
        for row in self.rows.values():
            for tier, candidate in row.items():
                if candidate == wanted:
                    return tier
        return None
