"""Owns the line grammar of PO text as GNU msgfmt reads it (``po-lex.c``, ``po-gram.y``), one line at a time.

:class:`LineScanner` is where a scan stands between two lines; it raises
:class:`CatalogError` ("broken PO file: …", with the line) at the first line
that breaks the grammar. :func:`workflow.postrict.scan` runs it before polib
sees the text and checks the file as a whole, the header and the entries.
"""

from __future__ import annotations

import re

from workflow.errors import CatalogError

BROKEN = "broken PO file: "
#: What a PO line may start or end with and still be one (``str.strip(WS)``).
WS = " \t\r"

#: A quoted string with only the escapes polib reads back as gettext does.
_STR = r'"([^"\\]*(?:\\[ntrbfv\\"][^"\\]*)*)"'
_KEYWORD_LINE = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr)(\[[0-9]+\])?[ \t]+' + _STR)
_STRING_LINE = re.compile(_STR)
_PREV_LINE = re.compile(r'(msgctxt|msgid_plural|msgid)[ \t]+' + _STR)
#: The starts of the usual comments, "#: ", "#. ", "#, " (after "#" and a space, anything goes).
_SPACED_MARKS = frozenset((": ", ". ", ", "))

# Where the current entry stands. The entry is open (a comment may not come) from _PREV to _PLURAL.
_BETWEEN, _PREV, _CTXT, _ID, _PLURAL, _STR1, _STRN = range(7)


