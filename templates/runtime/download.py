"""Image downloads written to disk as they arrive (``save_image`` / ``save_images``).

A generated image can be tens of megabytes: the body goes to ``<stem>.part`` chunk by
chunk, never whole in memory, and is renamed to ``<stem><extension>`` only once complete,
so a failed or cancelled download leaves no file behind. The extension comes from the
first bytes (the image's own magic number), else from the URL's; a page instead of an
image (an expired link answering 200 with HTML or JSON) is an error before anything is
written. The I/O loop is the client's (sync or async); this class does the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .errors import RelayError
from .images import extension_of, safe_stem

if TYPE_CHECKING:
    import httpx

    from .decode import Exchange

__all__ = ["DownloadProgress", "FileDownload", "refuse_page"]

# on_progress(index, written, total): the image's 1-based place in the reply, the bytes
# written so far, and the total when the server sent a Content-Length (else None).
DownloadProgress = Callable[[int, int, int | None], None]

_SNIFF_BYTES = 16


def refuse_page(response: httpx.Response, exchange: Exchange) -> None:
    """Raise when a download answered with a page, not an image: an expired link often
    answers 200 with an HTML or JSON error page."""
    kind = response.headers.get("content-type", "")
    if kind.startswith(("text/html", "application/json")):
        raise RelayError(
            f"download did not return an image (content type {kind})",
            **exchange.facts(response),
        )


class FileDownload:
    """One response body written to ``directory``; ``write`` each chunk, then ``finish``
    (or ``discard`` on failure)."""

    def __init__(
        self,
        response: httpx.Response,
        exchange: Exchange,
        directory: str | Path,
        stem: str,
        fallback_extension: str,
        *,
        index: int = 1,
        on_progress: DownloadProgress | None = None,
    ) -> None:
        refuse_page(response, exchange)
        self._folder = Path(directory)
        self._stem = safe_stem(stem)
        self._fallback = fallback_extension
        self._index, self._on_progress = index, on_progress
        length = response.headers.get("content-length", "")
        self._total = int(length) if length.isdigit() else None
        self._written = 0
        self._head = b""  # the first bytes, kept until they name the image's type
        self._folder.mkdir(parents=True, exist_ok=True)
        self._partial = self._folder / (self._stem + ".part")
        self._file: IO[bytes] | None = self._partial.open("wb")

    def write(self, chunk: bytes) -> None:
        assert self._file is not None, "write after finish or discard"
        if len(self._head) < _SNIFF_BYTES:
            self._head += chunk[: _SNIFF_BYTES - len(self._head)]
        self._file.write(chunk)
        self._written += len(chunk)
        if self._on_progress is not None:
            self._on_progress(self._index, self._written, self._total)

    def finish(self) -> Path:
        """Close the file and give it its name; returns the path."""
        assert self._file is not None, "finish after finish or discard"
        self._file.close()
        self._file = None
        target = self._folder / (self._stem + extension_of(self._head, self._fallback))
        self._partial.replace(target)
        return target

    def discard(self) -> None:
        """Close and delete the partial file (a failed or cancelled download)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._partial.unlink(missing_ok=True)
