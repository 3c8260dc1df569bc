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
from workflow.project import Progress, StageResult, one_walk, source_tree

LAST = Path(".cache") / "publish.json"
RACY_NS = 100_000_000       # an input modified this close to the walk may change again unseen
PRUNE_MARGIN_NS = 2_000_000_000     # file times come from a coarser clock: a parse read at once may look older

Signatures = dict[str, Signature]


def _walk(folder: str, strip: int, into: Signatures) -> None:
    """Add the signature of every file under ``folder`` (in no set order; symlinked folders not entered)."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _walk(entry.path, strip, into)
            continue
        try:
            into[entry.path[strip:]] = of_stat(entry.stat())
        except FileNotFoundError:       # removed while we looked
            continue


def snapshot(config: Config) -> tuple[Signatures, Signatures]:
    """(inputs, outputs): signatures of the files a publish reads and of ``output/``, by path.

    ``source/`` is walked by :func:`workflow.project.source_tree`, which
    refuses symbolic links and special files (a :class:`LocumError` before
    anything is written), so a publish never takes one for "nothing changed".
    """
    strip = len(str(config.root)) + 1
    inputs: Signatures = {}
    for entry in source_tree(config).files:     # the walk extract and build make: a bad entry is an error now
        try:
            inputs[entry.path[strip:]] = of_stat(entry.stat(follow_symlinks=False))
        except FileNotFoundError:       # removed while we looked
            continue
    _walk(str(config.locales_dir), strip, inputs)
    _remove_leftovers(config, inputs)
    _walk(str(TEMPLATES), 0, inputs)
    outputs: Signatures = {}
    _walk(str(config.output_dir), strip, outputs)
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

    Each part is hashed as ``marshal`` writes its sorted items, in format 2:
    the bytes of the values alone (later formats mark objects by their
    reference count), made in C; a line formatted per file took 40 ms of CPU
    for the 25,000 files of the 1,000-article bench, this 28. Another Python
    may write other bytes: that costs one publish that does its work.
    """
    h = hashlib.sha256(f"{__version__}\0{options}\0{sys.version_info[:2]}\0".encode())
    for part in state:
        h.update(marshal.dumps(sorted(part.items()), 2))
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
           written: set[str], output_written: set[str] | None) -> list[str]:
    """Remember the project as this publish left it, with its summary; returns the inputs that moved meanwhile.

    ``before`` is the :func:`snapshot` taken when the publish started,
    ``written`` the inputs its stages wrote and ``output_written`` the files
    the build replaced or removed in ``output/`` (None: it replaced the whole
    folder), all relative to the project root. Instead of walking the project
    again, the files met at the start and the ones written are looked at
    once more; a file that appeared meanwhile is simply not in the digest, so
    the next publish does its work. When an input the stages did not write
    moved, or an input is too fresh to trust its signature, no digest is
    kept either.
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
    write_atomic(config.root / LAST, json.dumps({"digest": digest, "summary": summary}, sort_keys=True) + "\n")
    return moved


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
        result = build(config, preview=preview, progress=hooks.progress("build"),
                       existing=None if preview else {path.removeprefix(output) for path in before[1]})
        written += result.written       # the pages' last approved versions, under locales/published/
        hooks.built(result)
        parsecache.prune(started - PRUNE_MARGIN_NS)
    moved = record(config, options, {"published": len(result.published), "skipped": len(result.skipped),
                                     "held": held}, before, {str(path)[strip:] for path in written},
                   set() if preview else None if result.changed is None else {output + path for path in result.changed})
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
