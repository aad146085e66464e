"""What the ``imagerelay`` command shows while it works, on stderr.

On a terminal, live bars drawn by rich (status and percentage while a task is polled, chunk
counts while a stream runs, bytes while an image downloads, items while a batch runs);
otherwise plain lines, each new state once, so logs and CI output stay readable.

Messages are built from provider ids, relay statuses and counts, never from a key. A
status comes from the relay, so it is untrusted: control characters (a terminal escape
sequence) are replaced and rich markup is escaped before anything is shown.
"""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO

__all__ = ["BatchProgress", "CallProgress", "printable"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WIDTH = 120


def printable(text: str) -> str:
    """``text`` with control characters replaced, cut to one screen line."""
    return _CONTROL.sub("?", text)[:_WIDTH]


def _is_terminal(stream: TextIO) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


class _Bars:
    """rich's live display on ``stream``; every description is escaped."""

    def __init__(self, stream: TextIO, *, counted: bool = False) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        amount = MofNCompleteColumn() if counted else TaskProgressColumn()
        self.display = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), amount,
                                TimeElapsedColumn(), console=Console(file=stream), transient=False)
        self.display.start()

    def add(self, description: str, total: float | None) -> Any:
        return self.display.add_task(self._escaped(description), total=total)

    def update(self, task: Any, description: str | None = None, **values: Any) -> None:
        if description is not None:
            values["description"] = self._escaped(description)
        self.display.update(task, **values)

    def say(self, line: str) -> None:
        """A line above the bars (they stay live below it)."""
        self.display.console.print(printable(line), markup=False, highlight=False)

    def stop(self) -> None:
        self.display.stop()

    @staticmethod
    def _escaped(text: str) -> str:
        from rich.markup import escape

        return escape(printable(text))


class CallProgress:
    """One ``generate``: each attempt's status (with its fraction when the relay gives one),
    then each image download."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bars = _Bars(self.stream) if _is_terminal(self.stream) else None
        self.status_task: Any = None
        self.downloads: dict[int, Any] = {}
        self.last = ""

    def status(self, message: str, fraction: float | None) -> None:
        if self.bars is None:
            self._line(message if fraction is None else f"{message} {fraction:.0%}")
            return
        if self.status_task is None:
            self.status_task = self.bars.add(message, total=None)
        total, completed = (None, 0.0) if fraction is None else (1.0, fraction)
        self.bars.update(self.status_task, message, total=total, completed=completed)

    def download(self, index: int, written: int, total: int | None) -> None:
        amount = f"image {index}: {written // 1024:,} KiB" + ("" if total is None else f" of {total // 1024:,}")
        if self.bars is not None:
            if index not in self.downloads:
                self.downloads[index] = self.bars.add(amount, total=total)
            self.bars.update(self.downloads[index], amount, total=total, completed=written)
        elif index not in self.downloads:  # plain lines: once when it starts
            self.downloads[index] = None
            self._line(f"downloading image {index}" + ("" if total is None else f" ({total // 1024:,} KiB)"))

    def end(self) -> None:
        if self.bars is not None:
            self.bars.stop()

    def _line(self, message: str) -> None:
        message = printable(message)
        if message != self.last:
            self.last = message
            self.stream.write(message + "\n")
            self.stream.flush()


class BatchProgress:
    """A batch: items finished out of the total, and each item that did not finish."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.finished, self.shown_tenths = total, 0, 0
        self.bars = _Bars(self.stream, counted=True) if _is_terminal(self.stream) else None
        self.task = None if self.bars is None else self.bars.add("batch", total=total)

    def item(self, key: str, state: str, reason: str) -> None:
        """``key`` reached ``state``: done, failed, uncertain, unsent, or submitted (still running)."""
        self.finished += 1
        if state not in ("done", "submitted"):
            line = f"{key}: {state}: {reason}"
            if self.bars is not None:
                self.bars.say(line)
            else:
                self.stream.write(printable(line) + "\n")
        if self.bars is not None:
            self.bars.update(self.task, completed=self.finished)
            return
        tenths = self.finished * 10 // max(self.total, 1)
        if tenths > self.shown_tenths:  # a plain line every tenth of the batch
            self.shown_tenths = tenths
            self.stream.write(f"batch: {self.finished}/{self.total} items\n")
        self.stream.flush()

    def end(self) -> None:
        if self.bars is not None:
            self.bars.stop()
