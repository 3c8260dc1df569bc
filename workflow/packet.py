"""The review packet: a self-contained, printable HTML page of one article in one locale for reviewers."""

from __future__ import annotations

import datetime as dt
import re

from workflow import languages
from workflow.approval import without_record
from workflow.checks.numbers import extract_quantities
from workflow.config import Config
from workflow.entries import shown_translation
from workflow.glossary import Glossary, load_glossary
from workflow.inline import highlight, render_inline  # noqa: F401  (highlight: packet.highlight, as before)
from workflow.languages import SOURCE_LANGUAGE
from workflow.render import environment
from workflow.review import Item, load_items


def _quantity_spans(text: str, language: str, source_language: str) -> list[tuple[int, int, str]]:
    spans, cursor = [], 0
    for quantity in extract_quantities(text, language, source_language):
        start = text.find(quantity.text, cursor)
        if start >= 0:
            spans.append((start, start + len(quantity.text), "number"))
            cursor = start + len(quantity.text)
    return spans


def source_spans(text: str, glossary: Glossary, source_language: str = SOURCE_LANGUAGE) -> list[tuple[int, int, str]]:
    spans = [(m.start(), m.end(), f"term {t.status}") for t in glossary.terms
             for m in t.source_pattern.finditer(text)]
    return spans + _quantity_spans(text, source_language, source_language)


def target_spans(text: str, catalog: str, glossary: Glossary,
                 source_language: str = SOURCE_LANGUAGE) -> list[tuple[int, int, str]]:
    spans = []
    for term in glossary.terms:
        forms = term.forms_for(catalog, source_language)
        pattern = term.source_pattern if term.status == "dnt" else getattr(forms, "pattern", None)
        if pattern is not None:
            spans += [(m.start(), m.end(), f"term {term.status}") for m in pattern.finditer(text)]
    return spans + _quantity_spans(text, catalog, source_language)


def _row(item: Item, glossary: Glossary, reviewers, source_language: str) -> dict:
    entry = item.entry
    target = shown_translation(entry)
    record = item.verdict.record
    notes = [line for line in without_record(entry.tcomment).split("\n")
             if line and not line.startswith(("mt: ", "tm: ", "(locum) "))]
    names = {r.email.lower(): r.name for r in reviewers}
    who = (names.get(record.email.lower(), record.email) if record else None)
    return {"id": item.id, "region": item.region, "kind": (entry.comment or "").split("\n")[0].removeprefix("kind: "),
            "source": render_inline(entry.msgid, lambda text: source_spans(text, glossary, source_language)),
            "target": render_inline(target, lambda text: target_spans(text, item.catalog, glossary, source_language)),
            "findings": item.findings, "state": item.state, "provenance": item.origin,
            "approver": (f"{who}, {record.time.replace('T', ' ').replace('Z', ' UTC')} ({item.verdict.state})"
                         if record and item.verdict.state in ("approved", "stale", "unverified")
                         else f"{item.verdict.state}: {item.verdict.reason}" if record else None),
            "notes": notes, "where": item.shown}


def render_packet(config: Config, locale: str, article: str, today: dt.date | None = None) -> str:
    """The packet's HTML for ``article`` in the catalogs of ``locale`` (a catalog or an output locale)."""
    glossary = load_glossary(config.root, config.catalogs, config.source_language)
    items, _ = load_items(config, locale, article, glossary)
    catalogs = list(dict.fromkeys(item.catalog for item in items))
    sections = []
    for catalog in catalogs:
        rows = [_row(item, glossary, config.reviewers, config.source_language) for item in items
                if item.catalog == catalog]
        counts = {state: sum(1 for r in rows if r["state"] == state)
                  for state in ("approved", "pending", "stale", "suggested", "fuzzy", "rejected", "untranslated",
                                "unverified", "forged")}
        tag = catalog.replace("_", "-")
        sections.append({"catalog": catalog, "lang": tag,
                         "dir": "rtl" if languages.right_to_left(tag) else "ltr",
                         "rows": rows, "counts": counts,
                         "reviewers": [r for r in config.reviewers if catalog in r.catalogs]})
    title = re.sub(r"\s+", " ", article)
    env = environment(_null())
    return env.get_template("review_packet.html").render(
        title=title, locale=locale, article=article, sections=sections,
        generated=(today or dt.date.today()).isoformat(), source_language=config.source_language)


def _null():
    import gettext
    return gettext.NullTranslations()
