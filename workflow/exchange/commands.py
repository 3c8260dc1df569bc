"""``locum export`` and ``locum import``: the exchange formats on the command line (parsers and runs).

The formats' modules are imported only by the command that needs them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from workflow.errors import UsageError

FORMATS = ("xliff", "tmx", "tbx")
EXIT_OK, EXIT_PROBLEMS = 0, 1


def add_parsers(sub) -> None:
    """Add ``export`` and ``import`` to the ``locum`` subcommands ``sub``."""
    p = sub.add_parser("export", help="write an XLIFF 1.2, TMX 1.4b or TBX file for translators' tools",
                       description="xliff: one locale's catalogs (or one article's) as XLIFF 1.2, states mapped "
                                   "honestly (only a verified Locum approval is signed-off), with notes and "
                                   "protected inline codes. tmx: the approved translations as TMX 1.4b. tbx: "
                                   "the glossary as TBX, each rendering as a language entry.")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--locale", metavar="L", help="a catalog (es, es_US) or output locale (es-US: its chain); "
                                                 "xliff needs one, tmx takes every catalog without it")
    p.add_argument("--article", metavar="S", help="only this article slug (or 'site')")
    p.add_argument("--output", metavar="FILE", type=Path, help="write here (default: standard output)")
    p.add_argument("--tbx-version", type=int, choices=(2, 3), default=3,
                   help="tbx: 3 = TBX v3 TBX-Basic (ISO 30042:2019, default); 2 = the 2008 element names that "
                        "Translate Toolkit, Weblate and OmegaT read")
    p.set_defaults(run=run_export)
    p = sub.add_parser("import", help="bring an XLIFF file's translations back as pending, or a TMX into the "
                                      "translation memory",
                       description="XLIFF: changed targets come back as pending translations (a CAT tool's "
                                   "sign-off never becomes an approval), re-checked; a unit whose source no "
                                   "longer matches refuses the file. TMX: its pairs join the translation "
                                   "memory that 'translate --provider memory' reads. The format is read from "
                                   "the file's root element; outside XML is read with entities and DTDs off.")
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument("--locale", metavar="L", help="XLIFF: only the catalogs of this locale")
    p.add_argument("--name", metavar="N", help="TMX: keep it as locales/memory/N.tmx (default: the file's name)")
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.set_defaults(run=run_import)


def run_export(config, args) -> int:
    if args.format == "xliff":
        if not args.locale:
            raise UsageError("export --format xliff needs --locale (a catalog such as es, or an output locale)")
        from workflow.exchange.xliff import export
        data = export(config, args.locale, args.article)
    elif args.format == "tmx":
        from workflow.exchange.tmx import export
        data = export(config, args.locale, args.article)
    else:
        from workflow.exchange.tbx import export
        data = export(config, args.tbx_version)
    if args.output is None:
        sys.stdout.buffer.write(data)
        return EXIT_OK
    from workflow.fileio import write_atomic
    write_atomic(args.output, data)
    print(f"export: {args.format} written to {args.output}", file=sys.stderr)
    return EXIT_OK


def root_element(path: Path) -> str:
    """The local name of the file's root element, from its first bytes (the formats' readers parse it properly).

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
    ...     _ = f.write('<?xml version="1.0"?>\\n<!-- x -->\\n<xliff version="1.2">')
    >>> root_element(Path(f.name)); os.unlink(f.name)
    'xliff'
    """
    import re
    try:
        head = path.read_bytes()[:4096].decode("utf-8", "replace")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    head = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head, flags=re.S)
    found = re.search(r"<\s*(?:[\w.-]+:)?([\w.-]+)", head)
    return found.group(1).lower() if found else ""


def run_import(config, args) -> int:
    kind = root_element(args.file)
    if kind == "xliff":
        from workflow.exchange.xliff_import import import_file
        report = import_file(config, args.file, lock=False, locale=args.locale, dry_run=args.dry_run)
        for line in report.lines():
            print(line)
        return EXIT_PROBLEMS if report.conflicts else EXIT_OK
    if kind == "tmx":
        from workflow.exchange.tmx import import_file
        report = import_file(config, args.file, name=args.name, dry_run=args.dry_run)
        for language, count in sorted(report.pairs.items()):
            print(f"{report.stored}: {count} pair(s) into {language}")
        for reason, count in sorted(report.skipped.items()):
            print(f"{args.file}: {count} unit(s) skipped: {reason}")
        verb = "would keep" if report.dry_run else "kept" if report.written else "already held"
        print(f"import: {verb} {report.total} pair(s) in {report.stored} for the translation memory",
              file=sys.stderr)
        return EXIT_OK
    raise UsageError(f"{args.file}: not an XLIFF or TMX file (root element {kind or 'none'!r})")
