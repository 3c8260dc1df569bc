"""The translate stage: untranslated entries prefilled from translation memory or a machine-translation engine, always fuzzy.

This module selects the entries, fills them and writes each catalog through the catalogs' compare-and-swap
writer. The engines (settings, network, retries, deadline, batching) are ``engines.py``'s; the memory's index
is ``memory.py``'s.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from workflow.approval import claimed_state
from workflow.catalogs import POEntry, POFile, forget_wrapped, plural_count, read_catalog, write_catalog
from workflow.config import Config
from workflow.entries import has_translation
from workflow.errors import ErrorList, LocumError, UsageError
from workflow.fileio import write_atomic
from workflow.glossary import Glossary, load_glossary
from workflow.masking import Masked, MaskError, mask, unmask
from workflow.memory import Memory, Taken, build_memory, catalog_records
from workflow.project import Progress, catalog_paths, display_path
from workflow.provenance import suggestion_note

if TYPE_CHECKING:
    from workflow.engines import Engine

__all__ = ["Cache", "FileResult", "Run", "TranslateError", "TranslateResult", "translate_catalogs"]
ENGINES = ("PROVIDERS", "Provider", "batches", "split_text")     # engines.py's, importable from here too


def __getattr__(name: str):
    """engines.py's names, imported on first use: engines.py brings deep_translator and requests, 12 MB of RSS
    that a run of the memory provider has no use for (its peak on the 1,000-article bench: 143 -> 131 MB)."""
    if name in ENGINES:
        from workflow import engines
        return getattr(engines, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class TranslateError(LocumError):
    """The engine cannot be used (unreachable, refusing, failing); ``result`` tells what was kept."""

    result: TranslateResult | None = None       # (also once the error has crossed a process boundary)

    def __init__(self, message: str, result: TranslateResult | None = None):
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class FileResult:
    path: str
    catalog: str
    slug: str
    filled: int
    skipped: int
    written: bool


@dataclass(frozen=True)
class TranslateResult:
    """What a run did (with ``dry_run``: would do, engine answers assumed); ``warnings`` say why entries were skipped."""

    provider: str
    dry_run: bool
    files: tuple[FileResult, ...]
    warnings: tuple[str, ...]
    cached: int = 0
    requests: int = 0
    characters: int = 0

    @property
    def filled(self) -> int:
        return sum(f.filled for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def written(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.files if f.written)


class _Text(NamedTuple):
    """One source text of an entry (its singular or its plural) as an engine is asked for it."""

    masked: Masked
    target: str                             # the engine's code for the catalog's language
    pieces: list[tuple[str, str]]           # (chunk sent, whitespace after it); none: no words to translate


@dataclass
class _Job:
    """One catalog: its untranslated entries, and what became of them."""

    catalog: str
    slug: str
    path: Path
    shown: str
    po: POFile | None               # None while the memory provider has let it go (see _run_memory)
    entries: list[POEntry]
    texts: list[list[_Text]] = field(default_factory=list)     # per entry, for an engine
    todo: int = 0                   # untranslated entries when selected
    taken: Taken | None = None      # for the memory provider: what the memory takes from this catalog
    filled: int = 0
    skipped: int = 0
    written: bool = False


@dataclass
class Run:
    """One run of the stage: the catalogs it fills and how; ``warnings`` collects what it has to say."""

    config: Config
    jobs: list[_Job]
    today: dt.date
    dry_run: bool = False
    progress: Progress | None = None
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def select(cls, config: Config, locale: str | None, article: str | None, keep: bool = True,
               **settings) -> Run:
        """The untranslated entries of the catalogs ``locale`` and ``article`` select; ``settings``: the fields.

        A catalog in the source language is skipped with a warning; catalogs that cannot be read are reported
        all together. Without ``keep`` a catalog is not held once read: only its count of untranslated
        entries and what the memory takes from it (a thousand parsed catalogs held 300 MB).
        """
        jobs, warnings, errors, seen = [], [], [], set()
        for catalog, path in catalog_paths(config, locale, article):
            if catalog.split("_")[0] == config.source_language:
                if catalog not in seen:
                    warnings.append(f"{catalog}: skipped: a catalog in the source language is written by hand")
                seen.add(catalog)
                continue
            try:
                po = read_catalog(path, display_path(config, path))
            except LocumError as exc:
                errors.append(exc)
                continue
            entries = [e for e in po if _untranslated(e)]
            job = _Job(catalog, path.stem, path, display_path(config, path), po, entries, todo=len(entries))
            if not keep:
                job.po, job.entries, job.taken = None, [], catalog_records(po, catalog, path.stem)
            jobs.append(job)
        if errors:
            raise errors[0] if len(errors) == 1 else ErrorList(errors)
        return cls(config, jobs, warnings=warnings, **settings)

    def save(self, job: _Job) -> None:
        """Write ``job``'s catalog if anything was filled (never in a dry run)."""
        if job.filled and not self.dry_run:
            job.written = write_catalog(job.po, job.path)

    def filled(self) -> int:
        return sum(job.filled for job in self.jobs)

    def result(self, provider: str, engine: Engine | None = None, cached: int = 0) -> TranslateResult:
        files = tuple(FileResult(j.shown, j.catalog, j.slug, j.filled, j.skipped, j.written) for j in self.jobs)
        return TranslateResult(provider, self.dry_run, files, tuple(self.warnings), cached,
                               engine.requests if engine else 0, engine.characters if engine else 0)


