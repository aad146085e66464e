"""What the ``imagerelay`` command shows while it works (issue 15, item 5): rich bars on a
terminal, plain lines otherwise, and never a relay's control characters or markup."""

from __future__ import annotations

import io

from imagerelay._runtime.progress import BatchProgress, CallProgress, printable

# A status a hostile relay could send: a terminal title escape (OSC), a colour, rich markup.
HOSTILE = "RUNNING\x1b]0;pwned\x07 \x1b[31mred [link=file:///etc/passwd]click[/link] [/]"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_printable_replaces_control_characters_and_keeps_one_line() -> None:
    assert printable("a\x1b[31mb\nc\x9bd") == "a?[31mb?c?d"
    assert len(printable("x" * 500)) == 120


def test_plain_lines_show_each_state_once_and_each_download_once() -> None:
    stream = io.StringIO()
    progress = CallProgress(stream)
    for message, fraction in (("p (m): sending", None), ("p (m): RUNNING", 0.25), ("p (m): RUNNING", 0.25),
                              ("p (m): RUNNING", 0.5), (HOSTILE, None)):
        progress.status(message, fraction)
    for written in (0, 1024, 2048):
        progress.download(1, written, 2048)
    progress.end()
    lines = stream.getvalue().splitlines()
    assert lines[:3] == ["p (m): sending", "p (m): RUNNING 25%", "p (m): RUNNING 50%"]
    assert lines[3] == printable(HOSTILE) and "\x1b" not in stream.getvalue() and "\x07" not in stream.getvalue()
    assert lines[4:] == ["downloading image 1 (2 KiB)"]


def test_a_terminal_gets_live_bars_with_the_relay_text_made_harmless() -> None:
    stream = Terminal()
    progress = CallProgress(stream)
    progress.status(HOSTILE, 0.5)
    progress.download(1, 1024, 4096)
    progress.end()
    shown = stream.getvalue()
    assert "\x1b]0;pwned" not in shown and "\x07" not in shown  # no escape of the relay's reaches the terminal
    assert "[link=file:///etc/passwd]click" in shown  # markup shown as text, not interpreted
    assert "image 1: 1 KiB of 4" in shown and "50%" in shown


def test_batch_progress_plain_lines_every_tenth_and_each_item_that_did_not_finish() -> None:
    stream = io.StringIO()
    progress = BatchProgress(20, stream)
    for index in range(20):
        progress.item(f"i{index}", "failed" if index == 3 else "done", "HTTP 500\x1b[2J" if index == 3 else "")
    progress.end()
    lines = stream.getvalue().splitlines()
    assert "i3: failed: HTTP 500?[2J" in lines
    assert [line for line in lines if line.startswith("batch:")] == [f"batch: {n}/20 items" for n in range(2, 21, 2)]


def test_batch_progress_on_a_terminal_keeps_failures_above_the_bar() -> None:
    stream = Terminal()
    progress = BatchProgress(2, stream)
    progress.item("a", "uncertain", "interrupted [bold]x[/bold]")
    progress.item("b", "done", "")
    progress.end()
    shown = stream.getvalue()
    assert "a: uncertain: interrupted [bold]x[/bold]" in shown and "2/2" in shown
