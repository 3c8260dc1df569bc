"""Owns PO file text: polib catalogs rendered byte-identical to GNU msgcat 0.21's output."""

# Ported from gettext 0.21 write-po.c (wrap(), comment and flag lines). Strings are broken
# where libunistring 1.0's line breaker allows (workflow/linebreak.py) and never inside a
# format directive (workflow/podirectives.py). tests/test_poformat.py checks whole files
# against msgcat.

import re
from functools import lru_cache

from workflow.linebreak import PROHIBITED, char_width, width_breaks
from workflow.podirectives import FORMATS, no_break_positions

PAGE_WIDTH = 79

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
            "\t": "\\t", "\v": "\\v", "\\": "\\\\", '"': '\\"'}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


def wrap_string(name, value, prefix="", formats=None, do_wrap=True):
    r"""Lines of `name "value"` as write-po.c's wrap() prints them (no newlines).

    >>> wrap_string("msgid", "a\nb")
    ['msgid ""', '"a\\n"', '"b"']
    """
    # The same strings come back in every catalog of an article (and in its
    # template), and most fit on one line: cache, and skip line breaking then.
    key = tuple(sorted(formats.items())) if formats else ()
    return list(_wrap_cached(name, value, prefix, key, do_wrap))


def forget_wrapped():
    """Empty the cache of :func:`wrap_string`: a caller that writes each text once would only fill it.

    (Full, its 65,536 entries hold the texts and their lines: 28 MB more RSS by the end of a translate
    run of the bench, which writes 181 catalogs of a thousand articles, no two alike.)
    """
    _wrap_cached.cache_clear()


@lru_cache(maxsize=65536)
def _wrap_cached(name, value, prefix, formats_key, do_wrap):
    if "\n" not in value:
        text = value.translate(_ESCAPE_TABLE)
        column = len(prefix) + len(name) + 2
        if column + sum(map(char_width, text)) <= (PAGE_WIDTH if do_wrap else 2 ** 31 - 1) - 1:
            return (f'{prefix}{name} "{text}"',)
    return tuple(_wrap(name, value, prefix, dict(formats_key), do_wrap))


def _wrap(name, value, prefix, formats, do_wrap):
    no_break = no_break_positions(value, formats or {}, name.startswith("msgstr"))
    indent = len(prefix) + 1  # write-po.c's startcol_after_break
    width = (PAGE_WIDTH if do_wrap else 2 ** 31 - 1) - 1 - indent
    lines, first_line, start = [], True, 0
    while True:
        end = value.find("\n", start) + 1 or len(value)
        text, overrides = [], []
        for i in range(start, end):
            esc = _ESCAPES.get(value[i], value[i])
            text.append(esc)
            overrides.append(PROHIBITED if i in no_break else None)
            overrides.extend([PROHIBITED] * (len(esc) - 1))
        text = "".join(text)
        if value[start:end].endswith("\n"):
            overrides[-2] = PROHIBITED
        while True:
            col = len(prefix) + (len(name) + 1 if first_line else 0) + 1 - indent
            breaks = width_breaks(text, width, col, overrides)
            if first_line and text and (end < len(value) or col > width or any(breaks)):
                lines.append(f'{prefix}{name} ""')
                first_line = False
                continue
            break
        head = f"{prefix}{name} " if first_line else prefix
        first_line, line = False, head + '"'
        for ch, brk in zip(text, breaks):
            if brk:
                lines.append(line + '"')
                line = prefix + '"'
            line += ch
        lines.append(line + '"')
        start = end
        if start >= len(value):
            return lines


def parse_flags(flags):
    """Flags as msgcat understands them (po_parse_comment_special).

    >>> parse_flags(["python-format", "fuzzy", "range: 0..5", "no-wrap", "custom"])
    (True, {'python': 'yes'}, (0, 5), False)
    """
    tokens = [t for t in re.split(r"[\n \t\r\f\v,]+", " ".join(flags)) if t]
    fuzzy, formats, rng, do_wrap = False, {}, None, True
    it = iter(tokens)
    for tok in it:
        if tok == "fuzzy":
            fuzzy = True
        elif (m := re.fullmatch(r"(no-|possible-|impossible-)?(.+)-format", tok)) \
                and m[2] in FORMATS:
            formats[m[2]] = (m[1] or "yes-")[:-1]
        elif tok == "range:":
            m = re.match(r"(\d+)\.\.(\d+)", next(it, ""))
            if m and int(m[1]) <= int(m[2]):
                rng = (int(m[1]), int(m[2]))
        elif tok in ("wrap", "no-wrap"):
            do_wrap = tok == "wrap"
    return fuzzy, formats, rng, do_wrap


