"""TBX: the glossary as a TBX-Basic termbase (TBX v3, ISO 30042:2019, DCA style) for translators' tools.

One ``<conceptEntry>`` per term, a ``<langSec>`` per language: English (the
term), each catalog column as its BCP 47 language (``es``, ``pl``, ``ar``)
and each regional column as a language of its own (``es-US``, ``en-US``).
The glossary's statuses become TBX-Basic's administrative statuses:

- ``locked``: the renderings are ``preferredTerm-admn-sts`` (the first; any
  further alternative ``admittedTerm-admn-sts``);
- ``forbidden``: the listed renderings are ``deprecatedTerm-admn-sts``, with
  a note saying not to use them;
- ``dnt``: the English term is the term of every language, preferred, with
  the note "do not translate".

A ``/regex/`` rendering is exported as its base form, with a note listing
the forms it accepts (:func:`workflow.hints.spell`): never the expression.
The glossary's ``note`` is the concept's ``<note>``.

Why TBX v3's TBX-Basic dialect: it is the current standard, and its
schema (the integrated RELAX NG of LTAC Global's TBX-Basic dialect) is
published for anyone to validate against; the 2008-era TBX-Basic schemas are
not to be found in any public repository we can cite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from workflow.config import Config
from workflow.errors import UsageError
from workflow.exchange.tmx import XML_LANG, bcp47
from workflow.glossary import Term, load_glossary
from workflow.hints import spell

NS = "urn:iso:std:iso:30042:ed:3.0"
SCHEMA = ("https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/"
          "TBXcoreStructV03_TBX-Basic_integrated.rng")
STATUS = {"locked": "preferredTerm-admn-sts", "forbidden": "deprecatedTerm-admn-sts", "dnt": "preferredTerm-admn-sts"}
ADMITTED = "admittedTerm-admn-sts"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, name, attrs)
    if text is not None:
        element.text = text
    return element


def concept_id(term: str, taken: set[str]) -> str:
    """An XML ID for the concept of ``term``, unique in ``taken`` (which it joins).

    >>> taken = set()
    >>> concept_id("NHS 111", taken), concept_id("NHS-111", taken), concept_id("999", taken)
    ('term-NHS-111', 'term-NHS-111-2', 'term-999')
    """
    base = "term-" + (re.sub(r"[^\w.-]+", "-", term, flags=re.ASCII).strip("-") or "x")
    found, n = base, 1
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    taken.add(found)
    return found


def _renderings(term: Term, config: Config) -> list[tuple[str, tuple[str, ...], str | None]]:
    """(language tag, forms, note on the forms) for each target language of ``term``, sorted by tag."""
    out = []
    if term.status == "dnt":
        languages = sorted({c.split("_")[0] for c in config.catalogs} - {config.source_language})
        return [(language, (term.term,), "do not translate") for language in languages]
    for column, forms in term.renderings.items():
        spelled = spell(forms.shown)
        note = None
        if spelled.pattern:
            note = f"accepted forms: {spelled.pattern} (… any ending)"
        elif spelled.inflected and len(spelled.forms) > 1:
            note = f"accepted forms: {', '.join(spelled.forms)}"
        shown = spelled.forms[:1] if spelled.inflected else spelled.forms
        out.append((bcp47(column), shown, note))
    return sorted(out)


def _term_sec(lang_sec: ET.Element, text: str, status: str, note: str | None) -> None:
    term_sec = _sub(lang_sec, "termSec")
    _sub(term_sec, "term", text)
    _sub(term_sec, "termNote", status, type="administrativeStatus")
    if note:
        _sub(term_sec, "note", note)


def _concept(body: ET.Element, term: Term, config: Config, taken: set[str]) -> None:
    entry = _sub(body, "conceptEntry", id=concept_id(term.term, taken))
    if term.note:
        _sub(entry, "note", term.note)
    source = _sub(entry, "langSec", **{XML_LANG: config.source_language})
    _term_sec(source, term.term, STATUS["locked"],
              "do not translate" if term.status == "dnt" else None)
    for tag, forms, note in _renderings(term, config):
        lang_sec = _sub(entry, "langSec", **{XML_LANG: tag})
        for n, form in enumerate(forms):
            if term.status == "forbidden":
                _term_sec(lang_sec, form, STATUS["forbidden"], "do not use")
            else:
                _term_sec(lang_sec, form, STATUS[term.status] if n == 0 else ADMITTED, note if n == 0 else None)


V2_NAMES = {"tbx": "martif", "tbxHeader": "martifHeader", "conceptEntry": "termEntry", "langSec": "langSet",
            "termSec": "tig"}


def export(config: Config, version: int = 3) -> bytes:
    """The project's glossary as a TBX-Basic document (the same glossary gives the same bytes).

    ``version`` 3: TBX v3 (ISO 30042:2019), valid against the TBX-Basic dialect's schema. ``version`` 2: the
    same termbase in the 2008 element names (``martif``, ``termEntry``, ``langSet``, ``tig``; no namespace),
    which Translate Toolkit (Weblate's glossary import), OmegaT and older CAT tools read.
    """
    if version not in (2, 3):
        raise UsageError(f"TBX version {version} is not supported (2 or 3)")
    glossary = load_glossary(config.root, config.catalogs, config.source_language)
    if not glossary.terms:
        raise UsageError("the glossary (locales/glossary.csv) has no term: a termbase needs at least one")
    # elements built unqualified, the namespace declared as an attribute: ElementTree's default_namespace
    # refuses unqualified attribute names (type, id), which TBX's attributes are
    root = ET.Element("tbx", {"xmlns": NS, "type": "TBX-Basic", "style": "dca", XML_LANG: config.source_language})
    header = _sub(root, "tbxHeader")
    file_desc = _sub(header, "fileDesc")
    _sub(_sub(file_desc, "titleStmt"), "title", f"{config.site_name}: glossary")
    _sub(_sub(file_desc, "sourceDesc"), "p", "Exported by Locum from locales/glossary.csv.")
    body = _sub(_sub(root, "text"), "body")
    taken: set[str] = set()
    for term in glossary.terms:
        _concept(body, term, config, taken)
    head = ('<?xml-model href="{SCHEMA}" type="application/xml" '
            'schematypens="http://relaxng.org/ns/structure/1.0"?>').format(SCHEMA=SCHEMA)
    if version == 2:
        for element in root.iter():
            element.tag = V2_NAMES.get(element.tag, element.tag)
        del root.attrib["xmlns"], root.attrib["style"]
        head = '<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">'
    ET.indent(root, space="  ")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}\n{ET.tostring(root, encoding="unicode")}\n'.encode("utf-8")
