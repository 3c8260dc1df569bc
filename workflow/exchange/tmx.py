"""TMX 1.4b: the approved translations out, translators' memories in (``locales/memory/``, for the translation memory).

Export: one ``<tu>`` per approved entry of each selected catalog (a verified
Locum approval, :func:`workflow.approval.judge`), the English ``<tuv>`` and the
catalog's (its BCP 47 tag: ``es``, ``es-US``), dated by the approval and
named for the reviewer's declared name (never an e-mail address). Plural
entries are left out: TMX has no plural forms.

Import: an agency's TMX is read with a hardened parser (no entity, no
DTD beyond ``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``, no network) and its pairs
for the project's languages are kept as ``locales/memory/<name>.tmx``, which
:func:`workflow.memory.build_memory` reads next to the catalogs. The folder is
part of the project (versioned, shared, kept by ``make clean``), not of
``.cache/``: an imported memory is an input the team chose, not something
Locum can rebuild.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from workflow import __version__
from workflow.approval import Trust, judge, trust_for
from workflow.catalogs import read_catalog
from workflow.config import Config
from workflow.errors import LocumError, UsageError
from workflow.fileio import content_digest, write_atomic
from workflow.parallel import map_ordered
from workflow.project import catalog_paths, display_path

MEMORY_DIR = Path("locales") / "memory"
DOCTYPE = ("tmx", "tmx14.dtd")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CODES = ("bpt", "ept", "ph", "it", "ut")       # inline native codes: their content is the original's markup
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ExchangeError(LocumError):
    """A file from a translator's tool that Locum will not read (malformed, dangerous or of the wrong kind)."""


@dataclass(frozen=True)
class Unit:
    """One translation pair: ``source`` (in the source language) and ``target`` in ``lang`` (BCP 47)."""

    source: str
    lang: str
    target: str
    article: str | None = None
    context: str | None = None
    time: str | None = None         # the approval's UTC time, 2026-11-22T10:15:03Z
    reviewer: str | None = None     # the reviewer's declared name


@dataclass
class ImportReport:
    """What an import read and kept: ``pairs`` per language, ``skipped`` with the reason, where it went."""

    source: str
    stored: str
    pairs: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    written: bool = False
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.pairs.values())


def bcp47(catalog: str) -> str:
    """The BCP 47 tag of a catalog: ``es_US`` → ``es-US``.

    >>> bcp47("es_US"), bcp47("pl")
    ('es-US', 'pl')
    """
    return catalog.replace("_", "-")


def xml_text(text: str) -> bool:
    """Whether ``text`` holds only characters XML 1.0 can carry.

    >>> xml_text("Dolor\\n"), xml_text("bell\\x07")
    (True, False)
    """
    return _NOT_XML.search(text) is None


# ---- export -------------------------------------------------------------------------------------------

def export(config: Config, locale: str | None = None, article: str | None = None) -> bytes:
    """The TMX document of the approved translations of the catalogs ``locale`` and ``article`` select."""
    return tmx_bytes(approved_units(config, locale, article), config.source_language)


def approved_units(config: Config, locale: str | None = None, article: str | None = None) -> list[Unit]:
    """Every singular entry whose record :func:`judge` finds ``approved``, in catalog and file order.

    The catalogs are judged on every core (:func:`workflow.parallel.map_ordered`: the same order as serial).
    """
    names = tuple((reviewer.email.lower(), reviewer.name) for reviewer in config.reviewers)
    trusts: dict[str, Trust] = {}
    jobs = []
    for catalog, path in catalog_paths(config, locale, article):
        if catalog not in trusts:
            trusts[catalog] = trust_for(config.reviewers, catalog, config.server_keys, config.server_retired_keys)
        jobs.append((catalog, path, display_path(config, path), trusts[catalog], names))
    results = map_ordered(_catalog_units, jobs)
    errors = [r for r in results if isinstance(r, LocumError)]
    if errors:
        raise errors[0]
    return [unit for found in results for unit in found]


def _catalog_units(job: tuple[str, Path, str, Trust, tuple[tuple[str, str], ...]]) -> list[Unit]:
    """The approved units of one catalog."""
    catalog, path, shown, trust, names = job
    po = read_catalog(path, shown)
    people = dict(names)
    units = []
    for entry in po:
        if entry.obsolete or entry.msgid_plural or not entry.msgid:
            continue
        verdict = judge(entry, trust, po)
        if verdict.state != "approved" or not xml_text(entry.msgid + entry.msgstr):
            continue
        record = verdict.record
        units.append(Unit(entry.msgid, bcp47(catalog), entry.msgstr, path.stem, entry.msgctxt, record.time,
                          people.get(record.email.lower())))
    return units


