"""The invisible check: bidi controls and invisible characters in translations, and the marks RTL text needs.

Proof that what readers see is what the checks saw: every payload that made
Chromium show "03 mg" for "30 mg" (or hid a forbidden word) is reported, and
a small implementation of the Unicode bidi algorithm (UAX #9, rules W1–W7,
N1–N2, I1–I2, L1–L2; enough for text with no embeddings, which are errors
anyway) shows that the direction marks the check allows never change a
number's digits or order.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from workflow.catalogs import POEntry
from workflow.checks import REGISTRY, Pair
from workflow.checks.invisible import _RTL_LETTERS, number_tokens
from workflow.checks.registry import ERROR
from workflow.findings import check_entry
from workflow.visible import INVISIBLE, has_invisible, visible

LRM, RLM, ALM = "\u200e", "\u200f", "\u061c"
LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
ZWSP, ZWNJ, ZWJ, SHY, WJ, BOM = "\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff"


def messages(target: str, catalog: str = "es", source: str = "Take 30 mg, then 60 mg.") -> list[str]:
    return list(REGISTRY["invisible"].function(Pair(source, target, catalog, catalog.split("_")[0])))


def test_registered_as_an_error():
    assert REGISTRY["invisible"].severity == ERROR


# ---------------------------------------------------------------------------------------------------------------
# The payloads: every one is reported, naming the character

BIDI_PAYLOADS = [
    # what Chromium showed as "03 mg … 06 mg"
    f"Tome {RLO}30 mg{PDF} y luego {RLO}60 mg{PDF}.",
    f"Tome {RLI}30 mg{PDI} y luego {RLI}60 mg{PDI}.",
    f"Tome {RLO}30{PDF} mg.",
    f"Tome 3{RLO}0{PDF} mg.",
    f"Tome {RLE}30 mg{PDF}.", f"Tome {LRE}30 mg{PDF}.", f"Tome {LRO}30 mg{PDF}.",
    f"Tome {LRI}30 mg{PDI}.", f"Tome {FSI}30 mg{PDI}.", f"Tome 30 mg{PDF}.", f"Tome 30 mg{PDI}.",
    f"تناول {RLO}30 mg{PDF}.", f"تناول {LRI}30 mg{PDI}.",         # isolates too: use LRM/RLM/ALM
    # written as HTML character references, which Markdown decodes
    "Tome &#x202E;30 mg&#x202C;.", "Tome &#8238;30 mg&#8236;.", "Tome &#x2067;30 mg&#x2069;.",
    "Tome &#X202e;30 mg.",
]
_BIDI = {LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI}


def _controls(text: str) -> set[str]:
    decoded = re.sub(r"&#[xX]([0-9a-fA-F]+);", lambda m: chr(int(m.group(1), 16)), text)
    decoded = re.sub(r"&#([0-9]+);", lambda m: chr(int(m.group(1))), decoded)
    return {c for c in decoded if c in _BIDI}


@pytest.mark.parametrize("target", BIDI_PAYLOADS, ids=repr)
@pytest.mark.parametrize("catalog", ["es", "es_US", "pl", "ar", "en_US"])
def test_every_bidi_payload_is_reported(target, catalog):
    found = messages(target, catalog)
    for control in _controls(target):
        code = f"U+{ord(control):04X} {unicodedata.name(control)}"
        assert any(m.startswith(code) and "bidi control" in m for m in found), (code, found)
    # and through the check stage, as an error that holds the entry back
    checks = check_entry(POEntry(msgid="Take 30 mg, then 60 mg.", msgstr=target), catalog, None)
    assert ("invisible", ERROR) in {(c, s) for c, s, _ in checks}


INVISIBLE_PAYLOADS = [
    (f"Puede causar consti{SHY}pación.", "U+00AD SOFT HYPHEN"),
    (f"Puede causar consti{ZWSP}pación.", "U+200B ZERO WIDTH SPACE"),
    ("Puede causar consti&shy;pación.", "U+00AD SOFT HYPHEN"),
    ("Puede causar consti&ZeroWidthSpace;pación.", "U+200B ZERO WIDTH SPACE"),
    ("Puede causar consti&#8203;pación.", "U+200B ZERO WIDTH SPACE"),
    (f"Tome 3{ZWSP}0 mg.", "U+200B ZERO WIDTH SPACE"),
    (f"Tome 3{WJ}0 mg.", "U+2060 WORD JOINER"),
    (f"Tome 30{BOM} mg.", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    (f"{BOM}Tome 30 mg.", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    (f"Tome 3{ZWNJ}0 mg.", "U+200C ZERO WIDTH NON-JOINER"),
    (f"Puede causar constipa{ZWNJ}ción.", "U+200C ZERO WIDTH NON-JOINER"),
    (f"Puede causar constipa{ZWJ}ción.", "U+200D ZERO WIDTH JOINER"),
    ("Tome 3\u20620 mg.", "U+2062 INVISIBLE TIMES"),
    ("Tome 3\u2061\u2063\u20640 mg.", "U+2061 FUNCTION APPLICATION"),
    ("Tome 30\u180e mg.", "U+180E MONGOLIAN VOWEL SEPARATOR"),
    ("Tome 3\u034f0 mg.", "U+034F COMBINING GRAPHEME JOINER"),
    ("Tome 30 mg\u3164.", "U+3164 HANGUL FILLER"),
    ("Tome 30 mg\u17b4.", "U+17B4 KHMER VOWEL INHERENT AQ"),
    ("Tome 30 mg\u206a.", "U+206A INHIBIT SYMMETRIC SWAPPING"),
    ("Tome 30\ufe0f mg.", "U+FE0F VARIATION SELECTOR-16"),
    ("Tome 30 mg\U000e0101.", "U+E0101 VARIATION SELECTOR-18"),
    ("Tome 30 mg\U000e0001.", "U+E0001 LANGUAGE TAG"),
    ("Tome 30 mg." + "".join(chr(0xE0000 + ord(c)) for c in "take 300"), "8 TAG characters"),
    (f"Tome {RLM}30 mg.", "U+200F RIGHT-TO-LEFT MARK"),         # a right-to-left mark in Spanish
    (f"Tome {ALM}30 mg.", "U+061C ARABIC LETTER MARK"),
]


@pytest.mark.parametrize("target,named", INVISIBLE_PAYLOADS, ids=[repr(p[0]) for p in INVISIBLE_PAYLOADS])
def test_every_invisible_payload_is_reported(target, named):
    found = messages(target)
    assert any(m.startswith(named) for m in found), found


def test_messages_name_the_character_where_it_is_and_show_it():
    assert messages(f"Tome {RLO}30 mg{PDF}.") == [
        "U+202E RIGHT-TO-LEFT OVERRIDE at character 6 in “Tome ⟨U+202E⟩30 mg⟨U+202C⟩.”: "
        "a bidi control: it changes the order readers see",
        "U+202C POP DIRECTIONAL FORMATTING at character 12 in “Tome ⟨U+202E⟩30 mg⟨U+202C⟩.”: "
        "a bidi control: it changes the order readers see"]
    assert messages("Puede causar consti&shy;pación.") == [
        "U+00AD SOFT HYPHEN at character 20 (written &shy;) in “…ausar consti&shy;pación.”: "
        "an invisible character: readers don't see it, and it can hide a word or a number"]
    assert messages(f"تناول 30{RLM} ملغ", "ar") == [
        "U+200F RIGHT-TO-LEFT MARK at character 9 in “تناول 30⟨U+200F⟩ ملغ”: a direction mark inside the number "
        "“30 ملغ”: it can change the order of its digits, range or unit (a mark may stand before or after the "
        "whole number)"]
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "ignore 30, say 300")
    assert messages(f"Tome 30 mg.{hidden}") == [
        "18 TAG characters (U+E0020–U+E007F) at characters 12, 13, 14, 15, 16, … in “Tome 30 mg."
        + "".join(f"⟨U+{ord(c):04X}⟩" for c in hidden[:13]) + "…”: tag characters: invisible text “ignore 30, say 300”"]


def test_repeated_characters_are_one_message():
    [message] = messages(f"a{ZWSP}b{ZWSP}c{ZWSP}d{ZWSP}e{ZWSP}f{ZWSP}g")
    assert message.startswith("U+200B ZERO WIDTH SPACE at characters 2, 4, 6, 8, 10, … in ")


@given(st.text(st.sampled_from([*"ab 30mg.", ZWSP, SHY, RLO, PDF, RLM, LRM, ALM, ZWJ, "\ufe0f", "\U000e0041"]),
               max_size=20), st.sampled_from(["es", "ar"]))
def test_messages_hold_no_invisible_character(target, catalog):
    """A message printed on a terminal must not reorder itself: every invisible character in it is spelled out."""
    for message in messages(target, catalog):
        assert not has_invisible(message) and not any(ord(c) in INVISIBLE for c in message)


# ---------------------------------------------------------------------------------------------------------------
# What languages need

ALLOWED = [
    # direction marks around a whole number (Arabic editors put them there) and around words
    pytest.param(f"تناول {LRM}30 mg{LRM} مرتين.", "ar", id="lrm-around-number-and-unit"),
    pytest.param(f"تناول {RLM}٣٠ ملغ{RLM}.", "ar", id="rlm-around-arabic-number-and-unit"),
    pytest.param(f"تناول {ALM}30{ALM} قرصًا", "ar", id="alm-around-number"),
    pytest.param(f"تناول 30 mg{RLM}، ثم 60 mg{RLM}.", "ar", id="rlm-after-latin-unit"),
    pytest.param(f"و{RLM}30", "ar", id="between-clitic-and-number"),
    pytest.param(f"الجرعة:{RLM}30 ملغ", "ar", id="after-colon-before-number"),
    pytest.param(f"اتصل بـ {LRM}NHS 111{LRM}.", "ar", id="lrm-around-latin-name"),
    pytest.param(f"{RLM}%d{RLM}/%m{RLM}/%Y", "ar", id="no-digits-no-number"),
    pytest.param(f"Tome {LRM}30 mg{LRM}.", "es", id="lrm-in-ltr-language"),
    # joiners of scripts that need them
    pytest.param(f"می{ZWNJ}شود", "fa", id="persian-zwnj"),
    pytest.param(f"کتاب{ZWNJ}ها", "fa", id="persian-plural-zwnj"),
    pytest.param(f"دوا{ZWNJ}ؤں", "ur", id="urdu-zwnj"),
    pytest.param(f"क्{ZWJ}ष", "hi", id="devanagari-zwj-after-virama"),
    pytest.param(f"क्{ZWNJ}ष", "hi", id="devanagari-zwnj-after-virama"),
    pytest.param(f"ශ්{ZWJ}රී", "si", id="sinhala-zwj"),
    # emoji: ZWJ sequences, presentation selectors, keycaps, tag flags
    pytest.param(f"Hable con su médico \U0001f469\U0001f3fd{ZWJ}\u2695\ufe0f.", "es", id="health-worker-emoji"),
    pytest.param(f"\U0001f468{ZWJ}\U0001f469{ZWJ}\U0001f467", "es", id="family-emoji"),
    pytest.param("\u2764\ufe0f \u26a0\ufe0f \u2695\ufe0e", "es", id="emoji-and-text-presentation"),
    pytest.param("1\ufe0f\u20e3 #\ufe0f\u20e3", "es", id="keycaps"),
    pytest.param("\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in "gbwls") + "\U000e007f", "pl",
                 id="flag-of-wales"),
    pytest.param("葛\U000e0100", "ja", id="ideographic-variation"),
    pytest.param("᠓\u180b", "mn", id="mongolian-free-variation"),
    pytest.param("Tome 30 mg.", "es", id="none"),
]


@pytest.mark.parametrize("target,catalog", ALLOWED)
def test_allowed(target, catalog):
    assert messages(target, catalog) == []


NOT_ALLOWED = [
    # a mark inside a number token: between digits, in a decimal, date, range, a sign, a unit or a code
    pytest.param(f"تناول 3{RLM}0 mg", "ar", "“30 mg”", id="between-digits"),
    pytest.param(f"تناول ٣{ALM}٠ ملغ", "ar", "“٣٠ ملغ”", id="between-arabic-digits"),
    pytest.param(f"تناول 0{LRM}.5 mg", "ar", "“0.5 mg”", id="in-a-decimal"),
    pytest.param(f"تناول ٠٫{RLM}٥", "ar", "“٠٫٥”", id="after-arabic-decimal-separator"),
    pytest.param(f"تناول 1{RLM} 000 ml", "ar", "“1 000 ml”", id="in-a-space-grouped-number"),
    pytest.param(f"في 25{RLM}/12/2024", "ar", "“25/12/2024”", id="in-a-date"),
    pytest.param(f"تناول 30{RLM}–60 mg", "ar", "“30–60 mg”", id="in-a-range"),
    pytest.param(f"تناول 30 -{RLM} 60 mg", "ar", "“30 - 60 mg”", id="in-a-spaced-range"),
    pytest.param(f"تناول 30{RLM} mg", "ar", "“30 mg”", id="between-number-and-unit"),
    pytest.param(f"تناول 30 {LRM}mg", "ar", "“30 mg”", id="between-space-and-unit"),
    pytest.param(f"تناول 30{ALM}mg", "ar", "“30mg”", id="between-number-and-glued-unit"),
    pytest.param(f"تناول ٣٠ {RLM}ملغ", "ar", "“٣٠ ملغ”", id="between-number-and-arabic-unit"),
    pytest.param(f"حوالي ٥{RLM}٪", "ar", "“٥٪”", id="between-number-and-percent"),
    pytest.param(f"حوالي ٪{RLM}٥٠", "ar", "“٪٥٠”", id="between-percent-and-number"),
    pytest.param(f"درجة -{RLM}5 °C", "ar", "“-5 °C”", id="between-sign-and-number"),
    pytest.param(f"فيتامين B{LRM}12", "ar", "“B12”", id="inside-a-code"),
    pytest.param(f"COVID-{RLM}19", "ar", "“COVID-19”", id="inside-a-hyphenated-code"),
    pytest.param(f"Tome 3{LRM}0 mg.", "es", "“30 mg”", id="lrm-between-digits-in-ltr"),
]


@pytest.mark.parametrize("target,catalog,token", NOT_ALLOWED)
def test_marks_inside_a_number_are_errors(target, catalog, token):
    found = messages(target, catalog)
    assert len(found) == 1 and f"a direction mark inside the number {token}" in found[0], found


def test_joiners_only_in_languages_that_need_them():
    assert messages(f"می{ZWNJ}شود", "fa") == []
    assert messages(f"می{ZWNJ}شود", "ar")          # Arabic spelling has no use for it
    assert messages(f"consti{ZWNJ}pación", "fa")    # nor Latin words in a Persian catalog
    assert messages(f"می{ZWNJ}3", "fa")             # nor next to a digit
    assert messages(f"{ZWNJ}می", "fa")              # nor at a word's edge
    assert messages(f"a{ZWJ}\u2695", "es")          # ZWJ joins emoji, not a letter to one


def test_variation_selectors_only_after_what_they_vary():
    assert messages("x\ufe0f", "es") and messages("1\ufe0f", "es") and messages("\ufe0fx", "es")
    assert messages("a\U000e0100", "ja") and messages("a\u180b", "mn")


def test_tag_characters_only_as_a_flag():
    tags = "".join(chr(0xE0000 + ord(c)) for c in "gbeng") + "\U000e007f"
    assert messages("\U0001f3f4" + tags, "es") == []
    assert messages("x" + tags, "es")                                            # no black flag
    assert messages("\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in "take 300") + "\U000e007f", "es")


# ---------------------------------------------------------------------------------------------------------------
# The source


def test_what_the_source_has_the_translation_may_keep():
    source = f"Use the {ZWSP}app."
    assert messages(f"Use la {ZWSP}app.", source=source) == []
    [message] = messages(f"Use la {ZWSP}a{ZWSP}pp.", source=source)
    assert message.startswith("U+200B ZERO WIDTH SPACE at characters 8, 10 ") and message.endswith("; the source has 1")
    assert messages(f"Ver {RLO}x{PDF}", source=f"See {RLO}x{PDF}") == []


def test_a_mark_inside_a_number_is_an_error_even_when_the_source_has_one():
    assert messages(f"تناول 3{RLM}0 mg", "ar", source=f"Take 3{RLM}0 mg")


# ---------------------------------------------------------------------------------------------------------------
# The character set


# Prepended_Concatenation_Mark (PropList.txt): format characters readers do see (the Arabic number sign).
VISIBLE_FORMAT = {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2,
                  0x110BD, 0x110CD}


def test_every_format_character_is_looked_at_but_the_visible_ones():
    format_characters = {cp for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf"}
    assert format_characters - VISIBLE_FORMAT <= INVISIBLE
    assert not INVISIBLE & VISIBLE_FORMAT
    # and nothing readers see: each is a format character, a filler, a selector or reserved as ignorable
    for cp in INVISIBLE:
        assert unicodedata.category(chr(cp)) in ("Cf", "Mn", "Lo", "Cn"), hex(cp)


def test_right_to_left_letters_are_exactly_those_of_bidi_class_r_and_al():
    """The letters the number tokens do not glue to digits are what unicodedata says are right-to-left."""
    rtl = re.compile(f"[{_RTL_LETTERS}]")
    for cp in range(0x110000):
        c = chr(cp)
        if unicodedata.category(c).startswith("L"):
            assert bool(rtl.match(c)) == (unicodedata.bidirectional(c) in ("R", "AL")), hex(cp)


def test_visible_removes_exactly_the_invisible_characters():
    text = f"consti{SHY}pación &shy; 3{ZWSP}0 {RLM}mg{ALM} &#x202E;&#8203; A&amp;E &nbsp; &foo; 👍 \U000e0041"
    assert visible(text) == "constipación  30 mg  A&amp;E &nbsp; &foo; 👍 "
    plain = "Tome 30 mg de paracetamol cada día. 👍"
    assert visible(plain) is plain and not has_invisible(plain)
    assert visible("A&amp;E") == "A&amp;E" and not has_invisible("&#x200; &#999999999;")


@given(st.text())
def test_visible_leaves_no_invisible_character(text):
    shown = visible(text)
    assert not any(ord(c) in INVISIBLE for c in shown)
    assert visible(shown) == shown
    assert has_invisible(text) == (shown != text)


# ---------------------------------------------------------------------------------------------------------------
# The rule for direction marks, by the bidi algorithm


def _levels(text: str, rtl: bool) -> list[int]:
    """Embedding levels of ``text`` (a paragraph with no explicit embeddings) by UAX #9."""
    para = 1 if rtl else 0
    sos = "R" if rtl else "L"
    types = [unicodedata.bidirectional(c) for c in text]
    n = len(types)
    for i in range(n):                                  # W1
        if types[i] == "NSM":
            types[i] = types[i - 1] if i else sos
    last = sos
    for i in range(n):                                  # W2
        if types[i] in ("R", "L", "AL"):
            last = types[i]
        elif types[i] == "EN" and last == "AL":
            types[i] = "AN"
    types = ["R" if t == "AL" else t for t in types]    # W3
    for i in range(1, n - 1):                           # W4
        if types[i] == "ES" and types[i - 1] == types[i + 1] == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and types[i - 1] == types[i + 1] and types[i - 1] in ("EN", "AN"):
            types[i] = types[i - 1]
    i = 0
    while i < n:                                        # W5
        if types[i] == "ET":
            j = i
            while j < n and types[j] == "ET":
                j += 1
            if (i and types[i - 1] == "EN") or (j < n and types[j] == "EN"):
                types[i:j] = ["EN"] * (j - i)
            i = j
        else:
            i += 1
    types = ["ON" if t in ("ES", "ET", "CS") else t for t in types]     # W6
    last = sos
    for i in range(n):                                  # W7
        if types[i] in ("R", "L"):
            last = types[i]
        elif types[i] == "EN" and last == "L":
            types[i] = "L"
    strong = lambda t: "R" if t in ("R", "EN", "AN") else t                     # noqa: E731
    i = 0
    while i < n:                                        # N1, N2
        if types[i] in ("B", "S", "WS", "ON", "BN"):
            j = i
            while j < n and types[j] in ("B", "S", "WS", "ON", "BN"):
                j += 1
            before = strong(types[i - 1]) if i else sos
            after = strong(types[j]) if j < n else sos
            types[i:j] = [before if before == after else sos] * (j - i)
            i = j
        else:
            i += 1
    levels = []
    for t in types:                                     # I1, I2
        if para == 0:
            levels.append(1 if t == "R" else 2 if t in ("AN", "EN") else 0)
        else:
            levels.append(2 if t in ("L", "EN", "AN") else 1)
    i = n                                               # L1: trailing whitespace at the paragraph level
    while i and unicodedata.bidirectional(text[i - 1]) in ("WS", "BN"):
        i -= 1
        levels[i] = para
    return levels


