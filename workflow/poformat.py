"""Owns PO file text: polib catalogs rendered byte-identical to GNU msgcat 0.21's output."""

# Ported from gettext 0.21 write-po.c (wrap(), comment and flag lines) and the UAX #14
# line breaker of libunistring 1.0 (u8-possible-linebreaks.c, u8-width-linebreaks.c,
# uc_width), which msgcat 0.21 uses. tests/test_poformat.py checks the embedded tables and
# the breaking against that libunistring itself, and whole files against msgcat.

import bisect
import re
import unicodedata
from functools import lru_cache

PAGE_WIDTH = 79

# --- Unicode line breaking (UAX #14 exactly as libunistring 1.0 implements it) ---

# Pair table of libunistring 1.0 (lbrktables.c): row = class before, column = class
# after; D = break, I = break only if spaces intervene, P = no break.
_PAIR_CLASSES = ("WJ GL B2 BA BB HY CL CP1 CP2 EX IN NS OP1 OP2 QU IS NU PO PR SY AL H2 H3 ID1 ID2 "
                 "JL JV JT HL RI ZWJ EB EM").split()
_PAIR_ROWS = (
    "PIIIIIPPPPIIIIIPIIIPIIIIIIIIIIIII", "PIIIIIPPPPIIIIIPIIIPIIIIIIIIIIIII",  # WJ GL
    "PIPIDIPPPPIIDDIPDDDPDDDDDDDDDDDDD", "PDDIDIPPPPIIDDIPDDDPDDDDDDDDDDDDD",  # B2 BA
    "PIIIIIPPPPIIIIIPIIIPIIIIIIIIIIIII", "PDDIDIPPPPIIDDIPIDDPDDDDDDDDDDDDD",  # BB HY
    "PIDIDIPPPPIPDDIPDIIPDDDDDDDDDDDDD", "PIDIDIPPPPIIDDIPIIIPIDDDDDDDIDIDD",  # CL CP1
    "PIDIDIPPPPIIDDIPDIIPDDDDDDDDDDDDD", "PIDIDIPPPPIIDDIPDDDPDDDDDDDDDDDDD",  # CP2 EX
    "PIDIDIPPPPIIDDIPDDDPDDDDDDDDDDDDD", "PIDIDIPPPPIIDDIPDDDPDDDDDDDDDDDDD",  # IN NS
    "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP", "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP",  # OP1 OP2
    "PIIIIIPPPPIIPPIPIIIPIIIIIIIIIIIII", "PIDIDIPPPPIIDDIPIDDPDDDDDDDDDDDDD",  # QU IS
    "PIDIDIPPPPIIIDIPIIIPIDDDDDDDIDIDD", "PIDIDIPPPPIIIIIPIDDPIDDDDDDDIDIDD",  # NU PO
    "PIDIDIPPPPIIIIIPIDDPIIIIIIIIIDIII", "PIDIDIPPPPIIDDIPIDDPDDDDDDDDIDDDD",  # PR SY
    "PIDIDIPPPPIIIDIPIIIPIDDDDDDDIDIDD", "PIDIDIPPPPIIDDIPDIDPDDDDDDIIDDDDD",  # AL H2
    "PIDIDIPPPPIIDDIPDIDPDDDDDDDIDDDDD", "PIDIDIPPPPIIDDIPDIDPDDDDDDDDDDDDD",  # H3 ID1
    "PIDIDIPPPPIIDDIPDIDPDDDDDDDDDDDDI", "PIDIDIPPPPIIDDIPDIDPDIIDDIIDDDDDD",  # ID2 JL
    "PIDIDIPPPPIIDDIPDIDPDDDDDDIIDDDDD", "PIDIDIPPPPIIDDIPDIDPDDDDDDDIDDDDD",  # JV JT
    "PIDIDIPPPPIIIDIPIIIPIDDDDDDDIDIDD", "PIDIDIPPPPIIDDIPDDDPDDDDDDDDDDDDD",  # HL RI
    "PIDIDIPPPPIIIDIPIIIPIDDIIDDDIDIII", "PIDIDIPPPPIIDDIPDIDPDDDDDDDDDDDDI",  # ZWJ EB
    "PIDIDIPPPPIIDDIPDIDPDDDDDDDDDDDDD",  # EM
)
_PAIR = {(a, b): row[j] for a, row in zip(_PAIR_CLASSES, _PAIR_ROWS)
         for j, b in enumerate(_PAIR_CLASSES)}

