"""Content digests cached by ``stat`` signature: within a publish, asked again, answered from the walk until a write;
the bookkeeping read back as written, and a damaged file read as none."""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path

import pytest

import workflow.quality
from workflow import __version__, fileio
from workflow.fileio import known_signatures, stat_signature, write_atomic
from workflow.stamps import DIGESTS, STAMPS, FileDigests, Stamps, encoded


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def settled(monkeypatch):
    """Every file counts as modified long ago (a test's files are all fresh), so digests are remembered."""
    monkeypatch.setattr("workflow.stamps.RACY_NS", -10**18)


def test_a_digest_asked_again_within_a_publish_is_remembered_until_the_file_is_written(tmp_path, settled):
    path = tmp_path / "a.po"
    path.write_bytes(b"one")
    walked = stat_signature(path)
    with known_signatures({str(path): walked}):
        assert FileDigests(tmp_path).of(path) == sha(b"one")
        assert fileio.remembered_digest(str(path), walked) == sha(b"one")
        assert FileDigests(tmp_path).of(path) == sha(b"one")      # the next stage's own FileDigests
        write_atomic(path, b"two, longer")
        assert FileDigests(tmp_path).of(path) == sha(b"two, longer")
        assert FileDigests(tmp_path).of(str(path)) == sha(b"two, longer")
    assert fileio.remembered_digest(str(path), walked) is None      # nothing outlives the block


def test_a_file_the_walk_knew_otherwise_is_not_answered_from_the_memo(tmp_path, settled):
    """Only the very signature the walk gave is trusted: a file replaced by someone else is hashed anew."""
    path = tmp_path / "a.po"
    path.write_bytes(b"one")
    known = {str(path): stat_signature(path)}
    with known_signatures(known):
        assert FileDigests(tmp_path).of(path) == sha(b"one")
        path.write_bytes(b"three, longer")
        known[str(path)] = stat_signature(path)          # as a walk that saw the new file would know it
        assert FileDigests(tmp_path).of(path) == sha(b"three, longer")


def test_nothing_is_remembered_outside_a_publish(tmp_path, settled):
    path = Path(tmp_path / "a.po")
    path.write_bytes(b"one")
    assert FileDigests(tmp_path).of(path) == sha(b"one")
    assert fileio.remembered_digest(str(path), stat_signature(path)) is None
    path.write_bytes(b"four, longer")
    assert FileDigests(tmp_path).of(path) == sha(b"four, longer")


def test_the_bookkeeping_reads_back_as_written(site_project, locum):
    assert locum(site_project, "check").code in (0, 1)
    stamps = Stamps(site_project)
    assert any(unit.startswith("check:") for unit in stamps.data) and stamps.files.files
    assert (site_project / STAMPS).read_bytes() == encoded(stamps.data)


@pytest.mark.parametrize("damage", [lambda data: data[:len(data) // 2], lambda data: b"{garbage", lambda data: b"",
                                    lambda data: marshal.dumps([1], 2),
                                    lambda data: encoded({"version": __version__, "files": ["not", "a", "dict"]})],
                         ids=["cut-off", "garbage", "empty", "not-a-dict", "files-not-a-dict"])
def test_damaged_bookkeeping_reads_as_none_and_the_work_is_done_again(site_project, locum, damage, monkeypatch):
    first = locum(site_project, "check")
    for name in (STAMPS, DIGESTS):
        (site_project / name).write_bytes(damage((site_project / name).read_bytes()))
    assert not any(unit.startswith("check:") for unit in Stamps(site_project).data)
    assert Stamps(site_project).files.files == {}
    checked = []
    check = workflow.quality._check_one
    monkeypatch.setattr("workflow.quality._check_one", lambda job, *args: checked.append(job.path) or check(job, *args))
    again = locum(site_project, "check")
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)
    assert checked and any(unit.startswith("check:") for unit in Stamps(site_project).data)
