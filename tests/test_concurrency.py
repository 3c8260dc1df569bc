"""Concurrent writers, as real processes: no approval, edit or translation is ever lost.

Each scenario runs a bounded loop of trials from the same starting state,
with the second writer starting at a random moment (seeded, so a failure can
be replayed). Locum's own commands serialize on the project lock; a
translator's editor takes no lock, and is protected by the compare-and-swap
of every catalog write.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO, key_of
from test_build import set_translation

from workflow.approval import judge, trust_for
from workflow.catalogs import catalog_text, read_catalog
from workflow.config import load_config

TRIALS = 20
PL = "locales/pl/LC_MESSAGES/pain-relief.po"
MSGID = "Do not take more than the leaflet says."
EDITED = "Keep regular hours."                       # in sleep-and-pain: the translator's entry
SLEEP_PL = "locales/pl/LC_MESSAGES/sleep-and-pain.po"
NEW = "A new paragraph that every catalog of the article must receive."


def start(root: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LOCUM_WORKERS": "1"}
    return subprocess.Popen([sys.executable, "-m", "workflow", "--project", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def run(root: Path, *args: str) -> tuple[int, str, str]:
    return finish(start(root, *args))


def restore(base: Path, work: Path) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(base, work, symlinks=True)
    return work


def add_paragraph(root: Path, slug: str) -> None:
    source = root / "source" / f"{slug}.md"
    source.write_text(source.read_text(encoding="utf-8") + f"\n{NEW}\n", encoding="utf-8")


@pytest.fixture
def base(site_project, tmp_path) -> Path:
    """The translated, approved project after one publish, with a copy of itself to restore trials from."""
    assert run(site_project, "publish")[0] == 0
    return site_project


def test_approve_during_update_loses_no_approval(base, tmp_path, locum):
    set_translation(base, "pl", "pain-relief", MSGID, "Nie należy przekraczać dawki z ulotki.", approve=False)
    add_paragraph(base, "pain-relief")
    assert locum(base, "extract").code == 0
    out = locum(base, "review", "pending", "--locale", "pl", "--article", "pain-relief").out
    (segment,) = [line.split("]")[0].lstrip("[") for line in out.splitlines() if line.startswith("[")]
    rng = random.Random(12)
    work = tmp_path / "work"
    for trial in range(TRIALS):
        root = restore(base, work)
        update = start(root, "update")
        time.sleep(rng.uniform(0, 0.4))
        approve = start(root, "review", "approve", "--locale", "pl", "--reviewer", "piotr.nowak@example.org",
                        "--id", segment, "--key", str(key_of("piotr.nowak@example.org")))
        (u_code, _, u_err), (a_code, a_out, a_err) = finish(update), finish(approve)
        assert (u_code, a_code) == (0, 0), (trial, u_err, a_err)
        po = read_catalog(root / PL)
        verdict = judge(po.find(MSGID), trust_for(load_config(root).reviewers, "pl"), po)
        assert verdict.state == "approved", (trial, a_out, a_err)
        assert read_catalog(root / PL).find(NEW) is not None, trial


def _translator_saves(path: Path, delay: float, in_place: bool, text: str, saved: list) -> None:
    """A PO editor: read the file, think, then save an edit (in place with a pause, or by rename)."""
    po = read_catalog(path)
    po.find(EDITED).msgstr = text
    data = catalog_text(po).encode("utf-8")
    time.sleep(delay)
    if in_place:            # what a plain editor does: truncate, then write, here in two parts
        with open(path, "wb") as handle:
            handle.write(data[: len(data) // 2])
            handle.flush()
            time.sleep(0.05)
            handle.write(data[len(data) // 2:])
    else:
        temporary = path.with_name(path.name + ".swp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    saved.append(time.monotonic())


@pytest.mark.parametrize("in_place", [False, True], ids=["atomic-save", "in-place-save"])
@pytest.mark.parametrize("command", ["update", "publish"])
def test_a_translators_save_during_a_command_is_never_lost(base, tmp_path, locum, command, in_place):
    add_paragraph(base, "sleep-and-pain")
    if command == "update":
        assert locum(base, "extract").code == 0
    rng = random.Random(7 if in_place else 8)
    work = tmp_path / "work"
    outcomes = {0: 0, 1: 0, 2: 0}
    for trial in range(TRIALS):
        root = restore(base, work)
        text = f"Należy chodzić spać o stałej porze (wersja {chr(ord('a') + trial)})."
        saved: list[float] = []
        translator = threading.Thread(target=_translator_saves,
                                      args=(root / SLEEP_PL, rng.uniform(0, 0.8), in_place, text, saved))
        process = start(root, command)
        translator.start()
        code, out, err = finish(process)
        translator.join()
        assert "Traceback" not in err, err
        assert code in (0, 1, 2), (trial, err)
        outcomes[code] += 1
        if code == 1:
            assert f"{SLEEP_PL}: error: was changed by someone else" in err, err
        page = root / "output/pl-GB/sleep-and-pain/index.html"
        if command == "publish" and code == 0 and page.exists() and "notice-outdated" not in page.read_text():
            assert "changed while publishing" in err, (trial, err)      # published without the edit: said so
        assert read_catalog(root / SLEEP_PL).find(EDITED).msgstr == text, (trial, code, err)
        # A rerun takes the edit in: the new source paragraph is merged beside it, and the edit,
        # no longer approved, keeps the Polish page of that article offline.
        code, out, err = run(root, command)
        assert code == 0, (trial, err)
        if command == "update":
            code, out, err = run(root, "publish")
            assert code == 0, err
        po = read_catalog(root / SLEEP_PL)
        assert po.find(EDITED).msgstr == text and po.find(NEW) is not None, trial
        assert not (root / "output/pl-GB/sleep-and-pain/index.html").exists(), (trial, out)
    assert sum(outcomes.values()) == TRIALS


def test_two_publishes_at_once_both_succeed_with_the_same_site(base, tmp_path):
    add_paragraph(base, "pain-relief")
    reference = restore(base, tmp_path / "reference")
    assert run(reference, "publish")[0] == 0
    expected = {p.relative_to(reference / "output").as_posix(): p.read_bytes()
                for p in (reference / "output").rglob("*") if p.is_file()}
    rng = random.Random(3)
    work = tmp_path / "work"
    for trial in range(TRIALS):
        root = restore(base, work)
        first = start(root, "publish")
        time.sleep(rng.uniform(0, 0.3))
        second = start(root, "publish")
        (c1, _, e1), (c2, _, e2) = finish(first), finish(second)
        assert (c1, c2) == (0, 0), (trial, e1, e2)
        assert "Traceback" not in e1 + e2
        got = {p.relative_to(root / "output").as_posix(): p.read_bytes()
               for p in (root / "output").rglob("*") if p.is_file()}
        assert got == expected, trial
        assert not list(root.glob(".output-*")), trial


def test_a_second_writer_gives_up_after_wait_naming_the_holder(base):
    from workflow.lock import project_lock
    with project_lock(base, "locum publish"):
        code, out, err = run(base, "--wait", "0.3", "update")
    assert code == 2
    assert f"another Locum command holds the project lock: PID {os.getpid()} (locum publish)" in err
    assert run(base, "update")[0] == 0          # released: the next one goes ahead