# Default class derived from the general category; the table below lists every
# code point where libunistring 1.0 (Unicode 14, with XX/SA/AI resolved to AL and
# CB to ID1 as its UTF-8 line breaker does) disagrees with this guess.
_BY_CATEGORY = {"Mn": "CM", "Mc": "CM", "Me": "CM", "Cf": "CM", "Cc": "CM", "Nd": "NU",
                "Pe": "CL", "Pi": "QU", "Pf": "QU", "Zs": "BA", "Pd": "BA", "Sc": "PR"}
_CJK_UNASSIGNED = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFD))


def _guess_class(ch):
    """Line-break class suggested by Unicode general category and width.

    >>> _guess_class("a"), _guess_class("7"), _guess_class("中"), _guess_class("\u0301")
    ('AL', 'NU', 'ID1', 'CM')
    """
    cp, cat = ord(ch), unicodedata.category(ch)
    if cat == "Cn":
        if any(lo <= cp <= hi for lo, hi in _CJK_UNASSIGNED):
            return "ID1"
        return "ID2" if 0x1F000 <= cp <= 0x1FFFD else "AL"
    if 0xAC00 <= cp <= 0xD7A3:
        return "H2" if (cp - 0xAC00) % 28 == 0 else "H3"
    if cat in _BY_CATEGORY:
        return _BY_CATEGORY[cat]
    wide = unicodedata.east_asian_width(ch) in ("W", "F")
    if cat == "Ps":
        return "OP2" if wide else "OP1"
    return "ID1" if wide else "AL"