def _flags_line(fuzzy, formats, rng, do_wrap):
    words = ["fuzzy"] if fuzzy else []
    for lang in FORMATS:
        value = formats.get(lang)
        if value in ("yes", "possible", "no"):
            words.append(("no-" if value == "no" else "") + lang + "-format")
    if rng:
        words.append(f"range: {rng[0]}..{rng[1]}")
    if not do_wrap:
        words.append("no-wrap")
    return ["#, " + ", ".join(words)] if words else []


def _references(occurrences):
    """'#:' lines, filled up to the page width; duplicates dropped as msgcat's reader does.

    >>> _references([("./a.py", "1"), ("a.py", "01"), ("a.py", 1), ("b.py", "")])
    ['#: a.py:1 a.py:1 b.py']
    """
    seen, refs = set(), []
    for path, line in occurrences:
        line = int(line) if str(line).isdigit() else None
        if (path, line) not in seen:
            seen.add((path, line))
            while path.startswith("./"):
                path = path[2:]
            refs.append(path + (f":{line}" if line is not None else ""))
    if not refs:
        return []
    lines, column = ["#:"], 2
    for ref in refs:
        size = len(ref.encode("utf-8")) + 1
        if column > 2 and column + size > PAGE_WIDTH:
            lines.append("#:")
            column = 2
        lines[-1] += " " + ref
        column += size
    return lines


def _comment_lines(text, marker):
    if not text:  # polib cannot tell a lone empty comment from none
        return []
    return [marker + (" " + line if line else "") for line in text.split("\n")]


# Entry texts kept by what they are made of (see keep_entry_texts); off unless a long-running process asks.
_KEPT: dict = {}
_KEEP = [0]


def keep_entry_texts(limit):
    """Keep up to ``limit`` entry texts in this process (0: none, the default), forgotten all at once past it.

    The review server writes the same 200-entry catalog after every batch of
    approvals, and formatting the entries that did not change was three
    quarters of the write; a command that writes each catalog once would
    only pay memory for it.
    """
    _KEEP[0] = limit
    _KEPT.clear()


def _fingerprint(entry, wrap):
    """Everything :func:`format_entry` reads of ``entry``, as a key (types kept apart: 1 and "1" differ)."""
    plural = entry.msgstr_plural
    return (wrap, entry.msgctxt, entry.msgid, entry.msgid_plural, entry.msgstr,
            tuple(sorted(plural.items(), key=repr)) if plural else (), bool(entry.obsolete), tuple(entry.flags),
            entry.tcomment, entry.comment, tuple((path, type(line), line) for path, line in entry.occurrences),
            getattr(entry, "previous_msgctxt", None), getattr(entry, "previous_msgid", None),
            getattr(entry, "previous_msgid_plural", None))


def format_entry(entry, wrap=True):
    """PO text of one polib.POEntry as msgcat prints it ('' for a dropped entry).

    With ``wrap`` False every string is one line, as :func:`joined_lines` makes them.
    """
    if not _KEEP[0]:
        return _format_entry(entry, wrap)
    key = _fingerprint(entry, wrap)
    text = _KEPT.get(key)
    if text is None:
        text = _format_entry(entry, wrap)
        if len(_KEPT) >= _KEEP[0]:
            _KEPT.clear()
        _KEPT[key] = text
    return text