def _tmx_date(time: str) -> str:
    """``2026-11-22T10:15:03Z`` → TMX's ``20261122T101503Z``.

    >>> _tmx_date("2026-11-22T10:15:03Z")
    '20261122T101503Z'
    """
    return time.replace("-", "").replace(":", "")


def tmx_bytes(units: list[Unit], source_language: str, props: dict[str, str] | None = None) -> bytes:
    """A TMX 1.4b document of ``units`` (pure; the same units give the same bytes)."""
    root = ET.Element("tmx", version="1.4")
    header = ET.SubElement(root, "header", {
        "creationtool": "Locum", "creationtoolversion": __version__, "segtype": "paragraph", "o-tmf": "Locum",
        "adminlang": source_language, "srclang": source_language, "datatype": "plaintext"})
    for name, value in (props or {}).items():
        ET.SubElement(header, "prop", type=name).text = value
    body = ET.SubElement(root, "body")
    for unit in units:
        tu = ET.SubElement(body, "tu")
        if unit.article:
            ET.SubElement(tu, "prop", type="x-locum-article").text = unit.article
        if unit.context is not None:
            ET.SubElement(tu, "prop", type="x-locum-context").text = unit.context
        ET.SubElement(ET.SubElement(tu, "tuv", {XML_LANG: source_language}), "seg").text = unit.source
        target = ET.SubElement(tu, "tuv", {XML_LANG: unit.lang})
        if unit.time:
            target.set("creationdate", _tmx_date(unit.time))
            target.set("changedate", _tmx_date(unit.time))
        if unit.reviewer:
            target.set("creationid", unit.reviewer)
        ET.SubElement(target, "seg").text = unit.target
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n{text}\n'.encode("utf-8")


# ---- reading ------------------------------------------------------------------------------------------

class _Lines(ET.TreeBuilder):
    """A tree builder that notes the line each element starts on (``lines[element]``)."""

    def __init__(self):
        super().__init__()
        self.expat = None
        self.lines: dict[ET.Element, int] = {}

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[element] = self.expat.CurrentLineNumber
        return element


def parse_xml(data: bytes, shown: str, doctype: tuple[str, str] | None = DOCTYPE) -> tuple[ET.Element, dict]:
    """The root of ``data`` read safely, and the line of each element; :class:`ExchangeError` naming ``shown`` and the line for anything refused.

    Entity declarations (bombs, external entities) are refused by defusedxml; a DOCTYPE only when it is
    exactly ``doctype`` (root name, system id) without an internal subset. No DTD is ever loaded.
    """
    builder = _Lines()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    expat = builder.expat = parser.parser

    def check_doctype(name, system_id, public_id, has_internal_subset):
        if has_internal_subset or doctype is None or (name, system_id) != doctype:
            wanted = f'<!DOCTYPE {doctype[0]} SYSTEM "{doctype[1]}">' if doctype else "no DOCTYPE"
            named = " ".join(filter(None, (name, system_id or public_id)))
            raise ExchangeError(f"refused DOCTYPE {named}{' with declarations' if has_internal_subset else ''}: "
                                f"only {wanted} is accepted, without declarations",
                                path=shown, line=expat.CurrentLineNumber)

    expat.StartDoctypeDeclHandler = check_doctype
    try:
        parser.feed(data)
        return parser.close(), builder.lines
    except DefusedXmlException as exc:
        raise ExchangeError(f"refused: {type(exc).__name__}: entity declarations and external references are "
                            "never read from outside", path=shown, line=expat.CurrentLineNumber) from None
    except ET.ParseError as exc:
        raise ExchangeError(f"not well-formed XML: {exc}", path=shown, line=exc.position[0]) from None


