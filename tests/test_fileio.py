"""The compare-and-swap write leaves no moment in which an editor's save can land and then be replaced.

The races are forced here, deterministically: a save lands right after the
file was read, or right after the last comparison, or a file appears where
there was none. Each time the save survives byte for byte, Locum says
``ConflictError``, and no temp file is left behind.
"""

from __future__ import annotations

import os

import pytest

from workflow import fileio
from workflow.errors import ConflictError
from workflow.fileio import content_digest, write_atomic

OURS, THEIRS, READ = b"ours\n", b"theirs\n", b"read\n"


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "x.po")


def save(path, data):
    """A PO editor's atomic save: a temp file renamed over the catalog."""
    temporary = path.with_name(path.name + ".swp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def test_a_save_between_the_last_check_and_the_swap_is_kept(tmp_path, monkeypatch):
    path = tmp_path / "x.po"
    path.write_bytes(READ)
    real = fileio.exchange
    calls = []

    def late_save_then_exchange(first, second):
        if not calls:
            save(path, THEIRS)              # lands after every comparison, just before the swap
        calls.append(1)
        return real(first, second)

    monkeypatch.setattr(fileio, "exchange", late_save_then_exchange)
    with pytest.raises(ConflictError, match="was changed by someone else"):
        write_atomic(path, OURS, expect=content_digest(READ))
    assert path.read_bytes() == THEIRS and leftovers(tmp_path) == []
    assert len(calls) == 2                  # swapped in, saw their save, swapped back


def test_a_save_right_after_the_read_is_kept(tmp_path, monkeypatch):
    path = tmp_path / "x.po"
    path.write_bytes(READ)
    real = fileio._current

    def read_then_save(where):
        data = real(where)
        if where == path and path.read_bytes() == READ:
            save(path, THEIRS)              # lands after Locum's read of the file, before anything else
        return data

    monkeypatch.setattr(fileio, "_current", read_then_save)
    monkeypatch.setattr(fileio, "SETTLE_NS", 0)
    with pytest.raises(ConflictError):
        write_atomic(path, OURS, expect=content_digest(READ))
    assert path.read_bytes() == THEIRS and leftovers(tmp_path) == []


def test_a_file_that_appears_meanwhile_is_kept(tmp_path, monkeypatch):
    path = tmp_path / "x.po"
    real = fileio._swap_in

    def appear_then_swap(tmp, where, expect, shown):
        where.write_bytes(THEIRS)
        return real(tmp, where, expect, shown)

    monkeypatch.setattr(fileio, "_swap_in", appear_then_swap)
    with pytest.raises(ConflictError, match="appeared"):
        write_atomic(path, OURS, expect=None)
    assert path.read_bytes() == THEIRS and leftovers(tmp_path) == []


def test_without_a_race_the_write_lands_and_keeps_the_mode(tmp_path):
    path = tmp_path / "x.po"
    path.write_bytes(READ)
    path.chmod(0o640)
    assert write_atomic(path, OURS, expect=content_digest(READ))
    assert path.read_bytes() == OURS and leftovers(tmp_path) == []
    assert path.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "y.po"
    assert write_atomic(fresh, OURS, expect=None) and fresh.read_bytes() == OURS



def _sleeps(monkeypatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(fileio.time, "sleep", slept.append)
    return slept


def test_our_own_fresh_write_is_not_waited_for(tmp_path, monkeypatch):
    path = tmp_path / "x.po"
    path.write_bytes(READ)
    monkeypatch.setattr(fileio, "SETTLE_NS", 0)
    assert write_atomic(path, OURS, expect=content_digest(READ))
    monkeypatch.setattr(fileio, "SETTLE_NS", 10**12)        # any young file would be waited for
    slept = _sleeps(monkeypatch)
    assert write_atomic(path, READ, expect=content_digest(OURS))
    assert slept == [] and path.read_bytes() == READ


@pytest.mark.parametrize("in_place", [False, True], ids=["renamed", "in-place"])
def test_a_fresh_save_after_our_write_is_still_waited_for(tmp_path, monkeypatch, in_place):
    path = tmp_path / "x.po"
    path.write_bytes(READ)
    monkeypatch.setattr(fileio, "SETTLE_NS", 0)
    write_atomic(path, OURS, expect=content_digest(READ))
    if in_place:
        path.write_bytes(THEIRS)            # an editor that truncates and writes, right after our write
    else:
        save(path, THEIRS)
    monkeypatch.setattr(fileio, "SETTLE_NS", 10**12)
    slept = _sleeps(monkeypatch)
    assert write_atomic(path, OURS, expect=content_digest(THEIRS))
    assert len(slept) == 1 and path.read_bytes() == OURS


def test_catalogs_reach_the_disk_before_the_rename_and_derived_files_need_not(project, locum, monkeypatch):
    """A translator's catalog is fsynced before it replaces the old one (a power cut keeps one of the two);
    the compiled catalogs and their sidecars, made again from the catalogs when lost, are not, and neither is the
    stages' bookkeeping (a lost stamp costs time: the work is done again)."""
    synced: list[str] = []
    real = os.fsync

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setenv("LOCUM_WORKERS", "1")
    assert locum(project, "extract").code == 0 and locum(project, "update").code == 0
    catalogs = [p for p in synced if p.endswith(".tmp") and ".po.locum-" in p]
    assert catalogs, synced
    earlier = list(synced)         # with the bookkeeping extract and update wrote
    synced.clear()
    assert locum(project, "compile").code == 0
    assert any(project.glob("locales/*/LC_MESSAGES/*.mo"))
    assert not [p for p in synced if ".mo.locum-" in p or ".audit.json.locum-" in p], synced
    assert (project / ".cache/stamps.marshal").is_file()
    assert not [p for p in earlier + synced if ".stamps.marshal.locum-" in p or ".digests.marshal.locum-" in p]
    path = project / "x.po"
    assert write_atomic(path, OURS) and synced[-1].startswith(str(project / ".x.po.locum-"))
    assert write_atomic(path, READ, durable=False) and synced[-1].startswith(str(project / ".x.po.locum-"))
    assert path.read_bytes() == READ and len([p for p in synced if ".x.po.locum-" in p]) == 1


def test_a_file_written_in_parts_lands_whole_or_not_at_all(tmp_path):
    """write_atomic_parts: the same bytes touch nothing; new ones replace the file; a failure midway leaves it."""
    path = tmp_path / "build.json"
    assert fileio.write_atomic_parts(path, iter([b"{", b'"a": 1', b"}\n"])) is True
    assert path.read_bytes() == b'{"a": 1}\n' and oct(path.stat().st_mode & 0o777) == "0o644"
    path.chmod(0o600)
    before = path.stat()
    assert fileio.write_atomic_parts(path, iter([b'{"a": ', b"1}\n"])) is False
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_ino == before.st_ino
    assert fileio.write_atomic_parts(path, [b'{"a": 2}\n']) is True      # same size, other bytes
    assert path.read_bytes() == b'{"a": 2}\n' and oct(path.stat().st_mode & 0o777) == "0o600"

    def broken():
        yield b'{"a": '
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        fileio.write_atomic_parts(path, broken())
    assert path.read_bytes() == b'{"a": 2}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build.json"]      # no temp file left
    assert fileio.wrote(path) is not None