def translate_catalogs(config: Config, locale: str | None, article: str | None = None, provider: str = "memory",
                       options: dict | None = None, dry_run: bool = False, progress: Progress | None = None,
                       today: dt.date | None = None, backoff: float = 1.0) -> TranslateResult:
    """Fill the untranslated entries of the selected catalogs; every result fuzzy with a provenance comment.

    ``options``: ``url``, ``api_key``, ``email``, ``region`` (else from the environment), ``threshold``
    (memory, default 75), ``attempts`` (default 5), ``timeout`` (seconds for one request, retries and back-off
    included, default 30), ``refresh`` (engines: ask again, ignoring the cache, and overwrite what it held).
    """
    if provider != "memory":
        from workflow.engines import PROVIDERS, Engine  # only now: see __getattr__
        if provider not in PROVIDERS:
            raise UsageError(f"unknown provider {provider!r} (providers: {', '.join(PROVIDERS)})")
    options = dict(options or {})
    run = Run.select(config, locale, article, keep=provider != "memory", today=today or dt.date.today(),
                     dry_run=dry_run, progress=progress)
    if provider == "memory":
        threshold = options.get("threshold", 75)
        if not 0 <= threshold <= 100:
            raise UsageError(f"--threshold must be between 0 and 100 (got {threshold})")
        _run_memory(run, threshold)
        return run.result(provider)
    engine = Engine(PROVIDERS[provider], options, config.source_language, backoff)
    return _run_engine(run, engine, bool(options.get("refresh")))


def _untranslated(entry: POEntry) -> bool:
    """Live, empty in every form, and not marked or approved by a person."""
    return (not entry.obsolete and not has_translation(entry) and "fuzzy" not in entry.flags
            and claimed_state(entry) != "approved")


def _fill(entry: POEntry, forms: dict[int, str] | tuple[str, str], note: str, nplurals: int) -> None:
    """Set the translation (plural: form 0 the singular's, the others the plural's), fuzzy, with ``note``."""
    if entry.msgid_plural:
        if isinstance(forms, tuple):
            keys = sorted(entry.msgstr_plural) or range(nplurals)
            forms = {k: forms[0] if k == 0 else forms[1] for k in keys}
        entry.msgstr_plural = dict(forms)
    else:
        entry.msgstr = forms[0]
    if "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    kept = [line for line in (entry.tcomment or "").split("\n") if line and not line.startswith(("mt: ", "tm: "))]
    entry.tcomment = "\n".join(kept + [suggestion_note(entry, note)])


