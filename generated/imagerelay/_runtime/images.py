"""Images found in replies: URLs or inline base64, and how to save them.

Relays return images three ways: plain URL fields, URLs (or ``data:`` URLs)
embedded in chat text such as markdown ``![](...)``, and inline base64
objects like Gemini's ``inlineData``. :func:`extract_images` handles all
three from the wire paths a generated response model declares.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .descriptors import ImagePaths
from .errors import RelayError
from .paths import find_all

__all__ = [
    "Image",
    "ImageCollector",
    "extract_images",
    "find_urls",
    "has_images",
    "inline_image_problems",
    "looks_like_text",
    "safe_stem",
    "save_bytes",
    "sniff_mime",
]

# A URL ends at whitespace, quotes, brackets, or where the next URL starts
# (text concatenated from stream chunks may hold URLs back to back).
_URL = re.compile(r"https?://(?:(?!https?://)[^\s<>\"'()\[\]{}\\])+")
# The same without the per-character look-ahead: a run that holds a single scheme is
# exactly one _URL match, and almost every run does, so _URL only re-reads the rest.
_URL_RUN = re.compile(r"https?://[^\s<>\"'()\[\]{}\\]+")
_URL_START = re.compile(r"https?://")
_DATA_URL = re.compile(r"data:(image/[\w.+-]+);base64,([A-Za-z0-9+/_-]+=*)")
_TRAILING = ".,;:!?*"

_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "image/bmp": ".bmp",
    "image/avif": ".avif",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "image/tiff": ".tiff",
    "image/jxl": ".jxl",
    "image/x-icon": ".ico",
    "image/svg+xml": ".svg",
}
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xff\x0a", "image/jxl"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "image/jxl"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
)
# ISO base media files ("....ftyp<brand>"): AVIF and HEIF/HEIC are told apart by the
# major brand (ISO/IEC 23008-12 and the AV1 Image File Format); video brands are not images.
_FTYP_BRANDS = {
    b"avif": "image/avif",
    b"avis": "image/avif",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"heim": "image/heic",
    b"heis": "image/heic",
    b"hevc": "image/heic",
    b"hevx": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
}
# What a relay sends when the "image" is really an error page or a JSON error.
_TEXT_STARTS = (b"<", b"{", b"[", b"\xef\xbb\xbf<", b"\xef\xbb\xbf{")
# 4 * 16384 base64 characters decode to 48 KiB: bounded memory per step.
_CHUNK_CHARS = 4 * 16384
_SAFE_STEM = re.compile(r"[^A-Za-z0-9._-]+")


def sniff_mime(head: bytes) -> str | None:
    """The image MIME type that ``head`` (the first 16+ bytes of a file) starts with."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12])
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    return None


def looks_like_text(head: bytes) -> bool:
    """Whether bytes that are no known image start like markup, JSON or plain text."""
    stripped = head.lstrip(b" \t\r\n")
    if stripped.startswith(_TEXT_STARTS):
        return True
    return bool(stripped) and all(32 <= byte < 127 or byte in b"\t\r\n" for byte in stripped)


def _normalise_b64(data: str) -> str:
    # Providers mix standard and URL-safe alphabets, wrap lines and drop padding.
    text = "".join(data.split()).replace("-", "+").replace("_", "/")
    return text + "=" * (-len(text) % 4)


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise RelayError(f"image data is not valid base64: {exc}") from None


@dataclass(frozen=True)
class Image:
    """One image of a reply: a URL, inline base64 data, or both."""

    url: str | None = None
    b64_data: str | None = None
    mime_type: str | None = None

    def __repr__(self) -> str:
        # Base64 payloads are megabytes; show their size, not their content.
        data = None if self.b64_data is None else f"<{len(self.b64_data)} base64 chars>"
        return f"Image(url={self.url!r}, b64_data={data}, mime_type={self.mime_type!r})"

    def _require_data(self) -> str:
        if self.b64_data is None:
            raise RelayError(
                f"image {self.url!r} is only a URL; fetch it with client.download(image) "
                "or save it with client.save_image(image, directory)"
            )
        return self.b64_data

    def _head(self) -> bytes:
        # 24 base64 characters are 18 bytes: enough for every magic number.
        try:
            return _decode(_normalise_b64((self.b64_data or "").lstrip()[:24]))
        except RelayError:
            return b""

    def data(self) -> bytes:
        """The decoded bytes of an inline image."""
        return _decode(_normalise_b64(self._require_data()))

    @property
    def extension(self) -> str:
        """File extension with the dot: from the bytes, else the MIME type, else the URL."""
        sniffed = sniff_mime(self._head()) if self.b64_data else None
        if sniffed:
            return _EXTENSIONS[sniffed]
        if self.mime_type and self.mime_type.lower() in _EXTENSIONS:
            return _EXTENSIONS[self.mime_type.lower()]
        if self.url:
            suffix = PurePosixPath(urlsplit(self.url).path).suffix.lower()
            if suffix in set(_EXTENSIONS.values()) | {".jpeg"}:
                return suffix
        return ".bin"

    def save(self, directory: str | Path, stem: str = "image") -> Path:
        """Write an inline image to ``directory/<stem><extension>``; returns the path."""
        data = _normalise_b64(self._require_data())
        target = Path(directory) / (safe_stem(stem) + self.extension)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        # Decode in slices so a 20 MB payload never exists twice in memory,
        # and rename at the end so a crash leaves no half-written image.
        with partial.open("wb") as out:
            for start in range(0, len(data), _CHUNK_CHARS):
                out.write(_decode(data[start : start + _CHUNK_CHARS]))
        partial.replace(target)
        return target


