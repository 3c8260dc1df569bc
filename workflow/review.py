"""Review: pending segments, approvals and rejections in the PO files, bound to the text they judge."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from workflow import sshsig
from workflow.approval import (
    Trust,
    Verdict,
    judge,
    sign_record,
    text_digest,
    with_record,
)
from workflow.approval import trust_for as approval_trust
from workflow.catalogs import POEntry, POFile, own_copy, plural_count, read_catalog, write_catalog
from workflow.config import CONFIG_PATH, Config, Reviewer
from workflow.entries import has_translation, mutable_state, regions, restore_state, set_translation
from workflow.errors import ConflictError, ErrorList, LocumError, UsageError
from workflow.findings import check_entry
from workflow.glossary import Glossary, load_glossary
from workflow.lock import project_lock
from workflow.project import catalog_paths, display_path
from workflow.provenance import origin
from workflow.sshsig import parse_public_key


class ReviewError(LocumError):
    """A review action that must not happen (undeclared reviewer, unclean entry, unknown id)."""


@dataclass
class Item:
    """One entry of one catalog, as a reviewer sees it, with its record judged (:func:`approval.judge`)."""

    id: str
    catalog: str
    slug: str
    path: Path
    shown: str
    entry: POEntry
    findings: list[tuple[str, str, str]] = field(default_factory=list)
    verdict: Verdict = field(default_factory=lambda: Verdict("none"))

    @property
    def state(self) -> str:
        """untranslated, suggested (machine or memory, unedited), fuzzy, rejected, pending, stale, approved,
        unverified or forged."""
        if not has_translation(self.entry):
            return "untranslated"
        if "fuzzy" in self.entry.flags:
            if self.verdict.state == "rejected":
                return "rejected"
            came = origin(self.entry)
            return "suggested" if came and came[1] else "fuzzy"
        if self.verdict.state in ("approved", "stale", "unverified", "forged"):
            return self.verdict.state
        return "pending"

    @property
    def errors(self) -> list[tuple[str, str, str]]:
        return [f for f in self.findings if f[1] == "error"]

    @property
    def region(self) -> str:
        return ", ".join(sorted(regions(self.entry))) or "all"

    @property
    def origin(self) -> str | None:
        came = origin(self.entry)
        return came[0] if came else None


def segment_id(slug: str, entry: POEntry) -> str:
    """A short id that stays the same while the source text does (translations may change).

    >>> from workflow.catalogs import POEntry
    >>> segment_id("x", POEntry(msgid="Pain")) == segment_id("x", POEntry(msgid="Pain", msgstr="Dolor"))
    True
    """
    return _segment_id(slug, entry.msgctxt or "", entry.msgid)


@lru_cache(maxsize=8192)     # kept: each of the review server's batches looks up a few among all entries, twice
def _segment_id(slug: str, context: str, msgid: str) -> str:
    return hashlib.sha256("\0".join((slug, context, msgid)).encode("utf-8")).hexdigest()[:8]


def load_items(config: Config, locale: str | None, article: str | None, glossary: Glossary | None = None,
               only: set[str] | None = None, read=read_catalog, judged: bool = True) -> tuple[list[Item], dict[Path, POFile]]:
    """Every live entry of the selected catalogs, with its check findings and its record judged (not if
    ``judged`` is False: for a caller that judges each item itself, when it comes to it).

    ``only``: just the entries with these segment ids (an action on a few segments checks and verifies only
    them; the files are still read whole, and written whole). ``read(path, shown)`` reads a catalog.
    """
    glossary = glossary if glossary is not None else load_glossary(config.root, config.catalogs, config.source_language)
    items: list[Item] = []
    files: dict[Path, POFile] = {}
    trusts: dict[str, Trust] = {}
    for catalog, path in catalog_paths(config, locale, article):
        po = read(path, display_path(config, path))
        files[path] = po
        nplurals = plural_count(po.metadata.get("Plural-Forms"))
        trust = trusts.setdefault(catalog, trust_for(config, catalog))
        slug = path.stem
        for entry in po:
            if entry.obsolete:
                continue
            wanted = segment_id(slug, entry)
            if only is not None and wanted not in only:
                continue
            items.append(judge_item(config, wanted, catalog, path, entry, glossary, nplurals, trust, po) if judged
                         else Item(wanted, catalog, slug, path, f"{display_path(config, path)}:{entry.linenum}", entry))
    return items, files


def judge_item(config: Config, wanted: str, catalog: str, path: Path, entry: POEntry, glossary: Glossary,
            nplurals: int, trust: Trust, po: POFile) -> Item:
    """The item of ``entry`` now (``po``: its catalog), its record judged once for its verdict and findings."""
    verdict = judge(entry, trust, po)
    return Item(wanted, catalog, path.stem, path, f"{display_path(config, path)}:{entry.linenum}", entry,
                check_entry(entry, catalog, glossary, nplurals, trust, po, config.source_language, verdict),
                verdict)


WAITING = ("pending", "stale", "suggested", "fuzzy", "rejected", "unverified", "forged")


def pending(config: Config, locale: str, article: str | None = None) -> list[Item]:
    """Entries waiting for a reviewer: everything translated that no verified approval covers."""
    items, _ = load_items(config, locale, article)
    return [item for item in items if item.state in WAITING]


def reviewer_for(config: Config, email: str, catalogs: set[str]) -> Reviewer:
    """The declared reviewer with this e-mail, allowed for every catalog in ``catalogs``."""
    for reviewer in config.reviewers:
        if reviewer.email.lower() == email.lower():
            refused = sorted(catalogs - set(reviewer.catalogs))
            if refused:
                raise ReviewError(f"{reviewer.name} <{reviewer.email}> is not declared as a reviewer for "
                                  f"{', '.join(refused)} (declared for: {', '.join(reviewer.catalogs)})",
                                  path=CONFIG_PATH.as_posix())
            return reviewer
    raise ReviewError(f"{email} is not a declared reviewer; add them under [[reviewers]] with the "
                      "catalogs they may approve", path=CONFIG_PATH.as_posix())


def trust_for(config: Config, catalog: str) -> Trust:
    """Which keys may sign for ``catalog`` (see :class:`workflow.approval.Trust`)."""
    return approval_trust(config.reviewers, catalog, config.server_keys, config.server_retired_keys)


def signer_for(reviewer: Reviewer, key_file: Path | None) -> sshsig.Signer:
    """The reviewer's signing key: ``key_file``, else a key of theirs that the running ssh-agent holds."""
    declared = {parse_public_key(line) for line in reviewer.keys}
    if not declared:
        raise ReviewError(f"{reviewer.name} <{reviewer.email}> has no signing key: add their OpenSSH public key "
                          "(ssh-ed25519 …) to 'keys' under their [[reviewers]]", path=CONFIG_PATH.as_posix())
    if key_file is not None:
        try:
            signer = sshsig.load_key_file(key_file)
        except sshsig.SignatureError as exc:
            raise ReviewError(str(exc), path=str(key_file)) from None
        if signer.key not in declared:
            raise ReviewError(f"this key ({sshsig.fingerprint(signer.key)}) is not one declared for "
                              f"{reviewer.email} in locales/locum.toml", path=str(key_file))
        return signer
    for signer in sshsig.agent_keys():
        if signer.key in declared:
            return signer
    raise ReviewError(f"no signing key for {reviewer.email}: give --key FILE (their OpenSSH private key), or "
                      "load it into the running ssh-agent (ssh-add)")


