"""Progress per catalog and article: segments, translated, fuzzy, approved, stale, with errors."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from workflow.config import Config
from workflow.review import load_items

COLUMNS = ("segments", "translated", "fuzzy", "approved", "stale", "errors")


@dataclass
class Row:
    locale: str
    article: str
    segments: int = 0
    translated: int = 0
    fuzzy: int = 0
    approved: int = 0
    stale: int = 0
    errors: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def collect_stats(config: Config, locale: str | None = None) -> list[Row]:
    """One row per catalog and article (regional override catalogs count only their own entries)."""
    items, _ = load_items(config, locale, None)
    rows: dict[tuple[str, str], Row] = {}
    for item in items:
        row = rows.setdefault((item.catalog, item.slug), Row(item.catalog, item.slug))
        row.segments += 1
        state = item.state
        row.translated += state in ("pending", "stale", "approved", "unverified", "forged")
        row.fuzzy += state in ("fuzzy", "suggested", "rejected")
        row.approved += state == "approved"
        row.stale += state == "stale"
        row.errors += bool(item.errors)
    return list(rows.values())


def format_table(rows: list[Row]) -> str:
    """A plain-text table with a total line.

    >>> print(format_table([Row("es", "x", 2, 2, 0, 1, 0, 0)]))
    locale  article  segments  translated  fuzzy  approved  stale  errors
    es      x               2           2      0         1      0       0
    total                   2           2      0         1      0       0
    """
    total = Row("total", "")
    for row in rows:
        for column in COLUMNS:
            setattr(total, column, getattr(total, column) + getattr(row, column))
    table = [("locale", "article", *COLUMNS)] + [
        (r.locale, r.article, *(str(getattr(r, c)) for c in COLUMNS)) for r in [*rows, total]]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    lines = []
    for line in table:
        cells = [line[0].ljust(widths[0]), line[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(line[2:], widths[2:])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
