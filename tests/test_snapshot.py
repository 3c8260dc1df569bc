"""The publish snapshot: walked by two processes, in the order of its paths, digested the same in any order.

A no-op publish is one walk of the project and one digest
(:func:`workflow.publish.snapshot`, :func:`~workflow.publish.state_digest`).
A forked child walks ``output/`` and ``locales/templates/``
(:class:`workflow.parallel.Forked`); whatever happens to the child, the
answer is the one a single process gives.
"""

from __future__ import annotations

import os
import random
import threading

import pytest

import workflow.parallel
from workflow.config import load_config
from workflow.errors import LocumError
from workflow.parallel import Forked
from workflow.publish import snapshot, state_digest


@pytest.fixture
def forking(monkeypatch):
    """Fork as the CLI does, even in a test runner that has threads of its own."""
    monkeypatch.setenv("LOCUM_WORKERS", "2")
    monkeypatch.setattr(workflow.parallel, "_threads", lambda: 1)


def odd_names(root):
    """Names that sort differently as paths and as folder names: ``a-b`` before ``a/``, and around templates/."""
    for path in ("locales/templates-old/note.txt", "locales/templatesX", "locales/templates/gb/zz/deep.pot",
                 "output/pl-GB/pain-relief-old/index.html", "output/pl-GB/pain-relief.html",
                 "output/pl-GB/pain-relief/sub/a.txt"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("x\n", encoding="utf-8")


def test_the_snapshot_comes_in_the_order_of_its_paths(site_project, locum, forking, monkeypatch):
    assert locum(site_project, "publish").code == 0
    odd_names(site_project)
    config = load_config(site_project)
    inputs, outputs = snapshot(config)
    assert list(inputs) == sorted(inputs) and list(outputs) == sorted(outputs)
    assert "locales/templates-old/note.txt" in inputs and "locales/templates/gb/zz/deep.pot" in inputs
    assert "locales/templatesX" in inputs and "output/pl-GB/pain-relief/sub/a.txt" in outputs
    assert any(path.startswith("source/") for path in inputs) and any(path.startswith("/") for path in inputs)
    monkeypatch.setenv("LOCUM_WORKERS", "1")        # one process walks it all: the very same
    assert snapshot(config) == (inputs, outputs)


def test_the_digest_does_not_depend_on_the_order(site_project, locum):
    assert locum(site_project, "publish").code == 0
    inputs, outputs = snapshot(load_config(site_project))
    digest = state_digest((inputs, outputs), "o")
    items = list(inputs.items())
    random.Random(1).shuffle(items)
    assert state_digest((dict(items), dict(reversed(outputs.items()))), "o") == digest
    path = next(iter(outputs))
    size, mtime, ctime, inode = outputs[path]
    assert state_digest((inputs, {**outputs, path: (size, mtime + 1, ctime, inode)}), "o") != digest
    assert state_digest((inputs, outputs), "other options") != digest


def test_a_noop_publish_sees_what_the_child_walked(site_project, locum, forking):
    forks = []
    fork = os.fork
    os_fork = lambda: forks.append(1) or fork()     # noqa: E731
    workflow.parallel.os.fork = os_fork
    try:
        assert locum(site_project, "publish").code == 0
        assert "nothing changed" in locum(site_project, "publish").out
        page = site_project / "output/pl-GB/pain-relief/index.html"
        page.write_bytes(page.read_bytes() + b"\n")      # edited in place, in output/
        assert "nothing changed" not in locum(site_project, "publish").out
        assert "nothing changed" in locum(site_project, "publish").out
        template = next((site_project / "locales/templates").rglob("*.pot"))
        template.write_bytes(template.read_bytes() + b"\n")      # and in locales/templates/
        assert "nothing changed" not in locum(site_project, "publish").out
    finally:
        workflow.parallel.os.fork = fork
    assert len(forks) >= 5


def parent_only(pid: int, value: str) -> str:
    if os.getpid() != pid:
        raise RuntimeError("only the parent can")
    return value


def unfit_for_marshal() -> object:
    return {"a": object()} if os.environ.get("X") else {"a": 1}


def refuse() -> None:
    raise LocumError("nothing to walk")


def test_forked_gives_the_child_s_answer(forking):
    with Forked(sorted, "cab") as child:
        assert child.pid is not None
        assert child.result() == ["a", "b", "c"]


@pytest.mark.parametrize("function, args, expected", [
    (parent_only, (os.getpid(), "here"), "here"),       # the child failed: worked out here instead
    (dict, (), {}),
])
def test_a_failed_child_is_worked_out_here(forking, function, args, expected):
    with Forked(function, *args) as child:
        assert child.result() == expected


def test_an_answer_marshal_cannot_carry_is_worked_out_here(forking, monkeypatch):
    monkeypatch.setenv("X", "1")
    with Forked(unfit_for_marshal) as child:
        found = child.result()
    assert list(found) == ["a"] and type(found["a"]) is object


def test_an_error_is_raised_here_as_it_would_be(forking):
    with Forked(refuse) as child, pytest.raises(LocumError, match="nothing to walk"):
        child.result()


def test_no_fork_with_other_threads_or_one_worker(monkeypatch):
    monkeypatch.setenv("LOCUM_WORKERS", "2")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with Forked(sorted, "ba") as child:
            assert child.pid is None and child.result() == ["a", "b"]
    finally:
        stop.set()
        thread.join()
    monkeypatch.setattr(workflow.parallel, "_threads", lambda: 1)
    monkeypatch.setenv("LOCUM_WORKERS", "1")
    with Forked(sorted, "ba") as child:
        assert child.pid is None and child.result() == ["a", "b"]


def test_a_child_not_waited_for_is_stopped_and_reaped(forking):
    with pytest.raises(KeyError):
        with Forked(sorted, "ba") as child:
            pid = child.pid
            raise KeyError("the walk here failed")
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
