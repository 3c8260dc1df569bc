"""Compiled catalogs → the stdlib ``gettext`` fallback chain of an output locale, recording misses."""

from __future__ import annotations

import gettext
import hashlib
import io
import json
from pathlib import Path

from workflow.config import Config, OutputLocale
from workflow.errors import CatalogError
from workflow.regional import Requirement, locale_requirements

MO_KEY = "\x00mo"      # in a compile's audit sidecar: the SHA-256 of the .mo it wrote (no msgid has a NUL)


class MissRecorder(gettext.NullTranslations):
    """The end of a chain that does not fall back to the source language: it records every miss."""

    def __init__(self) -> None:
        super().__init__()
        self.misses: list[str] = []

    def gettext(self, message: str) -> str:
        self.misses.append(message)
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self.misses.append(singular)
        return singular if n == 1 else plural


class Chain:
    """One locale's translations for one domain; ``lookup`` tells a translation from a miss.

    ``requirements`` are the glossary's regional renderings the locale's text
    must have (:mod:`workflow.regional`); a text without one is a miss, and
    ``held`` says why (text → the override catalog to fill).
    """

    def __init__(self, translations: gettext.NullTranslations, recorder: MissRecorder | None,
                 files: tuple[Path, ...], catalogs: tuple[str, ...] = (), audits: tuple[dict, ...] = (),
                 requirements: tuple[Requirement, ...] = ()):
        self.translations = translations
        self.recorder = recorder
        self.files = files
        self.catalogs = catalogs
        self._audits = audits
        self.requirements = requirements
        self.held: dict[str, str] = {}

    def origin(self, text: str) -> dict:
        """Which catalog gave ``text`` and who approved it (from compile's ``.audit.json`` files)."""
        for catalog, audit in zip(self.catalogs, self._audits):
            if text in audit:
                return {"catalog": catalog, **audit[text]}
        return {"catalog": None, "approver": None, "date": None, "provenance": None}

    def lookup(self, text: str) -> str | None:
        """The translation of ``text``, or None when no catalog in the chain has it, or when what it has
        (the source text, at the end of an ``en_US`` chain) lacks a regional rendering the locale requires."""
        if self.recorder is None:
            result: str | None = self.translations.gettext(text)
        else:
            before = len(self.recorder.misses)
            result = self.translations.gettext(text)
            result = None if len(self.recorder.misses) > before else result
        if result is not None:
            for requirement in self.requirements:
                if requirement.unmet(text, result):
                    self.held[text] = requirement.catalog
                    return None
        return result


def chain_files(config: Config, locale: OutputLocale, domain: str) -> list[Path]:
    """The ``.mo`` files of ``locale``'s chain for ``domain``, in lookup order.

    Override catalogs (``es_US``) are optional; the language catalog's ``.mo``
    must exist (``locum compile`` writes it), or the build would silently show
    English.
    """
    files = []
    for name in locale.chain:
        path = config.po_path(name, domain).with_suffix(".mo")
        if path.exists():
            files.append(path)
        elif not config.is_override(name):
            shown = path.relative_to(config.root).as_posix()
            raise CatalogError(f"no compiled catalog for {locale.tag}: run 'locum compile' "
                               f"(or 'locum update' if {domain}.po is missing too)", path=shown)
    return files


def load_chain(config: Config, locale: OutputLocale, domain: str) -> Chain:
    """Open the ``.mo`` files of ``locale``'s chain for ``domain``, first match wins.

    A chain that ends in an override of the source language (``en_US``) falls
    back to the source text; any other chain ends in a :class:`MissRecorder`.

    Only a ``.mo`` that ``locum compile`` wrote is opened: its audit sidecar
    must record the SHA-256 of the very bytes read here, or the build stops
    with an error asking for ``locum compile`` (which replaces such a file).
    A ``.mo`` written by hand or by ``msgfmt`` would otherwise publish
    whatever it holds, approved or not.
    """
    found: list[gettext.GNUTranslations] = []
    files: list[Path] = []
    names: list[str] = []
    audits: list[dict] = []
    existing = set(chain_files(config, locale, domain))
    for name in locale.chain:
        path = config.po_path(name, domain).with_suffix(".mo")
        if path not in existing:
            continue
        shown = path.relative_to(config.root).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CatalogError(f"unreadable compiled catalog: {exc}", path=shown) from None
        audit = _audit(path)
        if audit.get(MO_KEY) != hashlib.sha256(data).hexdigest():      # checked before a byte is parsed
            raise CatalogError("this compiled catalog is not the one 'locum compile' wrote (its audit sidecar "
                               f"{path.with_suffix('.audit.json').name} does not vouch for these bytes), so "
                               "it may hold unapproved text: run 'locum compile', which replaces it", path=shown)
        try:
            found.append(gettext.GNUTranslations(io.BytesIO(data)))
        except OSError as exc:
            raise CatalogError(f"unreadable compiled catalog: {exc}", path=shown) from None
        files.append(path)
        names.append(name)
        audits.append(audit)
    falls_to_source = not locale.chain or config.is_override(locale.chain[-1])
    recorder = None if falls_to_source else MissRecorder()
    tail: gettext.NullTranslations = gettext.NullTranslations() if recorder is None else recorder
    requirements = locale_requirements(config, locale)
    if not found:
        return Chain(tail, recorder, (), requirements=requirements)
    for later in found[1:]:
        found[0].add_fallback(later)
    found[0].add_fallback(tail)
    return Chain(found[0], recorder, tuple(files), tuple(names), tuple(audits), requirements)


def _audit(mo: Path) -> dict:
    """The audit sidecar compile wrote beside ``mo`` ({} when missing or unreadable)."""
    try:
        audit = json.loads(mo.with_suffix(".audit.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return audit if isinstance(audit, dict) else {}