def _visual(text: str, rtl: bool) -> list[int]:
    """Indexes of ``text`` in display order, left to right (L2), without its direction marks."""
    levels = _levels(text, rtl)
    order = list(range(len(text)))
    for level in range(max(levels, default=0), 0, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return [i for i in order if text[i] not in (LRM, RLM, ALM)]


def _together(places: list[int]) -> bool:
    return places == list(range(places[0], places[0] + len(places)))


# A number in European (bidi class EN) or Arabic-Indic (AN) digits; "٣٠:30" mixes them, and is not one to a reader.
_ONE_KIND_NUMBER = re.compile(r"(?<!\d)(?:[0-9۰-۹]+(?:[.,:/][0-9۰-۹]+)*|[٠-٩]+(?:[.,:/٫٬][٠-٩]+)*)(?!\d)")


def _numbers_keep_their_order(text: str, rtl: bool) -> bool:
    """Whether the direction marks of ``text`` change nothing about its numbers, as readers see them.

    (a) Every number (digits of one kind joined by single separators) that shows its
    characters together, left to right, in logical order without the marks still does with
    them. Always: a mark outside a number cannot reorder it.

    (b) Every number token (with its sign, range and unit) that shows together without the
    marks still does with them, where the token has no space inside, stands between spaces
    or the text's ends, and each mark touches it or is kept from it by a letter or digit.
    That is the mark's job: ``\u200e30mg\u200e`` shows 30mg left to right, whole. A mark
    kept from a token only by spaces or punctuation sets the direction of those, and may
    move them next to the token (``\u200e (30ملغ``); a token with a space inside is not one
    run for the bidi algorithm, and a letter after it can pull its last part away, mark or
    not.
    """
    shown = _visual(text, rtl)
    where = {index: place for place, index in enumerate(shown)}
    plain = [i for i, c in enumerate(text) if c not in (LRM, RLM, ALM)]
    marks, removed = [], 0
    for i, c in enumerate(text):
        if c in (LRM, RLM, ALM):
            marks.append(i - removed)
            removed += 1
    stripped = "".join(text[i] for i in plain)
    unmarked = {index: place for place, index in enumerate(_visual(stripped, rtl))}

    def in_order(places: list[int]) -> bool:
        return _together(places) and places == sorted(places)

    def kept_apart(p: int, a: int, b: int) -> bool:
        between = stripped[p:a] if p < a else stripped[b:p]
        return any(unicodedata.bidirectional(c) in ("L", "R", "AL", "EN", "AN") for c in between)

    for m in _ONE_KIND_NUMBER.finditer(stripped):
        span = range(m.start(), m.end())
        if in_order([unmarked[k] for k in span]) and not in_order([where[plain[k]] for k in span]):
            return False
    for a, b in number_tokens(stripped):
        alone = stripped[a - 1:a] in ("", " ") and stripped[b:b + 1] in ("", " ") and " " not in stripped[a:b]
        touching = all(p in (a, b) or kept_apart(p, a, b) for p in marks)
        if alone and touching and _together(sorted(unmarked[k] for k in range(a, b))) and not _together(
                sorted(where[plain[k]] for k in range(a, b))):
            return False
    return True


def test_the_bidi_model_shows_the_reported_attack():
    """The model shows what Chromium showed: an RLM between digits of RTL text reverses them."""
    text = f"تناول 3{RLM}0 ملغ"
    assert "".join(text[i] for i in _visual(text, rtl=True) if text[i].isdigit()) == "03"
    assert not _numbers_keep_their_order(text, rtl=True)
    assert not _numbers_keep_their_order(f"في 25{RLM}/12/2024", rtl=True)
    # The rule is stricter than the model: a mark between a number and its unit or in a range is
    # refused even where the model shows it harmless, as a browser's rendering may differ.
    assert _numbers_keep_their_order(f"تناول 30{RLM} mg", rtl=True) and messages(f"تناول 30{RLM} mg", "ar")
    assert _numbers_keep_their_order(f"تناول {LRM}30 mg{LRM} و 25/12/2024", rtl=True)


_AR_PIECES = ["تناول", "و", "ملغ", "mg", "B12", " ", " ", ":", "،", ".", "-", "–", "%", "٪", "30", "0.5", "٣٠",
              "٠٫٥", "1 000", "25/12/2024", "(", ")", "NHS"]
_ES_PIECES = ["Tome", "de", "mg", "B12", " ", " ", ":", ",", ".", "-", "–", "%", "30", "0,5", "1 000",
              "25/12/2024", "(", ")"]


@st.composite
def _marked(draw, pieces, marks):
    text = "".join(draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=10)))
    places = draw(st.lists(st.integers(0, len(text)), max_size=4))
    for place in sorted(places, reverse=True):
        text = text[:place] + draw(st.sampled_from(marks)) + text[place:]
    return text


@settings(max_examples=400, deadline=None)
@given(_marked(_AR_PIECES, [LRM, RLM, ALM]))
@example(f"تناول {LRM}30 mg{LRM} و {RLM}٣٠ ملغ{RLM}")
@example(f"{RLM}30، {LRM}60")
def test_marks_the_check_allows_never_reorder_a_number_rtl(text):
    if not messages(text, "ar", source=""):
        assert _numbers_keep_their_order(text, rtl=True)


@settings(max_examples=300, deadline=None)
@given(_marked(_ES_PIECES, [LRM, RLM]))
def test_marks_the_check_allows_never_reorder_a_number_ltr(text):
    if not messages(text, "es", source=""):
        assert _numbers_keep_their_order(text, rtl=False)
