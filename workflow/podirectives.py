"""Owns the format directives msgcat protects: where a string flagged ``*-format`` may not be wrapped."""

# Ported from gettext 0.21's format parsers (format-python.c, format-python-brace.c,
# format-c-parse.h): msgcat never breaks a line inside a valid directive.

import re

#: The format languages of gettext 0.21, in the order msgcat writes their flags.
FORMATS = ("c objc python python-brace java java-printf csharp javascript scheme lisp "
           "elisp librep ruby sh awk lua object-pascal smalltalk qt qt-plural kde kde-kuit "
           "boost tcl perl perl-brace php gcc-internal gfc-internal ycp").split()
_PY_TAIL = re.compile(r"[-+ #0]*(?:(?P<w>\*)|\d*)(?:\.(?:(?P<p>\*)|\d*))?[hlL]?"
                      r"(?P<conv>[%csrdiuoxXeEfgG])", re.A)  # format-python.c after "%(name)"
_FIELD = r"(?:[A-Za-z_]\w*|\d+)(?:\.[A-Za-z_]\w*|\[(?:[A-Za-z_]\w*|\d+)\])*"
_BRACE_DIRECTIVE = re.compile(  # format-python-brace.c, top-level directives
    r"\{%s(?::(?:\{%s\}|(?:[\x01-\x7f]?[<>=^])?[-+ ]?#?0?\d*(?:\.\d*)?[bcdoxXneEfFgG%%]?))?\}"
    % (_FIELD, _FIELD), re.A)
_C_DIRECTIVE = re.compile(  # format-c-parse.h
    r"%(?:(?P<num>\d+)\$)?(?P<flags>[-+ #0'I]*)(?:(?P<wstar>\*)(?:(?P<wnum>\d+)\$)?|\d+)?"
    r"(?:\.(?:(?P<pstar>\*)(?:(?P<pnum>\d+)\$)?|\d+)?)?(?:<PRI[diouxX]"
    r"(?:MAX|PTR|(?:LEAST|FAST)?(?:8|16|32|64))>|[hlLqjzZt]*(?P<conv>[%mcCsSdiouxXeEfFgGaApn@]))",
    re.A)


def _python_spans(value):
    """(start, end) of python-format directives before the first invalid one.

    >>> _python_spans("%s of %d, 100%%"), _python_spans("%(n)d of %s")
    ([(0, 1), (6, 7), (13, 14)], [(0, 4)])
    """
    spans, kinds, i = [], set(), 0
    while (i := value.find("%", i)) >= 0:
        start, i, name = i, i + 1, None
        if value.startswith("(", i):
            depth, j = 0, i + 1
            while j < len(value) and (value[j] != ")" or depth):
                depth += {"(": 1, ")": -1}.get(value[j], 0)
                j += 1
            if j == len(value):
                break
            name, i = value[i + 1:j], j + 1
        m = _PY_TAIL.match(value, i)
        if not m:
            break
        kinds.update("u" * (bool(m["w"]) + bool(m["p"])))
        if name is not None or m["conv"] != "%":
            kinds.add("n" if name is not None else "u")
        if len(kinds) > 1:  # named and unnamed arguments mixed
            break
        spans.append((start, m.end() - 1))
        i = m.end()
    return spans


def _c_spans(value, objc=False, translated=False):
    """(start, end) of c-format directives before the first invalid one.

    >>> _c_spans("%s: %5.2f%% %1$s")
    [(0, 1), (4, 8), (9, 10)]
    """
    spans, kinds, pos = [], set(), 0
    while (pos := value.find("%", pos)) >= 0:
        m = _C_DIRECTIVE.match(value, pos)
        if not m or ("I" in m["flags"] and not translated) or (m["conv"] == "@" and not objc):
            break
        args = [(m["wnum"] or "") if m["wstar"] else None,  # "" = unnumbered argument
                (m["pnum"] or "") if m["pstar"] else None,
                None if m["conv"] in ("%", "m") else m["num"] or ""]
        kinds.update(bool(a) for a in args if a is not None)  # numbered or not
        if len(kinds) > 1 or any(a and int(a) == 0 for a in (m["num"], *args)):
            break
        spans.append((pos, m.end() - 1))
        pos = m.end()
    return spans


def _brace_spans(value):
    """The span python-brace-format directives protect: in gettext 0.21 the parser marks each
    directive relative to its own "{" (a local `format_start`), so only the string's first
    characters, up to the shortest directive's length, end up protected.

    >>> _brace_spans("{0} and {{x}} {name.attr[1]:>8}"), _brace_spans("ab {x.y} {bad")
    ([(0, 2)], [(0, 4)])
    """
    ends, pos = [], 0
    while (pos := value.find("{", pos)) >= 0:
        if value.startswith("{{", pos):
            pos += 2
            continue
        m = _BRACE_DIRECTIVE.match(value, pos)
        if not m:
            break
        ends.append(m.end() - 1 - pos)
        pos = m.end()
    if not ends:
        return []
    last = offset = 0
    for i, ch in enumerate(value):  # the marks are byte offsets into the UTF-8 string
        if offset > min(ends):
            break
        last, offset = i, offset + len(ch.encode("utf-8"))
    return [(0, last)]


_SPAN_FINDERS = {"python": lambda v, t: _python_spans(v),
                 "python-brace": lambda v, t: _brace_spans(v),
                 "objc": lambda v, t: _c_spans(v, objc=True, translated=t)}
for _lang in ("c java-printf javascript awk lua perl php ruby tcl elisp librep gcc-internal "
              "gfc-internal").split():
    _SPAN_FINDERS[_lang] = lambda v, t: _c_spans(v, translated=t)  # non-C ones: approximated


def no_break_positions(value, formats, translated):
    """Indices inside format directives (after their first character)."""
    for lang in FORMATS:
        if formats.get(lang) in ("yes", "possible"):
            finder = _SPAN_FINDERS.get(lang)
            spans = finder(value, translated) if finder and value else []
            return {i for a, b in spans for i in range(a + 1, b + 1)}
    return set()
