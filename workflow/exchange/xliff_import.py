"""XLIFF 1.2 import: a CAT tool's translations come back as pending, through the checks, lock and compare-and-swap.

The file comes from outside, so it is read with defusedxml (a DOCTYPE, an
entity declaration or an external reference is refused before anything is
expanded, which stops billion-laughs bombs and ``SYSTEM "file:///…"``
entities) and checked before any catalog is touched:

- every ``<file original>`` must be a catalog of this project and its
  ``target-language`` that catalog's;
- every unit must name an entry by the id :func:`export` gave it, and its
  ``<source>`` must still be that entry's source text. If one does not
  (the article changed since the export), the whole file is refused and
  nothing is written: the translator works from a fresh export.

Then only what the translator changed comes back. A unit whose target is
the entry's translation (or empty) leaves the entry byte-identical, approval
included. A changed target replaces the translation; its approval record
stays, now stale (see :mod:`workflow.approval`): **a CAT tool's sign-off
never becomes a Locum approval**. It comes back not fuzzy (pending, for a
Locum reviewer) only when the unit's state is ``translated``, ``final`` or
``signed-off``; any other state (``needs-review-*``, ``new``, none) brings
it back fuzzy. A state changed without an edit of the text is ignored, and an
empty target never erases a translation.

Protected inline codes (``<ph>``) come back as the text inside them. A code
the source does not have, or an inline element we never export
(``<x/>``, ``<bpt>``…), refuses that unit (reported; the others go on); a code
whose text was altered, or one the translation lost, is a finding. Every
changed entry then goes through :func:`workflow.findings.check_entry`, and
the report lists its findings.
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from workflow.catalogs import POEntry, POFile, plural_count, read_catalog, write_catalog
from workflow.config import Config
from workflow.entries import translations
from workflow.errors import ConflictError, ErrorList, LocumError
from workflow.exchange.xliff import NS, Code, bcp47, split_codes
from workflow.findings import check_entry
from workflow.glossary import Glossary, load_glossary
from workflow.lock import project_lock
from workflow.project import catalog_paths, display_path
from workflow.review import segment_id, trust_for

CLEARS_FUZZY = ("translated", "final", "signed-off")
_FORM = re.compile(r"^(?P<id>.+)\[(?P<index>\d+)\]$")
_ALLOWED_INLINE = ("ph", "g", "mrk")


class XliffError(LocumError):
    """An XLIFF file that cannot be imported: unsafe or broken XML, or units that no longer match the catalogs."""


@dataclass(frozen=True)
class Changed:
    """An entry the import changed: where it is (``path:line``), its segment id, how it came back
    (``pending`` or ``fuzzy``) and its check findings (check id, severity, message)."""

    shown: str
    id: str
    state: str
    findings: tuple[tuple[str, str, str], ...] = ()


@dataclass
class ImportReport:
    """What an import did. ``changed``: per catalog path, the entries it changed. ``refused``: units left
    out (``file:line: message``). ``conflicts``: catalogs someone saved meanwhile, left as they were (the
    CLI exits 1 when there are any)."""

    path: str
    changed: dict[str, list[Changed]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    conflicts: list[ConflictError] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.changed.values())

    def lines(self) -> list[str]:
        """The report as a person reads it: each changed entry with its findings, then refusals and conflicts."""
        out = []
        for entries in self.changed.values():
            for item in entries:
                out.append(f"{item.shown}: [{item.id}] back as {item.state}")
                out += [f"{item.shown}: {severity} [{check}] {message}" for check, severity, message in item.findings]
        out += [f"refused: {line}" for line in self.refused]
        out += [str(conflict) for conflict in self.conflicts]
        verb = "would change" if not self.written and self.count and not self.conflicts else "changed"
        out.append(f"{self.path}: {verb} {self.count} entr{'y' if self.count == 1 else 'ies'} in "
                   f"{len(self.changed)} catalog(s); {len(self.refused)} unit(s) refused; "
                   f"{len(self.conflicts)} conflict(s)")
        return out


@dataclass
class Unit:
    """One ``<trans-unit>``: its id (``SEG`` or ``SEG[n]`` for plural form n), source text, target parts
    (None: no target), state, and the line it starts on."""

    id: str
    source: str
    target: list[str | Code] | None
    state: str
    line: int
    problem: str = ""
    source_codes: frozenset[str] = frozenset()      # the ids of the <ph> codes in its <source>

    @property
    def base(self) -> tuple[str, int | None]:
        match = _FORM.match(self.id)
        return (match.group("id"), int(match.group("index"))) if match else (self.id, None)


@dataclass
class Section:
    """One ``<file>``: the catalog it names and its units."""

    original: str
    language: str
    line: int
    units: list[Unit]


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that remembers the line each element starts on (expat's position at its start tag)."""

    def __init__(self):
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.expat = None

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[element] = self.expat.CurrentLineNumber if self.expat is not None else 0
        return element