_CLASS_EXCEPTIONS = (  # "CLASS range range ...", code points in lowercase hex
    "AL 600-605 6dd 70f 890-891 8e2 e31 e34-e3a e47-e4e eb1 eb4-ebc ec8-ecd 102b-103e 1056-1059 "
    "105e-1060 1062-1064 1067-106d 1071-1074 1082-108d 108f 109a-109d 17b4-17d3 17dd 1a55-1a5e "
    "1a60-1a7c 2015 2061-2064 23e9-23ec 25fd-25fe 2648-2653 2693 26a1 26aa-26ab 26ce 2705 2728 "
    "274c 274e 2753-2755 2757 2795-2797 27b0 27bf 2b1b-2b1c 2b50 2b55 2e1a a9e5 aa7b-aa7d aab0 "
    "aab2-aab4 aab7-aab8 aabe-aabf aac1 110bd 110cd 1171d-1172b 18b00-18cd5 1aff0-1aff3 "
    "1aff5-1affb 1affd-1affe 1f18e 1f191-1f19a 1f3b5-1f3b6 1f3bc 1f4a0 1f4a2 1f4a4 1f4af "
    "1f4b1-1f4b2 1f500-1f506 1f517-1f524 1f532-1f53d 1fb93 1fbcb-1fbef 1fbfa-1fbff 2fffe-2ffff B2 "
    "2014 2e3a-2e3b BA 9 7c ad 964-965 e5a-e5b f0b f34 f7f f85 fbe-fbf fd2 104a-104b 1361 "
    "16eb-16ed 1735-1736 17d4-17d5 17d8 17da 1804-1805 1b5a-1b5b 1b5d-1b60 1b7d-1b7e 1c3b-1c3f "
    "1c7e-1c7f 2027 2056 2058-205b 205d-205e 2cfa-2cfc 2cff 2d70 2e0e-2e15 2e19 2e2a-2e2d "
    "2e30-2e31 2e33-2e34 2e3c-2e3e 2e41 2e43-2e4a 2e4c 2e4e-2e4f a4fe-a4ff a60d a60f a6f3-a6f7 "
    "a8ce-a8cf a92e-a92f a9c7-a9c9 aa5d-aa5f aaf0-aaf1 abeb 10100-10102 1039f 103d0 10857 1091f "
    "10a50-10a57 10af0-10af5 10b39-10b3f 11047-11048 110be-110c1 11140-11143 111c5-111c6 111c8 "
    "111dd-111df 11238-11239 1123b-1123c 112a9 1144b-1144e 1145a-1145b 115c2-115c3 115c9-115d7 "
    "11641-11642 1173c-1173e 11944-11946 11a41-11a44 11a9a-11a9c 11aa1-11aa2 11c41-11c45 11fff "
    "12470-12474 16a6e-16a6f 16af5 16b37-16b39 16b44 16e97-16e98 1bc9f 1da87-1da8a BB b4 2c8 2cc "
    "2df c77 c84 f01-f04 f06-f07 f09-f0a fd0-fd1 fd3 1806 1ffd a874-a875 a8fc 11175 111db 115c1 "
    "11660-1166c 119e2 11a3f 11a45 11a9e-11aa0 11c70 BK b-c 85 2028-2029 CL 3001-3002 fe11-fe12 "
    "fe50 fe52 ff0c ff0e ff61 ff64 1325b-1325d 13282 13287 13289 1337a-1337b 13438 145cf CM 3035 "
    "CP1 29 5d CR d EB 261d 26f9 270a-270d 1f385 1f3c2-1f3c4 1f3c7 1f3ca-1f3cc 1f442-1f443 "
    "1f446-1f450 1f466-1f478 1f47c 1f481-1f483 1f485-1f487 1f48f 1f491 1f4aa 1f574-1f575 1f57a "
    "1f590 1f595-1f596 1f645-1f647 1f64b-1f64f 1f6a3 1f6b4-1f6b6 1f6c0 1f6cc 1f90c 1f90f "
    "1f918-1f91f 1f926 1f930-1f939 1f93c-1f93e 1f977 1f9b5-1f9b6 1f9b8-1f9b9 1f9bb 1f9cd-1f9cf "
    "1f9d1-1f9dd 1fac3-1fac5 1faf0-1faf6 EM 1f3fb-1f3ff EX 21 3f 5c6 61b 61d-61f 6d4 7f9 f0d-f11 "
    "f14 1802-1803 1808-1809 1944-1945 2762-2763 2cf9 2cfe 2e2e 2e53-2e54 a60e a876-a877 "
    "fe15-fe16 fe56-fe57 ff01 ff1f 115c4-115c5 11c71 GL a0 34f 35c-362 f08 f0c f12 fd9-fda 180e "
    "2007 2011 202f 13430-13436 16fe4 HL 5d0-5ea 5ef-5f2 fb1d fb1f-fb28 fb2a-fb36 fb38-fb3c fb3e "
    "fb40-fb41 fb43-fb44 fb46-fb4f HY 2d ID1 23f1-23f2 2600-2603 2618 261a-261c 261e-261f "
    "2639-263b 2668 26bf-26c3 26c6-26c8 26cd 26cf-26d1 26d3 26d8-26d9 26dc 26df-26e1 26f1 26f4 "
    "26f7-26f8 26fe-2704 2708-2709 2764 3030 303f fe31-fe32 fe58 fe63 ff0d ff10-ff19 ff66 "
    "ff71-ff9d ffa0-ffbe ffc2-ffc7 ffca-ffcf ffd2-ffd7 ffda-ffdc fffc 1f000-1f003 1f005-1f02b "
    "1f030-1f093 1f0a0-1f0ae 1f0b1-1f0bf 1f0c1-1f0ce 1f0d1-1f0f5 1f10d-1f10f 1f16d-1f16f 1f1ad "
    "1f321-1f32c 1f336 1f37d 1f394-1f39b 1f39e-1f39f 1f3cd-1f3ce 1f3d4-1f3df 1f3f1-1f3f3 "
    "1f3f5-1f3f7 1f43f 1f441 1f4fd-1f4fe 1f54a 1f54f 1f568-1f573 1f576-1f579 1f57b-1f58f "
    "1f591-1f594 1f597-1f5a3 1f5a5-1f5d3 1f5dc-1f5f3 1f5fa 1f6c6-1f6cb 1f6cd-1f6cf 1f6d3-1f6d4 "
    "1f6e0-1f6ea 1f6f0-1f6f3 1f7d5-1f7d8 1f8b0-1f8b1 1f93b 1f946 1fa60-1fa6d IN 2024-2026 22ef "
    "fe19 10af6 IS 2c 2e 3a-3b 37e 589 60c-60d 7f8 2044 fe10 fe13-fe14 JL 1100-115f a960-a97c JT "
    "11a8-11ff d7cb-d7fb JV 1160-11a7 d7b0-d7c6 LF a NS 17d6 203c-203d 2047-2049 3005 301c "
    "303b-303c 3041 3043 3045 3047 3049 3063 3083 3085 3087 308e 3095-3096 309b-309e 30a0-30a1 "
    "30a3 30a5 30a7 30a9 30c3 30e3 30e5 30e7 30ee 30f5-30f6 30fb-30fe 31f0-31ff a015 fe54-fe55 "
    "ff1a-ff1b ff65 ff67-ff70 ff9e-ff9f 16fe0-16fe3 1b150-1b152 1b164-1b167 1f679-1f67b NU "
    "66b-66c OP1 a1 bf 2e18 13258-1325a 13286 13288 13379 13437 145ce 1e95e-1e95f OP2 ff62 PO 25 "
    "a2 b0 609-60b 66a 9f2-9f3 9f9 d79 2030-2037 20a7 20b6 20bb 20be 20c0 2103 2109 a838 fdfc "
    "fe6a ff05 ffe0 11fdd-11fe0 1ecac 1ecb0 PR 2b 5c b1 20c1-20cf 2116 2212-2213 QU 22 27 "
    "275b-2760 2e00-2e01 2e06-2e08 2e0b 1f676-1f678 RI 1f1e6-1f1ff SP 20 SY 2f WJ 2060 feff ZW "
    "200b ZWJ 200d "
)


