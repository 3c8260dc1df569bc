"""Owns Unicode line breaking as libunistring 1.0 does it: break classes, column widths, break opportunities."""

# Ported from the UAX #14 line breaker of libunistring 1.0 (u8-possible-linebreaks.c,
# u8-width-linebreaks.c, uc_width), which GNU msgcat 0.21 uses to wrap PO strings
# (workflow/poformat.py). tests/test_poformat.py checks the embedded tables and the
# breaking against that libunistring itself.

import bisect
import unicodedata
from functools import lru_cache

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