def parse_xliff(data: bytes, shown: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The root element of an XLIFF file and the line of each element; unsafe or broken XML raises
    :class:`XliffError` naming ``shown`` and the line."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise XliffError(f"refused: the file declares a DOCTYPE, entities or external references ({exc}); "
                         "XLIFF from a CAT tool has none, and Locum never expands them",
                         path=shown, line=parser.parser.CurrentLineNumber) from None
    except ET.ParseError as exc:
        raise XliffError(f"not well-formed XML: {exc}", path=shown, line=exc.position[0]) from None
    if root.tag != f"{{{NS}}}xliff":
        raise XliffError(f"not an XLIFF 1.2 file: the root element is {root.tag}, not <xliff> in {NS}",
                         path=shown, line=builder.lines.get(root))
    return root, builder.lines


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def inline_parts(element: ET.Element) -> tuple[list[str | Code], str]:
    """The text of ``<source>`` or ``<target>`` as plain runs and ``<ph>`` codes, and a problem ("" if none)."""
    parts: list[str | Code] = []
    problem = ""

    def walk(node: ET.Element) -> None:
        nonlocal problem
        if node.text:
            parts.append(node.text)
        for child in node:
            name = child.tag.rpartition("}")[2]
            if child.tag != _q(name) or name not in _ALLOWED_INLINE:
                problem = problem or f"inline element <{name}> is not one Locum exported; keep only its <ph> codes"
            elif name == "ph":
                parts.append(Code(child.get("id", ""), child.get("ctype", ""), "".join(child.itertext()), ""))
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return parts, problem


def _plain(parts: list[str | Code]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts)


def read_sections(root: ET.Element, lines: dict) -> list[Section]:
    """The ``<file>`` sections of a parsed XLIFF document with their units (pure)."""
    sections = []
    for element in root.iter(_q("file")):
        units = []
        for unit in element.iter(_q("trans-unit")):
            source = unit.find(_q("source"))
            target = unit.find(_q("target"))
            source_parts, problem = inline_parts(source) if source is not None else ([], "no <source>")
            target_parts, target_problem = inline_parts(target) if target is not None else (None, "")
            units.append(Unit(unit.get("id", ""), _plain(source_parts), target_parts,
                              target.get("state", "") if target is not None else "", lines.get(unit, 0),
                              problem or target_problem,
                              frozenset(p.id for p in source_parts if isinstance(p, Code))))
        sections.append(Section(element.get("original", ""), element.get("target-language", ""),
                                lines.get(element, 0), units))
    return sections


def import_file(config: Config, path: Path, lock: bool = True, locale: str | None = None,
                dry_run: bool = False) -> ImportReport:
    """Bring a CAT tool's XLIFF 1.2 file back into the catalogs (see the module's docstring).

    ``locale`` refuses sections of other catalogs; ``dry_run`` reports without
    writing. The catalogs are read, changed and written under the project lock
    (``lock=False``: the caller, the CLI, holds it already). Raises
    :class:`XliffError` (nothing written) for unsafe XML or units whose source
    no longer matches.
    """
    shown = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise XliffError(f"cannot read: {exc.strerror}", path=shown) from None
    root, lines = parse_xliff(data, shown)
    sections = read_sections(root, lines)
    report = ImportReport(shown)
    guard = project_lock(config.root, "locum import") if lock else contextlib.nullcontext()
    with guard:
        plans = _plan(config, sections, shown, locale)
        glossary = load_glossary(config.root, config.catalogs, config.source_language)
        for plan in plans:
            _apply(config, plan, glossary, report)
        if not dry_run:
            _write(config, plans, report)
    return report