def _select(items: list[Item], ids: list[str]) -> list[Item]:
    by_id: dict[str, list[Item]] = {}
    for item in items:
        by_id.setdefault(item.id, []).append(item)
    chosen, unknown = [], []
    for wanted in ids:
        if wanted in by_id:
            chosen.extend(by_id[wanted])
        else:
            unknown.append(wanted)
    if unknown:
        raise UsageError(f"no segment with id {', '.join(unknown)} here; see 'locum review pending'")
    return chosen


class Conflict(ConflictError):
    """The text a reviewer judged is no longer the text in the catalog (a translator or another reviewer saved
    it meanwhile): nothing was written. ``items`` are the entries as they are now (those still there)."""

    def __init__(self, message: str, items: list[Item], path: str | None = None):
        super().__init__(message, path=path)
        self.items = items

    def __reduce__(self):
        return Conflict, (self.message, self.items, self.path)


def _guarded(config: Config, what: str, lock: bool):
    """The project lock for a review action, unless the caller holds it already (the CLI takes it for every
    command that writes, in :func:`workflow.cli.main`; flock is per open file, so taking it twice would wait
    for ever)."""
    return project_lock(config.root, f"locum review {what}") if lock else contextlib.nullcontext()


def _wanted(ids: list[str], expect: dict[str, str] | None) -> set[str]:
    return set(ids) | set(expect or ())


