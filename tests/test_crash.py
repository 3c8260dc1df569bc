"""kill -9 at random moments of publish, build and update: what a crash leaves is complete and recoverable.

After each kill: every catalog still passes ``msgfmt --check``, ``output/``
is there (it existed before), the next publish gives the very bytes an
uninterrupted publish gives, and leaves no staging folder behind.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, require
from test_build import set_translation

TRIALS = 24
MSGID = "Do not take more than the leaflet says."


def command(root: Path, *args: str, workers: int = 1) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LOCUM_WORKERS": str(workers)}
    return subprocess.Popen([sys.executable, "-m", "workflow", "--project", str(root), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)       # its own process group: the kill takes its workers too


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def changed(site_project) -> Path:
    """A published project in which the author and a translator have since changed things."""
    assert subprocess.run([sys.executable, "-m", "workflow", "--project", str(site_project), "publish"],
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True).returncode == 0
    source = site_project / "source/pain-relief.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nStore medicines out of the reach of children.\n",
                      encoding="utf-8")
    set_translation(site_project, "es", "pain-relief", MSGID, "No tome más de lo que dice el prospecto.")
    return site_project


def test_kill_9_at_random_moments_leaves_a_recoverable_project(changed, tmp_path):
    msgfmt = require("msgfmt")
    reference = tmp_path / "reference"
    shutil.copytree(changed, reference, symlinks=True)
    started = time.monotonic()
    process = command(reference, "publish")
    assert process.wait(timeout=120) == 0, process.stderr.read()
    duration = time.monotonic() - started
    expected = files(reference / "output")

    rng = random.Random(2026)
    work = tmp_path / "work"
    for trial in range(TRIALS):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(changed, work, symlinks=True)
        args = rng.choice([("publish",), ("publish",), ("build",), ("update",)])
        process = command(work, *args, workers=rng.choice([1, 2]))
        time.sleep(rng.uniform(0.05, duration))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert (work / "output").is_dir(), (trial, args)
        for po in sorted(work.glob("locales/**/*.po")):
            checked = subprocess.run([msgfmt, "--check", "-o", os.devnull, str(po)], capture_output=True, text=True)
            assert checked.returncode == 0 and not checked.stderr, (trial, args, po, checked.stderr)
        rerun = command(work, "publish")
        assert rerun.wait(timeout=120) == 0, (trial, args, rerun.stderr.read())
        assert files(work / "output") == expected, (trial, args)
        leftovers = [p.name for p in work.iterdir() if p.name.startswith((".output-", ".locum-"))]
        leftovers += [p.name for p in work.rglob(".*.tmp")]
        assert leftovers == [], (trial, args)
