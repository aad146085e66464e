"""Where the runtime finds images in a reply, compared part by part.

A summary of every location on both sides hides the part that changed (a line read
``data[].url, data[] -> data[].url, data[]`` when only the MIME-type key of ``data[]``
had moved), so each part is compared and shown on its own.
"""

from __future__ import annotations

from generator.ir.nodes import ImagesIR, InlineImageIR
from generator.report.changes import Change, shown, shown_all


def differing(old: dict[str, str], new: dict[str, str], missing: str = "none") -> tuple[str, str]:
    """``key=value`` texts of only the keys whose values differ, before and after."""
    keys = [key for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)]
    return (", ".join(f"{key}={old.get(key, missing)}" for key in keys),
            ", ".join(f"{key}={new.get(key, missing)}" for key in keys))


def image_location_changes(pid: str, where: str, old: ImagesIR | None, new: ImagesIR | None) -> list[Change]:
    """URL paths and inline-image paths read, and the data/MIME-type keys of each inline image."""
    if old == new:
        return []
    if old is None or new is None:
        return [Change(pid, where, "image locations in the reply changed", "attention", _all(old), _all(new))]
    changes = _gained_and_lost(pid, where, "image URLs", list(old.urls), list(new.urls))
    old_inline = {item.path: item for item in old.inline}
    new_inline = {item.path: item for item in new.inline}
    changes += _gained_and_lost(pid, where, "inline images", list(old_inline), list(new_inline))
    for path, item in new_inline.items():
        before = old_inline.get(path)
        if before is not None and before != item:
            changes.append(Change(pid, where, f"inline image at {path} read from other keys", "attention",
                                  *differing(_keys(before), _keys(item))))
    if not changes:
        # Same locations in another order: the first one that holds an image wins.
        changes.append(Change(pid, where, "image locations read in another order", "attention",
                              _all(old), _all(new)))
    return changes


def _gained_and_lost(pid: str, where: str, what: str, old: list[str], new: list[str]) -> list[Change]:
    lost = [path for path in old if path not in new]
    gained = [path for path in new if path not in old]
    changes = [Change(pid, where, f"{what} no longer read from", "attention", old=shown_all(lost))] if lost else []
    if gained:
        changes.append(Change(pid, where, f"{what} now read from", "attention", new=shown_all(gained)))
    return changes


def _keys(item: InlineImageIR) -> dict[str, str]:
    return {"data key": shown(item.data_key), "MIME-type key": shown(item.mime_key)}


def _all(images: ImagesIR | None) -> str:
    if images is None:
        return "none"
    return ", ".join([*images.urls, *(item.path for item in images.inline)]) or "none"
