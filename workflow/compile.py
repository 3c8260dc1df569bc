"""The publish gate: catalogs → ``.mo`` files holding only the entries readers may see."""

from __future__ import annotations

import array
import sys
from dataclasses import dataclass
from pathlib import Path

from workflow.catalogs import POEntry, POFile, read_catalog
from workflow.config import Config
from workflow.errors import ErrorList, LocumError
from workflow.extract import Progress, display_path
from workflow.fileio import write_atomic
from workflow.checks import ERROR
from workflow.glossary import Glossary, load_glossary
from workflow.quality import check_entry
from workflow.update import select_catalogs


def passes_gate(entry: POEntry, catalog: str, glossary: Glossary | None) -> bool:
    """The one place that decides whether a translation may reach readers.

    Translated (every plural form), not fuzzy, not obsolete, and no check
    reports a blocking error.
    """
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
            return False
    elif not entry.msgstr:
        return False
    return not any(severity == ERROR for _, severity, _ in check_entry(entry, catalog, glossary))


def mo_messages(po: POFile, catalog: str, glossary: Glossary | None) -> dict[bytes, bytes]:
    """The key → value pairs of a ``.mo`` for ``po``: its header plus every entry passing the gate."""
    header = "".join(f"{key}: {value}\n" for key, value in po.metadata.items())
    messages = {b"": header.encode("utf-8")}
    for entry in po:
        if not passes_gate(entry, catalog, glossary):
            continue
        key = entry.msgid
        if entry.msgid_plural:
            key += "\0" + entry.msgid_plural
            value = "\0".join(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        else:
            value = entry.msgstr
        if entry.msgctxt is not None:
            key = entry.msgctxt + "\x04" + key
        messages[key.encode("utf-8")] = value.encode("utf-8")
    return messages


def mo_bytes(messages: dict[bytes, bytes]) -> bytes:
    """A GNU ``.mo`` file (little-endian, no hash table), built in linear time.

    polib's and Babel's writers grow quadratically with catalog size; this one
    does one sort and one pass, like CPython's ``Tools/i18n/msgfmt.py``.

    >>> import gettext, io
    >>> data = mo_bytes({b"": b"Content-Type: text/plain; charset=UTF-8\\n", b"Hello": "Hola".encode()})
    >>> gettext.GNUTranslations(io.BytesIO(data)).gettext("Hello")
    'Hola'
    """
    keys = sorted(messages)
    count = len(keys)
    keystart = 7 * 4 + 16 * count
    ids_size = sum(len(k) + 1 for k in keys)
    koffsets, voffsets = array.array("I"), array.array("I")
    kpos, vpos = keystart, keystart + ids_size
    for key in keys:
        value = messages[key]
        koffsets.extend((len(key), kpos))
        voffsets.extend((len(value), vpos))
        kpos += len(key) + 1
        vpos += len(value) + 1
    header = array.array("I", [0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0])
    if header.itemsize != 4 or sys.byteorder != "little":  # pragma: no cover
        raise RuntimeError("the .mo writer assumes 32-bit little-endian integers")
    return b"".join([header.tobytes(), koffsets.tobytes(), voffsets.tobytes(),
                     b"".join(k + b"\0" for k in keys), b"".join(messages[k] + b"\0" for k in keys)])


@dataclass(frozen=True)
class CompileResult:
    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    admitted: int
    held_back: int


def mo_path(po_path: Path) -> Path:
    return po_path.with_suffix(".mo")


def compile_catalogs(config: Config, locale: str | None = None, progress: Progress | None = None,
                     ) -> CompileResult:
    """Write ``<slug>.mo`` beside every ``<slug>.po`` of the selected catalogs (gather, then write)."""
    planned: list[tuple[Path, bytes]] = []
    errors: list[LocumError] = []
    admitted = held = 0
    glossary = load_glossary(config.root, config.catalogs)
    paths = [(name, p) for name in select_catalogs(config, locale)
             for p in sorted((config.locales_dir / name / "LC_MESSAGES").glob("*.po"))]
    for done, (name, path) in enumerate(paths, 1):
        try:
            po = read_catalog(path, display_path(config, path))
        except LocumError as exc:
            errors.append(exc)
            continue
        messages = mo_messages(po, name, glossary)
        admitted += len(messages) - 1
        held += sum(1 for e in po if not e.obsolete) - (len(messages) - 1)
        planned.append((mo_path(path), mo_bytes(messages)))
        if progress:
            progress(done, len(paths))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    written = [p for p, data in planned if write_atomic(p, data)]
    return CompileResult(tuple(written), tuple(p for p, _ in planned if p not in set(written)), admitted, held)
