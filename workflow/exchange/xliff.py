"""XLIFF 1.2 export of a locale's catalogs for CAT tools, with notes, protected inline codes and honest states.

Why 1.2 and not 2.x: XLIFF 2.0/2.1 is the current OASIS standard, but 1.2 is
still the version the translators' tools read best. Trados Studio, memoQ,
OmegaT (through Okapi), Poedit, Weblate and Translate Toolkit all open and
save 1.2; their 2.x support is missing or partial (no modules, lost notes,
inline codes flattened). An agency can open this file in any of them.

What goes out (:func:`export`): one ``<file>`` per catalog ``.po``
(``original`` = its path in the project, ``target-language`` = the catalog's
BCP 47 tag), one ``<trans-unit>`` per live entry with the segment id Locum's
review commands use (:func:`workflow.review.segment_id`), and a plural entry
as ``<group restype="x-gettext-plurals">`` of one unit per form, as Translate
Toolkit's po2xliff writes it. ``<note from="locum">`` carries the region,
the kind, the source location, each glossary term in the source with its
required rendering for this catalog, and each check finding.

Inline codes: placeholders (``%(name)s``, ``{{…}}``), code spans, link
targets and URLs, contacts and numbers with their units (what
:func:`workflow.masking.mask` keeps away from a translation engine) become
``<ph id="N" ctype="x-KIND">original text</ph>``. We chose ``<ph>`` with the
text inside over an empty ``<x/>``: tools that protect inline codes (Trados,
memoQ, OmegaT) copy a ``<ph>`` into the target unchanged, and tools that
flatten them (Translate Toolkit's xliff2po, Weblate, Poedit) still see the
real text; an ``<x/>`` flattens to nothing there, and the link or dose would
be lost on the way back.

States, mapped honestly (only a verified approval is signed off):

==========================================  ================================================
Locum (:attr:`workflow.review.Item.state`)  XLIFF
==========================================  ================================================
approved (the record verifies)              ``state="signed-off"``, ``approved="yes"``
pending (translated, no valid approval)     ``state="translated"``
fuzzy, suggested, rejected, stale,          ``state="needs-review-translation"``
unverified, forged
untranslated                                ``<target state="new"/>`` (empty)
==========================================  ================================================

The XML is written with the standard library's ElementTree: nothing read
from outside goes through it (see :mod:`workflow.exchange.xliff_import` for
the hardened reader), and it needs no new dependency.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from workflow import __version__
from workflow.catalogs import plural_count
from workflow.config import Config
from workflow.entries import translations
from workflow.errors import LocumError
from workflow.glossary import Glossary, load_glossary
from workflow.masking import mask
from workflow.project import display_path
from workflow.review import Item, load_items

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
PLURALS = "x-gettext-plurals"
NOTE_FROM = "locum"
STATE_OF = {"approved": "signed-off", "pending": "translated", "untranslated": "new"}
REVIEW = "needs-review-translation"     # every other Locum state
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")     # characters XML 1.0 cannot hold
_NUMBERED = re.compile(r"\{\{(\d+)\}\}")
_CTYPES = {"literal": "x-placeholder"}      # masking's kinds, named for translators; the others are x-KIND
_STRUCTURE = ("xliff", "file", "body", "group", "trans-unit")     # elements whose children go on their own lines


@dataclass(frozen=True)
class Code:
    """One protected span of a source text: ``<ph id=id ctype=ctype>text</ph>``; ``rendering`` is how the
    target may write it (a number in the catalog's notation)."""

    id: str
    ctype: str
    text: str
    rendering: str


def xliff_state(locum_state: str) -> str:
    """The XLIFF 1.2 ``state`` of a Locum entry state.

    >>> xliff_state("approved"), xliff_state("pending"), xliff_state("stale"), xliff_state("untranslated")
    ('signed-off', 'translated', 'needs-review-translation', 'new')
    """
    return STATE_OF.get(locum_state, REVIEW)


def bcp47(catalog: str) -> str:
    """A catalog's language tag: ``es_US`` → ``es-US``.

    >>> bcp47("es_US"), bcp47("pl")
    ('es-US', 'pl')
    """
    return catalog.replace("_", "-")


def split_codes(text: str, catalog: str, source_language: str) -> list[str | Code]:
    """``text`` as plain runs and protected :class:`Code` spans (pure); joined back they give ``text``.

    >>> split_codes("Take 2 tablets, see %(url)s.", "es", "en")
    ['Take ', Code(id='1', ctype='x-number', text='2', rendering='2'), ' tablets, see ', \
Code(id='2', ctype='x-placeholder', text='%(url)s', rendering='%(url)s'), '.']
    """
    masked = mask(text, catalog, None, source_language)
    parts: list[str | Code] = []
    last = 0
    for match in _NUMBERED.finditer(masked.text):
        slot = masked.slots[int(match.group(1)) - 1]
        before = masked.text[last:match.start()]
        after_break = parts and isinstance(parts[-1], Code) and parts[-1].ctype == "x-break"
        before = before[1:] if after_break and before.startswith(" ") else before
        before = before[:-1] if slot.kind == "break" and before.endswith(" ") else before
        if before:
            parts.append(before)
        parts.append(Code(match.group(1), _CTYPES.get(slot.kind, f"x-{slot.kind}"), slot.source, slot.rendering))
        last = match.end()
    tail = masked.text[last:]
    after_break = parts and isinstance(parts[-1], Code) and parts[-1].ctype == "x-break"
    tail = tail[1:] if after_break and tail.startswith(" ") else tail
    if tail:
        parts.append(tail)
    if joined(parts) != text:       # masking changed spacing we cannot account for: plain text is safe
        return [text] if text else []
    return parts


def joined(parts: list[str | Code]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts)


def target_codes(text: str, codes: list[Code]) -> list[str | Code]:
    """``text`` (a translation) with each source code found in it marked as that code (pure).

    A code is found where its source text or its rendering for the catalog occurs,
    the first free occurrence in order; a code the translation lacks stays unmarked.

    >>> c = Code("1", "x-number", "1,000 mg", "1.000 mg")
    >>> target_codes("Tome 1.000 mg.", [c])
    ['Tome ', Code(id='1', ctype='x-number', text='1.000 mg', rendering='1.000 mg'), '.']
    """
    taken: list[tuple[int, int, Code]] = []
    for code in codes:
        for candidate in dict.fromkeys((code.text, code.rendering)):
            start = _free(text, candidate, taken)
            if start is not None:
                taken.append((start, start + len(candidate), Code(code.id, code.ctype, candidate, candidate)))
                break
    parts: list[str | Code] = []
    last = 0
    for start, end, code in sorted(taken, key=lambda t: t[0]):
        if start > last:
            parts.append(text[last:start])
        parts.append(code)
        last = end
    if last < len(text):
        parts.append(text[last:])
    return parts


def _free(text: str, candidate: str, taken) -> int | None:
    start = text.find(candidate) if candidate else -1
    while start >= 0:
        if not any(a < start + len(candidate) and start < b for a, b, _ in taken):
            return start
        start = text.find(candidate, start + 1)
    return None


def fill(element: ET.Element, parts: list[str | Code]) -> ET.Element:
    """Put plain runs and ``<ph>`` codes into ``element`` as mixed content."""
    last: ET.Element | None = None
    for part in parts:
        if isinstance(part, str):
            if last is None:
                element.text = (element.text or "") + part
            else:
                last.tail = (last.tail or "") + part
        else:
            last = ET.SubElement(element, "ph", {"id": part.id, "ctype": part.ctype})
            last.text = part.text
    return element


def unit_notes(item: Item, glossary: Glossary, source_language: str) -> list[str]:
    """What a translator needs to know of one entry, one note each."""
    entry = item.entry
    notes = [f"region: {item.region}", f"locum state: {item.state}"]
    for line in (entry.comment or "").splitlines():
        if line.startswith("kind:"):
            notes.append(line)
    places = ", ".join(f"{f}:{n}" if n else f for f, n in entry.occurrences)
    if places:
        notes.append(f"source: {places}")
    for term in glossary.terms:
        if term.occurs_in(entry.msgid) or (entry.msgid_plural and term.occurs_in(entry.msgid_plural)):
            forms = term.forms_for(item.catalog, source_language)
            required = f" → {forms.shown}" if forms is not None else " → keep as written" if term.status == "dnt" else ""
            notes.append(f"glossary: {term.term} ({term.status}){required}{f'; {term.note}' if term.note else ''}")
    for check, severity, message in item.findings:
        notes.append(f"check {severity} [{check}]: {message}")
    return notes


def _unit(parent: ET.Element, uid: str, resname: str, source: str, target: str, state: str,
          notes: list[str], catalog: str, source_language: str) -> None:
    unit = ET.SubElement(parent, "trans-unit", {"id": uid, "resname": resname, XML_SPACE: "preserve"})
    if state == "signed-off":
        unit.set("approved", "yes")
    codes = split_codes(source, catalog, source_language)
    fill(ET.SubElement(unit, "source"), codes)
    known = [c for c in codes if isinstance(c, Code)]
    fill(ET.SubElement(unit, "target", {"state": state}), target_codes(target, known) if target else [])
    for text in notes:
        ET.SubElement(unit, "note", {"from": NOTE_FROM}).text = text


def _entry_units(body: ET.Element, item: Item, nplurals: int, notes: list[str], source_language: str) -> None:
    entry, state = item.entry, xliff_state(item.state)
    bad = _NOT_XML.search("".join((entry.msgid, entry.msgid_plural or "", *translations(entry))))
    if bad:
        raise LocumError(f"holds the control character U+{ord(bad.group()):04X}, which XML cannot carry: "
                         "remove it before exporting", path=item.shown)
    resname = entry.msgctxt or item.id
    if not entry.msgid_plural:
        _unit(body, item.id, resname, entry.msgid, entry.msgstr, state, notes, item.catalog, source_language)
        return
    group = ET.SubElement(body, "group", {"id": item.id, "restype": PLURALS})
    forms = translations(entry)
    for index in range(max(nplurals, len(forms))):
        source = entry.msgid if index == 0 else entry.msgid_plural
        target = forms[index] if index < len(forms) else ""
        _unit(group, f"{item.id}[{index}]", f"{resname}[{index}]", source, target, state,
              notes if index == 0 else [], item.catalog, source_language)


def export(config: Config, locale: str, article: str | None = None) -> bytes:
    """The XLIFF 1.2 document (UTF-8 bytes) of every catalog of ``locale`` (a catalog or an output locale),
    or only ``article``'s. Reads, never writes."""
    glossary = load_glossary(config.root, config.catalogs, config.source_language)
    items, files = load_items(config, locale, article, glossary)
    root = ET.Element("xliff", {"xmlns": NS, "version": "1.2"})
    by_path: dict = {path: [] for path in files}
    for item in items:
        by_path[item.path].append(item)
    for path, po in files.items():
        catalog = next((i.catalog for i in by_path[path]), None) or _catalog_of(config, path)
        element = ET.SubElement(root, "file", {
            "original": display_path(config, path), "source-language": bcp47(config.source_language),
            "target-language": bcp47(catalog), "datatype": "plaintext", "tool-id": "locum"})
        header = ET.SubElement(element, "header")
        ET.SubElement(header, "tool", {"tool-id": "locum", "tool-name": "Locum", "tool-version": __version__})
        body = ET.SubElement(element, "body")
        nplurals = plural_count(po.metadata.get("Plural-Forms"))
        for item in by_path[path]:
            _entry_units(body, item, nplurals, unit_notes(item, glossary, config.source_language),
                         config.source_language)
    _indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _catalog_of(config: Config, path) -> str:
    """The catalog a ``.po`` belongs to (``locales/CATALOG/LC_MESSAGES/x.po``)."""
    return path.parent.parent.name


def _indent(element: ET.Element, depth: int = 0) -> None:
    """Line breaks between structural elements only: whitespace inside ``<source>``/``<target>`` is text."""
    if element.tag not in _STRUCTURE and element.tag != "header":
        return
    children = list(element)
    if not children:
        return
    element.text = "\n" + "  " * (depth + 1)
    for index, child in enumerate(children):
        _indent(child, depth + 1)
        child.tail = "\n" + "  " * (depth + 1 if index < len(children) - 1 else depth)
