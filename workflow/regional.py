"""The glossary's regional renderings on the composed page: what an output locale's text must say, whichever
catalog of its chain (or the source text) supplies it.

A locale's chain (``es-US``: ``es_US`` → ``es``) composes its pages: each
segment comes from the first catalog that has it. The glossary's most specific
rendering for the locale (the ``es_US`` column: ``acetaminofén``) must then be
in the text the locale shows, also when ``es`` supplies it (``paracetamol``)
or the chain ends in the source language and the English source is shown
(``en-US``). The build's lookup (:mod:`workflow.translations`) holds such a
segment back, ``check`` reports it (:func:`page_findings`), and ``update``
creates the override entry to fill (:func:`needs_override`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from workflow.catalogs import read_catalog
from workflow.checks import ERROR, SOURCE_CHECKS
from workflow.config import Config, OutputLocale
from workflow.entries import in_market, is_translated, regions, translations
from workflow.findings import Finding
from workflow.glossary import GLOSSARY_PATH, Forms, Glossary, Term, parse_glossary, prose
from workflow.project import display_path
from workflow.visible import visible

CHECK = "glossary-regional"


@dataclass(frozen=True)
class Requirement:
    """A locked ``term`` that a locale's pages must render as ``forms``, the column of its ``catalog`` (``es_US``)."""

    term: Term
    catalog: str
    forms: Forms

    def unmet(self, source: str, shown: str) -> bool:
        """Whether ``shown``, the text the page shows for ``source``, lacks the rendering the term requires."""
        return self.term.occurs_in(source) and self.forms.pattern.search(prose(visible(shown))) is None


def falls_to_source(config: Config, locale: OutputLocale) -> bool:
    """Whether ``locale`` shows the source text where its chain has nothing (``[]``, ``en_US`` → source)."""
    return not locale.chain or config.is_override(locale.chain[-1])


def requirements(glossary: Glossary, chain: tuple[str, ...], to_source: bool) -> tuple[Requirement, ...]:
    """For each locked term: the first regional catalog of ``chain`` with its own column, when a later link
    (another catalog, or the source text if ``to_source``) may supply the text instead.

    >>> from workflow.glossary import parse_glossary
    >>> g = parse_glossary("term,status,note,es,es_US,en_US\\nparacetamol,locked,,paracetamol,acetaminofén,"
    ...                    "acetaminophen\\nibuprofen,locked,,ibuprofeno,,\\n", ("es", "es_US", "en_US"))
    >>> [(r.term.term, r.catalog) for r in requirements(g, ("es_US", "es"), False)]
    [('paracetamol', 'es_US')]
    >>> requirements(g, ("en_US",), True)[0].forms.shown, requirements(g, ("es",), False)
    ('acetaminophen', ())
    """
    found = []
    for term in glossary.by_status("locked"):
        for index, catalog in enumerate(chain):
            if "_" in catalog and catalog in term.renderings:
                if index + 1 < len(chain) or to_source:
                    found.append(Requirement(term, catalog, term.renderings[catalog]))
                break
    return tuple(found)


@lru_cache(maxsize=16)
def _parsed(data: bytes, catalogs: tuple[str, ...], source_language: str, chain: tuple[str, ...],
            to_source: bool) -> tuple[Requirement, ...]:
    glossary = parse_glossary(data.decode("utf-8-sig"), catalogs, source_language=source_language)
    return requirements(glossary, chain, to_source)


def locale_requirements(config: Config, locale: OutputLocale) -> tuple[Requirement, ...]:
    """:func:`requirements` of ``locale`` from the project's glossary (parsed once per process and content)."""
    if not any("_" in name for name in locale.chain):
        return ()
    try:
        data = (config.root / GLOSSARY_PATH).read_bytes()
    except FileNotFoundError:
        return ()
    return _parsed(data, config.catalogs, config.source_language, locale.chain, falls_to_source(config, locale))


def _satisfied_by(forms: Forms | None, required: Forms) -> bool:
    """Whether every literal form of ``forms`` already has the ``required`` rendering (a ``/regex/``: unknown, no)."""
    shown = forms.shown if forms is not None else ""
    if not shown or (len(shown) > 1 and shown.startswith("/") and shown.endswith("/")):
        return False
    return all(required.search(form) for form in shown.split("|") if form.strip())


def needs_override(config: Config, glossary: Glossary, catalog: str):
    """A predicate on template entries: those an override ``catalog`` must hold, because the source names a
    locked term whose rendering for ``catalog`` the next link of the chain (a catalog's rendering, or the
    term itself when the source text follows) does not give. None when ``catalog`` needs none."""
    rules: list[tuple[Term, Forms]] = []
    for locale in config.locales:
        if catalog not in locale.chain:
            continue
        index = locale.chain.index(catalog)
        later = locale.chain[index + 1:]
        for req in requirements(glossary, locale.chain[index:], falls_to_source(config, locale)):
            fallback = req.term.forms_for(later[0], config.source_language) if later else Forms(
                req.term.source_pattern, req.term.term)
            if req.catalog == catalog and not _satisfied_by(fallback, req.forms):
                rules.append((req.term, req.forms))
    if not rules:
        return None
    return lambda entry: any(term.occurs_in(entry.msgid) for term, _ in rules)


