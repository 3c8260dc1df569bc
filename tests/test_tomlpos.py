"""tomlpos.key_lines against two oracles: the writer of a random TOML document knows each key's line, and
tomllib knows which paths the document holds."""

from __future__ import annotations

import datetime as dt
import re
import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.tomlpos import key_lines

# Keys and text that look like TOML syntax, so a scanner that reads inside a string or comment goes wrong.
KEYS = st.sampled_from(["a", "b-2", "x_y", "a.b", "[t]", "k = v", "#", 'say "hi"', "it's", "é", "", " "])
TEXT = st.text(alphabet="ab #[]{}=,.'\"\\\n\t\x01é", max_size=12) | st.lists(
    st.sampled_from(['"', '""', "'", "''", "\\", "\n", "#", "[x]", "k = v", "a", "]", "}"]), max_size=6).map("".join)
SCALARS = st.one_of(st.integers(-10, 10**9), st.booleans(), TEXT,
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.dates(), st.datetimes(min_value=dt.datetime(1900, 1, 1)).map(lambda d: d.replace(microsecond=0)))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
                      max_leaves=12)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=5)


class Writer:
    """Writes a mapping as TOML in a layout drawn at random; ``lines`` is where it put each explicit path."""

    def __init__(self, draw):
        self.draw, self.text, self.lines = draw, "", {}

    def line(self) -> int:
        return self.text.count("\n") + 1

    def comment_line(self) -> None:
        if self.draw(st.booleans()):
            self.text += '# [fake]\n # k = "v" """\n'

    def trailing(self) -> None:
        if self.draw(st.booleans()):
            self.text += "  # ] k = '''"

    def table(self, path: tuple, table: dict) -> None:
        later = []                                  # sub-tables written under their own header, after the pairs
        for key, value in table.items():
            shape = self.shape(value)
            if shape in ("header", "entries"):
                later.append((key, value, shape))
            else:
                self.comment_line()
                self.pair(path, (key,), value, shape)
                self.trailing()
                self.text += "\n"
        for key, value, shape in later:
            self.text += "\n"
            if shape == "header":
                self.lines[path + (key,)] = self.line()
                self.text += f"[{self.dotted(path + (key,))}]"
                self.trailing()
                self.text += "\n"
                self.table(path + (key,), value)
            for index, entry in enumerate(value if shape == "entries" else []):
                self.lines[path + (key, index)] = self.line()
                self.text += f"[[ {self.dotted(path + (key,))} ]]\n"
                self.table(path + (key, index), entry)

    def shape(self, value) -> str:
        if isinstance(value, dict):
            return self.draw(st.sampled_from(["header", "inline"] + (["dotted"] if value else [])))
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            return self.draw(st.sampled_from(["entries", "inline"]))
        return "inline"

    def pair(self, table: tuple, keys: tuple, value, shape: str) -> None:
        if shape == "dotted":                       # a.b = 1 and a.c = 2 instead of a table
            for index, (key, item) in enumerate(value.items()):
                if index:
                    self.text += "\n"
                self.pair(table, keys + (key,), item, "dotted" if isinstance(item, dict) and item else "inline")
            return
        self.lines[table + keys] = self.line()
        self.text += f"{'.'.join(self.key(k) for k in keys)} = "
        self.value(table + keys, value, inline=False)

    def value(self, path: tuple, value, inline: bool) -> None:
        if isinstance(value, dict):
            self.text += "{"
            for index, (key, item) in enumerate(value.items()):
                self.lines[path + (key,)] = self.line()
                self.text += f"{', ' if index else ' '}{self.key(key)} = "
                self.value(path + (key,), item, inline=True)
            self.text += " }"
        elif isinstance(value, list):
            spread = not inline and self.draw(st.booleans())
            self.text += "["
            for index, item in enumerate(value):
                if spread:
                    self.text += "\n  "
                    self.comment_line()
                self.lines[path + (index,)] = self.line()
                self.value(path + (index,), item, inline)
                if spread:
                    self.text += ","
                    self.trailing()
                elif index < len(value) - 1:
                    self.text += ", "
            self.text += "\n]" if spread else "]"
        elif isinstance(value, str):
            self.text += self.string(value, inline)
        elif isinstance(value, bool):
            self.text += "true" if value else "false"
        elif isinstance(value, dt.datetime):
            self.text += value.isoformat(sep=self.draw(st.sampled_from("T ")))
        elif isinstance(value, dt.date):
            self.text += value.isoformat()
        else:
            self.text += repr(value)

    def key(self, key: str) -> str:
        if re.fullmatch(r"[A-Za-z0-9_-]+", key) and self.draw(st.booleans()):
            return key
        return self.string(key, inline=True)

    def string(self, text: str, inline: bool) -> str:
        style = self.draw(st.sampled_from(["basic", "literal", "multi", "multi-literal"]))
        if style == "literal" and not re.search(r"[\x00-\x08\x0a-\x1f\x7f']", text):
            return f"'{text}'"
        if style == "multi-literal" and not inline and "'''" not in text and not text.startswith("\n") \
                and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text):
            return f"'''{text}'''"                  # may hold ' and '', even at its end
        if style == "multi" and not inline:
            return '"""' + self.multiline_body(text) + '"""'
        body = text.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", body) + '"'

    def multiline_body(self, text: str) -> str:
        """Quotes left bare where TOML allows (at most two in a row, two even at the end), else escaped."""
        body, bare = "", 0
        for char in text:
            if char == '"':
                bare = bare + 1 if bare < 2 and self.draw(st.booleans()) else 0
                body += '"' if bare else '\\"'
                continue
            bare = 0
            if char == "\\":
                body += "\\\\"
            elif re.fullmatch(r"[\x00-\x08\x0b-\x1f\x7f]", char) or (char == "\n" and not body):
                body += f"\\u{ord(char):04x}"
            else:
                body += char
        return body

    def dotted(self, path: tuple) -> str:
        return ".".join(self.key(k) for k in path if isinstance(k, str))


def paths(value, prefix=()) -> set:
    """Every path into a decoded document: dict keys and list indices, at every depth."""
    found = set()
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found.add(prefix + (key,))
        found |= paths(item, prefix + (key,))
    return found


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS, st.data())
def test_every_key_is_found_on_the_line_it_was_written(document, data):
    writer = Writer(data.draw)
    writer.table((), document)
    assert tomllib.loads(writer.text) == document, writer.text          # the writer wrote what it meant
    lines = key_lines(writer.text)
    assert set(lines) == paths(document), writer.text
    assert {path: lines[path] for path in writer.lines} == writer.lines, writer.text
    assert key_lines(writer.text.replace("\n", "\r\n")) == lines         # Windows line ends


def test_an_implicit_table_takes_the_first_line_that_names_it_and_a_header_its_own():
    lines = key_lines("[a.b.c]\nx = 1\n[a.b]\ny = 2\n[a]\n")
    assert (lines[("a",)], lines[("a", "b")], lines[("a", "b", "c")]) == (5, 3, 1)


def test_a_header_below_an_array_of_tables_names_its_last_entry():
    lines = key_lines("[[r]]\n[r.s]\n[[r]]\n[r.s]\nk = 1\n[[r.t]]\n[[r.t]]\n")
    assert lines[("r", 0, "s")] == 2 and lines[("r", 1, "s", "k")] == 5 and lines[("r", 1, "t", 1)] == 7


def test_text_tomllib_rejects_keeps_what_was_found_before():
    assert key_lines('a = 1\nb = "open\n') == {("a",): 1, ("b",): 2}
