"""A one-line progress display for builds that take a while, on a terminal only.

Nothing is drawn for the first second (most builds are done by then), nor when the stream is not
a terminal (CI logs, pipes, editors), so captured output stays exactly the errors and the summary.
"""
from __future__ import annotations

import threading
import time
from typing import Callable, TextIO

SPINNER = "|/-\\"


class Progress:
    """Use as a context manager; the build calls ``stage(msgid)`` as it moves on."""

    def __init__(self, stream: TextIO, translate: Callable[[str], str] = lambda s: s, delay: float = 1.0,
                 interval: float = 0.1, enabled: bool = True):
        self.stream = stream
        self.translate = translate
        self.delay = delay
        self.interval = interval
        self.enabled = enabled and _is_terminal(stream)
        self._stage = ""
        self._started = 0.0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False

    def stage(self, message: str) -> None:
        self._stage = message

    def __enter__(self) -> "Progress":
        self._started = time.monotonic()
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="outreach-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self._drawn:
            self.stream.write("\r\x1b[K")  # leave the line clean for the summary or the errors
            self.stream.flush()

    def _run(self) -> None:
        if self._done.wait(self.delay):
            return
        turn = 0
        while not self._done.is_set():
            elapsed = time.monotonic() - self._started
            text = self.translate(self._stage) if self._stage else ""
            self.stream.write(f"\r\x1b[K{SPINNER[turn % len(SPINNER)]} {text} {elapsed:.1f} s")
            self.stream.flush()
            self._drawn = True
            turn += 1
            self._done.wait(self.interval)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