def _format_entry(entry, wrap):
    plural = bool(entry.msgid_plural or entry.msgstr_plural)
    msgstrs = ([entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)] or [""]) \
        if plural else [entry.msgstr or ""]
    obsolete = bool(entry.obsolete)
    if obsolete and not msgstrs[0]:
        return ""
    fuzzy, formats, rng, do_wrap = parse_flags(entry.flags)
    lines = _comment_lines(entry.tcomment, "#") + _comment_lines(entry.comment, "#.")
    lines += _references(entry.occurrences)
    if obsolete:
        lines += _flags_line(fuzzy, formats, None, do_wrap)
    else:
        lines += _flags_line(fuzzy and bool(msgstrs[0]), formats, rng, do_wrap)
    prev_prefix, prefix = ("#~| ", "#~ ") if obsolete else ("#| ", "")

    def emit(pfx, name, value):
        if wrap:
            lines.extend(wrap_string(name, value, pfx, formats, do_wrap))
        else:
            lines.append(f'{pfx}{name} "{value.translate(_ESCAPE_TABLE)}"')

    for name in ("msgctxt", "msgid", "msgid_plural"):
        value = getattr(entry, "previous_" + name, None)
        if value is not None:
            emit(prev_prefix, name, value)
    if entry.msgctxt is not None:
        emit(prefix, "msgctxt", entry.msgctxt)
    emit(prefix, "msgid", entry.msgid)
    if plural:
        emit(prefix, "msgid_plural", entry.msgid_plural or "")
        for i, text in enumerate(msgstrs):
            emit(prefix, f"msgstr[{i}]", text)
    else:
        emit(prefix, "msgstr", msgstrs[0])
    return "\n".join(lines) + "\n"


class _Header:
    """The header as an entry (msgid ""), built from polib's split-up fields."""

    msgctxt = msgid_plural = comment = None
    previous_msgctxt = previous_msgid = previous_msgid_plural = None
    msgid, msgstr_plural, occurrences, obsolete = "", {}, [], False

    def __init__(self, po):
        self.tcomment = po.header if po.header else None
        self.msgstr = "".join(f"{k}: {v}\n" for k, v in po.metadata.items())
        fuzzy = po.metadata_is_fuzzy
        # polib stores the header's whole flag list there (or a bool, if set by hand)
        self.flags = list(fuzzy) if isinstance(fuzzy, (list, tuple)) else ["fuzzy"] * bool(fuzzy)


def format_po(po, wrap=True):
    """Full PO text of a polib.POFile, byte-identical to `msgcat` of it (UTF-8).

    Like msgcat, a catalog with no message besides the header yields "".
    ``wrap=False`` gives ``joined_lines(format_po(po))`` without the costly line
    breaking: a cheap way to learn whether a file can be this catalog's text.
    """
    return "".join(piece for _, piece in po_pieces(po, wrap))


def po_pieces(po, wrap=True):
    """:func:`format_po`'s text in pieces, as (entry, its text) in the order written: the header first (as
    None), obsolete entries last, each text after the first with the blank line before it; "" for an entry
    left out (obsolete with no translation).

    For a writer that must know the line each entry is written on (the
    review server's, :func:`workflow.catalogs.as_written`): splitting the
    whole text again at its blank lines cost as much as encoding it.
    """
    entries = list(po)
    if not entries:
        return []
    if po.metadata or po.header or po.metadata_is_fuzzy:
        entries.insert(0, _Header(po))
    pieces, blank_line = [], False
    for entry in [e for e in entries if not e.obsolete] + [e for e in entries if e.obsolete]:
        text = format_entry(entry, wrap)
        pieces.append((None if isinstance(entry, _Header) else entry,
                       ("\n" + text if blank_line else text) if text else ""))
        blank_line = True
    return pieces


_FIRST_LINE = re.compile(r'(#~\| |#~ |#\| )?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(?:[^"\\]|\\.)*"')
_MORE_LINE = re.compile(r'(#~\| |#~ |#\| )?"((?:[^"\\]|\\.)+)"')


def joined_lines(text):
    r"""PO text with every string's continuation lines joined onto its first line.

    Two texts with the same joined lines differ at most in where their strings
    wrap; ``joined_lines(format_po(po)) == format_po(po, wrap=False)``.

    >>> joined_lines('msgid ""\n"a \\n"\n"b"\n#~ msgid "c"\n#~ "d"\n')
    'msgid "a \\nb"\n#~ msgid "cd"\n'
    """
    out, prefix = [], None
    for line in text.split("\n"):
        if prefix is not None and (more := _MORE_LINE.fullmatch(line)) and (more.group(1) or "") == prefix:
            out[-1] = out[-1][:-1] + more.group(2) + '"'
            continue
        first = _FIRST_LINE.fullmatch(line)
        prefix = (first.group(1) or "") if first else None
        out.append(line)
    return "\n".join(out)
