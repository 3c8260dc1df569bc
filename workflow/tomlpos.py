"""Where each key of a TOML document is written: its path (as ``tomllib`` nests it) → its line.

``tomllib`` gives values but no positions. :func:`key_lines` scans text that
``tomllib`` has already accepted and records the line of every table header,
key, array-of-tables entry and array element, so a validator can point at
``locum.toml:27`` rather than at a table's header. Values still come from
``tomllib``; this scanner only needs to tell keys from what lies inside
strings, comments, arrays and inline tables, never to judge the document.

A path is a tuple of keys and 0-based indices, the way one would index the
decoded mapping: ``("reviewers", 1, "email")`` is ``data["reviewers"][1]["email"]``.
"""

from __future__ import annotations

import bisect
import re
import tomllib

KeyPath = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_SCALAR = re.compile(r"[^,\]}#\n]*")          # numbers, booleans, dates (a date may hold a space)


class _Unexpected(ValueError):
    """The text is not TOML that ``tomllib`` accepts: stop and keep what was found."""


def key_lines(text: str) -> dict[KeyPath, int]:
    """Every path written in ``text`` → its 1-based line.

    A table's line is its header's; a table that only exists through a longer
    header or dotted key (``markets`` in ``[markets.gb]``) takes the first line
    that names it. On text ``tomllib`` would reject, the paths found before the
    problem are returned.

    >>> lines = key_lines("[a]\\nx = '''\\n[b]\\n'''\\n[[r]]\\n[[r]]\\n'k'.y = [\\n  1,\\n  2]  # c\\n")
    >>> lines[("a", "x")], ("b",) in lines, lines[("r", 1)], lines[("r", 1, "k", "y")]
    (2, False, 6, 7)
    >>> lines[("r", 1, "k", "y", 1)]               # the second element of the array
    9
    """
    scanner = _Scanner(text)
    try:
        scanner.document()
    except _Unexpected:
        pass
    return scanner.lines


class _Scanner:
    """One pass over the text: ``pos`` moves forward; ``lines`` and ``arrays`` (entries so far) grow."""

    def __init__(self, text: str):
        self.text, self.pos = text, 0
        self.newlines = [i for i, char in enumerate(text) if char == "\n"]
        self.lines: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}

    def line(self) -> int:
        return bisect.bisect_left(self.newlines, self.pos) + 1

    def peek(self, width: int = 1) -> str:
        return self.text[self.pos:self.pos + width]

    def expect(self, token: str) -> None:
        if self.peek(len(token)) != token:
            raise _Unexpected(f"expected {token!r} at line {self.line()}")
        self.pos += len(token)

    def skip(self, newlines: bool) -> None:
        """Past spaces, tabs and comments, and past line breaks too when ``newlines``."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                return
            line = self.line()
            if self.peek(2) == "[[":
                self.pos += 2
                table = self.header(self.key(), line, entry=True)
                self.expect("]]")
            elif self.peek() == "[":
                self.pos += 1
                table = self.header(self.key(), line, entry=False)
                self.expect("]")
            else:
                self.pair(table, line)

    def header(self, keys: list[str], line: int, entry: bool) -> KeyPath:
        """The path a ``[table]`` or ``[[array]]`` header opens; a prefix naming an array means its last entry."""
        path: KeyPath = ()
        for key in keys[:-1]:
            path += (key,)
            self.lines.setdefault(path, line)
            if path in self.arrays:
                path += (self.arrays[path] - 1,)
        path += (keys[-1],)
        if entry:
            self.lines.setdefault(path, line)
            self.arrays[path] = self.arrays.get(path, 0) + 1
            path += (self.arrays[path] - 1,)
        self.lines[path] = line                  # explicit: wins over an earlier implicit mention
        return path

    def pair(self, table: KeyPath, line: int) -> None:
        """``key = value`` (the key possibly dotted) inside ``table``."""
        keys = self.key()
        for depth in range(1, len(keys)):
            self.lines.setdefault(table + tuple(keys[:depth]), line)
        path = table + tuple(keys)
        self.lines[path] = line
        self.skip(newlines=False)
        self.expect("=")
        self.skip(newlines=False)
        self.value(path)

    def key(self) -> list[str]:
        """A dotted key, each part bare, "basic" or 'literal'."""
        keys = []
        while True:
            self.skip(newlines=False)
            for pattern in (_BARE, _BASIC, _LITERAL):
                match = pattern.match(self.text, self.pos)
                if match:
                    break
            else:
                raise _Unexpected(f"expected a key at line {self.line()}")
            raw = match.group()
            keys.append(raw if pattern is _BARE else tomllib.loads(f"k = {raw}")["k"])
            self.pos = match.end()
            self.skip(newlines=False)
            if self.peek() != ".":
                return keys
            self.pos += 1

    def value(self, path: KeyPath) -> None:
        """Past one value, recording the elements of arrays and the keys of inline tables under ``path``."""
        if self.peek(3) in ('"""', "'''"):
            self.multiline_string(self.peek(3))
        elif self.peek() and self.peek() in "\"'":
            match = (_BASIC if self.peek() == '"' else _LITERAL).match(self.text, self.pos)
            if not match:
                raise _Unexpected(f"unterminated string at line {self.line()}")
            self.pos = match.end()
        elif self.peek() == "[":
            self.array(path)
        elif self.peek() == "{":
            self.inline_table(path)
        else:
            self.pos = _SCALAR.match(self.text, self.pos).end()

    def multiline_string(self, quotes: str) -> None:
        self.pos += 3
        while True:
            end = self.text.find(quotes, self.pos)
            if end < 0:
                raise _Unexpected("unterminated multi-line string")
            if quotes == '"""' and _escaped(self.text, end):
                self.pos = end + 1
                continue
            self.pos = end + 3
            while self.peek() == quotes[0] and self.pos < end + 5:     # up to two quotes end the content
                self.pos += 1
            return

    def array(self, path: KeyPath) -> None:
        self.pos += 1
        index = 0
        while True:
            self.skip(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return
            self.lines[path + (index,)] = self.line()
            self.value(path + (index,))
            index += 1
            self.skip(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise _Unexpected(f"expected ',' or ']' at line {self.line()}")

    def inline_table(self, path: KeyPath) -> None:
        self.pos += 1
        while True:
            self.skip(newlines=False)
            if self.peek() == "}":
                self.pos += 1
                return
            self.pair(path, self.line())
            self.skip(newlines=False)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise _Unexpected(f"expected ',' or '}}' at line {self.line()}")


def _escaped(text: str, at: int) -> bool:
    """True when the character at ``at`` follows an odd run of backslashes.

    >>> _escaped('a\\\\"', 2), _escaped('a\\\\\\\\"', 3)
    (True, False)
    """
    count = 0
    while at - count - 1 >= 0 and text[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1
