"""What the build records in ``audit/`` for editors and auditors: each page's audit, their index, the build report.

``audit/`` is never served and is git-ignored by the ``.gitignore`` the build
writes in it. A published page's audit lists every segment it shows with
whatever :func:`workflow.provenance.approval_info` recorded at compile time
(catalog, reviewer name and e-mail, time, key fingerprint, provenance); the
index lists the audits; the report lists the pages published and those the
gate held back, each with its missing segments. The build writes these files
and never reads them back: what it needs of the last build is in its manifest
(:mod:`workflow.manifest`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workflow import __version__
from workflow.config import OutputLocale
from workflow.manifest import input_key
from workflow.staging import Writer

AUDIT_DIR = "audit"                     # relative to the project root: the build's records, never served
REPORT = "build-report.json"            # in AUDIT_DIR
REPORT_PATH = Path(AUDIT_DIR) / REPORT  # as the console names it
AUDIT_INDEX = "index.audit.json"        # in AUDIT_DIR
AUDIT_SUFFIX = ".audit.json"            # AUDIT_DIR/<locale>/<slug>.audit.json
GITIGNORE = ".gitignore"
# The build writes both trees through one staging folder: paths under this prefix go to AUDIT_DIR, not output/
# (a dot folder, which no locale tag, slug or image folder of output/ can be).
AUDITED = ".audit/"
GITIGNORE_TEXT = ("# Written by Locum: the audit names reviewers and their e-mail addresses, and every build\n"
                  "# writes it anew from the catalogs, whose git history is the lasting record.\n*\n")


def audit_relpath(tag: str, slug: str) -> str:
    """Where a page's audit goes in the staging folder and the manifest (see :data:`AUDITED`).

    >>> audit_relpath("es-US", "pain-relief")
    '.audit/es-US/pain-relief.audit.json'
    """
    return f"{AUDITED}{tag}/{slug}{AUDIT_SUFFIX}"


@dataclass(frozen=True)
class Skipped:
    """A page held back by the gate: ``count`` segments not translated and approved."""

    locale: str
    slug: str
    count: int
    missing: tuple[dict, ...]       # each with ``text`` and ``source`` (``path:line``)


@dataclass(frozen=True)
class Outdated:
    """A page served from its last approved version (:mod:`workflow.snapshots`): outdated, or withdrawn."""

    locale: str
    slug: str
    withdrawn: bool
    since: str                      # ISO day: the English changed (a safety change's own date when withdrawn)
    reviewed: str | None            # ISO day: the latest approval of the version served
    missing: list[dict]             # what the current English lacks, each with ``text`` and ``source``

    def describe(self, today: dt.date) -> str:
        """The console's line: what is served, since when and for how long.

        >>> Outdated("pl-GB", "a", False, "2026-12-01", "2026-11-20", [{}]).describe(dt.date(2026, 12, 3))
        'outdated since 2026-12-01 (2 day(s)): pl-GB/a serves its version last reviewed 2026-11-20; 1 segment(s) missing'
        """
        days = (today - dt.date.fromisoformat(self.since)).days
        served = "withdrawn after the safety change of" if self.withdrawn else "outdated since"
        return (f"{served} {self.since} ({days} day(s)): {self.locale}/{self.slug} serves its version last "
                f"reviewed {self.reviewed}; {len(self.missing)} segment(s) missing")


@dataclass(frozen=True)
class Listing:
    """What the report and the audit index list, in site order."""

    published: tuple[tuple[str, str], ...]      # (locale, slug)
    skipped: tuple[Skipped, ...]
    audits: tuple[dict, ...]        # the audit index's rows (see :func:`audit_row`)
    shown: tuple[str, ...]          # what the report shows: each page, a held-back one with its inputs' key
    outdated: tuple[Outdated, ...] = ()


def _source(locale: OutputLocale) -> str:
    return "source text" if not locale.chain else "catalogs"


def page_audit_text(locale: OutputLocale, slug: str, url: str, segments: list[dict]) -> str:
    """A published page's audit: its address and every segment it shows, with the approval behind it."""
    audit = {"locale": locale.tag, "slug": slug, "page": url, "source": _source(locale), "segments": segments}
    return json.dumps(audit, ensure_ascii=False, indent=1) + "\n"