def _check_expected(items: list[Item], expect: dict[str, str] | None) -> None:
    """Raise :class:`Conflict` unless every segment in ``expect`` (id → the text digest the reviewer saw) still
    has that text."""
    if not expect:
        return
    by_id: dict[str, list[Item]] = {}
    for item in items:
        by_id.setdefault(item.id, []).append(item)
    changed = [wanted for wanted, seen in expect.items()
               if not by_id.get(wanted) or any(text_digest(i.entry) != seen for i in by_id[wanted])]
    if changed:
        current = [i for wanted in changed for i in by_id.get(wanted, [])]
        where = current[0].shown if current else None
        raise Conflict(f"segment {', '.join(changed)} changed since you read it (someone saved the catalog "
                       "meanwhile): nothing was written; read the new text and decide again", current, where)


def approve(config: Config, locale: str, email: str, ids: list[str] | None = None,
            article: str | None = None, all_clean: bool = False, key_file: Path | None = None,
            accept_suggestion: bool = False, now: dt.datetime | None = None, signer: sshsig.Signer | None = None,
            via: str = "", expect: dict[str, str] | None = None, lock: bool = True) -> tuple[list[Item], list[Item]]:
    """Sign approvals of segments by id, or of every clean pending segment of an article.

    Nothing is written unless every requested segment may be approved.
    ``accept_suggestion`` approves machine or memory suggestions exactly as
    they came (the record names their origin); ``all_clean`` never does.
    ``signer`` signs instead of the reviewer's own key (the review server's,
    with ``via`` :data:`workflow.approval.VIA_SERVER` in the record).
    ``expect`` (segment id → :func:`~workflow.approval.text_digest` the
    reviewer saw) raises :class:`Conflict`, writing nothing, when one of them
    changed. The catalogs are read, checked and written under the project lock
    (``lock=False``: the caller holds it). Returns (approved, left pending
    because not clean).
    """
    with _guarded(config, "approve", lock):
        items, files = load_items(config, locale, article, only=_wanted(ids, expect) if ids else None)
        _check_expected(items, expect)
        if ids:
            chosen, skipped = _select(items, ids), []
        elif all_clean and article:
            waiting = [i for i in items if i.state in ("pending", "stale", "unverified", "forged")]
            chosen = [i for i in waiting if not i.findings]
            skipped = [i for i in waiting if i.findings]
        else:
            raise UsageError("say which segments: --id ID … or --article SLUG --all-clean")
        touched = {i.catalog for i in chosen} or {i.catalog for i in items}
        reviewer = reviewer_for(config, email, touched)
        _refuse_unapprovable(chosen, accept_suggestion)
        _sign_approvals(chosen, reviewer, signer or signer_for(reviewer, key_file), _now(now), via)
        _write_all(config, files, {item.path for item in chosen})
    return chosen, skipped


def _refuse_unapprovable(chosen: list[Item], accept_suggestion: bool) -> None:
    """Raise the :class:`ReviewError` (or all of them) of the items that may not be approved now."""
    problems = []
    for item in chosen:
        problem = _why_not(item, accept_suggestion)
        if problem:
            problems.append(ReviewError(f"cannot approve {item.id}: {problem}", path=item.shown))
    if problems:
        raise problems[0] if len(problems) == 1 else ErrorList(problems)


def _sign_approvals(chosen: list[Item], reviewer: Reviewer, signer: sshsig.Signer, when: dt.datetime,
                    via: str) -> None:
    """Put a signed approval of its very text into each entry (a suggestion accepted is no longer fuzzy)."""
    for item in chosen:
        came = origin(item.entry) if item.state == "suggested" else None
        if came:
            _clear_fuzzy(item.entry)
        record = sign_record(item.entry, item.catalog, "approved", reviewer.email, signer, when,
                             origin=came[0] if came else "", via=via)
        item.entry.tcomment = with_record(item.entry.tcomment, record)


def _clear_fuzzy(entry: POEntry) -> None:
    """Not fuzzy any more: the flag goes, and with it the previous source (``#|``) that only a fuzzy entry keeps."""
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None