def _build_exceptions():
    rows, cls = [], None
    for item in _CLASS_EXCEPTIONS.split():
        if item.isupper():
            cls = item
        else:
            lo, _, hi = item.partition("-")
            rows.append((int(lo, 16), int(hi or lo, 16), cls))
    rows.sort()
    return [r[0] for r in rows], rows


_EXC_STARTS, _EXC_ROWS = _build_exceptions()


@lru_cache(maxsize=None)
def line_break_class(ch):
    """libunistring 1.0 line-break class of one character (UTF-8 locale).

    >>> [line_break_class(c) for c in "a -/(?\u00a0"]
    ['AL', 'SP', 'HY', 'SY', 'OP1', 'EX', 'GL']
    """
    cp = ord(ch)
    i = bisect.bisect_right(_EXC_STARTS, cp) - 1
    if i >= 0 and _EXC_ROWS[i][0] <= cp <= _EXC_ROWS[i][1]:
        return _EXC_ROWS[i][2]
    return _guess_class(ch)


_NARROW_MARKS = {0x0CBF, 0x0CC6, 0x11A07, 0x11A08, 0x11C3F}


@lru_cache(maxsize=None)
def char_width(ch):
    """Columns of one character, as libunistring's uc_width (controls count 0).

    >>> char_width("a"), char_width("\u0301"), char_width("中"), char_width("\x01")
    (1, 0, 2, 0)
    """
    cp, cat = ord(ch), unicodedata.category(ch)
    if cp < 0xA0 and (cp < 0x20 or cp >= 0x7F):
        return 0
    if cat == "Cn":
        return 2 if any(lo <= cp <= hi for lo, hi in _CJK_UNASSIGNED) else 1
    if (cat in ("Mn", "Me", "Cf") and cp not in _NARROW_MARKS) \
            or 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF:
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


PROHIBITED, POSSIBLE, MANDATORY = "P", "B", "M"


