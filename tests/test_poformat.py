"""workflow.poformat against its oracle, GNU msgcat 0.21: its output must be byte-identical."""

from __future__ import annotations

import ctypes
import ctypes.util
import doctest
import os
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow import linebreak, podirectives, poformat
from workflow.poformat import format_entry, format_po, joined_lines

MSGCAT = shutil.which("msgcat")
_VERSION = subprocess.run([MSGCAT, "--version"], capture_output=True, text=True).stdout if MSGCAT else ""
needs_msgcat = pytest.mark.skipif(
    not re.match(r"msgcat \(GNU gettext-tools\) 0\.21\b", _VERSION),
    reason="the oracle is GNU msgcat 0.21 (Debian bookworm's gettext): "
    + ("msgcat is not on PATH" if not MSGCAT else f"found {_VERSION.splitlines()[0]!r}"))

ROUNDTRIP = Path(__file__).parent / "data" / "po_roundtrip"

HEADER = r'''# Spanish translation of the duloxetine leaflets.
# Copyright (C) 2024 Example Health
# This file is distributed under the same license as the locum package.
# Translator One <one@example.org>, 2024.
#
msgid ""
msgstr ""
"Project-Id-Version: locum 0.1.0\n"
"Report-Msgid-Bugs-To: https://example.org/issues\n"
"POT-Creation-Date: 2024-05-01 12:00+0000\n"
"PO-Revision-Date: 2024-05-02 08:30+0100\n"
"Last-Translator: Translator One <one@example.org>\n"
"Language-Team: Polish <pl@li.example.org>\n"
"Language: pl\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"
"X-Generator: locum\n"

'''

URL = "https://www.nhs.uk/medicines/duloxetine/side-effects-of-duloxetine/"
LINK = "[NHS 111](https://111.nhs.uk/some/long/path)"


