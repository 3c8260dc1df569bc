"""``locum publish`` as a whole: skipped entirely when nothing it reads or writes moved since the last one.

Each stage already skips its unchanged work, but asking five stages costs
five loads of their bookkeeping. A publish therefore records one digest of
the project as it left it: the ``stat`` signature (size, mtime, ctime,
inode) of every file under ``source/``, ``locales/`` (templates, catalogs,
compiled catalogs, audit sidecars, glossary, configuration) and ``output/``,
of the page templates, and the options. When the next publish finds the same
digest, it reports the last result and touches nothing; one walk of the
project, no file read.

Two cases are not recorded, so that the next publish runs its stages (which
compare contents): a file the stages did not write changed while the publish
ran (a translator saved a catalog meanwhile), and an input modified so
recently that a later write could keep its signature (the way git's index
treats "racily clean" files).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workflow import __version__, parsecache
from workflow.chrome import TEMPLATES
from workflow.config import Config
from workflow.fileio import (
    TEMP_MARK,
    Signature,
    is_leftover,
    known_signatures,
    long_lived,
    of_stat,
    stat_signature,
    write_atomic,
    wrote,
)
from workflow.parallel import Forked
from workflow.project import Progress, StageResult, one_walk, source_tree
from workflow.staging import delete_files
from workflow.stamps import decoded, encoded

LAST = Path(".cache") / "publish.json"
LEFT = Path(".cache") / "output.marshal"      # the signature of every file the last publish left in output/
RACY_NS = 100_000_000       # an input modified this close to the walk may change again unseen
PRUNE_MARGIN_NS = 2_000_000_000     # file times come from a coarser clock: a parse read at once may look older

Signatures = dict[str, Signature]


def _walk(folder: str, strip: int, into: Signatures, skip: str = "", after: Signatures | None = None) -> Signatures:
    """Add the signature of every file under ``folder`` (symbolic links to folders not entered), in the order
    of their paths; and return the dict it added the last ones to.

    That order makes :func:`state_digest` quick (see there): each folder's entries are taken by name, a
    folder's name with a ``/`` after it (``a-b`` comes before ``a/x``, as among paths). The folder ``skip``
    is passed over, and the files after it go to ``after`` instead, so that the caller can put the walk of
    ``skip`` in between.
    """
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_as_path)
    except (FileNotFoundError, NotADirectoryError):
        return into
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.path == skip:
                into = after
            else:
                into = _walk(entry.path, strip, into, skip, after)
            continue
        try:
            into[entry.path[strip:]] = of_stat(entry.stat())
        except FileNotFoundError:       # removed while we looked
            continue
    return into


def _as_path(entry: os.DirEntry) -> str:
    return f"{entry.name}/" if entry.is_dir(follow_symlinks=False) else entry.name


def _walked(folders: list[str], strip: int) -> list[Signatures]:
    """A :func:`_walk` of each folder, a dict each."""
    return [_walk(folder, strip, {}) for folder in folders]


def snapshot(config: Config) -> tuple[Signatures, Signatures]:
    """(inputs, outputs): signatures of the files a publish reads and of ``output/``, by path.

    ``source/`` is walked by :func:`workflow.project.source_tree`, which
    refuses symbolic links and special files (a :class:`LocumError` before
    anything is written), so a publish never takes one for "nothing changed".
    A forked child walks ``output/`` and ``locales/templates/`` meanwhile
    (:class:`~workflow.parallel.Forked`): the walk mostly waits on ``stat``,
    and two processes take about half as long. Both parts come out in the
    order of their paths (the package's page templates, absolute, first).
    """
    strip = len(str(config.root)) + 1
    pots = str(config.templates_dir)
    sources: Signatures = {}
    for entry in source_tree(config).files:     # the walk extract and build make: a bad entry is an error now
        try:
            sources[entry.path[strip:]] = of_stat(entry.stat(follow_symlinks=False))
        except FileNotFoundError:       # removed while we looked
            continue
    with Forked(_walked, [str(config.output_dir), pots], strip) as other:
        inputs = _walk(str(TEMPLATES), 0, {})
        later: Signatures = {}
        _walk(str(config.locales_dir), strip, inputs, skip=pots, after=later)
        outputs, templates = other.result()
    for part in (templates, later, sources):
        inputs.update(part)
    _remove_leftovers(config, inputs)
    return long_lived((inputs, outputs))


def _remove_leftovers(config: Config, inputs: Signatures) -> None:
    """Delete the temp files a killed Locum left in ``locales/`` and ``.cache/`` (publish holds the lock)."""
    strip = len(str(config.root)) + 1
    cache = []
    for folder, folders, names in os.walk(config.root / ".cache"):     # names only: nothing there is an input
        folders[:] = [name for name in folders if name != parsecache.FOLDER]     # it prunes its own files
        cache += [os.path.join(folder, name)[strip:] for name in names]
    # the mark first: a substring test per path, where a basename per path was a twentieth of a no-op publish
    found = [path for part in (inputs, cache) for path in part
             if TEMP_MARK in path and is_leftover(os.path.basename(path))]
    for path in found:
        Path(config.root, path).unlink(missing_ok=True)
        inputs.pop(path, None)


def state_digest(state: tuple[Signatures, Signatures], options: str) -> str:
    """One digest of both parts of a :func:`snapshot`; the order files were met in does not matter.

    Each part is hashed as ``marshal`` writes it as a dict in the order of
    its paths, in format 2: the bytes of the values alone (later formats mark
    objects by their reference count), made in C. A snapshot's parts come in
    that order already, and then ``marshal`` meets the signatures in the
    order they were made, close together in memory: for the 25,000 files of
    the 1,000-article bench 8 ms of CPU, where reordering them cost 28 (their
    scattered objects miss the processor's caches) and a line formatted per
    file 40. Another Python may write other bytes: that costs one publish
    that does its work.
    """
    h = hashlib.sha256(f"{__version__}\0{options}\0{sys.version_info[:2]}\0".encode())
    for part in state:
        paths = sorted(part)            # about n comparisons when sorted already
        h.update(marshal.dumps(part if paths == list(part) else {path: part[path] for path in paths}, 2))
        h.update(b"\x01")
    return h.hexdigest()


def unchanged_since_last(config: Config, options: str, state: tuple[Signatures, Signatures]) -> dict | None:
    """The summary the last publish recorded, if ``state`` (:func:`snapshot`, taken now) is the one it left."""
    try:
        last = json.loads((config.root / LAST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(last, dict) or not isinstance(last.get("summary"), dict):
        return None
    return last["summary"] if last.get("digest") == state_digest(state, options) else None


def _restat(root: str, paths, into: Signatures) -> None:
    for path in paths:
        signature = stat_signature(path if os.path.isabs(path) else f"{root}/{path}")
        if signature is None:
            into.pop(path, None)
        else:
            into[path] = signature


def record(config: Config, options: str, summary: dict, before: tuple[Signatures, Signatures],
           written: set[str], output_written: set[str] | None, preview: bool = False) -> list[str]:
    """Remember the project as this publish left it, with its summary; returns the inputs that moved meanwhile.

    ``before`` is the :func:`snapshot` taken when the publish started,
    ``written`` the inputs its stages wrote and ``output_written`` the files
    the build replaced or removed in ``output/`` (None: it replaced the whole
    folder), all relative to the project root. Instead of walking the project
    again, the files met at the start and the ones written are looked at
    once more; a file that appeared meanwhile is simply not in the digest, so
    the next publish does its work. When an input the stages did not write
    moved, or an input is too fresh to trust its signature, no digest is
    kept either. The signatures of ``output/`` are kept apart for
    :func:`altered_in_output` (not after a ``preview``).
    """
    root = str(config.root)
    inputs = dict(before[0])
    paths = list(inputs) + sorted(written - inputs.keys())
    for attempt in range(2):
        started = time.time_ns()
        _restat(root, paths, inputs)
        moved = sorted(path for path, signature in inputs.items() if not path.endswith((".mo", ".audit.json"))
                       and (signature != wrote(f"{root}/{path}") if path in written     # replaced after our write
                            else before[0].get(path, signature) != signature))
        moved += sorted(path for path in before[0].keys() - inputs.keys() if path not in written)
        newest = max((max(mtime, ctime) for _, mtime, ctime, _ in inputs.values()), default=0)
        trusted = not moved and started - newest > RACY_NS
        if trusted or moved or attempt:
            break
        # a stage wrote just now: let the clock move on, less the time the look itself took
        time.sleep(max(0, newest + RACY_NS - time.time_ns()) / 1e9 + 0.001)
        # then only the files too fresh are looked at again: one modified well before the first look cannot
        # change unseen (a later change gives it another signature, which the next publish sees), and looking
        # again at all 22,000 files of the bench took 100 ms
        paths = [path for path, (_, mtime, ctime, _) in inputs.items() if started - max(mtime, ctime) <= RACY_NS]
    if output_written is None:
        outputs: Signatures = {}
        _walk(str(config.output_dir), len(root) + 1, outputs)
    else:
        outputs = dict(before[1])
        _restat(root, sorted(output_written), outputs)
    digest = state_digest((inputs, outputs), options) if trusted else None
    if not preview:         # a preview's pages are no published site to hold output/ to
        write_atomic(config.root / LEFT, encoded(outputs))
    write_atomic(config.root / LAST, json.dumps({"digest": digest, "summary": summary}, sort_keys=True) + "\n")
    return moved


def altered_in_output(config: Config, outputs: Signatures) -> set[str]:
    """The files of ``output/`` (:func:`snapshot`'s second part) that are not as the last publish left them:
    edited, replaced, added, or written by something else (a ``locum build`` of its own, a hand). Empty
    when no publish has recorded ``output/`` yet (or its record is damaged: :func:`~workflow.stamps.decoded`).
    """
    try:
        left = decoded((config.root / LEFT).read_bytes())
    except OSError:
        return set()
    if not left:
        return set()
    return {path for path, signature in outputs.items() if left.get(path) != signature}


@dataclass
class Hooks:
    """What the caller shows while a publish runs (the CLI prints; a test may collect): every hook is optional."""

    progress: Callable[[str], Progress | None] = lambda label: None
    recovered: Callable[[], None] = lambda: None
    extracted: Callable[[StageResult], None] = lambda result: None
    updated: Callable[[StageResult], None] = lambda result: None
    checked: Callable[[list], None] = lambda findings: None
    compiled: Callable[[object], None] = lambda result: None
    built: Callable[[object], None] = lambda result: None


@dataclass(frozen=True)
class Outcome:
    """What a publish did: pages published and skipped, check errors held back; ``last`` is set instead when
    nothing changed since the last publish (its summary); ``moved`` lists files others changed meanwhile."""

    published: int
    skipped: int
    held: int
    last: dict | None = None
    moved: tuple[str, ...] = ()


def publish(config: Config, preview: bool = False, hooks: Hooks | None = None) -> Outcome:
    """Extract, update, check, compile and build, or nothing when nothing moved since the last publish.

    Every input is read before anything is written (:func:`extract_and_update`);
    check errors do not stop the publish (the gate holds those entries back)
    but are handed to ``hooks.checked``.
    """
    with one_walk():       # the snapshot and every stage share one walk of source/
        return _publish(config, preview, hooks or Hooks())


def _publish(config: Config, preview: bool, hooks: Hooks) -> Outcome:
    from workflow.leftovers import recover

    options = f"preview={preview}"
    if recover(config.root, config.output_dir):      # what a killed build left: before the walk sees it
        hooks.recovered()
    before = snapshot(config)
    last = None if preview else unchanged_since_last(config, options, before)    # a preview is built anew
    if last is not None:
        return Outcome(last["published"], last["skipped"], last["held"], last=last)
    # imported only now: a publish with nothing to do needs none of them, and they were most of its start-up
    from workflow.build import build
    from workflow.compile import compile_catalogs
    from workflow.quality import run_check

    root = str(config.root)
    strip, output = len(root) + 1, f"{config.output_dir.name}/"       # paths relative to the root
    known = {path if os.path.isabs(path) else f"{root}/{path}": signature for path, signature in before[0].items()}
    started = time.time_ns()
    # the stages ask about these files: the walk just made answers; and each file is parsed once for all stages
    with known_signatures(known), parsecache.kept_parses(config.root / ".cache"):
        written = extract_and_update(config, hooks)
        findings = run_check(config, progress=hooks.progress("check"))
        hooks.checked(findings)
        held = sum(1 for f in findings if f.severity == "error")
        compiled = compile_catalogs(config, progress=hooks.progress("compile"))
        hooks.compiled(compiled)
        written += [*compiled.written, *(path.with_suffix(".audit.json") for path in compiled.written)]
        # a file altered since the last publish counts as missing: the build writes it again, or it goes
        altered = set() if preview else altered_in_output(config, before[1])
        result = build(config, preview=preview, progress=hooks.progress("build"),
                       existing=None if preview else {path.removeprefix(output) for path in before[1]
                                                      if path not in altered})
        written += result.written       # the pages' last approved versions, under locales/published/
        hooks.built(result)
        parsecache.prune(started - PRUNE_MARGIN_NS)
    changed = None if result.changed is None else {output + path for path in result.changed}
    if changed is not None:
        delete_files(config.output_dir, {path.removeprefix(output) for path in altered - changed})   # no longer made
        changed |= altered
    moved = record(config, options, {"published": len(result.published), "skipped": len(result.skipped),
                                     "held": held}, before, {str(path)[strip:] for path in written},
                   set() if preview else changed, preview)
    return Outcome(len(result.published), len(result.skipped), held, moved=tuple(moved))


def extract_and_update(config: Config, hooks: Hooks) -> list[Path]:
    """Extract and update, every input read before anything is written (:mod:`workflow.inputs`)."""
    from workflow.extract import plan_extract, write_extract
    from workflow.inputs import validate_inputs
    from workflow.update import update

    plan = plan_extract(config, progress=hooks.progress("extract"))      # the articles: errors before any write
    validate_inputs(config, progress=hooks.progress("validate"))        # the glossary, catalogs of no article
    first = update(config, progress=hooks.progress("update"), existing_templates_only=True)   # reads the catalogs
    extracted = write_extract(config, plan)
    hooks.extracted(extracted)
    if not extracted.written:       # no template changed since the first update read them: nothing to merge
        hooks.updated(first)
        return [*extracted.written, *first.written]
    second = update(config, progress=hooks.progress("update"))          # the new templates, where there are any
    written = [*first.written, *(path for path in second.written if path not in first.written)]
    hooks.updated(StageResult(tuple(written), tuple(p for p in second.unchanged if p not in set(written))))
    return [*extracted.written, *written]
