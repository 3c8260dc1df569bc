"""Strict reading of PO text: a file GNU ``msgfmt --check`` rejects, Locum rejects, with ``path:line``.

polib, which builds the entries, forgives a great deal: a ``msgid`` cut off
before its ``msgstr``, ``msgstr[5]`` with no ``msgstr[1]``, escapes it does
not know (``\\q`` is kept as two characters), a missing header. ``update``
then rewrote such a file tidily and the damage was gone from sight. So
before polib sees the text, :func:`scan` checks it in one pass over its
lines, the GNU grammar (``po-lex.c``, ``po-gram.y``); after polib,
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

#: A quoted string with only the escapes polib reads back as gettext does.
_STR = r'"([^"\\]*(?:\\[ntrbfv\\"][^"\\]*)*)"'
_KEYWORD_LINE = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr)(\[[0-9]+\])?[ \t]+' + _STR)
_STRING_LINE = re.compile(_STR)
_PREV_LINE = re.compile(r'(msgctxt|msgid_plural|msgid)[ \t]+' + _STR)
#: What breaks a line for polib (``str.splitlines``) but not for gettext, and NUL.
_ODD = re.compile("[\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|\r(?!\n)")
_ODD_NAMES = {"\x00": "a NUL byte", "\r": "a carriage return without a line feed (old Mac line ends?)",
              "\x0b": "a vertical tab", "\x0c": "a form feed", "\x1c": "U+001C", "\x1d": "U+001D",
              "\x1e": "U+001E", "\x85": "U+0085 NEXT LINE", "\u2028": "U+2028 LINE SEPARATOR",
              "\u2029": "U+2029 PARAGRAPH SEPARATOR"}
_CHARSET = re.compile(r"charset=([^ \t\n]*)")
_UTF8 = {"utf-8", "utf8"}
_WS = " \t\r"
_BROKEN = "broken PO file: "

# Parser states: where the current entry stands.
_BETWEEN, _PREV, _CTXT, _ID, _PLURAL, _STR1, _STRN = range(7)
_INCOMPLETE = (_CTXT, _ID, _PLURAL)
_COMPLETE = (_BETWEEN, _STR1, _STRN)


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
    if not text or text.isspace():
        raise _error(_BROKEN + "the file is empty; a catalog starts with its header entry "
                     '(msgid "" and a msgstr holding "Content-Type: text/plain; charset=UTF-8\\n")', display, 1)
    if text[0] == "\ufeff":
        raise _error(_BROKEN + "the file starts with a byte order mark (U+FEFF), which msgfmt rejects: "
                     "save it as UTF-8 without BOM", display, 1)
    odd = _ODD.search(text) if any(char in text for char in _ODD_NAMES) else None
    if odd:
        char = odd.group()
        hint = "save the file with LF line ends" if char == "\r" else "remove it"
        raise _error(_BROKEN + f"{_ODD_NAMES[char[0]]} in a catalog: {hint}", display,
                     text.count("\n", 0, odd.start()) + 1)
    lines = text.split("\n")
    state, obsolete, entry_obsolete = _BETWEEN, False, False
    has_ctxt = id_empty = plural_empty = header_open = False
    prev_stage = 0                 # 1: #| msgctxt seen, 2: #| msgid, 3: #| msgid_plural
    expect = 0                     # the next msgstr[] index
    entry_line = ctxt_line = plural_line = prev_line = 0    # the lines of the current msgid, msgctxt, msgid_plural, #|
    entry_lines: list[int] = []
    header_index, header_pieces = -1, []
    bare_tail = 0                  # line of a trailing bare "#," "#." or "#:" polib would end the file at
    number = 0
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        first = line[0]
        if first in _WS or line[-1] in _WS:
            line = line.strip(_WS)
            if not line:
                continue
            first = line[0]
        obsolete = False
        if first == "#":
            second = line[1:2]
            if second == "~":
                third = line[2:3]
                if third == "|":
                    body = line[3:]
                    if not body[:1].isspace():
                        raise _error(_BROKEN + "'#~|' must be followed by a space", display, number)
                    state, prev_stage, entry_obsolete = _prev(body.strip(), True, state, prev_stage,
                                                              entry_obsolete, entry_line, ctxt_line,
                                                              display, number)
                    header_open, bare_tail, prev_line = False, 0, number
                    continue
                if third not in (" ", "\t") or not line[3:].strip(" \t"):
                    raise _error(_BROKEN + "'#~' (obsolete entry) must be followed by a space and a keyword "
                                 "line or a \"string\"", display, number)
                line = line[3:].lstrip(" \t")
                first, obsolete = line[0], True
            elif second == "|":
                body = line[2:]
                if not body[:1].isspace():
                    raise _error(_BROKEN + "'#|' must be followed by a space", display, number)
                state, prev_stage, entry_obsolete = _prev(body.strip(), False, state, prev_stage, entry_obsolete,
                                                          entry_line, ctxt_line, display, number)
                header_open, bare_tail, prev_line = False, 0, number
                continue
            else:
                if second in (".", ":", ","):
                    if len(line) == 2:          # polib skips it (the line is stripped already)
                        bare_tail = bare_tail or number
                    elif not line[2].isspace():
                        raise _error(_BROKEN + f"unknown comment {line[:12]!r}: a space must follow {line[:2]!r}",
                                     display, number)
                    else:
                        bare_tail = 0
                elif second and not (second.isspace() or second == "#"):
                    raise _error(_BROKEN + f"unknown comment {line[:12]!r}: after '#' comes a space, '.', ':', "
                                 "',', '|' or '~'", display, number)
                else:
                    bare_tail = 0
                if state in _INCOMPLETE or state == _PREV:
                    raise _cut_off(state, entry_line, ctxt_line, number, display)
                state, header_open = _BETWEEN, False
                continue
        bare_tail = 0
        if first == '"':
            match = _STRING_LINE.fullmatch(line)
            if match is None:
                raise _error(_BROKEN + _string_problem(line), display, number)
            if state >= _CTXT:
                if obsolete != entry_obsolete:
                    raise _inconsistent(display, number)
                if state == _ID:
                    id_empty = id_empty and not match.group(1)
                elif state == _PLURAL:
                    plural_empty = plural_empty and not match.group(1)
                elif header_open:
                    header_pieces.append((number, match.group(1)))
                continue
            raise _error(_BROKEN + "a \"string\" that continues no keyword: it must follow msgid, msgstr… "
                         "or another string of the same entry", display, number)
        match = _KEYWORD_LINE.fullmatch(line) if first == "m" else None
        if match is None:
            raise _error(_BROKEN + _keyword_problem(line), display, number)
        keyword, index, content = match.groups()
        header_open = False
        if keyword == "msgstr":
            if index is None:
                if state != _ID:
                    raise _misplaced("msgstr", state, entry_line, ctxt_line, number, display)
                if obsolete != entry_obsolete:
                    raise _inconsistent(display, number)
                if id_empty:
                    if has_ctxt or obsolete:
                        raise _error(_BROKEN + 'an empty msgid is reserved for the header entry, which has no '
                                     "msgctxt and is not obsolete", display, entry_line)
                    if header_index >= 0:
                        raise _error(_BROKEN + 'a second header entry (msgid ""): the first is at line '
                                     f"{entry_lines[header_index]}", display, entry_line)
                    if len(entry_lines) != 1:
                        raise _error(_BROKEN + 'the header entry (msgid "") must be the first entry',
                                     display, entry_line)
                    header_index, header_open = 0, True
                    header_pieces.append((number, content))
                state = _STR1
                continue
            digits = index[1:-1]
            if len(digits) > 1:
                raise _error(_BROKEN + (f"write msgstr[{int(digits)}], not {keyword}{index}" if digits[0] == "0"
                                        else f"{keyword}{index}: Locum reads at most 10 plural forms "
                                        "(msgstr[0] to msgstr[9])"), display, number)
            position = ord(digits) - 48
            if state == _PLURAL:
                if position != 0:
                    raise _error(_BROKEN + f"the first plural form must be msgstr[0], not msgstr[{position}]",
                                 display, number)
                if plural_empty:
                    raise _error(_BROKEN + "msgid_plural is empty", display, plural_line)
                expect = 0
            elif state == _STRN:
                if position != expect:
                    raise _error(_BROKEN + f"plural form msgstr[{position}] out of order: expected "
                                 f"msgstr[{expect}] (the forms are numbered 0, 1, 2… without gaps)", display, number)
            else:
                raise _misplaced(f"msgstr[{position}]", state, entry_line, ctxt_line, number, display)
            if obsolete != entry_obsolete:
                raise _inconsistent(display, number)
            expect += 1
            state = _STRN
        elif keyword == "msgid":
            if index is not None:
                raise _error(_BROKEN + "only msgstr takes an index [n]", display, number)
            if state == _CTXT:
                if obsolete != entry_obsolete:
                    raise _inconsistent(display, number)
            elif state in _COMPLETE or state == _PREV:
                if state == _PREV:
                    if prev_stage < 2:
                        raise _error(_BROKEN + "'#| msgctxt' without '#| msgid'", display, number)
                    if obsolete != entry_obsolete:
                        raise _inconsistent(display, number)
                has_ctxt, entry_obsolete = False, obsolete
            else:
                raise _cut_off(state, entry_line, ctxt_line, number, display)
            entry_line, id_empty = number, not content
            entry_lines.append(number)
            state = _ID
        elif keyword == "msgctxt":
            if index is not None:
                raise _error(_BROKEN + "only msgstr takes an index [n]", display, number)
            if state in _INCOMPLETE:
                raise _cut_off(state, entry_line, ctxt_line, number, display)
            if state == _PREV:
                if prev_stage < 2:
                    raise _error(_BROKEN + "'#| msgctxt' without '#| msgid'", display, number)
                if obsolete != entry_obsolete:
                    raise _inconsistent(display, number)
            has_ctxt, entry_obsolete, ctxt_line = True, obsolete, number
            state = _CTXT
        else:   # msgid_plural
            if index is not None:
                raise _error(_BROKEN + "only msgstr takes an index [n]", display, number)
            if state != _ID:
                raise _misplaced("msgid_plural", state, entry_line, ctxt_line, number, display)
            if obsolete != entry_obsolete:
                raise _inconsistent(display, number)
            if id_empty:
                raise _error(_BROKEN + 'an empty msgid is reserved for the header entry, which has no plural',
                             display, entry_line)
            plural_empty, plural_line = not content, number
            state = _PLURAL
        prev_stage = 0
    if state in _INCOMPLETE or state == _PREV:
        raise _cut_off(state, entry_line, ctxt_line, None, display, prev_line)
    if header_index < 0:
        raise _error(_BROKEN + 'no header entry: a catalog starts with msgid "" and a msgstr holding '
                     '"Content-Type: text/plain; charset=UTF-8\\n"', display, 1)
    nplurals, plural_line = _check_header(header_pieces, entry_lines[header_index], display)
    polib_text = None
    if bare_tail:       # polib stops reading at a last bare "#," and would lose the entry before it
        polib_text = "\n".join(lines[:bare_tail - 1]) + "\n"
    return Scan(lines, entry_lines, header_index, nplurals, plural_line, polib_text)


def _prev(body: str, obsolete: bool, state: int, stage: int, entry_obsolete: bool, entry_line: int,
          ctxt_line: int, display: str, number: int) -> tuple[int, int, bool]:
    """One ``#|`` (previous msgid) line: the new state, stage and obsolete flag."""
    if state in _INCOMPLETE:
        raise _cut_off(state, entry_line, ctxt_line, number, display)
    if body[:1] == '"':
        if state != _PREV:
            raise _error(_BROKEN + "a '#| \"string\"' that continues no '#| msgid'", display, number)
        if obsolete != entry_obsolete:
            raise _inconsistent(display, number)
        if not _STRING_LINE.fullmatch(body):
            raise _error(_BROKEN + _string_problem(body), display, number)
        return state, stage, entry_obsolete
    match = _PREV_LINE.fullmatch(body)
    if match is None:
        keyword = body.split(None, 1)[0] if body else ""
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            raise _error(_BROKEN + _keyword_problem(body), display, number)
        raise _error(_BROKEN + f"'#|' holds the previous msgctxt, msgid or msgid_plural, not {body[:30]!r}",
                     display, number)
    keyword = match.group(1)
    if state != _PREV:
        stage, entry_obsolete = 0, obsolete
    elif obsolete != entry_obsolete:
        raise _inconsistent(display, number)
    wanted = {"msgctxt": 0, "msgid": 1, "msgid_plural": 2}[keyword]
    if stage > wanted or (keyword == "msgid_plural" and stage != 2) or (keyword == "msgid" and stage > 1):
        raise _error(_BROKEN + f"'#| {keyword}' out of place: the previous strings come in the order "
                     "msgctxt, msgid, msgid_plural, once each", display, number)
    return _PREV, wanted + 1, entry_obsolete


