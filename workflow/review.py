"""Review: pending segments, approvals and rejections in the PO files, bound to the text they judge."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from workflow.approval import Approval, approval_state, entry_digest, parse_approval, provenance, \
    with_approval, with_rejection
from workflow.catalogs import POEntry, POFile, entry_regions, plural_count, read_catalog, write_catalog
from workflow.config import CONFIG_PATH, Config, Reviewer
from workflow.errors import ConflictError, ErrorList, LocumError, UsageError
from workflow.extract import display_path
from workflow.glossary import Glossary, load_glossary
from workflow.quality import Finding, catalog_paths, check_entry


class ReviewError(LocumError):
    """A review action that must not happen (undeclared reviewer, unclean entry, unknown id)."""


@dataclass
class Item:
    """One entry of one catalog, as a reviewer sees it."""

    id: str
    catalog: str
    slug: str
    path: Path
    shown: str
    entry: POEntry
    findings: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def state(self) -> str:
        if not self.entry.msgstr and not any(self.entry.msgstr_plural.values()):
            return "untranslated"
        if "fuzzy" in self.entry.flags:
            return "fuzzy"
        return {"approved": "approved", "stale": "stale", "none": "pending"}[approval_state(self.entry)]

    @property
    def errors(self) -> list[tuple[str, str, str]]:
        return [f for f in self.findings if f[1] == "error"]

    @property
    def region(self) -> str:
        return ", ".join(sorted(entry_regions(self.entry))) or "all"


def segment_id(slug: str, entry: POEntry) -> str:
    """A short id that stays the same while the source text does (translations may change).

    >>> from workflow.catalogs import POEntry
    >>> segment_id("x", POEntry(msgid="Pain")) == segment_id("x", POEntry(msgid="Pain", msgstr="Dolor"))
    True
    """
    key = "\0".join((slug, entry.msgctxt or "", entry.msgid))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def load_items(config: Config, locale: str | None, article: str | None,
               glossary: Glossary | None = None) -> tuple[list[Item], dict[Path, POFile]]:
    """Every live entry of the selected catalogs, with its check findings."""
    glossary = glossary if glossary is not None else load_glossary(config.root, config.catalogs)
    items: list[Item] = []
    files: dict[Path, POFile] = {}
    for catalog, path in catalog_paths(config, locale, article):
        po = read_catalog(path, display_path(config, path))
        files[path] = po
        nplurals = plural_count(po.metadata.get("Plural-Forms"))
        for entry in po:
            if entry.obsolete:
                continue
            items.append(Item(segment_id(path.stem, entry), catalog, path.stem, path,
                              f"{display_path(config, path)}:{entry.linenum}", entry,
                              check_entry(entry, catalog, glossary, nplurals)))
    return items, files


def pending(config: Config, locale: str, article: str | None = None) -> list[Item]:
    """Entries waiting for a reviewer: translated, not fuzzy, without a valid approval."""
    items, _ = load_items(config, locale, article)
    return [item for item in items if item.state in ("pending", "stale")]


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


def approvers(config: Config, catalog: str) -> frozenset[str]:
    """E-mails of the reviewers declared for ``catalog`` (lower-case)."""
    return frozenset(r.email.lower() for r in config.reviewers if catalog in r.catalogs)


def is_approved(entry: POEntry, allowed: frozenset[str]) -> bool:
    """A valid approval, by a reviewer declared for the entry's catalog, of exactly this text."""
    record = parse_approval(entry.tcomment)
    return record is not None and record.email.lower() in allowed and record.digest == entry_digest(entry)


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


def approve(config: Config, locale: str, email: str, ids: list[str] | None = None,
            article: str | None = None, all_clean: bool = False,
            today: dt.date | None = None) -> tuple[list[Item], list[Item]]:
    """Approve segments by id, or every clean pending segment of an article.

    Nothing is written unless every requested segment may be approved.
    Returns (approved, left pending because not clean).
    """
    items, files = load_items(config, locale, article)
    if ids:
        chosen, skipped = _select(items, ids), []
    elif all_clean and article:
        waiting = [i for i in items if i.state in ("pending", "stale")]
        chosen = [i for i in waiting if not i.findings]
        skipped = [i for i in waiting if i.findings]
    else:
        raise UsageError("say which segments: --id ID … or --article SLUG --all-clean")
    touched = {i.catalog for i in chosen} or {i.catalog for i in items}
    reviewer = reviewer_for(config, email, touched)
    problems = []
    for item in chosen:
        if item.state in ("untranslated", "fuzzy"):
            problems.append(ReviewError(f"cannot approve {item.id}: the entry is {item.state}", path=item.shown))
        elif item.errors:
            detail = "; ".join(f"[{c}] {m}" for c, _, m in item.errors)
            problems.append(ReviewError(f"cannot approve {item.id}: {detail}", path=item.shown))
    if problems:
        raise problems[0] if len(problems) == 1 else ErrorList(problems)
    date = today or dt.date.today()
    for item in chosen:
        record = Approval(reviewer.name, reviewer.email, date, entry_digest(item.entry))
        item.entry.tcomment = with_approval(item.entry.tcomment, record)
    _write_all(config, files, {item.path for item in chosen})
    return chosen, skipped


def reject(config: Config, locale: str, email: str, segment: str, reason: str,
           today: dt.date | None = None) -> list[Item]:
    """Send a segment back: mark it fuzzy and record the reviewer's reason."""
    if not reason.strip():
        raise UsageError("a rejection needs a --reason the translator can act on")
    items, files = load_items(config, locale, None)
    chosen = _select(items, [segment])
    reviewer = reviewer_for(config, email, {i.catalog for i in chosen})
    for item in chosen:
        if "fuzzy" not in item.entry.flags:
            item.entry.flags.insert(0, "fuzzy")
        item.entry.tcomment = with_rejection(item.entry.tcomment, reviewer.name, reviewer.email,
                                             today or dt.date.today(), reason)
    _write_all(config, files, {item.path for item in chosen})
    return chosen


def _write_all(config: Config, files: dict, paths: set) -> None:
    """Write each changed catalog by compare-and-swap; one a translator saved meanwhile is left alone."""
    conflicts = []
    for path in sorted(paths):
        try:
            write_catalog(files[path], path, display_path(config, path))
        except ConflictError as exc:
            conflicts.append(exc)
    if conflicts:
        raise conflicts[0] if len(conflicts) == 1 else ErrorList(conflicts)


def approval_info(entry: POEntry) -> dict:
    """What the audit trail records of an entry: approver, date and machine provenance."""
    record = parse_approval(entry.tcomment)
    return {"approver": f"{record.name} <{record.email}>" if record else None,
            "date": record.date.isoformat() if record else None,
            "provenance": provenance(entry.tcomment)}
