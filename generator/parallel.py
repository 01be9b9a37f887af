"""Work spread over the cores with forked processes (the parent's state is inherited, not pickled)."""
from __future__ import annotations

import atexit
import gc
import os
import pickle
import select
import selectors
import signal
import struct
import threading
import traceback
from typing import Callable, Iterator, Sequence

try:
    import fcntl
except ImportError:  # Windows, where nothing is forked
    fcntl = None

_state = None  # set just before forking; the workers inherit it
_items: Sequence = ()  # likewise: workers are sent index ranges, not pickled items


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


SAFE_THREADS = ("outreach-progress",)  # only waits and writes the progress line; workers never print


def can_fork() -> bool:
    """Forking is safe only with no other thread running (the dev server has several)."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and t.name not in SAFE_THREADS]
    return hasattr(os, "fork") and not others and cpu_count() > 1


def fork_map(function: Callable, state, items: Sequence, workers: int | None = None) -> list:
    """[function(state, chunk) ...] over a few chunks per worker, flattened back into ITEMS' order.

    FUNCTION must be a module-level function returning a list (one result per item). Workers
    inherit STATE and ITEMS when forked: only index ranges go to them (pickling the pages' data,
    every post view they list, cost more than rendering them), and only results come back."""
    return list(fork_iter(function, state, items, workers))


def fork_iter(function: Callable, state, items: Sequence, workers: int | None = None) -> Iterator:
    """As ``fork_map``, but yields each item's result, in order, as soon as its chunk is done: the
    caller can write pages while the workers render the next ones, holding only a few at once.

    The workers are forked here and take the chunks' numbers from a pipe, one at a time, each
    sending its chunks' results back, pickled, through a pipe of its own, which this process reads
    as it goes. (multiprocessing's Pool, used before, cost ~20 ms more a pool, three a cold build:
    its workers were started, and its threads, before the first chunk was handed out, and its
    results went through a thread of the parent that took the interpreter's lock from the main one.)
    A chunk whose function raised stops the work and raises here; closing the iterator early stops
    the workers."""
    global _state, _items
    workers = workers or min(cpu_count(), 8)
    spans = chunks(len(items), workers)
    if not spans:
        return
    reap()
    _state, _items = state, items
    # What the workers inherit is moved out of the collector's sight first: a collection in a worker
    # would otherwise walk the whole inherited heap (the site graph, millions of objects) and, by
    # touching each object, make the worker copy every page of it.
    gc.freeze()
    try:
        pool = _Workers(function, spans, min(workers, len(spans)))
    finally:
        _state, _items = None, ()
        gc.unfreeze()
    try:
        yield from pool.results()
    finally:
        pool.close()


_HEAD = struct.Struct("<IQ")  # a result's chunk number (with FAILED_BIT if it raised) and its pickle's length
_FAILED_BIT = 1 << 31
_TASK = struct.Struct("<I")  # a chunk's number, as the workers take it from the tasks' pipe
_TASKS_AT_ONCE = select.PIPE_BUF // _TASK.size * _TASK.size if hasattr(select, "PIPE_BUF") else 512


class _Failure:
    """An exception raised in a worker, sent back with its traceback as text (as multiprocessing's)."""

    def __init__(self, error: BaseException):
        self.text = "".join(traceback.format_exception(error))
        try:
            self.error = pickle.loads(pickle.dumps(error))
        except Exception:  # noqa: BLE001 - one that does not pickle is told by its text alone
            self.error = RuntimeError(self.text)

    def raised(self) -> BaseException:
        self.error.__cause__ = RuntimeError("in a worker process:\n" + self.text)
        return self.error


class _Workers:
    """WORKERS forked processes doing FUNCTION(_state, _items[start:stop]) for each (start, stop)
    of SPANS they take from the tasks' pipe."""

    def __init__(self, function: Callable, spans: list[tuple[int, int]], workers: int):
        self.spans, self.done = spans, {}
        self.pids: list[int] = []
        self.finished = False
        self.reading: dict[int, _Reading] = {}
        self.selector: selectors.BaseSelector | None = None  # made after the forks: the workers need none
        tasks, self.tasks = os.pipe()
        # every chunk's number, written now as far as the pipe holds them (all, but for millions of
        # items), the rest as the workers take them (pump)
        self.pending = memoryview(b"".join(_TASK.pack(number) for number in range(len(spans))))
        os.set_blocking(self.tasks, False)
        self._hand_out()
        try:
            for _ in range(workers):
                reader, writer = os.pipe()
                _grow(reader)
                pid = os.fork()
                if pid == 0:  # the worker: never returns
                    try:
                        os.close(reader)
                        os.close(self.tasks)
                        for other in self.reading:
                            os.close(other)
                    finally:
                        _work(function, spans, tasks, writer)
                os.close(writer)
                os.set_blocking(reader, False)
                self.pids.append(pid)
                self.reading[reader] = _Reading()
        except BaseException:
            self.close()
            raise
        finally:
            os.close(tasks)
        self.selector = selectors.DefaultSelector()
        for reader in self.reading:
            self.selector.register(reader, selectors.EVENT_READ)
        if self.pending:
            self.selector.register(self.tasks, selectors.EVENT_WRITE)
        else:
            self._close_tasks()

    def _hand_out(self) -> None:
        while self.pending:
            try:  # at most PIPE_BUF bytes at once: written whole or not at all, never half a number
                written = os.write(self.tasks, self.pending[:_TASKS_AT_ONCE])
            except BlockingIOError:
                return
            except BrokenPipeError:  # no worker left to take them: results() tells
                self.pending = memoryview(b"")
                return
            self.pending = self.pending[written:]

    def _close_tasks(self) -> None:
        if self.tasks is not None:
            os.close(self.tasks)
            self.tasks = None

    def results(self) -> Iterator:
        for number in range(len(self.spans)):
            while number not in self.done:
                if not self.reading:
                    raise RuntimeError("a worker process ended before it sent its results")
                self.pump(None)
            failed, data = self.done.pop(number)
            found = pickle.loads(data)
            del data
            if failed:
                raise found.raised()
            for index, result in enumerate(found):
                yield result
                if index & 15 == 15:  # the workers' results read as they come, their pipes not left full
                    self.pump(0)
        self.finished = True

    def pump(self, timeout: float | None) -> None:
        """Reads what the workers have sent (waiting up to TIMEOUT for some) and hands out more chunks."""
        for key, _ in self.selector.select(timeout):
            fd = key.fd
            if fd == self.tasks:
                self._hand_out()
                if not self.pending:
                    self.selector.unregister(fd)
                    self._close_tasks()
                continue
            reading = self.reading[fd]
            try:
                while reading.read(fd, self.done):
                    pass
            except BlockingIOError:  # all that was sent is read
                continue
            self.selector.unregister(fd)  # the worker has gone
            os.close(fd)
            del self.reading[fd]

    def close(self) -> None:
        """Lets go of the pipes; workers still at work (the caller stopped early, or failed) are
        stopped. Each is reaped later (reap), not waited for here: a worker holding a site's memory
        takes a few milliseconds to exit."""
        for fd in list(self.reading):
            os.close(fd)
        self.reading.clear()
        if self.selector is not None:
            self.selector.close()
        self._close_tasks()
        for pid in self.pids:
            if not self.finished:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            _EXITING.append(pid)
        self.pids = []


class _Reading:
    """What has come of one worker's results so far: the head of the next (its chunk's number and
    length), then its pickle, read straight into a buffer of its length (one copy: gathering reads
    into one growing buffer and cutting frames out of it cost ten times as much, ~50 ms at 10k posts)."""

    def __init__(self):
        self.head = bytearray()
        self.body: bytearray | None = None
        self.filled = 0
        self.number = 0

    def read(self, fd: int, done: dict) -> bool:
        """Reads once from FD (non-blocking: BlockingIOError when nothing is there); a whole result
        goes into DONE as (failed, pickle) by its chunk's number. False once the pipe is closed."""
        if self.body is None:
            data = os.read(fd, _HEAD.size - len(self.head))
            if not data:
                return False
            self.head += data
            if len(self.head) == _HEAD.size:
                self.number, size = _HEAD.unpack(self.head)
                self.head.clear()
                self.body, self.filled = bytearray(size), 0
        else:
            got = os.readv(fd, [memoryview(self.body)[self.filled:]])
            if not got:
                return False
            self.filled += got
        if self.body is not None and self.filled == len(self.body):
            done[self.number & ~_FAILED_BIT] = (self.number & _FAILED_BIT, self.body)
            self.body = None
        return True


def _grow(fd: int) -> None:
    """A result pipe made to hold 1 MiB (Linux), so a worker seldom waits for it to be read."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (AttributeError, OSError):
        pass


def _work(function: Callable, spans: list[tuple[int, int]], tasks: int, out: int) -> None:
    """A worker's life: each chunk whose number it reads from TASKS done, its results written to OUT."""
    code = 1
    try:
        gc.enable()  # (on in the workers, even if the parent paused it while it builds: build.py)
        while True:
            task = os.read(tasks, _TASK.size)  # a whole number: it was written whole, and reads hold the pipe
            if not task:
                break
            number, = _TASK.unpack(task)
            start, stop = spans[number]
            try:
                data = pickle.dumps(function(_state, _items[start:stop]), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as error:  # noqa: BLE001 - sent back, raised in the parent
                data = pickle.dumps(_Failure(error), protocol=pickle.HIGHEST_PROTOCOL)
                number |= _FAILED_BIT
            _write_all(out, _HEAD.pack(number, len(data)))
            _write_all(out, data)
            if number & _FAILED_BIT:
                break
        code = 0
    except BaseException:  # noqa: BLE001 - stopped (the parent's interrupt, a closed pipe): quietly
        pass
    finally:
        os._exit(code)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


CHUNK_MAX = 250  # items per chunk at most: what comes back at once stays small (pages are ~15 KB each)
CHUNK_MIN = 16  # and at least, but for the last: each costs the pool a round trip


def chunks(count: int, workers: int) -> list[tuple[int, int]]:
    """(start, stop) of the chunks COUNT items are handed out in: each a share of what is left, so
    they shrink towards the end (guided scheduling). The pool ends when its last chunk does; with
    even chunks, a worker that took the last one kept the others waiting ~half a chunk's time (at
    N=10,000, 250 bodies of Markdown: ~0.1 s of one core), with shrinking ones a few items'."""
    found, start = [], 0
    while start < count:
        size = min(CHUNK_MAX, max(CHUNK_MIN, -(-(count - start) // (workers * 2))))
        found.append((start, min(start + size, count)))
        start += size
    return found


FAILED = object()  # what Child.result gives when the child did not make its result


class Child:
    """FUNCTION(*ARGS) run in a forked child, which inherits ARGS, while the caller goes on;
    ``result`` waits for it and returns what it returned (sent back pickled), or FAILED."""

    def __init__(self, pid: int, reader: int):
        self.pid, self.reader = pid, reader

    @classmethod
    def start(cls, function: Callable, *args) -> "Child | None":
        """The child at work, or None where forking is unsafe (can_fork) or failed."""
        if not can_fork():
            return None
        reap()
        try:
            reader, writer = os.pipe()
            _grow(writer)  # most results are read once the child is done: 2 MB in 64 KB turns cost 10-15 ms
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(reader)
                data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(writer, "wb") as pipe:
                    pipe.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        return cls(pid, reader)

    def result(self):
        with os.fdopen(self.reader, "rb") as pipe:
            data = pipe.read()
        try:  # a whole pickle: the child wrote it all, then only exits (~7 ms for one that holds a
            # site's memory): it is reaped later (reap) rather than waited for here
            found = pickle.loads(data) if data else FAILED
        except Exception:  # noqa: BLE001 - cut short: the child failed
            found = FAILED
        if found is FAILED:
            os.waitpid(self.pid, 0)
        else:
            _EXITING.append(self.pid)
        return found


_EXITING: list[int] = []  # children whose result is in, still to be reaped


def reap(wait: bool = False) -> None:
    """Reaps the children whose results are in and that have exited since (all of them, if WAIT),
    so that a process making many builds (the tests) does not gather zombies."""
    for pid in list(_EXITING):
        try:
            done, _ = os.waitpid(pid, 0 if wait else os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _EXITING.remove(pid)


atexit.register(reap, True)


class Awaited:
    """A result made elsewhere: calling it waits for it and returns it. SHARING: what the caller
    may do meanwhile alongside the work awaited (build.load_site: the post views' hashing)."""

    def __init__(self, result: Callable[[], object], sharing=None):
        self.result, self.sharing = result, sharing

    def __call__(self):
        return self.result()


def in_child(function: Callable, *args) -> Awaited:
    """FUNCTION(*ARGS) started in a forked child (Child) while the caller goes on (the second core
    idles while the parent alone fingerprints the site graph); the Awaited returned waits for it
    and returns its result. Where forking is unsafe, or if the child fails, it runs FUNCTION(*ARGS)
    here instead: the result is the same."""
    work = [function, args]  # let go once the result is in: ARGS may hold a whole site's content
    child = Child.start(function, *args)

    def result():
        found = child.result() if child is not None else FAILED
        if found is FAILED:
            function, args = work
            found = function(*args)
        work.clear()
        return found

    return Awaited(result)