def _cut_off(state: int, entry_line: int, ctxt_line: int, number: int | None, display: str,
             prev_line: int = 0) -> CatalogError:
    where = "the file ends" if number is None else f"line {number} starts something else"
    if state == _CTXT:
        return _error(_BROKEN + f"msgctxt without its msgid: {where}", display, ctxt_line)
    if state == _ID:
        return _error(_BROKEN + f"msgid without its msgstr: {where} (is the file cut short?)", display, entry_line)
    if state == _PLURAL:
        return _error(_BROKEN + f"msgid_plural without msgstr[0]: {where}", display, entry_line)
    return _error(_BROKEN + "'#|' previous strings must come right before their entry's msgctxt or msgid: "
                  f"{where}", display, number or prev_line)


def _misplaced(keyword: str, state: int, entry_line: int, ctxt_line: int, number: int,
               display: str) -> CatalogError:
    if state == _ID:         # msgstr[n] after a plain msgid
        return _error(_BROKEN + f"{keyword} needs msgid_plural (a plain msgid takes msgstr)", display, number)
    if state == _PLURAL:     # msgstr after msgid_plural
        return _error(_BROKEN + f"{keyword} after msgid_plural: a plural entry takes msgstr[0], msgstr[1]…",
                      display, number)
    if state in (_STR1, _STRN):
        return _error(_BROKEN + f"{keyword} after the entry's msgstr: one msgid, one msgstr (or msgid_plural "
                      "and msgstr[0], msgstr[1]…) per entry", display, number)
    if state in (_CTXT, _PREV):
        return _cut_off(state, entry_line, ctxt_line, number, display)
    return _error(_BROKEN + f"{keyword} without a msgid before it", display, number)


