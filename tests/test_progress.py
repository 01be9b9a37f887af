"""The progress line: drawn only on a terminal, only once a build has taken longer than the delay."""
from __future__ import annotations

import io
import time

from generator.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_after_the_delay_and_cleared():
    stream = Terminal()
    with Progress(stream, {"making pages": "đang tạo các trang"}.get, delay=0.05, interval=0.01) as progress:
        progress.stage("making pages")
        time.sleep(0.3)
    text = stream.getvalue()
    assert "đang tạo các trang" in text and " s" in text
    assert text.endswith("\r\x1b[K")  # the line is left clean for the summary


def test_quick_builds_and_pipes_get_no_progress():
    quick = Terminal()
    with Progress(quick, delay=1.0) as progress:
        progress.stage("reading content")
    assert quick.getvalue() == ""
    piped = io.StringIO()
    with Progress(piped, delay=0.0, interval=0.01) as progress:
        progress.stage("reading content")
        time.sleep(0.05)
    assert piped.getvalue() == ""