def extension_of(head: bytes, fallback: str) -> str:
    """The file extension the image's first bytes name, else ``fallback``."""
    sniffed = sniff_mime(head[:16])
    return _EXTENSIONS[sniffed] if sniffed else fallback


def save_bytes(data: bytes, directory: str | Path, stem: str, extension: str = ".bin") -> Path:
    """Write downloaded image bytes; the extension comes from the bytes when known."""
    target = Path(directory) / (safe_stem(stem) + extension_of(data, extension))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def safe_stem(stem: str) -> str:
    """A file-name stem without path separators or shell-hostile characters."""
    cleaned = _SAFE_STEM.sub("_", stem).strip("._")[:100]
    return cleaned or "image"


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    for run in _URL_RUN.finditer(text):
        if _URL_START.search(text, run.start() + 1, run.end()) is None:
            yield run
        else:  # URLs back to back: split the run where each next one starts
            yield from _URL.finditer(text, run.start(), run.end())


def _inline_image(data: str, declared: str | None) -> Image:
    """An inline image whose MIME type is what its bytes are, whatever the reply declared."""
    image = Image(b64_data=data, mime_type=declared)
    sniffed = sniff_mime(image._head())
    return image if sniffed is None or sniffed == declared else Image(b64_data=data, mime_type=sniffed)


def find_urls(text: str) -> list[Image]:
    """Images named in free text: http(s) URLs and ``data:image/...;base64,`` URLs."""
    found = [(m.start(), Image(url=m.group(0).rstrip(_TRAILING))) for m in _url_matches(text)]
    if "data:" in text:
        for match in _DATA_URL.finditer(text):
            found.append((match.start(), _inline_image(match.group(2), match.group(1))))
        found.sort(key=lambda pair: pair[0])
    return [image for _, image in found]


def _inline_objects(objects: Iterable[Any], data_key: str, mime_key: str | None) -> Iterator[tuple[str, Any]]:
    """(base64 text, declared MIME type) of each inline image object."""
    for obj in objects:
        if isinstance(obj, Mapping):
            data, mime = obj.get(data_key), obj.get(mime_key) if mime_key else None
            if isinstance(data, str) and data:
                yield data, mime


def _inline(objects: Iterable[Any], data_key: str, mime_key: str | None) -> list[Image]:
    return [
        _inline_image(data, mime if isinstance(mime, str) else None)
        for data, mime in _inline_objects(objects, data_key, mime_key)
    ]


# Standard or URL-safe base64, possibly wrapped in lines, padding optional.
_BASE64 = re.compile(r"[A-Za-z0-9+/_\-\s]*=*\s*")
_SPACE = re.compile(r"\s")


def _base64_problem(data: str) -> str | None:
    if _BASE64.fullmatch(data) is None:
        return "is not base64 (it holds characters base64 never uses)"
    # Counted without copying a multi-megabyte string, unless it is wrapped in lines (rare).
    end = len(data)
    while end and data[end - 1] in "= \t\r\n":
        end -= 1
    length = end if _SPACE.search(data) is None else len("".join(data.split()).rstrip("="))
    if length % 4 == 1:
        return "is not base64 (its length is one character past a whole group)"
    return None


def _content_problem(data: str, declared: Any) -> str | None:
    """Why the base64 ``data`` of an inline image is not an image, or None."""
    problem = _base64_problem(data)
    if problem is not None:
        return problem
    head = Image(b64_data=data)._head()
    if sniff_mime(head) is not None:
        return None
    declared_image = isinstance(declared, str) and declared.lower().startswith("image/")
    if looks_like_text(head) or not declared_image:
        shown = declared if isinstance(declared, str) else "no MIME type"
        start = head[:12].decode("ascii", "backslashreplace")
        return f"holds {shown} content that is no image (it starts with {start!r})"
    return None  # an image format this sniffer does not know, declared as an image: kept


