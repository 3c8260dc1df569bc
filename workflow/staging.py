"""The build's staging folder: the one writer that puts files into it, and moving it into ``output/`` and ``audit/``.

A build writes only what changed into a fresh staging folder next to
``output/``; files whose inputs did not change stay where the previous build
left them. At the end the staging folder is committed: file by file into an
``output/`` of an earlier build, or swapped in whole.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from workflow.fileio import exchange as _exchange
from workflow.leftovers import RETIRED


class Writer:
    """The one place that puts files into the staging folder.

    The staging folder receives what changed; unchanged files stay where they
    are in the previous build (see :func:`commit_output`). ``old`` holds the keys
    of the previous build's files, ``existing`` (when given) the files still
    in ``output/``; with no previous build, nothing is unchanged and the
    staging folder becomes the whole site. ``new`` receives the key of every
    file written or kept.
    """

    def __init__(self, staging: Path, old: dict, new: dict, existing: set[str] | None = None):
        self.staging, self.old, self.new, self.existing = staging, old, new, existing
        self.wrote = False

    def _target(self, relpath: str) -> Path:
        path = self.staging / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        self.wrote = True
        return path

    def write(self, relpath: str, text: str, key: str | None = None) -> None:
        self._target(relpath).write_text(text, encoding="utf-8")
        if key:
            self.new[relpath] = key

    def write_parts(self, relpath: str, parts: Iterable[str], key: str | None = None) -> str:
        """:meth:`write` of a text made a piece at a time, never whole in memory; returns its bytes' SHA-256."""
        digest = hashlib.sha256()
        with open(self._target(relpath), "wb") as out:
            for part in parts:
                data = part.encode("utf-8")
                digest.update(data)
                out.write(data)
        if key:
            self.new[relpath] = key
        return digest.hexdigest()

    def reuse(self, relpaths: tuple[str, ...], key: str) -> bool:
        """Keep the previous build's files when their inputs are unchanged (all of them, or none)."""
        if any(self.old.get(r) != key or (self.existing is not None and r not in self.existing) for r in relpaths):
            return False
        for relpath in relpaths:
            self.new[relpath] = key
        return True

    def copy_file(self, source: Path, relpath: str, key: str | None = None) -> None:
        shutil.copyfile(source, self._target(relpath))
        if key:
            self.new[relpath] = key


def files_in(folder: Path) -> set[str]:
    """Every file under ``folder``, as a path relative to it with ``/`` separators."""
    found = set()
    prefix = len(str(folder)) + 1
    for directory, _, files in os.walk(folder):
        for name in files:
            found.add(os.path.join(directory, name)[prefix:].replace(os.sep, "/"))
    return found


def commit_output(staging: Path, output: Path, kept: set[str], existing: set[str]) -> set[str]:
    """Move what this build wrote from ``staging`` into ``output`` and delete what it no longer has.

    Used when ``output`` is an earlier build (``existing``: its files): only
    changed files move (each replaced atomically, the manifest last);
    unchanged pages are not touched. Files of ``output`` that are neither new
    nor in ``kept`` (pages of deleted articles, skipped pages, removed
    images) are deleted, and folders they leave empty. Returns the files
    replaced or deleted. (The manifest is written after, outside ``output``.)
    """
    written = sorted(files_in(staging))
    for relpath in written:
        target = output / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relpath, target)
    removed = existing - kept.union(written)
    delete_files(output, removed)
    shutil.rmtree(staging, ignore_errors=True)
    return removed.union(written)


def delete_files(root: Path, relpaths: set[str]) -> None:
    """Delete these files under ``root``, and the folders they leave empty (``root`` stays)."""
    for relpath in sorted(relpaths):
        target = root / relpath
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != root and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def commit_audit(staging: Path, audit: Path, kept: set[str], existing: set[str]) -> None:
    """Move the audit files this build wrote (``staging``: the staging folder's ``.audit``) into ``audit``.

    Like :func:`commit_output`: files neither new nor in ``kept`` (audits of pages
    no longer published) are deleted, with the folders they leave empty. The
    emptied staging folders are removed one by one (the rest of the staging
    folder may yet become ``output/``). With no ``audit`` yet, the folder moves in whole.
    """
    if not os.path.lexists(audit):
        if os.path.isdir(staging):
            os.rename(staging, audit)
        return
    written = files_in(staging)
    for relpath in sorted(written):
        target = audit / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relpath, target)
    delete_files(audit, existing - kept.union(written))
    for folder in sorted((directory for directory, _, _ in os.walk(staging)), reverse=True):
        os.rmdir(folder)


def swap(staging: Path, output: Path) -> None:
    """Put the finished staging folder in place of ``output`` (the old one goes only after).

    On Linux both trade places in one ``renameat2(RENAME_EXCHANGE)``: at
    every moment ``output/`` is the old site or the new one, and a crash
    leaves at most the old site under its staging name (removed by the next
    build, :func:`workflow.leftovers.recover`). Where the system cannot, the
    old site is first moved aside into ``.output-old-*/output``: a crash
    between the two renames leaves no ``output/``, and the next build puts that one back.
    """
    os.chmod(staging, 0o755)
    if not os.path.lexists(output):
        os.rename(staging, output)
    elif _exchange(staging, output):
        shutil.rmtree(staging, ignore_errors=True)      # now the old site
    else:
        retired = Path(tempfile.mkdtemp(prefix=RETIRED, dir=output.parent))
        os.rename(output, retired / "output")
        try:
            os.rename(staging, output)
        except BaseException:
            os.rename(retired / "output", output)
            os.rmdir(retired)
            raise
        shutil.rmtree(retired, ignore_errors=True)