class LineScanner:
    """Where the scan of one file stands between two lines, and what it has seen so far.

    :meth:`read` tells each line's kind and handles the two common kinds
    itself: comments, which end an entry, and "string" lines, which continue
    one (a method call per line would cost a tenth of the scan). ``#|`` lines
    and each keyword have a method. Where several checks pass at once on the
    common path, a failure hands over to a method that tells which failed
    (:meth:`bad_string`). In the methods, ``obsolete`` is whether the line at
    hand started with ``#~`` and ``number`` is its line number.
    """

    __slots__ = ("display", "state", "entry_obsolete", "has_ctxt", "id_empty", "plural_empty", "header_open",
                 "prev_stage", "expect", "entry_line", "ctxt_line", "plural_line", "prev_line", "entry_lines",
                 "header_index", "header_pieces")

    def __init__(self, display: str) -> None:
        self.display = display                  # the file's name in errors
        self.state, self.entry_obsolete = _BETWEEN, False
        self.has_ctxt = self.id_empty = self.plural_empty = False
        self.header_open = False                # the header's msgstr is being read
        self.prev_stage = 0                     # 1: #| msgctxt seen, 2: #| msgid, 3: #| msgid_plural
        self.expect = 0                         # the next msgstr[] index
        # the lines of the current msgid, msgctxt, msgid_plural and of the last #|
        self.entry_line = self.ctxt_line = self.plural_line = self.prev_line = 0
        self.entry_lines: list[int] = []        # the msgid line of every entry, header included, in file order
        self.header_index = -1                  # the header's place in entry_lines (0, or -1 until seen)
        self.header_pieces: list[tuple[int, str]] = []  # (line, escaped text) of the header's msgstr

    def read(self, lines: list[str]) -> None:
        """Check every line in turn, then that the last entry is complete and that there was a header."""
        for number, line in enumerate(lines, 1):
            if not line:
                continue
            first = line[0]
            if first in WS or line[-1] in WS:
                line = line.strip(WS)
                if not line:
                    continue
                first = line[0]
            obsolete = False
            if first == "#":
                second = line[1:2]
                if second == "|":
                    self.previous(line[2:], False, number)
                    continue
                if second != "~":               # a comment: it ends the entry, which must be complete
                    if second != " " and line[1:3] not in _SPACED_MARKS:
                        self.check_comment(line, second, number)
                    if _PREV <= self.state <= _PLURAL:
                        raise self.cut_off(number)
                    self.state, self.header_open = _BETWEEN, False
                    continue
                if line[2:3] == "|":
                    self.previous(line[3:], True, number)
                    continue
                body = line[3:].lstrip(" \t")
                if line[2:3] not in (" ", "\t") or not body:
                    raise self.broken("'#~' (obsolete entry) must be followed by a space and a keyword "
                                      "line or a \"string\"", number)
                line, first, obsolete = body, body[0], True
            if first == '"':                    # a "string" line continues the entry's last keyword
                match = _STRING_LINE.fullmatch(line)
                state = self.state
                if match is None or state < _CTXT or obsolete != self.entry_obsolete:
                    raise self.bad_string(line, match, number)
                if state == _ID:
                    self.id_empty = self.id_empty and not match.group(1)
                elif state == _PLURAL:
                    self.plural_empty = self.plural_empty and not match.group(1)
                elif self.header_open:
                    self.header_pieces.append((number, match.group(1)))
                continue
            match = _KEYWORD_LINE.fullmatch(line) if first == "m" else None
            if match is None:
                raise self.broken(_keyword_problem(line), number)
            keyword, index, content = match.groups()
            self.header_open = False
            if index is not None:
                self.msgstr_form(keyword, index, obsolete, number)
            elif keyword == "msgstr":
                self.msgstr(content, obsolete, number)
            elif keyword == "msgid":
                self.msgid(content, obsolete, number)
            elif keyword == "msgctxt":
                self.msgctxt(obsolete, number)
            else:
                self.msgid_plural(content, obsolete, number)
        if _PREV <= self.state <= _PLURAL:
            raise self.cut_off(None)
        if self.header_index < 0:
            raise self.broken('no header entry: a catalog starts with msgid "" and a msgstr holding '
                              '"Content-Type: text/plain; charset=UTF-8\\n"', 1)

    def check_comment(self, line: str, second: str, number: int) -> None:
        """A comment other than "# …", "#: …", "#. …" or "#, …" (``second`` is what follows "#")."""
        if second in (".", ":", ","):
            if len(line) > 2 and not line[2].isspace():    # a bare "#," is fine: polib skips it (see bare_tail)
                raise self.broken(f"unknown comment {line[:12]!r}: a space must follow {line[:2]!r}", number)
        elif second and not (second.isspace() or second == "#"):
            raise self.broken(f"unknown comment {line[:12]!r}: after '#' comes a space, '.', ':', "
                              "',', '|' or '~'", number)

    def previous(self, body: str, obsolete: bool, number: int) -> None:
        """A ``#|`` (or ``#~|``) line, ``body`` after that mark: a previous msgctxt, msgid… or its "string"."""
        if not body[:1].isspace():
            raise self.broken(("'#~|'" if obsolete else "'#|'") + " must be followed by a space", number)
        body = body.strip()
        state = self.state
        if _CTXT <= state <= _PLURAL:
            raise self.cut_off(number)
        if body[:1] != '"':
            self.previous_keyword(body, obsolete, number)
        elif state != _PREV:
            raise self.broken("a '#| \"string\"' that continues no '#| msgid'", number)
        elif obsolete != self.entry_obsolete:
            raise self.inconsistent(number)
        elif not _STRING_LINE.fullmatch(body):
            raise self.broken(_string_problem(body), number)
        self.header_open, self.prev_line = False, number

    def previous_keyword(self, body: str, obsolete: bool, number: int) -> None:
        """``#| msgctxt``, ``#| msgid`` or ``#| msgid_plural``, once each and in this order."""
        match = _PREV_LINE.fullmatch(body)
        if match is None:
            keyword = body.split(None, 1)[0] if body else ""
            if keyword in ("msgctxt", "msgid", "msgid_plural"):
                raise self.broken(_keyword_problem(body), number)
            raise self.broken(f"'#|' holds the previous msgctxt, msgid or msgid_plural, not {body[:30]!r}", number)
        keyword = match.group(1)
        stage = self.prev_stage
        if self.state != _PREV:
            stage, self.entry_obsolete = 0, obsolete
        elif obsolete != self.entry_obsolete:
            raise self.inconsistent(number)
        wanted = {"msgctxt": 0, "msgid": 1, "msgid_plural": 2}[keyword]
        if stage > wanted or (keyword == "msgid_plural" and stage != 2) or (keyword == "msgid" and stage > 1):
            raise self.broken(f"'#| {keyword}' out of place: the previous strings come in the order "
                              "msgctxt, msgid, msgid_plural, once each", number)
        self.state, self.prev_stage = _PREV, wanted + 1

    # --- the keyword lines; ``content`` is the text of the line's string ---

    def msgctxt(self, obsolete: bool, number: int) -> None:
        """msgctxt starts an entry (after its ``#|`` lines, if any)."""
        state = self.state
        if _CTXT <= state <= _PLURAL:
            raise self.cut_off(number)
        if state == _PREV:
            self.after_previous(obsolete, number)
        self.has_ctxt, self.entry_obsolete, self.ctxt_line = True, obsolete, number
        self.state = _CTXT

    def msgid(self, content: str, obsolete: bool, number: int) -> None:
        """msgid starts an entry, or follows its msgctxt."""
        state = self.state
        if state == _CTXT:
            if obsolete != self.entry_obsolete:
                raise self.inconsistent(number)
        elif _ID <= state <= _PLURAL:
            raise self.cut_off(number)
        else:
            if state == _PREV:
                self.after_previous(obsolete, number)
            self.has_ctxt, self.entry_obsolete = False, obsolete
        self.entry_line, self.id_empty = number, not content
        self.entry_lines.append(number)
        self.state = _ID

    def after_previous(self, obsolete: bool, number: int) -> None:
        """msgctxt or msgid after ``#|`` lines, which must have given the previous msgid."""
        if self.prev_stage < 2:
            raise self.broken("'#| msgctxt' without '#| msgid'", number)
        if obsolete != self.entry_obsolete:
            raise self.inconsistent(number)

    def msgid_plural(self, content: str, obsolete: bool, number: int) -> None:
        """msgid_plural follows a non-empty msgid."""
        if self.state != _ID:
            raise self.misplaced("msgid_plural", number)
        if obsolete != self.entry_obsolete:
            raise self.inconsistent(number)
        if self.id_empty:
            raise self.broken('an empty msgid is reserved for the header entry, which has no plural',
                              self.entry_line)
        self.plural_empty, self.plural_line = not content, number
        self.state = _PLURAL

    def msgstr(self, content: str, obsolete: bool, number: int) -> None:
        """msgstr follows a msgid without msgid_plural; after an empty msgid, it is the header."""
        if self.state != _ID:
            raise self.misplaced("msgstr", number)
        if obsolete != self.entry_obsolete:
            raise self.inconsistent(number)
        if self.id_empty:
            self.header_entry(content, obsolete, number)
        self.state = _STR1

    def header_entry(self, content: str, obsolete: bool, number: int) -> None:
        """The msgstr of an entry with an empty msgid: the header, which must be the first entry and the only one."""
        if self.has_ctxt or obsolete:
            raise self.broken('an empty msgid is reserved for the header entry, which has no '
                              "msgctxt and is not obsolete", self.entry_line)
        if self.header_index >= 0:
            raise self.broken('a second header entry (msgid ""): the first is at line '
                              f"{self.entry_lines[self.header_index]}", self.entry_line)
        if len(self.entry_lines) != 1:
            raise self.broken('the header entry (msgid "") must be the first entry', self.entry_line)
        self.header_index, self.header_open = 0, True
        self.header_pieces.append((number, content))

    def msgstr_form(self, keyword: str, index: str, obsolete: bool, number: int) -> None:
        """``msgstr[n]`` (``index`` is "[n]"): after msgid_plural, the forms numbered 0, 1, 2… (at most 10)."""
        if keyword != "msgstr":
            raise self.broken("only msgstr takes an index [n]", number)
        digits = index[1:-1]
        if len(digits) > 1:
            raise self.broken(f"write msgstr[{int(digits)}], not msgstr{index}" if digits[0] == "0"
                              else f"msgstr{index}: Locum reads at most 10 plural forms (msgstr[0] to msgstr[9])",
                              number)
        position = ord(digits) - 48
        state = self.state
        if state == _PLURAL:
            if position != 0:
                raise self.broken(f"the first plural form must be msgstr[0], not msgstr[{position}]", number)
            if self.plural_empty:
                raise self.broken("msgid_plural is empty", self.plural_line)
            self.expect = 0
        elif state == _STRN:
            if position != self.expect:
                raise self.broken(f"plural form msgstr[{position}] out of order: expected "
                                  f"msgstr[{self.expect}] (the forms are numbered 0, 1, 2… without gaps)", number)
        else:
            raise self.misplaced(f"msgstr[{position}]", number)
        if obsolete != self.entry_obsolete:
            raise self.inconsistent(number)
        self.expect += 1
        self.state = _STRN

    # --- why a line does not fit ---

    def broken(self, message: str, line: int | None) -> CatalogError:
        return CatalogError(BROKEN + message, path=self.display, line=line)

    def bad_string(self, line: str, match: re.Match | None, number: int) -> CatalogError:
        """A "string" line that is malformed, continues nothing, or has (or lacks) ``#~`` unlike its entry."""
        if match is None:
            return self.broken(_string_problem(line), number)
        if self.state < _CTXT:
            return self.broken("a \"string\" that continues no keyword: it must follow msgid, msgstr… "
                               "or another string of the same entry", number)
        return self.inconsistent(number)

    def cut_off(self, number: int | None) -> CatalogError:
        """The current entry is incomplete and line ``number`` (None: the end of the file) cannot continue it."""
        where = "the file ends" if number is None else f"line {number} starts something else"
        state = self.state
        if state == _CTXT:
            return self.broken(f"msgctxt without its msgid: {where}", self.ctxt_line)
        if state == _ID:
            return self.broken(f"msgid without its msgstr: {where} (is the file cut short?)", self.entry_line)
        if state == _PLURAL:
            return self.broken(f"msgid_plural without msgstr[0]: {where}", self.entry_line)
        return self.broken("'#|' previous strings must come right before their entry's msgctxt or msgid: "
                           f"{where}", number or self.prev_line)

    def misplaced(self, keyword: str, number: int) -> CatalogError:
        """``keyword`` (msgid_plural, msgstr or msgstr[n]) where the entry does not take it."""
        state = self.state
        if state == _ID:                # msgstr[n] after a plain msgid
            return self.broken(f"{keyword} needs msgid_plural (a plain msgid takes msgstr)", number)
        if state == _PLURAL:            # msgstr after msgid_plural
            return self.broken(f"{keyword} after msgid_plural: a plural entry takes msgstr[0], msgstr[1]…", number)
        if state in (_STR1, _STRN):
            return self.broken(f"{keyword} after the entry's msgstr: one msgid, one msgstr (or msgid_plural "
                               "and msgstr[0], msgstr[1]…) per entry", number)
        if state in (_CTXT, _PREV):
            return self.cut_off(number)
        return self.broken(f"{keyword} without a msgid before it", number)

    def inconsistent(self, number: int) -> CatalogError:
        return self.broken("inconsistent use of '#~': every line of an obsolete entry starts with '#~', "
                           "those of a live entry do not", number)


def bare_tail(lines: list[str]) -> int:
    """The first of the bare ``#,``, ``#.`` or ``#:`` lines that end the file (blank lines aside), else 0.

    polib stops reading at such a line and would lose the entry before it.

    >>> bare_tail(['msgid "a"', 'msgstr "b"', '#,', '', ' #: ', '']), bare_tail(['#,', 'msgid "a"'])
    (3, 0)
    """
    tail = 0
    for number in range(len(lines), 0, -1):
        line = lines[number - 1].strip(WS)
        if line in ("#,", "#.", "#:"):
            tail = number
        elif line:
            break
    return tail


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