def _inconsistent(display: str, number: int) -> CatalogError:
    return _error(_BROKEN + "inconsistent use of '#~': every line of an obsolete entry starts with '#~', "
                  "those of a live entry do not", display, number)


def _string_problem(text: str) -> str:
    """Why ``text`` (from its opening quote) is not one well-formed string."""
    index, size = 1, len(text)
    while index < size:
        char = text[index]
        if char == "\\":
            if index + 1 >= size:
                break
            escape = text[index + 1]
            if escape not in 'ntrbfv\\"':
                if escape in "a01234567x":
                    sequence = re.match(r"\\(?:a|[0-7]{1,3}|x[0-9A-Fa-f]*)", text[index:]).group()
                    return (f"escape '{sequence}' is valid gettext but Locum does not read it back: "
                            "write the character itself")
                return (f"invalid escape '\\{escape}' (msgfmt rejects it): a string knows \\n \\t \\r \\b \\f "
                        "\\v \\\\ and \\\"")
            index += 2
        elif char == '"':
            rest = text[index + 1:].strip(" \t")
            return (f"text after the closing quote: {rest[:40]!r} (one \"string\" per line)" if rest
                    else "malformed string")
        else:
            index += 1
    return "string not closed: the line ends before its closing '\"'"


def _keyword_problem(line: str) -> str:
    """Why a line is neither a keyword line nor a string."""
    match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[[0-9]+\])?)(?![\w\[])", line)
    unknown = re.match(r"([A-Za-z_][\w\[\]]*)[ \t]*\"", line)
    if match is None and unknown:
        return (f"unknown keyword {unknown.group(1)!r}: a line starts with msgctxt, msgid, msgid_plural, "
                "msgstr or msgstr[n], a \"string\" or a # comment")
    if match is None:
        return ("expected a keyword and a \"quoted string\", a \"string\" or a # comment, "
                f"got {line[:40]!r}")
    keyword = match.group(1)
    rest = line[match.end():]
    if rest[:1] == '"':
        return f"a space must separate {keyword} from its \"string\""
    rest = rest.lstrip(" \t")
    if rest[:1] != '"':
        return f"{keyword} needs a \"quoted string\", got {rest[:40]!r}"
    return _string_problem(rest)


def _check_header(pieces: list[tuple[int, str]], header_line: int, display: str) -> tuple[int | None, int]:
    """The header's charset must be UTF-8 and its plural formula sound (``msgfmt --check-header``)."""
    header = polib.unescape("".join(text for _, text in pieces))
    if not header:
        raise _error(_BROKEN + "the header entry's msgstr is empty: it must hold at least "
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
        raise _error(_BROKEN + f"Plural-Forms: {problem}", display, plural_line)
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
        raise _error(_BROKEN + f"polib read {len(entries)} entries where there are {len(lines)}", display, None)
    seen: dict[tuple[str | None, str], int] = {}
    nplurals = info.nplurals
    for entry, line in zip(entries, lines):
        key = (entry.msgctxt, entry.msgid)
        first = seen.setdefault(key, line)
        if first != line:
            context = f' with msgctxt "{polib.escape(entry.msgctxt)}"' if entry.msgctxt is not None else ""
            raise _error(_BROKEN + f'duplicate entry "{_short(polib.escape(entry.msgid))}"{context}: '
                         f"the first is at line {first}", display, line)
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        forms = entry.msgstr_plural
        if entry.msgid_plural:
            if not forms.get(0):
                continue                    # untranslated, as msgfmt judges it
            if nplurals is None:
                raise _error(_BROKEN + "the header lacks a Plural-Forms with nplurals= and plural= "
                             f"(\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"), but line {line} has plural "
                             "translations", display, info.plural_line)
            if len(forms) > nplurals:
                raise _error(_BROKEN + f"msgstr[{nplurals}] is out of range: the header says nplurals="
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
                raise _error(_BROKEN + f"msgid and {keyword} do not both {where} with \\n "
                             f"({'only msgid does' if wanted else f'only {keyword} does'}; msgfmt rejects this)",
                             display, _keyword_line(lines, line, keyword))


def _keyword_line(lines: list[str], start: int, keyword: str) -> int:
    """The line of ``keyword`` in the entry whose msgid is at line ``start`` (error path only)."""
    for number in range(start, len(lines) + 1):
        text = lines[number - 1].strip(_WS)
        if text.startswith("#~"):
            text = text[2:].lstrip(" \t")
        if text.startswith(keyword) and text[len(keyword):len(keyword) + 1] in (" ", "\t"):
            return number
    return start


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