@dataclass
class _Plan:
    """One catalog to change: its file, parsed catalog, and the units that name its entries."""

    catalog: str
    path: Path
    po: POFile
    units: list[Unit]
    touched: bool = False


def _plan(config: Config, sections: list[Section], shown: str, locale: str | None) -> list[_Plan]:
    """Match every section to its catalog and every unit to its entry; any mismatch refuses the file.

    Every catalog is read (its sources must still match), but one whose units all hold its translations as
    they are is then neither masked nor checked (:func:`_as_it_is`) nor written."""
    known = {display_path(config, p): (catalog, p) for catalog, p in catalog_paths(config, locale, None)}
    errors: list[LocumError] = []
    plans = []
    seen: set[str] = set()
    for section in sections:
        if section.original in seen:
            errors.append(XliffError(f"<file original=\"{section.original}\"> appears twice", path=shown,
                                     line=section.line))
            continue
        seen.add(section.original)
        if section.original not in known:
            errors.append(XliffError(f"<file original=\"{section.original}\"> is not a catalog of this project"
                                     f"{' for ' + locale if locale else ''}", path=shown, line=section.line))
            continue
        catalog, path = known[section.original]
        if section.language.lower() != bcp47(catalog).lower():
            errors.append(XliffError(f"{section.original} holds {bcp47(catalog)}, but the file says "
                                     f"target-language=\"{section.language}\"", path=shown, line=section.line))
            continue
        po = read_catalog(path, section.original)
        errors += _match_sources(po, path.stem, section, shown)
        plans.append(_Plan(catalog, path, po, section.units))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return plans


def _match_sources(po: POFile, slug: str, section: Section, shown: str) -> list[LocumError]:
    entries = {segment_id(slug, e): e for e in po if not e.obsolete}
    errors: list[LocumError] = []
    seen: set[str] = set()
    for unit in section.units:
        base, index = unit.base
        entry = entries.get(base)
        where = f"unit {unit.id} of {section.original}"
        if unit.id in seen:
            errors.append(XliffError(f"{where} appears twice", path=shown, line=unit.line))
        seen.add(unit.id)
        if entry is None:
            errors.append(XliffError(f"{where}: no entry with this id any more (its source text changed "
                                     "since the export): export again and redo this unit", path=shown, line=unit.line))
        elif unit.source != _source_of(entry, index):
            errors.append(XliffError(f"{where}: the source text is not the catalog's any more "
                                     f"({section.original}:{entry.linenum}): export again; nothing was written",
                                     path=shown, line=unit.line))
    return errors


def _source_of(entry: POEntry, index: int | None) -> str:
    return entry.msgid if not index else (entry.msgid_plural or "")


def _apply(config: Config, plan: _Plan, glossary: Glossary, report: ImportReport) -> None:
    """Change the entries whose translation the units changed (in memory); record them in ``report``."""
    entries = {segment_id(plan.path.stem, e): e for e in plan.po if not e.obsolete}
    shown = display_path(config, plan.path)
    by_entry: dict[str, list[Unit]] = {}
    for unit in plan.units:
        by_entry.setdefault(unit.base[0], []).append(unit)
    nplurals = plural_count(plan.po.metadata.get("Plural-Forms"))
    trust = trust_for(config, plan.catalog)
    for sid, units in by_entry.items():
        entry = entries[sid]
        forms, code_findings, state = _new_forms(config, plan.catalog, entry, units, nplurals, report)
        if forms is None:
            continue
        before = f"{shown}:{entry.linenum}"
        _set(entry, forms, state)
        plan.touched = True
        found = code_findings + check_entry(entry, plan.catalog, glossary, nplurals, trust, plan.po,
                                            config.source_language)
        report.changed.setdefault(shown, []).append(
            Changed(before, sid, "fuzzy" if "fuzzy" in entry.flags else "pending", tuple(dict.fromkeys(found))))


