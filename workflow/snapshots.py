"""The last approved version of each page: ``locales/published/<locale>/<slug>.json``, kept in the repository.

When a page is published fully approved, the build records what it showed:
the article's Markdown as it then was and every translation the locale's
catalog chain gave it (msgid, msgstr, catalog, approval day, SHA-256). When
the page later fails the gate (the English text changed), the build serves
that version again, localized and rendered through the normal pipeline from
this text, never from stored HTML, with a notice (:mod:`workflow.pages`).

A snapshot is a plain, deterministic JSON file, written only by the build
(atomically, and only when its bytes change); ``make clean`` leaves it, and
git keeps it. Reading one is strict: bad JSON, a wrong type, a field missing
or too many, a digest that does not match its text, or another page's
snapshot is an error naming the file. A snapshot edited by hand cannot inject
markup either way: its texts are parsed as Markdown with raw HTML off and
escaped like any translation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from workflow.errors import CatalogError

SNAPSHOTS = Path("locales") / "published"       # relative to the project root
SNAPSHOT_FORMAT = 1
_FIELDS = {"format", "locale", "slug", "source", "source_sha256", "approved", "stale_since", "translations"}
_ROW = {"msgid", "msgstr", "catalog", "approved", "sha256"}


def snapshot_relpath(tag: str, slug: str) -> str:
    """Where a page's snapshot lives, relative to the project root.

    >>> snapshot_relpath("pl-GB", "pain-relief")
    'locales/published/pl-GB/pain-relief.json'
    """
    return f"{SNAPSHOTS.as_posix()}/{tag}/{slug}.json"


def text_digest(*parts: str) -> str:
    """SHA-256 of ``parts`` joined by NUL (a translation: msgid and msgstr)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Translation:
    """One translation the page showed: its source text, the text, its catalog and the day it was approved."""

    msgid: str
    msgstr: str
    catalog: str
    approved: str | None        # ISO date, or None when compile recorded none


@dataclass(frozen=True)
class Snapshot:
    """A page's last fully approved version (see the module docstring)."""

    locale: str
    slug: str
    source: str                                 # the article's Markdown as it was approved
    translations: tuple[Translation, ...]
    stale_since: str | None = None              # ISO date a build first found the page no longer approved

    @property
    def approved(self) -> str | None:
        """The latest approval day among its translations (ISO date)."""
        days = [t.approved for t in self.translations if t.approved]
        return max(days) if days else None

    def lookup(self, text: str) -> str | None:
        for translation in self.translations:
            if translation.msgid == text:
                return translation.msgstr
        return None

    def origin(self, text: str) -> dict:
        for translation in self.translations:
            if translation.msgid == text:
                return {"catalog": translation.catalog, "approver": None, "date": translation.approved,
                        "provenance": "last approved version"}
        return {"catalog": None, "approver": None, "date": None, "provenance": None}

    def stale(self, today: dt.date) -> Snapshot:
        """This snapshot marked no longer approved since ``today``, unless it already is."""
        return self if self.stale_since else replace(self, stale_since=today.isoformat())

    def text(self) -> str:
        """The file's bytes: sorted keys, one translation per line, so a diff shows what changed."""
        head = {"format": SNAPSHOT_FORMAT, "locale": self.locale, "slug": self.slug,
                "approved": self.approved, "stale_since": self.stale_since,
                "source_sha256": text_digest(self.source), "source": self.source}
        rows = [json.dumps({"msgid": t.msgid, "msgstr": t.msgstr, "catalog": t.catalog, "approved": t.approved,
                            "sha256": text_digest(t.msgid, t.msgstr)}, ensure_ascii=False, sort_keys=True)
                for t in self.translations]
        lines = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(head.items())]
        lines.append('"translations": [' + ("\n" + ",\n".join(rows) + "\n" if rows else "") + "]")
        return "{\n" + ",\n".join(lines) + "\n}\n"


def approval_day(origin: dict) -> str | None:
    """The ISO day of an approval as compile recorded it (``date``, else the day of ``time``).

    >>> approval_day({"time": "2026-11-22T09:00:00Z"}), approval_day({"date": "soon"})
    ('2026-11-22', None)
    """
    for value in (origin.get("date"), origin.get("time")):
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                continue
    return None


def parse_snapshot(text: str, shown: str, locale: str, slug: str) -> Snapshot:
    """A snapshot's text → :class:`Snapshot`; anything malformed or not matching is a :class:`CatalogError`."""
    def bad(why: str) -> CatalogError:
        return CatalogError(f"not a snapshot Locum wrote ({why}); delete it, and the next fully approved "
                            "build writes it anew", path=shown)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise bad(f"bad JSON: {exc}") from None
    if not isinstance(data, dict) or set(data) != _FIELDS or data["format"] != SNAPSHOT_FORMAT:
        raise bad(f"expected the fields {', '.join(sorted(_FIELDS))} and format {SNAPSHOT_FORMAT}")
    if data["locale"] != locale or data["slug"] != slug:
        raise bad(f"it is the snapshot of {data['locale']!r}/{data['slug']!r}")
    source, rows = data["source"], data["translations"]
    if not isinstance(source, str) or data["source_sha256"] != text_digest(source):
        raise bad("'source' is not text, or does not match 'source_sha256'")
    if not _day_or_none(data["stale_since"]) or not isinstance(rows, list):
        raise bad("'stale_since' must be a date or null, 'translations' a list")
    translations = []
    for number, row in enumerate(rows, 1):
        if (not isinstance(row, dict) or set(row) != _ROW
                or not all(isinstance(row[k], str) for k in ("msgid", "msgstr", "catalog", "sha256"))
                or not _day_or_none(row["approved"])):
            raise bad(f"translation {number} is not {{msgid, msgstr, catalog, approved, sha256}}")
        if row["sha256"] != text_digest(row["msgid"], row["msgstr"]):
            raise bad(f"translation {number} does not match its 'sha256': it was edited by hand")
        translations.append(Translation(row["msgid"], row["msgstr"], row["catalog"], row["approved"]))
    snapshot = Snapshot(locale, slug, source, tuple(translations), data["stale_since"])
    if data["approved"] != snapshot.approved:
        raise bad("'approved' is not the latest approval of its translations")
    return snapshot


def _day_or_none(value) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def read_snapshot(root: Path, locale: str, slug: str) -> Snapshot | None:
    """The page's snapshot, or None when there is none (errors: :func:`parse_snapshot`)."""
    relpath = snapshot_relpath(locale, slug)
    try:
        data = (root / relpath).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CatalogError(f"unreadable snapshot: {exc}", path=relpath) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogError("not a snapshot Locum wrote (not UTF-8)", path=relpath) from None
    return parse_snapshot(text, relpath, locale, slug)