def possible_breaks(text):
    """Break opportunity before each character (u8_possible_linebreaks_v2).

    >>> "".join(possible_breaks("see https://a.b/c d"))
    'PPPPBPPPPPPPBPBPBPB'
    """
    out = []
    prev = last = "BK"  # previous character's class; last non-space class
    seen_space, ri_count = False, 0
    for ch in text:
        prop = line_break_class(ch)
        if prop in ("BK", "LF", "CR"):
            out.append(MANDATORY)  # v2's CR_BEFORE_LF would act the same below
            prev, last, seen_space = prop, "BK", False
        else:
            if prop == "SP":
                out.append(PROHIBITED)
                seen_space = True
            elif prop == "ZW":
                out.append(PROHIBITED)
                last, seen_space = "ZW", False
            elif prop in ("CM", "ZWJ"):
                if last == "BK":
                    out.append(PROHIBITED)
                    last, seen_space = "AL", False
                elif last == "ZW" or seen_space:
                    out.append(POSSIBLE)
                    last, seen_space = "AL", False
                else:
                    out.append(PROHIBITED)
            else:
                if last == "BK":
                    brk = PROHIBITED
                elif last == "ZW":
                    brk = POSSIBLE
                elif prev == "ZWJ":
                    brk = PROHIBITED
                elif last == "RI" and prop == "RI":
                    brk = POSSIBLE if seen_space or ri_count % 2 == 0 else PROHIBITED
                elif prev == "HL_BA":
                    brk = PROHIBITED
                else:
                    rule = _PAIR[last, prop]
                    brk = POSSIBLE if rule == "D" or (rule == "I" and seen_space) else PROHIBITED
                out.append(brk)
                last, seen_space = prop, False
            prev = "HL_BA" if prev == "HL" and prop in ("HY", "BA") else prop
        ri_count = ri_count + 1 if prop == "RI" else 0
    return out


def width_breaks(text, width, start_column, overrides):
    """Where to break `text` to fit `width` (u8_width_linebreaks_v2, no end columns).

    `overrides` holds None or PROHIBITED per character; returns one bool per
    character: break before it.

    >>> width_breaks("aaa bbb", 5, 0, [None] * 7)
    [False, False, False, False, True, False, False]
    """
    result = []
    last_index, last_column, piece = None, start_column, 0
    for i, (ch, brk) in enumerate(zip(text, possible_breaks(text))):
        if overrides[i] is not None:
            brk = overrides[i]
        if brk != PROHIBITED and last_index is not None and last_column + piece > width:
            result[last_index] = True
            last_column = 0
        result.append(False)
        if brk == MANDATORY:
            last_index, last_column, piece = None, 0, 0
        else:
            if brk == POSSIBLE:
                last_index, last_column, piece = i, last_column + piece, 0
            piece += char_width(ch)
    if last_index is not None and last_column + piece > width:
        result[last_index] = True
    return result


# --- format directives: msgcat never breaks inside a valid one ---

_FORMATS = ("c objc python python-brace java java-printf csharp javascript scheme lisp "
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


def _no_break_positions(value, formats, translated):
    """Indices inside format directives (after their first character)."""
    for lang in _FORMATS:
        if formats.get(lang) in ("yes", "possible"):
            finder = _SPAN_FINDERS.get(lang)
            spans = finder(value, translated) if finder and value else []
            return {i for a, b in spans for i in range(a + 1, b + 1)}
    return set()


# --- write-po.c ---

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


@lru_cache(maxsize=65536)
def _wrap_cached(name, value, prefix, formats_key, do_wrap):
    if "\n" not in value:
        text = value.translate(_ESCAPE_TABLE)
        column = len(prefix) + len(name) + 2
        if column + sum(map(char_width, text)) <= (PAGE_WIDTH if do_wrap else 2 ** 31 - 1) - 1:
            return (f'{prefix}{name} "{text}"',)
    return tuple(_wrap(name, value, prefix, dict(formats_key), do_wrap))


def _wrap(name, value, prefix, formats, do_wrap):
    no_break = _no_break_positions(value, formats or {}, name.startswith("msgstr"))
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
                and m[2] in _FORMATS:
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
    for lang in _FORMATS:
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


def format_entry(entry, wrap=True):
    """PO text of one polib.POEntry as msgcat prints it ('' for a dropped entry).

    With ``wrap`` False every string is one line, as :func:`joined_lines` makes them.
    """
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
    entries = list(po)
    if not entries:
        return ""
    if po.metadata or po.header or po.metadata_is_fuzzy:
        entries.insert(0, _Header(po))
    chunks, blank_line = [], False
    for entry in [e for e in entries if not e.obsolete] + [e for e in entries if e.obsolete]:
        text = format_entry(entry, wrap)
        if text:
            chunks.append("\n" + text if blank_line else text)
        blank_line = True
    return "".join(chunks)


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