def _why_not(item: Item, accept_suggestion: bool) -> str | None:
    """Why ``item`` cannot be approved now, saying what to do next; None if it can."""
    if item.state == "untranslated":
        return "it is not translated yet"
    if item.errors:
        detail = "; ".join(f"[{c}] {m}" for c, _, m in item.errors)
        return f"{detail}: fix the error first"
    if item.state == "suggested" and not accept_suggestion:
        return (f"it is a suggestion ({item.origin}), still fuzzy: check it and accept it as it is with "
                "--accept-suggestion, or edit it and clear fuzzy")
    if item.state == "fuzzy":
        why = f" ({item.origin})" if item.origin else ""
        return f"it is fuzzy{why}: the translator fixes it and clears fuzzy (then approve it)"
    if item.state == "rejected":
        return f"it was rejected ({item.verdict.reason}): the translator revises it and clears fuzzy"
    return None


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)


def reject(config: Config, locale: str, email: str, segment: str, reason: str, key_file: Path | None = None,
           now: dt.datetime | None = None, signer: sshsig.Signer | None = None, via: str = "",
           expect: dict[str, str] | None = None, article: str | None = None, lock: bool = True) -> list[Item]:
    """Send a segment back: mark it fuzzy and sign a record of the reviewer's reason.

    ``signer``, ``via``, ``expect`` and ``lock`` as for :func:`approve`;
    ``article`` only narrows what is read.
    """
    if not reason.strip():
        raise UsageError("a rejection needs a --reason the translator can act on")
    with _guarded(config, "reject", lock):
        items, files = load_items(config, locale, article, only=_wanted([segment], expect))
        _check_expected(items, expect)
        chosen = _select(items, [segment])
        reviewer = reviewer_for(config, email, {i.catalog for i in chosen})
        _sign_rejections(chosen, reviewer, signer or signer_for(reviewer, key_file), _now(now), reason, via)
        _write_all(config, files, {item.path for item in chosen})
    return chosen


def _sign_rejections(chosen: list[Item], reviewer: Reviewer, signer: sshsig.Signer, when: dt.datetime,
                     reason: str, via: str) -> None:
    """Mark each entry fuzzy and put a signed record of the reviewer's reason into it."""
    for item in chosen:
        if "fuzzy" not in item.entry.flags:
            item.entry.flags.insert(0, "fuzzy")
        record = sign_record(item.entry, item.catalog, "rejected", reviewer.email, signer, when,
                             reason=reason, via=via)
        item.entry.tcomment = with_record(item.entry.tcomment, record)


def edit(config: Config, locale: str, email: str, segment: str, msgstrs: list[str],
         expect: dict[str, str] | None = None, article: str | None = None, lock: bool = True) -> Item:
    """The reviewer's own correction of one segment: its translation becomes ``msgstrs`` (one string, or one per
    plural form) and it is no longer fuzzy; its record stays, now stale, until someone approves the new text.

    ``locale`` must select one catalog's entry for ``segment``. Returns the
    entry as written, re-checked (its findings). ``expect`` and ``lock`` as
    for :func:`approve`.
    """
    with _guarded(config, "edit", lock):
        items, files = load_items(config, locale, article, only=_wanted([segment], expect))
        _check_expected(items, expect)
        chosen = _select(items, [segment])
        if len(chosen) > 1:
            raise UsageError(f"segment {segment} is in {', '.join(i.catalog for i in chosen)}: name the catalog")
        item = chosen[0]
        reviewer_for(config, email, {item.catalog})
        set_translation(item.entry, item.id, item.shown, msgstrs,
                        plural_count(files[item.path].metadata.get("Plural-Forms")))
        _clear_fuzzy(item.entry)
        _write_all(config, files, {item.path})
        fresh, _ = load_items(config, item.catalog, item.slug, only={item.id})
    return next(i for i in fresh if i.id == item.id)


@dataclass(frozen=True)
class Action:
    """One reviewer's decision on one segment, queued by the review server for :func:`apply_actions`.

    ``kind``: approve, accept (a suggestion as it came), reject (for
    ``reason``) or edit (to ``msgstrs``); ``expect``: the
    :func:`~workflow.approval.text_digest` of the segment the reviewer saw.
    """

    kind: str
    email: str
    segment: str
    expect: str
    reason: str = ""
    msgstrs: tuple[str, ...] = ()