def _seg_text(seg: ET.Element) -> str:
    """The text of a ``<seg>``: inline native codes (``<bpt>``, ``<ph>``, …) left out, ``<hi>`` kept."""
    parts = [seg.text or ""]
    for child in seg:
        if child.tag not in _CODES:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def read_units(data: bytes, shown: str, source_language: str) -> tuple[list[Unit], dict[str, int]]:
    """The (source, target) pairs of a TMX document (pure), and what was skipped, by reason.

    A ``<tu>`` gives one pair per ``<tuv>`` other than its source: the one in the header's ``srclang``, else
    the first in the source language (``en``, ``en-GB``…); an ``en-US`` variant is a target like any other.
    """
    root, lines = parse_xml(data, shown)
    if root.tag != "tmx" or root.find("header") is None or root.find("body") is None:
        raise ExchangeError(f"not a TMX document (root <{root.tag}>, expected <tmx> with <header> and <body>)",
                            path=shown, line=lines.get(root))
    srclang = (root.find("header").get("srclang") or "").lower()
    units, skipped = [], {}
    for tu in root.find("body").iter("tu"):
        variants = []
        for tuv in tu.findall("tuv"):
            lang, seg = tuv.get(XML_LANG) or tuv.get("lang"), tuv.find("seg")
            if not lang or seg is None:
                raise ExchangeError("a <tuv> without xml:lang or <seg>", path=shown, line=lines.get(tuv))
            variants.append((lang, _seg_text(seg)))
        exact = [n for n, (lang, _) in enumerate(variants) if lang.lower() == srclang]
        at = exact or [n for n, (lang, _) in enumerate(variants) if _primary(lang) == source_language]
        if not at or not variants[at[0]][1].strip():
            skipped["no source-language text"] = skipped.get("no source-language text", 0) + 1
            continue
        source = variants[at[0]][1]
        units += [Unit(source, lang, text) for n, (lang, text) in enumerate(variants) if n != at[0] and text.strip()]
    return units, skipped


def _primary(tag: str) -> str:
    """``es-ES`` → ``es``; ``EN_gb`` → ``en``."""
    return re.split(r"[-_]", tag)[0].lower()


# ---- import into the translation memory ---------------------------------------------------------------

def memory_name(path: Path, name: str | None = None) -> str:
    """The name an imported memory is kept under: ``name`` or the file's stem, letters, digits, ``._-`` only.

    >>> memory_name(Path("/tmp/Agency TM (2025).tmx"))
    'Agency-TM-2025'
    """
    cleaned = _NAME.sub("-", name if name is not None else Path(path).stem).strip("-.")
    if not cleaned:
        raise UsageError(f"no usable memory name in {name or Path(path).name!r}: use letters, digits, '.', '_', '-'")
    return cleaned


def import_file(config: Config, path: Path | str, name: str | None = None, dry_run: bool = False) -> ImportReport:
    """Keep the pairs of the TMX file ``path`` for the project's languages as ``locales/memory/<name>.tmx``.

    The pairs are deduplicated and sorted, so importing the same memory again changes no byte. Another
    language than the catalogs' is skipped. The caller holds the project lock (the CLI does); the write
    is a compare-and-swap all the same. ``dry_run``: read and report, write nothing.
    """
    path = Path(path)
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {shown}: {exc.strerror}") from None
    units, skipped = read_units(data, shown, config.source_language)
    languages = {catalog.split("_")[0] for catalog in config.catalogs}
    kept: dict[tuple[str, str, str], Unit] = {}
    for unit in units:
        if _primary(unit.lang) not in languages:
            reason = f"language {unit.lang} is not one of the project's"
            skipped[reason] = skipped.get(reason, 0) + 1
        elif not xml_text(unit.source + unit.target):
            skipped["characters XML cannot carry"] = skipped.get("characters XML cannot carry", 0) + 1
        else:
            kept.setdefault((unit.lang, unit.source, unit.target), Unit(unit.source, unit.lang, unit.target))
    stored = config.root / MEMORY_DIR / f"{memory_name(path, name)}.tmx"
    report = ImportReport(shown, display_path(config, stored), skipped=skipped, dry_run=dry_run)
    for lang, _, _ in kept:
        report.pairs[lang] = report.pairs.get(lang, 0) + 1
    if not dry_run:
        ordered = [kept[key] for key in sorted(kept)]
        text = tmx_bytes(ordered, config.source_language, {"x-locum-imported-from": path.name})
        before = stored.read_bytes() if stored.is_file() else None
        stored.parent.mkdir(parents=True, exist_ok=True)
        report.written = write_atomic(stored, text, expect=content_digest(before), shown=report.stored)
    return report


def memory_pairs(config: Config, language: str) -> list[tuple[str, str, str]]:
    """(source, translation, origin) of every pair in ``locales/memory/*.tmx`` for ``language`` (``es`` takes
    ``es``, ``es-ES``, ``es-US``…); ``origin`` names the file (``memory/agency.tmx``)."""
    folder = config.root / MEMORY_DIR
    pairs = []
    for path in sorted(folder.glob("*.tmx")) if folder.is_dir() else ():
        units, _ = read_units(path.read_bytes(), display_path(config, path), config.source_language)
        origin = f"memory/{path.name}"
        pairs += [(unit.source, unit.target, origin) for unit in units if _primary(unit.lang) == language]
    return pairs
