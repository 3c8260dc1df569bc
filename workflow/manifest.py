"""The build's own bookkeeping, ``.cache/build.json``: what the last build made, and from which inputs.

It is what makes builds incremental, and the only thing a build reads of the
one before: ``pages`` maps every file the build made (``output/`` files by
their path in it, ``audit/`` files under :data:`workflow.buildreport.AUDITED`)
to the key of its inputs; ``records`` holds what the gate found for each
page (``locale/slug``), including, for a page it held back, the segments it
missed; ``report`` is the SHA-256 of the build report it wrote, which tells
whether ``audit/build-report.json`` is still that file. The report itself is
only ever written. A manifest that is missing, broken or of another format
reads as empty: the next build then does everything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workflow.fileio import long_lived, write_atomic_parts

MANIFEST = Path(".cache") / "build.json"     # relative to the project root; never in output/
PREVIEW = Path(".cache") / "preview"        # a preview build's site: never output/, never served by accident
PREVIEW_MANIFEST = Path(".cache") / "preview-build.json"
PREVIEW_AUDIT = Path(".cache") / "preview-audit"
MANIFEST_FORMAT = 5     # 5: records hold the articles a page links to and the images it shows
MISSING = "missing"     # in a held-back page's record: its missing segments, each {"text", "source"}


@dataclass(frozen=True)
class Target:
    """Where a build goes: its site, its audit files, its manifest, and the folder of its staging and leftovers.

    The published site and the preview never share a file: a preview build
    (``--preview``) reads and writes only under ``.cache/``, so ``output/``,
    ``audit/`` and ``.cache/build.json`` stay byte for byte as the last
    build left them, and neither manifest is ever taken for the other's.
    """

    root: Path          # the staging folder and what a killed build left live here
    output: Path
    audit: Path
    manifest: Path
    preview: bool


def site_target(root: Path, output: Path, audit: Path, preview: bool) -> Target:
    """The published site (``output``, ``audit``, ``.cache/build.json``) or, with ``preview``, the preview's.

    >>> site_target(Path("/p"), Path("/p/output"), Path("/p/audit"), True).output.as_posix()
    '/p/.cache/preview'
    """
    if preview:
        return Target(root / ".cache", root / PREVIEW, root / PREVIEW_AUDIT, root / PREVIEW_MANIFEST, True)
    return Target(root, output, audit, root / MANIFEST, False)


def input_key(*parts: bytes | str) -> str:
    """The key of a file or page: SHA-256 over its inputs.

    >>> input_key("a", "b") == input_key("ab"), len(input_key(b"x"))
    (False, 64)
    """
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Manifest:
    """A build's manifest: file keys, page records, the report's digest (see the module docstring).

    ``written`` is what a manifest read from disk knew of its own text: each
    record as read, with the JSON it was read from (see :func:`read_manifest`).
    """

    pages: dict[str, str] = field(default_factory=dict)
    records: dict[str, dict] = field(default_factory=dict)
    report: str | None = None
    written: dict[str, tuple[dict, str]] = field(default_factory=dict, compare=False, repr=False)

    def parts(self, known: dict[str, tuple[dict, str]] | None = None) -> Iterator[bytes]:
        """The manifest as JSON in UTF-8, a record per line, made a record at a time.

        ``json.dumps`` of the whole (8.6 MB at 1,000 articles) holds a string
        per token until it joins them, then the text and its bytes: writing it
        so raised the peak memory by 10 MB, written a record at a time by none
        (bench project, measured alone). A record equal to one in ``known``
        (the :attr:`written` of the manifest read at the start) is written as
        the text it was read from: encoding the 5,000 records anew took 100 ms
        of a build that changed one page.

        >>> b"".join(Manifest({"a.html": "k"}, {"es-US/x": {"published": True}, "pl-GB/x": {}}, None).parts())
        b'{"format": 5, "pages": {"a.html": "k"}, "report": null, "records": {\\n"es-US/x": {"published": true},\\n"pl-GB/x": {}\\n}}\\n'
        >>> b"".join(Manifest({}, {"x": {"a": 1}}).parts({"x": ({"a": 1}, '{"a":  1}')}))[-13:]
        b'{"a":  1}\\n}}\\n'
        """
        known = known or {}
        head = json.dumps({"format": MANIFEST_FORMAT, "pages": self.pages, "report": self.report})
        yield f'{head[:-1]}, "records": {{'.encode()
        separator = "\n"
        for name, record in self.records.items():
            was = known.get(name)
            text = was[1] if was is not None and (was[0] is record or was[0] == record) else json.dumps(record)
            yield f"{separator}{json.dumps(name)}: {text}".encode()
            separator = ",\n"
        yield b"\n}}\n"


def read_manifest(path: Path) -> Manifest:
    """The previous build's manifest; empty (build everything) when missing, broken or of another format.

    When the file is laid out as :meth:`Manifest.parts` writes it, a record
    per line, each record's text is kept with it (:attr:`Manifest.written`),
    for the next manifest to write an unchanged record as it was read.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "build.json"
    ...     write_manifest(path, Manifest({"index.html": "k"}, {}, "d"))
    ...     same = read_manifest(path) == Manifest({"index.html": "k"}, {}, "d")
    ...     _ = path.write_text('{"format": 5, "pages": []}')
    ...     same, read_manifest(path) == Manifest(), read_manifest(Path(folder) / "none") == Manifest()
    (True, True, True)
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return Manifest()
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return Manifest()
    pages, records, report = data.get("pages", {}), data.get("records", {}), data.get("report")
    if (not isinstance(pages, dict) or not isinstance(records, dict)
            or not all(isinstance(record, dict) for record in records.values())):
        return Manifest()
    return long_lived(Manifest(pages, records, report if isinstance(report, str) else None,
                               _record_texts(text, records)))


