"""Strict reading of PO text: a file GNU ``msgfmt --check`` rejects, Locum rejects, with ``path:line``.

polib, which builds the entries, forgives a great deal: a ``msgid`` cut off
before its ``msgstr``, ``msgstr[5]`` with no ``msgstr[1]``, escapes it does
not know (``\\q`` is kept as two characters), a missing header. ``update``
then rewrote such a file tidily and the damage was gone from sight. So
before polib sees the text, :func:`scan` checks it in one pass over its
lines, the GNU grammar (:mod:`workflow.pogrammar`); after polib,
:func:`check_entries` checks what needs whole entries in one pass over them.

What msgfmt accepts but Locum refuses (polib would misread it, or it is
never written by a tool): the escapes ``\\a``, octal and hex; a byte order
mark; NUL, lone CR and the other characters Python takes for line breaks;
``msgid"x"`` (no space) and two strings on one line; comments such as
``#hello``; ``msgstr[01]`` and more than 10 plural forms; an empty msgid
outside the header; a header that is not the first entry; any charset but
UTF-8. What msgfmt rejects but Locum leaves to ``locum check`` (where the
entry is an error and kept out of the build): a translated plural entry with
fewer forms than ``nplurals`` (what a change of plural rules leaves behind,
see :func:`workflow.entries.plural_gap`) and format-string mismatches.
"""

from __future__ import annotations

import functools
import gettext
import re
from dataclasses import dataclass

import polib

from workflow.errors import CatalogError
from workflow.pogrammar import BROKEN, WS, LineScanner, bare_tail

#: What breaks a line for polib (``str.splitlines``) but not for gettext, and NUL.
_ODD = re.compile("[\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|\r(?!\n)")
_ODD_NAMES = {"\x00": "a NUL byte", "\r": "a carriage return without a line feed (old Mac line ends?)",
              "\x0b": "a vertical tab", "\x0c": "a form feed", "\x1c": "U+001C", "\x1d": "U+001D",
              "\x1e": "U+001E", "\x85": "U+0085 NEXT LINE", "\u2028": "U+2028 LINE SEPARATOR",
              "\u2029": "U+2029 PARAGRAPH SEPARATOR"}
_CHARSET = re.compile(r"charset=([^ \t\n]*)")
_UTF8 = {"utf-8", "utf8"}


@dataclass
class Scan:
    """What :func:`scan` learned for :func:`check_entries`."""

    lines: list[str]
    entry_lines: list[int]          # the msgid line of every entry, header included, in file order
    header_index: int
    nplurals: int | None            # from a valid Plural-Forms, else None
    plural_line: int                # the header line that holds plural=, or the header's msgid line
    polib_text: str | None = None   # text for polib when it would misread ``text`` (else None)


def _error(message: str, display: str, line: int | None) -> CatalogError:
    return CatalogError(message, path=display, line=line)


def scan(text: str, display: str) -> Scan:
    """Check PO text line by line as GNU msgfmt reads it; raise :class:`CatalogError` at the first problem."""
    _check_text(text, display)
    lines = text.split("\n")
    scanner = LineScanner(display)
    scanner.read(lines)
    entry_lines, header_index = scanner.entry_lines, scanner.header_index
    nplurals, plural_line = _check_header(scanner.header_pieces, entry_lines[header_index], display)
    polib_text = None
    tail = bare_tail(lines)
    if tail:            # polib stops reading at a last bare "#," and would lose the entry before it
        polib_text = "\n".join(lines[:tail - 1]) + "\n"
    return Scan(lines, entry_lines, header_index, nplurals, plural_line, polib_text)


def _check_text(text: str, display: str) -> None:
    """The file as a whole: not empty, no byte order mark, no character that ends a line for polib only."""
    if not text or text.isspace():
        raise _error(BROKEN + "the file is empty; a catalog starts with its header entry "
                     '(msgid "" and a msgstr holding "Content-Type: text/plain; charset=UTF-8\\n")', display, 1)
    if text[0] == "\ufeff":
        raise _error(BROKEN + "the file starts with a byte order mark (U+FEFF), which msgfmt rejects: "
                     "save it as UTF-8 without BOM", display, 1)
    odd = _ODD.search(text) if any(char in text for char in _ODD_NAMES) else None
    if odd:
        char = odd.group()
        hint = "save the file with LF line ends" if char == "\r" else "remove it"
        raise _error(BROKEN + f"{_ODD_NAMES[char[0]]} in a catalog: {hint}", display,
                     text.count("\n", 0, odd.start()) + 1)