def _count(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


# ---- translation memory (the index lives in memory.py) -------------------------------------------

def _run_memory(run: Run, threshold: float) -> None:
    """Fill each entry from its language's memory, exactly or at ``threshold``% or more; write catalog by catalog.

    Every memory is built before any entry is filled. The catalogs were let go
    once read (:meth:`Run.select` without ``keep``): each one with work is read
    again, filled and written, one at a time, so a translator's save in between
    is what gets filled (and the write compares against it).
    """
    memories = _memories(run)
    total, done = sum(job.todo for job in run.jobs), 0
    for job in run.jobs:
        if not job.todo:
            continue
        job.po = read_catalog(job.path, job.shown)
        job.entries = [e for e in job.po if _untranslated(e)]
        memory, nplurals = memories[job.catalog], plural_count(job.po.metadata.get("Plural-Forms"))
        for entry in job.entries:
            found = memory.lookup(entry, f"{job.catalog}/{job.slug}", threshold)
            done += 1
            if run.progress:
                run.progress(done, total)
            if found is None:
                job.skipped += 1
                continue
            record, score = found
            if entry.msgid_plural and len(record.forms) != max(len(entry.msgstr_plural), nplurals):
                job.skipped += 1
                continue
            forms = dict(enumerate(record.forms)) if entry.msgid_plural else (record.forms[0], "")
            _fill(entry, forms, f"tm: {score}% {record.origin}", nplurals)
            job.filled += 1
        run.save(job)
        job.po, job.entries = None, []
        forget_wrapped()    # the next catalog with these texts (this article in another language) is far off
    if any(job.skipped for job in run.jobs):
        run.warnings.append(f"{_count(sum(j.skipped for j in run.jobs))} had no match of {threshold}% or more "
                            "in the translation memory: left untranslated")


def _memories(run: Run) -> dict[str, Memory]:
    """The memory of each catalog of ``run``; what the jobs took is let go (it is in the memories now, and
    the fuzzy index, built later, needs the room)."""
    taken = {job.path: job.taken for job in run.jobs if job.taken is not None}
    memories: dict[str, Memory] = {}
    for job in run.jobs:
        if job.catalog not in memories:
            memories[job.catalog] = build_memory(run.config, job.catalog, taken)
    for job in run.jobs:
        job.taken = None
    return memories


# ---- engines (the network lives in engines.py) ---------------------------------------------------------

class Cache:
    """Engine answers that were used, in ``.cache/translate/<provider>-<engine>.json``, keyed by languages and
    masked text. ``<engine>`` is a hash of the server's address (without user, password or query): one server's
    answers never stand in for another's, and no address or key is written."""

    FORMAT = 2

    def __init__(self, path: Path):
        self.path, self.dirty, self.data = path, False, {}
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored.get("format") == self.FORMAT and isinstance(stored.get("translations"), dict):
                self.data = stored["translations"]
        except (OSError, ValueError, AttributeError):
            self.data = {}                    # missing or unreadable: start afresh

    def get(self, pair: str, text: str) -> str | None:
        found = self.data.get(pair, {}).get(text) if isinstance(self.data.get(pair), dict) else None
        return found if isinstance(found, str) and found.strip() else None      # never an empty answer

    def put(self, pair: str, text: str, translation: str) -> None:
        if self.data.get(pair, {}).get(text) != translation:
            if not isinstance(self.data.get(pair), dict):
                self.data[pair] = {}
            self.data[pair][text] = translation
            self.dirty = True

    def save(self) -> None:
        if self.dirty:
            write_atomic(self.path, json.dumps({"format": self.FORMAT, "translations": self.data},
                                               ensure_ascii=False, indent=1, sort_keys=True) + "\n")
            self.dirty = False


class _Answers:
    """The engine's answers in one run, by (target, chunk): taken from the cache or asked now, or why not.

    Only answers that were used go into the cache (``keep``): an entry left untranslated (a damaged
    placeholder…) or a failed run caches nothing of its own.
    """

    def __init__(self, cache: Cache, source: str, progress: Progress | None):
        self.cache, self.source, self.progress = cache, source, progress
        self.found: dict[tuple[str, str], str | None] = {}
        self.reasons: dict[tuple[str, str], str] = {}
        self.cached = self.total = self.done = 0

    def _pair(self, target: str) -> str:
        return f"{self.source}>{target}"        # the cache's language pair

    def recall(self, texts: Iterable[_Text]) -> None:
        """Take what the cache holds for ``texts``."""
        for text in texts:
            for chunk, _ in text.pieces:
                hit = self.cache.get(self._pair(text.target), chunk)
                if hit is not None:
                    self.found[text.target, chunk] = hit
        self.cached = len(self.found)

    def missing(self, texts: Iterable[_Text]) -> list[tuple[str, str]]:
        """The (target, chunk) of ``texts`` without an answer yet, each once, in order."""
        return list(dict.fromkeys((text.target, chunk) for text in texts for chunk, _ in text.pieces
                                  if (text.target, chunk) not in self.found))

    def store(self, target: str, chunk: str, translation: str | None, reason: str) -> None:
        """The engine's answer (None: ``reason`` why there is none); progress is reported."""
        self.found[target, chunk] = translation
        if translation is None:
            self.reasons[target, chunk] = reason
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)

    def translation(self, text: _Text) -> tuple[str | None, str]:
        """(``text`` translated, its placeholders restored, ""), or (None, why not)."""
        missing = [c for c, _ in text.pieces if self.found.get((text.target, c)) is None]
        if missing:
            return None, self.reasons.get((text.target, missing[0]), "the engine did not answer")
        joined = ("".join(self.found[text.target, c] + sep for c, sep in text.pieces) if text.pieces
                  else text.masked.text)
        try:
            return unmask(joined, text.masked), ""
        except MaskError as exc:
            return None, exc.message

    def keep(self, texts: Iterable[_Text]) -> None:
        """Cache the answers that ``texts`` were filled from."""
        for text in texts:
            for chunk, _ in text.pieces:
                self.cache.put(self._pair(text.target), chunk, self.found[text.target, chunk])