def apply_actions(config: Config, catalog: str, article: str, actions: list[Action], signer: sshsig.Signer,
                  via: str = "", now: dt.datetime | None = None, lock: bool = True,
                  known: dict | None = None) -> list[LocumError | None]:
    """Several reviewers' actions on one article's catalog, with one read and one compare-and-swap write.

    The review server's group commit: twenty reviewers approving at once
    cost one parse and one write of the catalog instead of twenty. Each
    action is judged in turn on the catalog as the earlier ones left it,
    exactly as if they had run one after another: its own ``expect``
    (:class:`Conflict` when the text changed, an earlier action of the batch
    included), its reviewer's rights, its own signature of the exact text.
    An action that fails changes nothing and gets its error; the others still
    happen. Returns one result per action, in order: None (done) or the
    error. If the write meets someone else's save, nothing is written and
    every action that was done gets that :class:`ConflictError`. ``lock``
    as for :func:`approve`; ``known`` as for :func:`~workflow.catalogs.read_catalog`
    (the catalog read is shared with the server's views: the entries the
    actions change are copies, see :func:`~workflow.catalogs.own_copy`).
    """
    if not actions:
        return []
    with _guarded(config, "server", lock):
        glossary = load_glossary(config.root, config.catalogs, config.source_language)
        wanted = {a.segment for a in actions}

        def read(path: Path, shown: str) -> POFile:
            return own_copy(read_catalog(path, shown, known), lambda e, slug=path.stem: segment_id(slug, e) in wanted)

        items, files = load_items(config, catalog, article, glossary, only=wanted, read=read, judged=False)
        trust, when = trust_for(config, catalog), _now(now)

        def judged(item: Item) -> Item:         # as the earlier actions of the batch left it
            po = files[item.path]
            return judge_item(config, item.id, item.catalog, item.path, item.entry, glossary,
                           plural_count(po.metadata.get("Plural-Forms")), trust, po)

        results: list[LocumError | None] = []
        touched: set[Path] = set()
        for action in actions:
            current = [judged(item) for item in items if item.id == action.segment]
            saved = [mutable_state(item.entry) for item in current]
            try:
                _apply_one(config, action, current, files, signer, when, via)
            except LocumError as exc:
                for item, state in zip(current, saved):
                    restore_state(item.entry, state)
                results.append(exc)
                continue
            except BaseException:
                for item, state in zip(current, saved):
                    restore_state(item.entry, state)
                raise
            results.append(None)
            touched.update(item.path for item in current)
        try:
            _write_all(config, files, touched, known)
        except LocumError as exc:       # a translator's save meanwhile: none of it was written
            results = [exc if result is None else result for result in results]
    return results


def _apply_one(config: Config, action: Action, current: list[Item], files: dict, signer: sshsig.Signer,
               when: dt.datetime, via: str) -> None:
    """One action of :func:`apply_actions` on the entries of its segment, in memory; raises if it may not happen."""
    _check_expected(current, {action.segment: action.expect})
    chosen = _select(current, [action.segment])
    reviewer = reviewer_for(config, action.email, {i.catalog for i in chosen})
    if action.kind in ("approve", "accept"):
        _refuse_unapprovable(chosen, action.kind == "accept")
        _sign_approvals(chosen, reviewer, signer, when, via)
    elif action.kind == "reject":
        if not action.reason.strip():
            raise UsageError("a rejection needs a reason the translator can act on")
        _sign_rejections(chosen, reviewer, signer, when, action.reason, via)
    elif action.kind == "edit":
        if len(chosen) > 1:
            raise UsageError(f"segment {action.segment} is in {', '.join(i.catalog for i in chosen)}: "
                             "name the catalog")
        item = chosen[0]
        set_translation(item.entry, item.id, item.shown, list(action.msgstrs),
                        plural_count(files[item.path].metadata.get("Plural-Forms")))
        _clear_fuzzy(item.entry)
    else:
        raise UsageError(f"no review action {action.kind!r}")


def _write_all(config: Config, files: dict, paths: set, known: dict | None = None) -> None:
    """Write each changed catalog by compare-and-swap; one a translator saved meanwhile is left alone."""
    conflicts = []
    for path in sorted(paths):
        try:
            write_catalog(files[path], path, display_path(config, path), known)
        except ConflictError as exc:
            conflicts.append(exc)
    if conflicts:
        raise conflicts[0] if len(conflicts) == 1 else ErrorList(conflicts)


def verify(config: Config, locale: str | None = None) -> list[Item]:
    """Every entry with a record, judged: approved, stale, unverified, forged (or rejected)."""
    items, _ = load_items(config, locale, None)
    return [item for item in items if item.verdict.state != "none"]
