"""Crash leftovers: a later build clears them, and no moment of a build leaves the project without output/."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, snapshot

import workflow.build
import workflow.staging

# A build in its own process that dies (no cleanup, like kill -9) at one chosen point of the swap.
DIE = r"""
import os, shutil, sys
import workflow.staging as staging
from workflow.cli import main
point = sys.argv[2]
if point == "between-renames":
    staging._exchange = lambda first, second: False       # the two-rename fallback of systems without renameat2
    rename = os.rename
    def dying_rename(source, target):
        rename(source, target)
        if ".output-old-" in os.fspath(target):
            os._exit(137)
    os.rename = dying_rename
elif point == "after-exchange":
    def dying_rmtree(path, *args, **kwargs):
        if os.path.basename(os.fspath(path)).startswith(".output-staging-"):     # the folder itself, holding
            os._exit(137)                                                       # the old site after the exchange
    shutil.rmtree = dying_rmtree
main(["--project", sys.argv[1], "build"])
os._exit(0)
"""


def die_during_build(root: Path, point: str) -> None:
    result = subprocess.run([sys.executable, "-c", DIE, str(root), point], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 137, result.stderr


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob(".output-*"))


def exchange_works(tmp_path: Path) -> bool:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    return workflow.staging._exchange(tmp_path / "a", tmp_path / "b")


@pytest.fixture
def rebuilt_site(site_project, locum) -> Path:
    """A published project whose next build replaces output/ whole (no manifest: not built in place)."""
    assert locum(site_project, "publish").code == 0
    (site_project / ".cache/build.json").unlink()
    (site_project / "output/en-GB/pain-relief/index.html").write_text("the old page\n", encoding="utf-8")
    return site_project


def test_a_later_build_removes_stale_staging_folders(site_project, locum):
    assert locum(site_project, "publish").code == 0
    site = snapshot(site_project / "output")
    for name in (".output-staging-a1b2", ".output-staging-c3d4/en-GB/pain-relief", ".output-old-e5f6/output/pl-GB"):
        (site_project / name).mkdir(parents=True)
        (site_project / name / "index.html").write_text("half a site\n", encoding="utf-8")
    assert locum(site_project, "build").code == 0
    assert leftovers(site_project) == []
    assert snapshot(site_project / "output") == site


def test_a_crash_between_the_two_renames_leaves_the_old_site_and_the_next_build_restores_it(rebuilt_site, locum):
    old = snapshot(rebuilt_site / "output")
    die_during_build(rebuilt_site, "between-renames")
    assert not (rebuilt_site / "output").exists()           # what systems without renameat2 may see
    assert any(name.startswith(".output-old-") for name in leftovers(rebuilt_site))
    assert workflow.build.recover(rebuilt_site, rebuilt_site / "output")    # the first thing a build does
    assert snapshot(rebuilt_site / "output") == old         # the old pages are back until replaced
    assert leftovers(rebuilt_site) == []
    die_during_build(rebuilt_site, "between-renames")
    result = locum(rebuilt_site, "build")
    assert result.code == 0, result.err
    assert leftovers(rebuilt_site) == []
    assert "the old page" not in (rebuilt_site / "output/en-GB/pain-relief/index.html").read_text(encoding="utf-8")


def test_a_publish_after_such_a_crash_gives_the_site_of_an_uninterrupted_one(rebuilt_site, locum, tmp_path):
    die_during_build(rebuilt_site, "between-renames")
    assert locum(rebuilt_site, "publish").code == 0
    assert leftovers(rebuilt_site) == []
    crashed = snapshot(rebuilt_site / "output")
    (rebuilt_site / ".cache/build.json").unlink()
    (rebuilt_site / ".cache/publish.json").unlink()
    assert locum(rebuilt_site, "publish").code == 0
    assert snapshot(rebuilt_site / "output") == crashed


def test_the_swap_is_one_atomic_exchange_on_linux(rebuilt_site, locum, tmp_path):
    if not exchange_works(tmp_path):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    die_during_build(rebuilt_site, "after-exchange")
    page = (rebuilt_site / "output/en-GB/pain-relief/index.html").read_text(encoding="utf-8")
    assert "the old page" not in page                       # output/ is the new site already
    assert [name[:len(".output-staging-")] for name in leftovers(rebuilt_site)] == [".output-staging-"]
    assert locum(rebuilt_site, "build").code == 0
    assert leftovers(rebuilt_site) == []


def test_exchange_swaps_two_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/one").write_text("1")
    (tmp_path / "b").mkdir()
    if not workflow.staging._exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    assert (tmp_path / "b/one").read_text() == "1" and not (tmp_path / "a/one").exists()


def test_without_renameat2_a_failed_second_rename_puts_the_old_site_back(rebuilt_site, locum, monkeypatch):
    old = snapshot(rebuilt_site / "output")
    monkeypatch.setattr(workflow.staging, "_exchange", lambda first, second: False)
    rename = os.rename

    def failing(source, target):
        if ".output-staging-" in os.fspath(source) and os.fspath(target) == str(rebuilt_site / "output"):
            raise PermissionError(13, "Permission denied", os.fspath(target))
        rename(source, target)

    monkeypatch.setattr(os, "rename", failing)
    with pytest.raises(PermissionError):
        locum(rebuilt_site, "build")
    monkeypatch.setattr(os, "rename", rename)
    assert snapshot(rebuilt_site / "output") == old
    assert leftovers(rebuilt_site) == []
    assert locum(rebuilt_site, "build").code == 0
    assert leftovers(rebuilt_site) == []


def test_kill_9_at_random_points_of_a_build(rebuilt_site, locum):
    """A bounded loop of real kills: output/ is always there, and the next build leaves no staging folder."""
    rng = random.Random(12)
    command = [sys.executable, "-m", "workflow", "--project", str(rebuilt_site), "build"]
    for trial in range(12):
        (rebuilt_site / ".cache/build.json").unlink(missing_ok=True)     # a whole-site swap each time
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.4))       # a build of this project takes ~0.3 s
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert (rebuilt_site / "output").is_dir() or any(
            (rebuilt_site / name / "output").is_dir() for name in leftovers(rebuilt_site)), trial
    assert locum(rebuilt_site, "build").code == 0
    assert leftovers(rebuilt_site) == []
    assert (rebuilt_site / "output/en-GB/pain-relief/index.html").is_file()