def _texts(entry: POEntry, catalog: str, target: str, glossary: Glossary, limit: int,
           source_language: str) -> list[_Text]:
    """``entry``'s source texts masked for the engine, and cut into chunks of at most ``limit`` characters."""
    sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
    masked = [mask(text, catalog, glossary, source_language) for text in sources]
    from workflow.engines import split_text
    return [_Text(m, target, split_text(m.text, limit) if m.has_words else []) for m in masked]


def _run_engine(run: Run, engine: Engine, refresh: bool = False) -> TranslateResult:
    """Ask the engine for what the cache lacks (everything with ``refresh``), catalog by catalog, filling and
    writing each as its answers arrive: when the engine fails, what succeeded is kept."""
    from workflow.engines import EngineError, engine_language
    glossary = load_glossary(run.config.root, run.config.catalogs, run.config.source_language)
    for job in run.jobs:
        target = engine_language(engine.provider.languages, job.catalog)
        job.texts = [_texts(entry, job.catalog, target, glossary, engine.provider.limit,
                                  run.config.source_language) for entry in job.entries]
    answers = _Answers(Cache(run.config.root / ".cache" / "translate" / f"{engine.name}-{engine.identity}.json"),
                       engine.source, run.progress)
    every = [text for job in run.jobs for texts in job.texts for text in texts]
    if not refresh:                 # --refresh: every answer asked afresh
        answers.recall(every)
    answers.total = len(answers.missing(every))
    try:
        for job in run.jobs:
            try:
                if not run.dry_run:
                    _ask(engine, job, answers)
            except EngineError:
                _apply(run, job, answers, engine.name)
                raise
            _apply(run, job, answers, engine.name)
    except EngineError as exc:
        kept = run.filled()
        note = f"; kept what succeeded: {_count(kept)} filled" if kept else "; no catalog was changed"
        raise TranslateError(exc.message + note, run.result(engine.name, engine, answers.cached)) from exc
    finally:
        if not run.dry_run:
            answers.cache.save()
    return run.result(engine.name, engine, answers.cached)


def _ask(engine: Engine, job: _Job, answers: _Answers) -> None:
    """Ask the engine for every chunk of ``job`` without an answer yet, one target language at a time."""
    needed = answers.missing(text for texts in job.texts for text in texts)
    for target in dict.fromkeys(t for t, _ in needed):
        engine.translate([c for t, c in needed if t == target], target, functools.partial(answers.store, target))


def _apply(run: Run, job: _Job, answers: _Answers, name: str) -> None:
    """Fill ``job``'s entries whose every piece is translated (and restores cleanly); write its catalog.

    In a dry run every entry counts as filled (the engine's answers assumed) and nothing changes.
    """
    nplurals, left = plural_count(job.po.metadata.get("Plural-Forms")), []
    for entry, texts in zip(job.entries, job.texts):
        if run.dry_run:
            job.filled += 1
            continue
        restored, problem = [], ""
        for text in texts:
            translation, problem = answers.translation(text)
            if translation is None:
                break
            restored.append(translation)
        if len(restored) < len(texts):
            job.skipped += 1
            left.append((entry, problem))
            continue
        _fill(entry, (restored[0], restored[-1]), f"mt: {name} {run.today.isoformat()}", nplurals)
        answers.keep(texts)
        job.filled += 1
    run.save(job)
    lines = {}
    if left and job.written:      # lines as they are in the file now
        lines = {(e.msgctxt, e.msgid): e.linenum for e in read_catalog(job.path)}
    for entry, problem in left:
        line = lines.get((entry.msgctxt, entry.msgid), entry.linenum)
        run.warnings.append(f"{job.shown}:{line}: warning: left untranslated: {problem}")
