"""The translation memory: every translated entry of one language's catalogs, with exact and indexed fuzzy lookup."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from workflow.approval import approval_state
from workflow.catalogs import POEntry, POFile, read_catalog
from workflow.config import Config
from workflow.extract import display_path


@dataclass(frozen=True)
class Record:
    forms: tuple[str, ...]
    origin: str          # catalog/slug
    msgctxt: str | None
    approved: bool


class Memory:
    """Every translated, non-fuzzy entry of one language's catalogs: exact lookups, then fuzzy (RapidFuzz, in C)."""

    def __init__(self, records: dict[tuple[str, str | None], list[Record]], catalog: str):
        for found in records.values():
            found.sort(key=lambda r: (not r.approved, not r.origin.startswith(catalog + "/"), r.origin))
        self.exact = records
        singles = sorted((source for source, plural in records if plural is None), key=len)
        self.choices, self.lengths = singles, [len(s) for s in singles]

    def lookup(self, entry: POEntry, origin: str, threshold: float) -> tuple[Record, int] | None:
        key = (entry.msgid, entry.msgid_plural or None)
        for record in self.exact.get(key, ()):
            if (record.origin, record.msgctxt) != (origin, entry.msgctxt):
                return record, 100
        if entry.msgid_plural:
            return None
        share = max(threshold, 1) / 100            # ratio ≥ share needs a length within these bounds
        size = len(entry.msgid)
        lo = bisect.bisect_left(self.lengths, int(size * share / (2 - share)))
        hi = bisect.bisect_right(self.lengths, int(size * (2 - share) / share) + 1)
        best = process.extractOne(entry.msgid, self.choices[lo:hi], scorer=fuzz.ratio, score_cutoff=threshold)
        if best is None:
            return None
        return self.exact[(best[0], None)][0], min(int(best[1]), 99)


def build_memory(config: Config, catalog: str, parsed: dict[Path, POFile]) -> Memory:
    """The memory for ``catalog`` from every catalog of its language (``es`` and ``es_US`` alike)."""
    language = catalog.split("_")[0]
    records: dict[tuple[str, str | None], list[Record]] = {}
    for other in config.catalogs:
        if other.split("_")[0] != language:
            continue
        for path in sorted((config.locales_dir / other / "LC_MESSAGES").glob("*.po")):
            if path not in parsed:
                parsed[path] = read_catalog(path, display_path(config, path))
            for entry in parsed[path]:
                forms = ([entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)] if entry.msgid_plural
                         else [entry.msgstr])
                if entry.obsolete or "fuzzy" in entry.flags or not all(forms) or not forms:
                    continue
                records.setdefault((entry.msgid, entry.msgid_plural or None), []).append(
                    Record(tuple(forms), f"{other}/{path.stem}", entry.msgctxt, approval_state(entry) == "approved"))
    return Memory(records, catalog)