def run_msgcat(text: str) -> str:
    """msgcat's output for a PO file holding `text` (UTF-8)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.po"
        path.write_bytes(text.encode("utf-8"))
        proc = subprocess.run([MSGCAT, str(path)], capture_output=True,
                              env={**os.environ, "LC_ALL": "C"})
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc.stdout.decode("utf-8")


def po_string(s: str) -> str:
    """`s` as one PO string literal, deliberately unwrapped."""
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}
    return '"' + "".join(escapes.get(c, c) for c in s) + '"'


def entry(msgid: str, msgstr: str = "", extra: str = "") -> str:
    return f"{extra}msgid {po_string(msgid)}\nmsgstr {po_string(msgstr)}\n\n"


# Each case is the body of a PO file (after HEADER): msgcat of that file is the expectation.
CASES = {
    "short": entry("Hello", "Hola"),
    "empty-msgstr": entry("Untranslated and a little bit longer than the others, to be sure", ""),
    "exactly-fits": entry("x" * 70, "y" * 71) + entry("a " * 35 + "b", "c " * 36 + "dd"),
    "long-sentences": entry(
        "Duloxetine is a medicine used to treat depression and anxiety. It's also used to treat "
        "nerve pain, for example, nerve pain in your legs and feet caused by diabetes.",
        "La duloxetina es un medicamento que se usa para tratar la depresión y la ansiedad. También "
        "se usa para tratar el dolor nervioso, por ejemplo, en las piernas y los pies."),
    "embedded-newlines": entry("First line\nSecond line\n", "Primera línea\nSegunda línea\n")
    + entry("a\n\nb\n\n", "c\n") + entry("\n", "\n") + entry("ends without newline\nx", "y\nz"),
    "tabs-quotes-backslashes": entry(
        'Column\tvalue\t"quoted" and back\\slash C:\\Users\\someone\\Documents\\a very long path\\file.txt',
        '"' * 40 + "\\" * 40 + "\t" * 10)
    + entry("x" * 75 + '"\\"', "y" * 74 + "\\n" + "\t\t"),
    "long-urls": entry(
        f"If you have serious side effects, read {URL} or call your GP straight away for advice.",
        f"Si tiene efectos secundarios graves, lea {URL} o llame a su médico de cabecera.")
    + entry(URL + URL, URL + "?q=1&r=2#fragment-" + "x" * 30),
    "markdown-links": entry(
        f"If you think you might have taken too much, call {LINK} or go to {LINK} for help now.",
        f"Si cree que ha tomado demasiado, llame al {LINK} o vaya a {LINK} para pedir ayuda."),
    "hyphens-dashes-nbsp": entry(
        "Long-term, well-known side-effects — such as feeling sick – are usually mild and "
        "short-lived; anti-inflammatory pain-killers (co-codamol, 500\u00a0mg) are fine.",
        "Los efectos secundarios a largo plazo — como las náuseas — suelen ser leves: "
        "10\u00a0mg,\u00a020\u00a0mg\u00a0o\u00a040\u00a0mg\u00a0al\u00a0día\u00a0durante"
        "\u00a0dos\u00a0semanas\u00a0seguidas\u00a0sin\u00a0parar."),
    "spanish": entry(
        "Can I drink alcohol while taking it? Is it safe to drive or ride a bike?",
        "¿Puedo beber alcohol mientras lo tomo? ¿Es seguro conducir o montar en bicicleta? "
        "¡Consulte a su farmacéutico! Información útil: «Ñandú», pingüino, acción."),
    "polish": entry(
        "How and when to take duloxetine",
        "Jak i kiedy przyjmować duloksetynę: zażółć gęślą jaźń. Źdźbło, łódź, ćma, śnieg, "
        "żółw — wszystkie te słowa zawierają polskie znaki diakrytyczne."),
    "arabic": entry(
        "Side effects",
        "الآثار الجانبية الشائعة للدولوكسيتين تشمل الشعور بالغثيان والصداع وجفاف الفم والإمساك "
        "والإسهال. تحدث إلى طبيبك إذا استمرت هذه الآثار.")
    + entry("Side effects (vocalised)",
            "الآثَارُ الجَانِبِيَّةُ الشَّائِعَةُ لِلدُّولُوكْسِيتِين تَشْمَلُ الشُّعُورَ بِالغَثَيَانِ "
            "وَالصُّدَاعِ وَجَفَافِ الفَمِ، ٣٠ مَلْغ؛ ٦٠ مَلْغ؟"),
    "chinese-japanese": entry(
        "Duloxetine",
        "度洛西汀是一种用于治疗抑郁症和焦虑症的药物。它也用于治疗神经疼痛，例如糖尿病引起的腿部和脚部神经疼痛"
        "（糖尿病周围神经病变）。「注意」：请遵医嘱。")
    + entry("Japanese", "デュロキセチンは、うつ病や不安症の治療に使われる薬です。また、糖尿病による足の神経の痛み"
            "などの治療にも使われます。カタカナーとひらがな、ＡＢＣ１２３。"),
    "korean-greek-cyrillic": entry(
        "Korean", "둘록세틴은 우울증과 불안을 치료하는 데 사용되는 약입니다. 또한 신경 통증을 치료하는 데에도 사용됩니다.")
    + entry("Greek and Russian",
            "Η ντουλοξετίνη είναι ένα φάρμακο για την κατάθλιψη. Дулоксетин — это лекарство, "
            "которое используется для лечения депрессии и тревоги."),
    "emoji": entry(
        "Reactions",
        "Great 👍🏽 thanks 😀 — family 👨‍👩‍👧‍👦 flags 🇬🇧🇪🇸🇵🇱 hearts ❤️❤️❤️ " * 3),
    "zero-width-and-combining": entry(
        "zero\u200bwidth\u200bspace" * 6, "e\u0301 " * 30 + "\u2060word\u2060joiner"),
    "plurals": r'''msgid "%d tablet"
msgid_plural "%d tablets"
msgstr[0] "%d tabletka"
msgstr[1] "%d tabletki"
msgstr[2] "%d tabletek, które należy przyjmować codziennie o tej samej porze dnia, najlepiej rano"

msgid "One week of treatment before you feel better"
msgid_plural "%(count)s weeks of treatment before you feel better, sometimes longer than that"
msgstr[0] ""
msgstr[1] ""
msgstr[2] ""

''',
    "msgctxt": r'''msgctxt "menu"
msgid "Open"
msgstr "Abrir"

msgctxt "a very long context string that certainly does not fit on one line together with its keyword"
msgid "Open"
msgstr "Abrir (contexto largo)"

''',
    "previous-msgid": r'''#, fuzzy
#| msgctxt "old context"
#| msgid "Duloxetine can cause side effects, although not everybody gets them, and most are mild"
#| msgid_plural "plural form"
msgctxt "new context"
msgid "Like all medicines, duloxetine can cause side effects, although not everybody gets them."
msgid_plural "plural forms"
msgstr[0] "Como todos los medicamentos, la duloxetina puede causar efectos secundarios."
msgstr[1] "plural"
msgstr[2] "plural"

''',
    "obsolete": r'''msgid "kept"
msgstr "conservado"

#~ msgid "Removed sentence that was long enough to need wrapping when it was written out again"
#~ msgstr "Frase eliminada que era lo bastante larga como para necesitar un salto de línea"

#, fuzzy
#~ msgctxt "ctx"
#~ msgid "old"
#~ msgstr "viejo"

#~ msgid "obsolete and untranslated: msgcat drops it"
#~ msgstr ""

#~ msgid "%d day"
#~ msgid_plural "%d days"
#~ msgstr[0] "%d día"
#~ msgstr[1] "%d días"
#~ msgstr[2] "%d días"

''',
    "flags": r'''#, python-format, fuzzy
msgid "Take %(dose)s mg"
msgstr "Tome %(dose)s mg"

#, fuzzy, c-format, no-wrap
msgid "Untranslated, so the fuzzy flag is dropped by msgcat even though it was set explicitly: %d %s"
msgstr ""

#, no-wrap
msgid "No wrapping here, however long the line gets, and it really gets very long, longer than 79"
msgstr "Sin saltos de línea aquí, por larga que sea la línea, y se vuelve muy larga, más de 79"

#, range: 1..5, python-brace-format, unknown-flag, wrap
msgid "{count} tablets"
msgstr "{count} comprimidos"

#, possible-python-format, no-c-format
msgid "Possibly 100%"
msgstr "Posiblemente 100%"

''',
    "format-directives": entry(
        "x" * 62 + "%(first-name)s and %(last-name)s, 100%% sure", "y" * 60 + "%(first-name)s y 100%%",
        "#, python-format\n")
    + entry("z" * 66 + "{first_name:>10} {0}", "w" * 65 + "{first_name:>10}", "#, python-brace-format\n")
    # gettext 0.21 misplaces python-brace marks: they protect the string's first characters.
    + entry("aa-bb-cc-dd-ee-ff-gg-" + "x" * 80 + " {abcdefghijklmnopqrstuvwxyz.q}",
            "ąą-ćć-ęę-łł-" + "y" * 80 + " {abcdefghijkl.q} {0}", "#, python-brace-format\n")
    + entry("v" * 67 + "%-10s and %-d % d", "u" * 67 + "%-d% d", "#, c-format\n"),
    "many-references": "#: " + " ".join(
        f"workflow/templates/article_{i}.html:{i * 37}" for i in range(25))
    + " ./src/relative.py:1 ./src/relative.py:1 no_line_number.txt "
    + "a/very/long/path/that/is/longer/than/the/page/width/all/by/itself/for/sure/file.py:12\n"
    + entry("Referenced", "Referenciado"),
    "comments": "# first translator line\n#\n# third, after an empty one\n#. extracted: kind=paragraph\n"
    "#. second extracted line\n#: a.py:1\n" + entry("Commented", "Comentado"),
}


@needs_msgcat
@pytest.mark.parametrize("body", list(CASES.values()), ids=list(CASES))
def test_same_bytes_as_msgcat(body):
    text = HEADER + body
    ours = format_po(polib.pofile(text))
    assert ours == run_msgcat(text)
    assert run_msgcat(ours) == ours


@needs_msgcat
def test_fuzzy_header():
    text = HEADER.replace('#\nmsgid ""', '#\n#, fuzzy\nmsgid ""') + entry("a", "b")
    assert "#, fuzzy" in text
    assert format_po(polib.pofile(text)) == run_msgcat(text)


@needs_msgcat
def test_header_only_catalog_is_empty_output():
    assert format_po(polib.pofile(HEADER)) == run_msgcat(HEADER) == ""
    only_dropped = HEADER + '#~ msgid "a"\n#~ msgstr ""\n'
    assert format_po(polib.pofile(only_dropped)) == run_msgcat(only_dropped) != ""


@needs_msgcat
def test_obsolete_with_previous_msgid():
    # polib skips '#~|' lines when reading, so the previous fields are set by hand here.
    text = HEADER + r'''#~| msgctxt "old context"
#~| msgid "Old wording of the sentence that was removed later, which is long enough to wrap"
#~ msgctxt "ctx"
#~ msgid "Removed sentence"
#~ msgstr "Frase eliminada"

#~ msgid "Removed without previous"
#~ msgstr "Eliminada sin anterior"
'''
    po = polib.pofile(text)
    po[0].previous_msgctxt = "old context"
    po[0].previous_msgid = ("Old wording of the sentence that was removed later, which is long "
                            "enough to wrap")
    assert format_po(po) == run_msgcat(text)


@needs_msgcat
def test_constructs_polib_loses():
    # polib drops '#.' lines with no text, an empty translator comment line that comes first,
    # '#~|' lines and trailing blanks of comment lines; msgcat keeps them all. format_po renders
    # what polib kept, so it matches msgcat's output of the file without those.
    lossy = ["#\n", "#.\n", '#~| msgid "previous"\n', "comment \n"]
    text = HEADER + "#\n# kept comment \n#. kept\n#.\n" + entry("a", "b") \
        + '#~| msgid "previous"\n#~ msgid "gone"\n#~ msgstr "ido"\n'
    without = HEADER + "# kept comment\n#. kept\n" + entry("a", "b") + '#~ msgid "gone"\n#~ msgstr "ido"\n'
    assert all(line in text for line in lossy)
    assert format_po(polib.pofile(text)) == run_msgcat(without)


@needs_msgcat
def test_catalog_built_in_code():
    po = polib.POFile()
    po.metadata = {"Project-Id-Version": "x", "MIME-Version": "1.0",
                   "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
    po.append(polib.POEntry(msgid="Dose", msgstr=f"Vea {URL} — «dosis» de 20\u00a0mg",
                            occurrences=[("./src/a.md", "3"), ("src/b.md", "")],
                            flags=["python-format", "fuzzy"], tcomment="one\n\nthree",
                            comment="kind: paragraph", previous_msgid="Old dose"))
    po.append(polib.POEntry(msgid="gone", msgstr="ido", obsolete=True, previous_msgid="went"))
    ours = format_po(po)
    assert ours == run_msgcat(ours)
    assert format_entry(po[0]).startswith("# one\n#\n# three\n#. kind: paragraph\n#: src/a.md:3 src/b.md\n"
                                          "#, fuzzy, python-format\n#| msgid \"Old dose\"\nmsgid \"Dose\"\n")
    assert ours.endswith('\n#~| msgid "went"\n#~ msgid "gone"\n#~ msgstr "ido"\n')


ROUNDTRIP_FILES = sorted(ROUNDTRIP.glob("*.po"))


@needs_msgcat
@pytest.mark.parametrize("path", ROUNDTRIP_FILES, ids=[p.name for p in ROUNDTRIP_FILES])
def test_real_world_file_round_trip(path):
    assert format_po(polib.pofile(str(path))) == run_msgcat(path.read_text(encoding="utf-8"))


def test_roundtrip_fixtures_present_and_small():
    assert len(ROUNDTRIP_FILES) >= 8
    assert sum(p.stat().st_size for p in ROUNDTRIP_FILES) < 200_000


# --- property: whatever the text, our output is already what msgcat would write ---

ATOMS = (list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789") + list("      \u00a0") * 3
         + list("-/.,;:!?¿¡()[]{}<>\"'«»“”%$€#&*+=_|\\~^`@\n\t—–‐") + list("ąćęłńóśźżĄŁŻáéíóúñü")
         + list("مرحبا بالعالم َُِّْ ،؛؟٣") + list("привет мир αβγ") + list("中文字符、。，！？「」日本語ですカタカナー한국어")
         + ["😀", "👍", "🏽", "🇬", "🇧", "\u200d", "\u0301", "\u200b", URL, LINK, "%s", "%(name)s", "%d",
            "{0}", "{name}", "%%", "well-known", "e.g.", "10\u00a0mg"])
TEXT = st.integers(0, 90).flatmap(  # draw the length first, so that long texts are common
    lambda n: st.lists(st.sampled_from(ATOMS), min_size=n, max_size=n)).map("".join).map(lambda t: t[:300])
FLAGS = st.sampled_from([[], ["fuzzy"], ["python-format"], ["c-format"], ["python-brace-format"],
                         ["no-wrap"], ["fuzzy", "python-format"]])


@needs_msgcat
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TEXT, TEXT, FLAGS, st.booleans()), min_size=1, max_size=8))
def test_random_text_is_a_msgcat_fixpoint(items):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for i, (msgid, msgstr, flags, obsolete) in enumerate(items):
        # (the first entry stays active: msgcat prints nothing for a header-only catalog, so a
        # catalog whose other entries are all dropped would not be a fixpoint)
        po.append(polib.POEntry(msgid=f"{i} {msgid}", msgstr=msgstr, flags=flags, obsolete=obsolete and i > 0,
                                previous_msgid=msgstr[::-1] if i % 3 == 1 else None))
    ours = format_po(po)
    assert run_msgcat(ours) == ours
    assert [e.msgid for e in polib.pofile(ours) if not e.obsolete] == \
        [e.msgid for e in po if not e.obsolete]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TEXT, TEXT, FLAGS, st.booleans()), min_size=1, max_size=8))
def test_unwrapped_text_is_the_wrapped_text_joined(items):
    """What extract compares an existing template with, without breaking a line."""
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "X-Long": "word " * 30}
    for i, (msgid, msgstr, flags, obsolete) in enumerate(items):
        po.append(polib.POEntry(msgid=f"{i} {msgid}", msgstr=msgstr, flags=flags, obsolete=obsolete and i > 0,
                                previous_msgid=msgstr[::-1] if i % 3 == 1 else None, msgctxt=msgstr[:9] or None))
    assert joined_lines(format_po(po)) == format_po(po, wrap=False)


@pytest.mark.parametrize("path", ROUNDTRIP_FILES, ids=[p.name for p in ROUNDTRIP_FILES])
def test_unwrapped_real_world_file(path):
    po = polib.pofile(str(path))
    assert joined_lines(format_po(po)) == format_po(po, wrap=False)


# --- the embedded Unicode data against the libunistring 1.0 that msgcat uses ---

def _libunistring():
    path = ctypes.util.find_library("unistring")
    try:
        lib = ctypes.CDLL(path or "libunistring.so.2")
        if ctypes.c_int.in_dll(lib, "_libunistring_version").value >> 8 == 0x100:
            return lib
    except (OSError, ValueError):
        pass
    pytest.skip("libunistring 1.0 (the one gettext 0.21 uses) is not loadable")


@pytest.mark.parametrize("module", [poformat, linebreak, podirectives], ids=lambda m: m.__name__)
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_unicode_tables_match_libunistring():
    lib = _libunistring()

    class Table(ctypes.Structure):  # lbrkprop_t of libunistring 1.0's lbrkprop1.h
        _fields_ = [("l1", ctypes.c_int * 15), ("l2", ctypes.c_int * (4 << 9)),
                    ("l3", ctypes.c_ubyte * (246 << 7))]

    table = Table.in_dll(lib, "libunistring_unilbrkprop")
    names = dict(zip(range(33), linebreak._PAIR_CLASSES))
    names.update({33: "BK", 34: "CR", 35: "LF", 36: "CM", 37: "ZW", 38: "SP", 39: "ID1",
                  40: "AL", 41: "AL", 42: "AL"})  # CB -> ID1; AI, SA, XX -> AL as in UTF-8
    lib.uc_width.restype = ctypes.c_int
    lib.uc_width.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    for cp in list(range(1, 0x20000)) + list(range(0x20000, 0x110000, 97)):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cn", "Cs"):
            continue
        level2 = table.l1[cp >> 16] if cp >> 16 < 15 else -1
        level3 = table.l2[level2 + ((cp >> 7) & 511)] if level2 >= 0 else -1
        prop = table.l3[level3 + (cp & 127)] if level3 >= 0 else 42
        assert linebreak.line_break_class(ch) == names[prop], hex(cp)
        assert linebreak.char_width(ch) == max(lib.uc_width(cp, b"UTF-8"), 0), hex(cp)


def test_breaks_match_libunistring():
    lib = _libunistring()
    lib.u8_width_linebreaks_v2.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                                           ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]
    rnd = random.Random(14)
    alphabet = [a for a in ATOMS if len(a) < 5] + ["\u2028", "\u05d0", "\u05be", "\u0e01", "\uac00", "\u1100"]
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 60)))
        overrides = [linebreak.PROHIBITED if rnd.random() < 0.1 else None for _ in text]
        width, start = rnd.randint(1, 40), rnd.randint(0, 10)
        data = text.encode("utf-8")
        starts = [len(text[:i].encode("utf-8")) for i in range(len(text))]
        o = bytearray(len(data))
        for i, value in zip(starts, overrides):
            o[i] = 1 if value else 0  # UC_BREAK_PROHIBITED / UC_BREAK_UNDEFINED
        out = ctypes.create_string_buffer(len(data))
        lib.u8_width_linebreaks_v2(data, len(data), width, start, 0, bytes(o), b"UTF-8", out)
        expected = [out.raw[i] == 2 for i in starts]  # UC_BREAK_POSSIBLE
        assert linebreak.width_breaks(text, width, start, overrides) == expected, (text, width, start)


@pytest.mark.parametrize("path", ROUNDTRIP_FILES, ids=[p.name for p in ROUNDTRIP_FILES])
def test_kept_entry_texts_change_nothing(path):
    """With entry texts kept (the review server), every catalog writes as without, again and again, and an
    entry changed in any field the text shows is formatted anew."""
    po = polib.pofile(str(path), wrapwidth=79)
    plain = format_po(po), format_po(po, wrap=False)
    poformat.keep_entry_texts(1000)
    try:
        for _ in range(2):
            assert (format_po(po), format_po(po, wrap=False)) == plain
        entry = next(e for e in po if not e.obsolete and not e.msgid_plural)
        for change in ({"msgstr": "changed"}, {"tcomment": "a record"}, {"flags": ["fuzzy"]},
                       {"occurrences": [("a.md", 12)]}, {"occurrences": [("a.md", "12")]}, {"obsolete": True}):
            before = {name: getattr(entry, name) for name in change}
            for name, value in change.items():
                setattr(entry, name, value)
            kept = format_po(po)
            poformat.keep_entry_texts(0)
            assert kept == format_po(po)
            poformat.keep_entry_texts(1000)
            for name, value in before.items():
                setattr(entry, name, value)
            assert format_po(po) == plain[0]
        poformat.keep_entry_texts(3)        # past the limit, the kept texts are forgotten, not wrong
        assert format_po(po) == plain[0]
    finally:
        poformat.keep_entry_texts(0)
