"""Work spread over the cores with forked processes (the parent's state is inherited, not pickled)."""
from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import pickle
import threading
from typing import Callable, Iterator, Sequence

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
    return "fork" in multiprocessing.get_all_start_methods() and not others and cpu_count() > 1


def _call(job):
    function, start, stop = job
    return function(_state, _items[start:stop])


def fork_map(function: Callable, state, items: Sequence, workers: int | None = None) -> list:
    """[function(state, chunk) ...] over a few chunks per worker, flattened back into ITEMS' order.

    FUNCTION must be a module-level function returning a list (one result per item). Workers
    inherit STATE and ITEMS when forked: only index ranges go to them (pickling the pages' data,
    every post view they list, cost more than rendering them), and only results come back."""
    return list(fork_iter(function, state, items, workers))


def fork_iter(function: Callable, state, items: Sequence, workers: int | None = None) -> Iterator:
    """As ``fork_map``, but yields each item's result, in order, as soon as its chunk is done: the
    caller can write pages while the workers render the next ones, holding only a few at once."""
    global _state, _items
    workers = workers or min(cpu_count(), 8)
    jobs = [(function, start, stop) for start, stop in chunks(len(items), workers)]
    _state, _items = state, items
    # What the workers inherit is moved out of the collector's sight first: a collection in a worker
    # would otherwise walk the whole inherited heap (the site graph, millions of objects) and, by
    # touching each object, make the worker copy every page of it.
    gc.freeze()
    try:
        # (collection is on in the workers, even if the parent paused it while it builds: build.py)
        with multiprocessing.get_context("fork").Pool(workers, initializer=gc.enable) as pool:
            for part in pool.imap(_call, jobs):
                yield from part
    finally:
        _state, _items = None, ()
        gc.unfreeze()


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