def _record_texts(text: str, records: dict[str, dict]) -> dict[str, tuple[dict, str]]:
    """Each record with the JSON text it was parsed from, when ``text`` has a record per line in order ({} if not).

    Each line is ``"name": record`` with ``name`` as ``json.dumps`` writes it,
    so the rest of the line is the record's whole text.

    >>> _record_texts('{"records": {\\n"x": {"a": 1},\\n"y": {}\\n}}\\n', {"x": {"a": 1}, "y": {}})
    {'x': ({'a': 1}, '{"a": 1}'), 'y': ({}, '{}')}
    >>> _record_texts('{"records": {"x": {"a": 1}}}', {"x": {"a": 1}})
    {}
    """
    lines = text.split("\n")
    if len(lines) != len(records) + 3 or lines[-2:] != ["}}", ""]:
        return {}
    found = {}
    for (name, record), line in zip(records.items(), lines[1:-2]):
        prefix = f"{json.dumps(name)}: "
        if not line.startswith(prefix):
            return {}
        found[name] = (record, line[len(prefix):].removesuffix(","))
    return found


def write_manifest(path: Path, manifest: Manifest, previous: Manifest | None = None) -> None:
    """Write ``manifest``; its records equal to ``previous``'s (read from disk) as the text they were read from."""
    write_atomic_parts(path, manifest.parts(None if previous is None else previous.written))


def page_record(inputs: str, published: bool, missing: list[dict], title: str, description: str,
                segments: int) -> dict:
    """What the manifest keeps of a page, so that an unchanged page needs no work next time.

    A page the gate held back keeps its missing segments: the next build
    lists them (on the console and in the report) without localizing it again.

    >>> page_record("k", False, [{"text": "Hi", "source": "source/a.md:3"}], "T", "", 0)[MISSING]
    [{'text': 'Hi', 'source': 'source/a.md:3'}]
    """
    record = {"inputs": inputs, "published": published, "missed": len(missing),
              "title": title, "description": description, "segments": segments}
    if not published:
        record[MISSING] = list(missing)
    return record


def standing(record: dict) -> bool:
    """Whether a previous record can stand for its page: published, or held back with its missing segments known.

    >>> standing({"published": True}), standing({"published": False}), standing({"published": False, "missing": []})
    (True, False, True)
    """
    return bool(record.get("published")) or isinstance(record.get(MISSING), list)
