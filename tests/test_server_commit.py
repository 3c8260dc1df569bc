"""Group commit: the jobs queued while a batch runs form the next batch, and each caller gets its own result."""

from __future__ import annotations

import threading
import time

import pytest

from workflow.server.commit import GroupCommit


def wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_jobs_queued_during_a_batch_run_together_next_each_with_its_own_result():
    commit, batches, release = GroupCommit(), [], threading.Event()
    results: dict[int, int] = {}

    def run(jobs: list[int]) -> list[int]:
        batches.append(list(jobs))
        if len(batches) == 1:
            release.wait(5)         # the first batch is slow: the others queue meanwhile
        return [job * 10 for job in jobs]

    def submit(job: int) -> None:
        results[job] = commit.submit("catalog", job, run)

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    wait_until(lambda: batches)
    others = [threading.Thread(target=submit, args=(n,)) for n in range(1, 6)]
    for thread in others:
        thread.start()
    wait_until(lambda: len(commit._queued.get("catalog", ())) == 5)
    release.set()
    for thread in (first, *others):
        thread.join(5)
    assert results == {n: n * 10 for n in range(6)}
    assert batches[0] == [0] and sorted(batches[1]) == [1, 2, 3, 4, 5] and len(batches) == 2


def test_an_error_in_a_batch_reaches_every_job_in_it_and_not_the_next():
    commit, calls = GroupCommit(), []

    def broken(jobs):
        calls.append(jobs)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        commit.submit("catalog", 1, broken)
    assert commit.submit("catalog", 2, lambda jobs: ["fine"] * len(jobs)) == "fine"
    with pytest.raises(RuntimeError, match="gave 0 results"):
        commit.submit("catalog", 3, lambda jobs: [])


def test_many_threads_at_once_lose_no_job_and_batch_per_key():
    commit, seen, lock = GroupCommit(), [], threading.Lock()

    def run(jobs):
        with lock:
            seen.append(jobs)
        assert len({key for key, _ in jobs}) == 1           # one key's jobs only
        time.sleep(0.01)
        return [f"{key}:{n}" for key, n in jobs]

    out: list[str] = []
    start = threading.Barrier(40)

    def submit(key: str, n: int) -> None:
        start.wait()
        out.append(commit.submit(key, (key, n), run))

    threads = [threading.Thread(target=submit, args=("ab"[n % 2], n)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(out) == sorted(f"{'ab'[n % 2]}:{n}" for n in range(40))
    assert sum(len(batch) for batch in seen) == 40 and len(seen) < 40
