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
from pathlib import Path

from workflow import __version__
from workflow.approval import Trust, judge
from workflow.catalogs import plural_count, read_catalog
from workflow.config import Config
from workflow.entries import translations
from workflow.errors import LocumError
from workflow.findings import Finding, cached_findings, check_entry, check_inputs
from workflow.glossary import Glossary, load_glossary
from workflow.hints import hint
from workflow.masking import mask
from workflow.parallel import map_ordered
from workflow.project import catalog_paths, display_path
from workflow.review import Item, segment_id, trust_for
from workflow.stamps import Stamps

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
            said = hint(term, item.catalog, source_language) or f"{term.term} ({term.status})"   # never a /regex/
            notes.append(f"glossary: {said}{f'; {term.note}' if term.note else ''}")
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
    or only ``article``'s. Reads, never writes.

    The catalogs are exported on every core (:func:`workflow.parallel.map_ordered`: the same bytes as a
    serial run). A catalog whose bytes, glossary and config are those an earlier ``locum check`` judged
    reuses that check's findings (:func:`workflow.findings.cached_findings`) instead of checking each
    entry again; every approval record is still verified.
    """
    glossary = load_glossary(config.root, config.catalogs, config.source_language)
    stamps, shared = Stamps(config.root), check_inputs(config)
    trusts: dict[str, Trust] = {}
    jobs = []
    for catalog, path in catalog_paths(config, locale, article):
        cached = cached_findings(stamps, shared, catalog, path)
        trust = trusts.setdefault(catalog, trust_for(config, catalog))
        jobs.append(_Job(catalog, path, display_path(config, path), glossary, trust, config.source_language,
                         None if cached is None else stamps.file(path), _by_line(cached)))
    results = map_ordered(_file_xml, jobs)
    errors = [r for r in results if isinstance(r, LocumError)]
    if errors:
        raise errors[0]
    root = ET.Element("xliff", {"xmlns": NS, "version": "1.2"})
    if not results:
        return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    root.text = _HOLE
    head, tail = ET.tostring(root, encoding="utf-8", xml_declaration=True).split(_HOLE.encode())
    return head + b"\n  " + b"\n  ".join(results) + b"\n" + tail + b"\n"


_HOLE = "@FILES@"


@dataclass(frozen=True)
class _Job:
    """One catalog to export; what a worker process needs, picklable. ``content``: the SHA-256 of the bytes
    ``findings`` (per entry line, from an earlier check) speak of; None: check every entry."""

    catalog: str
    path: Path
    shown: str
    glossary: Glossary
    trust: Trust
    source_language: str
    content: str | None
    findings: dict[int, list[tuple[str, str, str]]] | None


def _by_line(findings: list[Finding] | None) -> dict[int, list[tuple[str, str, str]]] | None:
    if findings is None:
        return None
    lines: dict[int, list[tuple[str, str, str]]] = {}
    for f in findings:
        lines.setdefault(f.line, []).append((f.check, f.severity, f.message))
    return lines


def _file_xml(job: _Job) -> bytes:
    """One catalog's ``<file>`` element, indented for its place in the document (UTF-8, no declaration)."""
    po = read_catalog(job.path, job.shown)
    known = job.findings if job.content is not None and po.read_from[1] == job.content else None
    nplurals = plural_count(po.metadata.get("Plural-Forms"))
    element = ET.Element("file", {
        "original": job.shown, "source-language": bcp47(job.source_language),
        "target-language": bcp47(job.catalog), "datatype": "plaintext", "tool-id": "locum"})
    header = ET.SubElement(element, "header")
    ET.SubElement(header, "tool", {"tool-id": "locum", "tool-name": "Locum", "tool-version": __version__})
    body = ET.SubElement(element, "body")
    for entry in po:
        if entry.obsolete:
            continue
        if known is not None:
            findings = list(known.get(entry.linenum, ()))
        else:
            findings = check_entry(entry, job.catalog, job.glossary, nplurals, job.trust, po, job.source_language)
        item = Item(segment_id(job.path.stem, entry), job.catalog, job.path.stem, job.path,
                    f"{job.shown}:{entry.linenum}", entry, findings, judge(entry, job.trust, po))
        _entry_units(body, item, nplurals, unit_notes(item, job.glossary, job.source_language), job.source_language)
    _indent(element, 1)
    return ET.tostring(element, encoding="utf-8")


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