def _new_forms(config: Config, catalog: str, entry: POEntry, units: list[Unit], nplurals: int,
               report: ImportReport):
    """(the translation's forms as they come back, inline-code findings, the state that decides fuzzy), or
    (None, [], "") when nothing changed or a unit is refused."""
    current = translations(entry)
    forms = list(current)
    findings: list[tuple[str, str, str]] = []
    states = []
    for unit in units:
        index = unit.base[1] or 0
        if not unit.problem and index >= (max(nplurals, len(current)) if entry.msgid_plural else 1):
            unit.problem = f"plural form {index} does not exist in this catalog (nplurals={nplurals})"
        if unit.problem:
            report.refused.append(f"{report.path}:{unit.line}: unit {unit.id}: {unit.problem}")
            return None, [], ""
        if not unit.target or not _plain(unit.target).strip() or _as_it_is(unit, forms, index):
            continue
        codes = [c for c in split_codes(_source_of(entry, unit.base[1]), catalog, config.source_language)
                 if isinstance(c, Code)]
        text, problem, found = _restore(unit.target, codes)
        if problem:
            report.refused.append(f"{report.path}:{unit.line}: unit {unit.id}: {problem}")
            return None, [], ""
        while len(forms) <= index:
            forms.append("")
        if text != forms[index]:
            forms[index] = text
            findings += found
            states.append(unit.state)
    if forms == current:
        return None, [], ""
    state = "translated" if states and all(s in CLEARS_FUZZY for s in states) else "needs-review"
    return forms, findings, state


def _as_it_is(unit: Unit, forms: list[str], index: int) -> bool:
    """Whether the unit's target is the translation as it is, with only its own source's codes: nothing to
    restore or check (most units of a file sent back, so they cost no masking of the source)."""
    return (index < len(forms) and _plain(unit.target or []) == forms[index]
            and all(p.id in unit.source_codes for p in unit.target or [] if isinstance(p, Code)))


def _restore(target: list[str | Code], codes: list[Code]) -> tuple[str, str, list[tuple[str, str, str]]]:
    """The target's text with each ``<ph>`` as the text inside it; a problem for a code the source lacks;
    findings for codes altered or lost."""
    by_id = {c.id: c for c in codes}
    findings = []
    for part in target:
        if isinstance(part, Code):
            code = by_id.get(part.id)
            if code is None:
                return "", f"inline code <ph id=\"{part.id}\"> is not in the source", []
            if part.text not in (code.text, code.rendering):
                findings.append(("inline-code", "error", f"inline code {code.id} ({code.text}) was changed to "
                                                         f"'{part.text}'"))
    text = _plain(target)
    used = {p.id for p in target if isinstance(p, Code)}
    for code in codes:
        if code.id not in used and code.text not in text and code.rendering not in text:
            findings.append(("inline-code", "warning", f"inline code {code.id} ({code.text}) is missing"))
    return text, "", findings


def _set(entry: POEntry, forms: list[str], state: str) -> None:
    if entry.msgid_plural:
        entry.msgstr_plural = dict(enumerate(forms))
    else:
        entry.msgstr = forms[0]
    if state in CLEARS_FUZZY:
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    elif "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")


def _write(config: Config, plans: list[_Plan], report: ImportReport) -> None:
    """Each changed catalog by compare-and-swap; one someone saved meanwhile is left as it is (a conflict)."""
    for plan in plans:
        if not plan.touched:
            continue
        shown = display_path(config, plan.path)
        try:
            write_catalog(plan.po, plan.path, shown)
        except ConflictError as exc:
            report.conflicts.append(exc)
            report.changed.pop(shown, None)
        else:
            report.written.append(shown)