def inline_image_problems(
    payload: Any, paths: ImagePaths | None, *, data_urls: bool = True
) -> list[str]:
    """What is wrong with the inline images of a reply: invalid base64, or content that is no image.

    Checked when a reply is parsed, so the error carries the request's details instead of
    surfacing later from ``save()``. URL images are not fetched here. ``data_urls=False``
    leaves out the data URLs in text at URL paths: a stream checks those once it has all
    of the text (``ImageCollector.problems``), since a chunk may hold part of one.
    """
    if paths is None:
        return []
    problems: list[str] = []
    for spec in paths.inline:
        for data, mime in _inline_objects(find_all(payload, spec.path), spec.data_key, spec.mime_key):
            problem = _content_problem(data, mime)
            if problem:
                problems.append(f"the inline image at {spec.path} {problem}")
    if data_urls:
        for path in paths.urls:
            for value in find_all(payload, path):
                if isinstance(value, str):
                    problems += _data_url_problems(value, path)
    return problems


def _data_url_problems(text: str, path: str) -> list[str]:
    if "data:" not in text:
        return []
    problems = []
    for match in _DATA_URL.finditer(text):
        problem = _content_problem(match.group(2), match.group(1))
        if problem:
            problems.append(f"the data URL at {path} {problem}")
    return problems


def _dedup(images: Iterable[Image]) -> list[Image]:
    seen: dict[tuple[str | None, str | None], Image] = {}
    for image in images:
        seen.setdefault((image.url, image.b64_data), image)
    return list(seen.values())


def _names_image(text: str) -> bool:
    """Whether :func:`find_urls` would find an image in ``text``, without building any."""
    return bool(_URL_RUN.search(text) or _DATA_URL.search(text))


def has_images(payload: Any, paths: ImagePaths | None) -> bool:
    """Whether :func:`extract_images` would find an image, without building any.

    Checked on every reply of an endpoint that must return an image, so it
    stops at the first hit (a URL run, a data URL or inline data).
    """
    if paths is None:
        return False
    for path in paths.urls:
        for value in find_all(payload, path):
            if isinstance(value, str) and _names_image(value):
                return True
    return any(
        next(_inline_objects(find_all(payload, spec.path), spec.data_key, spec.mime_key), None)
        for spec in paths.inline
    )


def extract_images(payload: Mapping[str, Any], paths: ImagePaths) -> list[Image]:
    """Every image at ``paths`` in ``payload``, de-duplicated, in path order."""
    images: list[Image] = []
    for path in paths.urls:
        for value in find_all(payload, path):
            if isinstance(value, str):
                images.extend(find_urls(value))
    for spec in paths.inline:
        images.extend(_inline(find_all(payload, spec.path), spec.data_key, spec.mime_key))
    return _dedup(images)


class ImageCollector:
    """Images across the chunks of a stream.

    Chat streams split text (and so URLs) across chunks, so text at URL paths
    is concatenated per path before searching; inline objects are whole in
    each chunk and are collected as they come.
    """

    def __init__(self, paths: ImagePaths | None) -> None:
        self._paths = paths
        self._text: dict[str, list[str]] = {}
        self._inline: list[Image] = []

    def add(self, payload: Mapping[str, Any]) -> None:
        if self._paths is None:
            return
        for path in self._paths.urls:
            for value in find_all(payload, path):
                if isinstance(value, str):
                    texts = self._text.get(path)
                    if texts is None:
                        self._text[path] = [value]
                    else:
                        texts.append(value)
        for spec in self._paths.inline:
            objects = find_all(payload, spec.path)
            if objects:
                self._inline.extend(_inline(objects, spec.data_key, spec.mime_key))

    def found_any(self) -> bool:
        """Whether :meth:`images` would find one, without building any: every stream asks at
        its end, and building the images there cost each stream call several microseconds."""
        return bool(self._inline) or any(_names_image("".join(texts)) for texts in self._text.values())

    def problems(self) -> list[str]:
        """The data URLs in the text gathered so far that are not base64 images (see
        :func:`inline_image_problems`; inline objects are checked chunk by chunk)."""
        return [problem for path, texts in self._text.items() for problem in _data_url_problems("".join(texts), path)]

    def images(self) -> list[Image]:
        found: list[Image] = []
        for texts in self._text.values():
            found.extend(find_urls("".join(texts)))
        return _dedup(found + self._inline)