def audit_row(locale: OutputLocale, slug: str, segments: int) -> dict:
    """A published page's line in the audit index."""
    return {"locale": locale.tag, "slug": slug, "source": _source(locale), "segments": segments,
            "file": audit_relpath(locale.tag, slug).removeprefix(AUDITED)}


def report_parts(preview: bool, listing: Listing) -> Iterator[str]:
    """``build-report.json``, a piece at a time: the pages published, those held back with their missing
    segments, and those served from their last approved version (outdated or withdrawn: since when, last
    reviewed when, and what the current English lacks)."""
    return json_line_parts({"generator": f"Locum {__version__}", "preview": preview,
                            "published": [{"locale": tag, "slug": slug} for tag, slug in listing.published],
                            "skipped": [{"locale": s.locale, "slug": s.slug, "missing": list(s.missing)}
                                        for s in listing.skipped],
                            "outdated": [{"locale": o.locale, "slug": o.slug,
                                          "served": "withdrawn" if o.withdrawn else "last approved version",
                                          "since": o.since, "reviewed": o.reviewed, "missing": o.missing}
                                         for o in listing.outdated]})


def write_audit_files(writer: Writer, base: str, preview: bool, listing: Listing, previous_report: str | None) -> str:
    """Write the report, the audit index and the ``.gitignore`` of ``audit/``, or keep each that is unchanged.

    ``base`` is the key of what every file depends on (templates, config,
    version); ``previous_report`` the SHA-256 of the report on disk when it
    is still the one the last build wrote (else None: it is written anew).
    Returns the SHA-256 of the report as it now is, for the manifest.
    """
    key = input_key(base, str(preview), *listing.shown)
    report_digest = previous_report
    if previous_report is None or not writer.reuse((AUDITED + REPORT,), key):
        # a piece at a time: the whole text (6.5 MB at 1,000 articles), its copies and its bytes made a cold
        # publish's peak memory (158 MB; 140 with this and the manifest written a piece at a time)
        report_digest = writer.write_parts(AUDITED + REPORT, report_parts(preview, listing), key)
    key = input_key(base, *(f"{a['file']}:{a['segments']}" for a in listing.audits))
    if not writer.reuse((AUDITED + AUDIT_INDEX,), key):
        writer.write_parts(AUDITED + AUDIT_INDEX, json_line_parts(list(listing.audits)), key)
    key = input_key(GITIGNORE_TEXT)
    if not writer.reuse((AUDITED + GITIGNORE,), key):
        writer.write(AUDITED + GITIGNORE, GITIGNORE_TEXT, key)
    return report_digest


def json_lines(value) -> str:
    """JSON with one list item per line: readable and diffable, yet written by the C encoder.

    >>> print(json_lines({"a": 1, "b": [{"c": "é"}, 2], "d": []}), end="")
    {
    "a": 1,
    "b": [
    {"c": "é"},
    2
    ],
    "d": []
    }
    >>> json_lines([]), json_lines({}), json_lines("x"), json_lines([1, {"k": [2]}])
    ('[]\\n', '{\\n\\n}\\n', '"x"\\n', '[\\n1,\\n{"k": [2]}\\n]\\n')
    """
    return "".join(json_line_parts(value))


def json_line_parts(value) -> Iterator[str]:
    """:func:`json_lines` a piece at a time (a list item, a key), for files too big to hold twice."""
    if isinstance(value, dict):
        yield "{\n"
        separator = ""
        for key, item in value.items():
            yield f"{separator}{_dump(key)}: "
            if isinstance(item, list):
                yield from _list_parts(item)
            else:
                yield _dump(item)
            separator = ",\n"
        yield "\n}\n"
    elif isinstance(value, list):
        yield from _list_parts(value)
        yield "\n"
    else:
        yield _dump(value) + "\n"


def _list_parts(items: list) -> Iterator[str]:
    if not items:
        yield "[]"
        return
    yield "[\n"
    separator = ""
    for item in items:
        yield separator + _dump(item)
        separator = ",\n"
    yield "\n]"


def _dump(part) -> str:
    return json.dumps(part, ensure_ascii=False)