def page_findings(config: Config, locale: OutputLocale, slug: str, known: dict | None = None) -> list[Finding]:
    """What ``locale``'s page of ``slug`` would show without a required regional rendering, each at the line
    of its entry in the override catalog, or of the source when that catalog lacks the entry.

    Text the override catalog itself supplies is judged by ``glossary-locked``. ``known``: files parsed
    already (:func:`workflow.catalogs.read_catalog`), shared with the caller and not changed here.
    """
    reqs = locale_requirements(config, locale)
    pot_path = config.pot_path(slug)
    if not reqs or not pot_path.exists():
        return []
    raw = pot_path.read_text(encoding="utf-8")
    reqs = tuple(r for r in reqs if r.term.source_pattern.search(raw))      # cheap: most articles name none
    if not reqs:
        return []
    template = read_catalog(pot_path, display_path(config, pot_path), known)
    catalogs = {}
    for name in locale.chain:
        path = config.po_path(name, slug)
        if path.exists():
            catalogs[name] = (display_path(config, path), {e.msgid: e for e in read_catalog(path, known=known) if not e.obsolete})
    to_source = falls_to_source(config, locale)
    findings = []
    for entry in template:
        if entry.obsolete or not in_market(entry, {locale.market}):
            continue
        supplier, shown = _supplier(locale.chain, catalogs, entry.msgid, to_source)
        for req in reqs:
            if supplier == req.catalog or (shown is not None and not req.unmet(entry.msgid, shown)):
                continue
            if not req.term.occurs_in(entry.msgid):
                continue
            findings.append(_finding(config, locale, req, entry, catalogs.get(req.catalog), supplier, shown, slug))
    return findings


def _supplier(chain, catalogs, msgid: str, to_source: bool) -> tuple[str | None, str | None]:
    """The catalog whose translation of ``msgid`` the page shows and that text (``source``, or nothing)."""
    for name in chain:
        entry = catalogs.get(name, (None, {}))[1].get(msgid)
        if entry is not None and is_translated(entry):
            return name, translations(entry)[0]
    return ("source", msgid) if to_source else (None, None)


def _finding(config: Config, locale: OutputLocale, req: Requirement, entry, override, supplier, shown,
             slug: str) -> Finding:
    target = display_path(config, config.po_path(req.catalog, slug))
    what = f"shows {_short(shown)!r} from {supplier}" if shown is not None else "has no translation yet"
    message = (f"{locale.tag} {what}: {req.term.term!r} must read {req.forms.shown} there; this segment is held "
               f"back from {locale.tag} until {target} translates it")
    entries = override[1] if override is not None else {}
    if entry.msgid in entries:
        path, line = override[0], entries[entry.msgid].linenum
    else:
        message += f" ('locum update --locale {locale.tag}' creates the entry)"
        path, line = _occurrence(entry, slug)
    return Finding(path, line, ERROR, CHECK, message, locale.tag, entry.msgid)


def _occurrence(entry, slug: str) -> tuple[str, int]:
    """The first ``#:`` location of a template entry (``source/x.md``, 42)."""
    for path, line in entry.occurrences:
        return path, int(line) if str(line).isdigit() else 0
    return Path("source", f"{slug}.md").as_posix(), 0


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def selected_locales(config: Config, locale: str | None) -> list[OutputLocale]:
    """The output locales ``--locale`` names: all, one (``es-US``), or those whose chain has a catalog (``es``)."""
    if locale is None:
        return list(config.locales)
    return [loc for loc in config.locales if loc.tag.lower() == locale.lower() or locale in loc.chain]


def source_findings(config: Config, locale: str | None, slug: str, known: dict | None = None) -> list[Finding]:
    """The source-level checks (:data:`workflow.checks.SOURCE_CHECKS`) of one article's template, and the
    composed-page findings (:func:`page_findings`) of the selected locales; ``known`` as there."""
    locales = selected_locales(config, locale)
    pot_path = config.pot_path(slug)
    findings: list[Finding] = []
    if pot_path.exists():
        blocks: dict[str, list[tuple[int, str]]] = {}
        for entry in read_catalog(pot_path, display_path(config, pot_path), known):
            for market in sorted(regions(entry)):
                _, line = _occurrence(entry, slug)
                blocks.setdefault(market, []).append((line, entry.msgid))
        shown_path = Path("source", f"{slug}.md").as_posix()
        served = list(dict.fromkeys(loc.market for loc in locales))
        for check in SOURCE_CHECKS.values():
            for line, _market, message in check.function(blocks, served, config.source_language):
                findings.append(Finding(shown_path, line, check.severity, check.id, message, "", ""))
    for loc in locales:
        findings.extend(page_findings(config, loc, slug, known))
    return findings
