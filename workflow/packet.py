"""The review packet: a self-contained, printable HTML page of one article in one locale for reviewers."""

from __future__ import annotations

import datetime as dt
import re

from workflow import languages
from workflow.approval import without_record
from workflow.catalogs import read_catalog
from workflow.checks.numbers import extract_quantities
from workflow.config import Config
from workflow.entries import has_translation, shown_translation
from workflow.glossary import Glossary, load_glossary
from workflow.inline import highlight, render_inline  # noqa: F401  (highlight: packet.highlight, as before)
from workflow.languages import SOURCE_LANGUAGE
from workflow.project import display_path
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


def _row(item: Item, glossary: Glossary, names: dict[str, str], source_language: str,
         shadowed: list[str]) -> dict:
    entry = item.entry
    target = shown_translation(entry)
    notes = [line for line in without_record(entry.tcomment).split("\n")
             if line and not line.startswith(("mt: ", "tm: ", "(locum) "))]
    return {"id": item.id, "region": item.region, "kind": (entry.comment or "").split("\n")[0].removeprefix("kind: "),
            "source": render_inline(entry.msgid, lambda text: source_spans(text, glossary, source_language)),
            "target": render_inline(target, lambda text: target_spans(text, item.catalog, glossary, source_language)),
            "findings": item.findings, "state": item.state, "provenance": item.origin,
            "approver": decision(item, names), "notes": notes, "where": item.shown, "shadowed": shadowed}


def decision(item: Item, names: dict[str, str]) -> str | None:
    """Who decided on this text, when: only for a verified record of the entry as it is now (an approval of this
    exact text, not fuzzy; or the rejection that made it fuzzy); otherwise what is wrong with the record, with no
    name (a stale approval judged another text, a forged one names someone who did not sign it)."""
    verdict, record = item.verdict, item.verdict.record
    if record is None:
        return None
    via = " (in the review server)" if record.via else ""
    when = record.time.replace("T", " ").replace("Z", " UTC")
    who = names.get(record.email.lower(), record.email)
    if item.state == "approved":
        return f"approved by {who}, {when}{via}"
    if item.state == "rejected":
        return f"rejected by {who}, {when}{via}: {verdict.reason}"
    if verdict.state == "stale" or item.state in ("fuzzy", "suggested"):
        return "an earlier approval no longer covers this text"
    return f"{verdict.state}: {verdict.reason}" if verdict.reason else verdict.state


def shadowing(config: Config, article: str, catalog: str) -> dict[tuple[str | None, str], list[str]]:
    """(context, source) → the output locales (``es-US``) whose readers see an override catalog's (``es_US``)
    translation of that entry instead of ``catalog``'s."""
    out: dict[tuple[str | None, str], list[str]] = {}
    for loc in config.locales:
        if catalog not in loc.chain:
            continue
        for override in loc.chain[:loc.chain.index(catalog)]:
            path = config.po_path(override, article)
            if not path.exists():
                continue
            for entry in read_catalog(path, display_path(config, path)):
                if not entry.obsolete and has_translation(entry) and "fuzzy" not in entry.flags:
                    tags = out.setdefault((entry.msgctxt, entry.msgid), [])
                    if f"{loc.tag} ({override})" not in tags:
                        tags.append(f"{loc.tag} ({override})")
    return out


def article_title(config: Config, article: str) -> str:
    """The article's title as its front matter gives it (the template's ``kind: title`` entry), else the slug."""
    path = config.pot_path(article)
    if path.exists():
        for entry in read_catalog(path, display_path(config, path)):
            kinds = (entry.comment or "").split("\n")[0].removeprefix("kind: ").split(", ")
            if "title" in kinds:
                return entry.msgid
    return article


def render_packet(config: Config, locale: str, article: str, today: dt.date | None = None) -> str:
    """The packet's HTML for ``article`` in the catalogs of ``locale`` (a catalog or an output locale)."""
    glossary = load_glossary(config.root, config.catalogs, config.source_language)
    items, _ = load_items(config, locale, article, glossary)
    catalogs = list(dict.fromkeys(item.catalog for item in items))
    names = {r.email.lower(): r.name for r in config.reviewers}
    sections = []
    for catalog in catalogs:
        shadows = shadowing(config, article, catalog)
        rows = [_row(item, glossary, names, config.source_language,
                     shadows.get((item.entry.msgctxt, item.entry.msgid), []))
                for item in items if item.catalog == catalog]
        counts = {state: sum(1 for r in rows if r["state"] == state)
                  for state in ("approved", "pending", "stale", "suggested", "fuzzy", "rejected", "untranslated",
                                "unverified", "forged")}
        tag = catalog.replace("_", "-")
        sections.append({"catalog": catalog, "lang": tag,
                         "dir": "rtl" if languages.right_to_left(tag) else "ltr",
                         "rows": rows, "counts": counts,
                         "reviewers": [r for r in config.reviewers if catalog in r.catalogs]})
    env = environment(_null())
    return env.get_template("review_packet.html").render(
        title=re.sub(r"\s+", " ", article_title(config, article)), locale=locale, article=article,
        sections=sections, generated=(today or dt.date.today()).isoformat(), source_language=config.source_language)


def _null():
    import gettext
    return gettext.NullTranslations()