def _check_header(pieces: list[tuple[int, str]], header_line: int, display: str) -> tuple[int | None, int]:
    """The header's charset must be UTF-8 and its plural formula sound (``msgfmt --check-header``)."""
    header = polib.unescape("".join(text for _, text in pieces))
    if not header:
        raise _error(BROKEN + "the header entry's msgstr is empty: it must hold at least "
                     '"Content-Type: text/plain; charset=UTF-8\\n"', display, header_line)

    def line_of(needle: str) -> int:
        return next((number for number, text in pieces if needle in text), header_line)

    charsets = _CHARSET.findall(header)
    if not charsets:
        raise _error('the header declares no charset; Locum catalogs are UTF-8: add '
                     '"Content-Type: text/plain; charset=UTF-8\\n"', display, line_of("Content-Type"))
    for charset in charsets:
        if charset.lower() not in _UTF8:
            raise _error(f"the header declares charset={charset}; Locum catalogs are UTF-8: convert the file "
                         "with 'msgconv -t UTF-8' (which also fixes the header)", display, line_of("charset="))
    plural_at, nplurals_at = header.find("plural="), header.find("nplurals=")
    plural_line = line_of("plural=") if plural_at >= 0 else header_line
    if plural_at < 0 or nplurals_at < 0:
        return None, plural_line
    problem, nplurals = _plural_problem(header[nplurals_at + 9:], re.split(r"[;\n]", header[plural_at + 7:], 1)[0])
    if problem:
        raise _error(BROKEN + f"Plural-Forms: {problem}", display, plural_line)
    return nplurals, plural_line


@functools.lru_cache(maxsize=64)
def _plural_problem(after_nplurals: str, expression: str) -> tuple[str | None, int]:
    """msgfmt's judgement of a Plural-Forms: (problem or None, nplurals). Cached: catalogs share a handful."""
    match = re.match(r"[ \t\n\v\f\r]*([0-9]+)", after_nplurals)
    if match is None:
        return "invalid nplurals value (nplurals=INTEGER)", 0
    nplurals = int(match.group(1))
    if nplurals < 1:
        return "nplurals must be at least 1", nplurals
    try:
        formula = gettext.c2py(expression.strip(" \t"))
    except (ValueError, SyntaxError):
        return f"invalid plural expression {expression.strip()!r}", nplurals
    try:
        for n in range(1001):         # msgfmt tries 0…1000
            value = formula(n)
            if value < 0:
                return f"plural={expression.strip()} can produce negative values (n={n})", nplurals
            if value >= nplurals:
                return (f"nplurals={nplurals} but plural={expression.strip()} gives {value} for n={n}: "
                        f"the forms are numbered 0 to {nplurals - 1}"), nplurals
    except ZeroDivisionError:
        return f"plural={expression.strip()} divides by zero (n={n})", nplurals
    return None, nplurals


def check_entries(po, info: Scan, display: str) -> None:
    """Checks on whole entries (``msgfmt --check``): duplicates, plural forms against the header, ``\\n`` ends."""
    lines = info.entry_lines[:info.header_index] + info.entry_lines[info.header_index + 1:]
    entries = list(po)
    if len(entries) != len(lines):          # polib grouped the lines differently: never seen; be safe
        raise _error(BROKEN + f"polib read {len(entries)} entries where there are {len(lines)}", display, None)
    seen: dict[tuple[str | None, str], int] = {}
    nplurals = info.nplurals
    for entry, line in zip(entries, lines):
        key = (entry.msgctxt, entry.msgid)
        first = seen.setdefault(key, line)
        if first != line:
            context = f' with msgctxt "{polib.escape(entry.msgctxt)}"' if entry.msgctxt is not None else ""
            raise _error(BROKEN + f'duplicate entry "{_short(polib.escape(entry.msgid))}"{context}: '
                         f"the first is at line {first}", display, line)
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        forms = entry.msgstr_plural
        if entry.msgid_plural:
            if not forms.get(0):
                continue                    # untranslated, as msgfmt judges it
            if nplurals is None:
                raise _error(BROKEN + "the header lacks a Plural-Forms with nplurals= and plural= "
                             f"(\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"), but line {line} has plural "
                             "translations", display, info.plural_line)
            if len(forms) > nplurals:
                raise _error(BROKEN + f"msgstr[{nplurals}] is out of range: the header says nplurals="
                             f"{nplurals}", display, _keyword_line(info.lines, line, f"msgstr[{nplurals}]"))
            _newlines(entry.msgid, [("msgid_plural", entry.msgid_plural)]
                      + [(f"msgstr[{k}]", forms[k]) for k in sorted(forms)], info.lines, line, display)
        elif entry.msgstr:
            _newlines(entry.msgid, [("msgstr", entry.msgstr)], info.lines, line, display)


def _newlines(msgid: str, others: list[tuple[str, str]], lines: list[str], line: int, display: str) -> None:
    begins, ends = msgid.startswith("\n"), msgid.endswith("\n")
    for keyword, text in others:
        for where, has, wanted in (("begin", text.startswith("\n"), begins), ("end", text.endswith("\n"), ends)):
            if has != wanted:
                raise _error(BROKEN + f"msgid and {keyword} do not both {where} with \\n "
                             f"({'only msgid does' if wanted else f'only {keyword} does'}; msgfmt rejects this)",
                             display, _keyword_line(lines, line, keyword))


def _keyword_line(lines: list[str], start: int, keyword: str) -> int:
    """The line of ``keyword`` in the entry whose msgid is at line ``start`` (error path only)."""
    for number in range(start, len(lines) + 1):
        text = lines[number - 1].strip(WS)
        if text.startswith("#~"):
            text = text[2:].lstrip(" \t")
        if text.startswith(keyword) and text[len(keyword):len(keyword) + 1] in (" ", "\t"):
            return number
    return start


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
