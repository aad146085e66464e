"""Input images: turn a path, bytes, a file object or a reply's ``Image`` into the
form a field accepts (a URL, base64 text, a data URL or an inline {mime, data} object).

Which forms a field takes comes from the spec (``ImageInput`` on the model's base
class); the MIME type is sniffed from the bytes, never guessed from a file name.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeAlias

from .images import Image, sniff_mime

__all__ = ["ImageInput", "ImageSource", "convert_image_fields", "to_wire_image"]

# What callers may pass where the spec declares an input image (besides the
# field's own wire form, e.g. a URL string).
ImageSource: TypeAlias = Path | bytes | bytearray | IO[bytes] | Image

# Base64 text (standard or URL-safe alphabet; line breaks allowed): a path has a dot.
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/_\-\s]+={0,2}\s*")

_FORM_WORDS = {
    "url": "an http(s) URL",
    "base64": "base64 text",
    "data_url": "a data: URL",
    "inline": "inline base64 data",
}


class ImageInput(NamedTuple):
    """An input-image field of a model: its wire name and the forms it accepts.

    A NamedTuple like the descriptors (see ``descriptors.py``): created at import.
    """

    field: str
    accepts: tuple[str, ...]
    data_key: str = "data"
    mime_key: str = "mimeType"
    hint: str = ""


def _is_source(value: Any) -> bool:
    return isinstance(value, (Path, bytes, bytearray, Image)) or hasattr(value, "read")


def _read(value: Any) -> bytes:
    if isinstance(value, Path):
        return value.read_bytes()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    data = value.read()
    if not isinstance(data, bytes):
        # ValueError, not TypeError: pydantic reports only ValueErrors as validation problems.
        raise ValueError("image file objects must be opened in binary mode ('rb')")  # noqa: TRY004
    return data


def _encode(value: Any) -> tuple[str, str]:
    """(MIME type, base64) of a local image."""
    if isinstance(value, Image) and value.b64_data is not None:
        mime = value.mime_type or sniff_mime(value.data()[:16]) or "application/octet-stream"
        return mime, value.b64_data
    content = _read(value)
    sniffed = sniff_mime(content[:16])
    if sniffed is None:
        raise ValueError("the bytes are not a PNG, JPEG, GIF or WebP image")
    return sniffed, base64.b64encode(content).decode("ascii")


def _not_accepted(spec: ImageInput, what: str) -> ValueError:
    forms = " or ".join(_FORM_WORDS[form] for form in spec.accepts)
    hint = f"; {spec.hint}" if spec.hint else ""
    return ValueError(f"{spec.field}: this provider takes {forms} here, not {what}{hint}")


def to_wire_image(value: Any, spec: ImageInput) -> Any:
    """The wire form of one input image; values already in wire form pass through."""
    if isinstance(value, Image) and value.url is not None and value.b64_data is None:
        if "url" in spec.accepts:
            return value.url
        raise _not_accepted(spec, "an image URL")
    if isinstance(value, str):
        return _text_image(value, spec)
    if not _is_source(value):
        return value
    if not set(spec.accepts) & {"base64", "data_url", "inline"}:
        raise _not_accepted(spec, "a local image")
    mime, data = _encode(value)
    if "inline" in spec.accepts:
        return {spec.mime_key: mime, spec.data_key: data}
    if "base64" in spec.accepts:
        return data
    return f"data:{mime};base64,{data}"


def _text_image(value: str, spec: ImageInput) -> Any:
    """A str image: an http(s) URL, a data: URL, or (where the field takes it) base64 text.

    Anything else is refused, above all a local path, which would otherwise go to the
    relay as if it were a URL (``Path(...)`` sends the file).
    """
    head = value[:8].lower()
    if head.startswith(("http://", "https://")):
        if "url" in spec.accepts:
            return value
        raise _not_accepted(spec, "an image URL")
    if head.startswith("data:"):
        mime, _, data = value[5:].partition(";base64,")
        if "data_url" in spec.accepts:
            return value
        if mime and data and "inline" in spec.accepts:
            return {spec.mime_key: mime, spec.data_key: data}
        if data and "base64" in spec.accepts:
            return data
        raise _not_accepted(spec, "a data: URL")
    if "base64" in spec.accepts and _BASE64_TEXT.fullmatch(value):
        return value
    shown = value if len(value) <= 60 else value[:57] + "..."
    forms = " or ".join(_FORM_WORDS[form] for form in spec.accepts)
    raise ValueError(
        f"{spec.field}: {shown!r} is not {forms}; for a local file pass Path({shown!r})"
    )


def convert_image_fields(data: Any, inputs: tuple[ImageInput, ...], aliases: Mapping[str, str]) -> Any:
    """Convert the declared image fields of raw model input (wire or Python names)."""
    if not inputs or not isinstance(data, Mapping):
        return data
    converted = dict(data)
    for spec in inputs:
        for key in (spec.field, aliases.get(spec.field, spec.field)):
            if key in converted:
                value = converted[key]
                if isinstance(value, list):
                    converted[key] = [to_wire_image(item, spec) for item in value]
                else:
                    converted[key] = to_wire_image(value, spec)
    return converted
