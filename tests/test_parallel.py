"""The work spread over forked processes (generator/parallel.py): how it is cut into chunks, and
that what comes back is every item's result, in order."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.parallel import CHUNK_MAX, CHUNK_MIN, can_fork, chunks, fork_iter, fork_map


@given(count=st.integers(min_value=0, max_value=40_000), workers=st.integers(min_value=1, max_value=8))
@settings(max_examples=300, deadline=None)
def test_the_chunks_cover_every_item_once_in_order_and_shrink_towards_the_end(count: int, workers: int):
    found = chunks(count, workers)
    assert [i for start, stop in found for i in range(start, stop)] == list(range(count))
    sizes = [stop - start for start, stop in found]
    assert all(0 < size <= CHUNK_MAX for size in sizes)
    assert all(size >= CHUNK_MIN for size in sizes[:-1])  # only the last may be smaller
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)  # guided: never larger than the one before
    if count > 4 * CHUNK_MAX * workers:  # the tail is a few items, not a full chunk
        assert sizes[-2] <= 2 * CHUNK_MIN


def test_the_last_chunks_are_small_where_even_ones_kept_a_worker_waiting():
    # 1,000 Markdown bodies on two workers: even chunks of 125 (~0.1 s each) made one worker wait
    # for the other's last; the last ones now hold 16 items or fewer
    sizes = [stop - start for start, stop in chunks(1000, 2)]
    assert sizes[0] == CHUNK_MAX and max(sizes[-4:]) <= CHUNK_MIN


def _needs_fork():
    if not can_fork():  # CI has two cores: there this must run
        assert not os.environ.get("CI"), "forking should be possible in CI"
        pytest.skip("forking is not possible here (one core, or another thread running)")


def _squares(state, items):
    return [state + item * item for item in items]


@pytest.mark.parametrize("count", [0, 1, 17, 300, 2_345])
def test_fork_map_and_fork_iter_give_each_items_result_in_order(count: int):
    _needs_fork()
    items = list(range(count))
    expected = [1 + item * item for item in items]
    assert fork_map(_squares, 1, items, workers=2) == expected
    assert list(fork_iter(_squares, 1, items, workers=3)) == expected


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


def _fails_at(state, items):
    if state in items:
        raise ValueError(f"no result for {state}")
    return [item * 2 for item in items]


def _exits_at(state, items):
    if state in items:
        os._exit(3)  # a worker killed mid-chunk (out of memory, a signal)
    return list(items)


def _big(state, items):
    return [bytes([item % 256]) * state for item in items]


def test_a_workers_exception_is_raised_here_with_its_traceback_and_the_workers_are_stopped():
    from generator import parallel
    _needs_fork()
    before = _open_fds()
    with pytest.raises(ValueError, match="no result for 700") as raised:
        fork_map(_fails_at, 700, list(range(1000)), workers=2)
    assert "in a worker process" in str(raised.value.__cause__)
    assert "_fails_at" in str(raised.value.__cause__)  # where it was raised, in the worker
    parallel.reap(wait=True)
    assert not parallel._EXITING and _open_fds() == before


def test_a_worker_that_dies_makes_an_error_here_not_a_wait_for_ever():
    from generator import parallel
    _needs_fork()
    with pytest.raises(RuntimeError, match="ended before it sent its results"):
        fork_map(_exits_at, 500, list(range(1000)), workers=2)
    parallel.reap(wait=True)
    assert not parallel._EXITING


def test_an_iterator_closed_early_stops_its_workers_and_leaves_no_pipe_open():
    from generator import parallel
    _needs_fork()
    before = _open_fds()
    results = fork_iter(_squares, 0, list(range(5000)), workers=2)
    assert [next(results) for _ in range(10)] == [n * n for n in range(10)]
    results.close()  # (render_pages, at a template's syntax error)
    parallel.reap(wait=True)
    assert not parallel._EXITING and _open_fds() == before


def test_more_chunks_than_the_tasks_pipe_holds_and_results_larger_than_a_results_pipe(monkeypatch):
    from generator import parallel
    _needs_fork()
    monkeypatch.setattr(parallel, "CHUNK_MAX", 1)
    monkeypatch.setattr(parallel, "CHUNK_MIN", 1)  # 20,000 chunks: 80 KB of their numbers, past 64 KB
    items = list(range(20_000))
    assert fork_map(_squares, 3, items, workers=2) == [3 + n * n for n in items]
    monkeypatch.undo()
    big = fork_map(_big, 300_000, list(range(40)), workers=2)  # 12 MB, in chunks of 3 MB
    assert big == [bytes([n]) * 300_000 for n in range(40)]


def test_a_childs_result_is_taken_before_it_has_exited_and_it_is_reaped_later():
    """Child.result returns as soon as the child's whole result is read, without waiting for the
    child to exit (~7 ms for one holding a site's memory); the exited children are reaped when the
    next one starts (or at exit), so a process making many builds gathers no zombies."""
    from generator import parallel
    _needs_fork()
    pids = []
    for n in range(5):
        child = parallel.Child.start(_squares, n, [1, 2])
        pids.append(child.pid)
        assert child.result() == [n + 1, n + 4]
    parallel.reap(wait=True)
    assert not set(pids) & set(parallel._EXITING)
    for pid in pids:
        with pytest.raises(ChildProcessError):  # reaped already
            os.waitpid(pid, os.WNOHANG)
    failing = parallel.Child.start(_squares, None, [1])  # None + 1: the child fails
    assert failing.result() is parallel.FAILED and failing.pid not in parallel._EXITING


def test_two_processes_hash_the_post_views_from_both_ends_until_they_meet():
    """cache.SharedHashing: this process hashes from the first value on, a forked child from the
    last back, each telling the other how far it came; what the child made is kept on the values.
    Every value ends with its own fingerprint, whoever made it, however late the child starts."""
    from dataclasses import dataclass

    from generator.cache import SharedHashing, fingerprint
    from generator.parallel import Child

    @dataclass(frozen=True)
    class View:
        KEEPS_FINGERPRINT = True
        title: str
        number: int

    for late in (0.0, 0.02, 0.5):
        views = tuple(View(f"bài {n}" * (n % 7), n) for n in range(3000))
        expected = [fingerprint(View(v.title, v.number), {}) for v in views]
        sharing = SharedHashing(views)
        child = Child.start(_hash_from_end, sharing, late) if can_fork() else None
        sharing.from_start({})
        made = child.result() if child is not None else None
        if child is not None:  # (where they met depends on the machine's load)
            start, prints = made
            assert 0 <= start <= len(views) and len(prints) == len(views) - start
        sharing.keep(made)
        assert [view.__dict__["_fingerprint"] for view in views] == expected
    sharing.keep((5, [b"H" * 17]))  # not what was asked for: nothing kept
    assert sharing.keep(None) is None


def _hash_from_end(sharing, late: float):
    import time
    time.sleep(late)
    return sharing.from_end({})
