"""Catalog reading as strict as GNU: every catalog ``msgfmt --check`` rejects, Locum rejects (with its line).

msgfmt is the judge: the bad corpus (tests/bad/po) is rejected by both, the
good catalogs (round-trip samples, the shipped site, goldens, a generated
project) are accepted by both, and a good catalog cut short anywhere is
rejected by Locum whenever msgfmt rejects it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import DATA, REPO, require
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.catalogs import catalog_text, parse_catalog, plural_count, read_catalog
from workflow.entries import plural_gap
from workflow.errors import CatalogError
from workflow.findings import check_entry

BAD = Path(__file__).parent / "bad" / "po"
GOLDEN = Path(__file__).parent / "golden"

#: Bad catalogs msgfmt lets through and Locum does not (see workflow/postrict.py for why).
LOCUM_STRICTER = {"charset-declared-latin1", "charset-placeholder", "charset-missing", "nul-byte",
                  "escape-unsupported"}

GOOD = sorted([*(DATA / "po_roundtrip").glob("*.po"), *(REPO / "locales").rglob("*.po"),
               *(REPO / "locales").glob("*.pot"), *(GOLDEN / "merge").glob("*/*.po"),
               *(GOLDEN / "merge").glob("*/*.pot"), *(GOLDEN / "segments").glob("*.pot")])


def msgfmt(path: Path) -> subprocess.CompletedProcess:
    """GNU msgfmt's verdict: a non-zero exit is a rejection (its header warnings are not)."""
    return subprocess.run([require("msgfmt"), "--check", "--check-header", "-o", "/dev/null", str(path)],
                          capture_output=True, text=True)


def locum_error(data: bytes, shown: str = "x.po") -> CatalogError | None:
    try:
        parse_catalog(data, shown)
    except CatalogError as exc:
        return exc
    return None


# --- the judge -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(BAD.glob("*.po")), ids=lambda p: p.stem)
def test_every_bad_catalog_is_rejected_by_msgfmt_and_by_locum(case: Path):
    verdict = msgfmt(case)
    if case.stem in LOCUM_STRICTER:
        assert verdict.returncode == 0, verdict.stderr        # else it belongs with the others
    else:
        assert verdict.returncode != 0, f"msgfmt accepts {case.name}: it does not belong in tests/bad/po"
    error = locum_error(case.read_bytes(), case.name)
    assert error is not None, f"Locum accepts {case.name}"
    assert error.path == case.name and error.line, str(error)


def test_the_bad_corpus_is_large_and_labelled():
    names = {p.stem for p in BAD.glob("*.po")}
    assert len(names) >= 40
    assert LOCUM_STRICTER <= names


@pytest.mark.parametrize("path", GOOD, ids=lambda p: str(p.relative_to(REPO)))
def test_good_catalogs_are_accepted_by_msgfmt_and_by_locum(path: Path):
    verdict = msgfmt(path)
    assert verdict.returncode == 0, verdict.stderr
    assert locum_error(path.read_bytes(), str(path)) is None


def test_a_generated_project_is_accepted_by_msgfmt_and_by_locum(site_project: Path):
    paths = sorted([*site_project.glob("locales/*.pot"), *site_project.glob("locales/*/LC_MESSAGES/*.po")])
    assert len(paths) >= 10
    for path in paths:
        verdict = msgfmt(path)
        assert verdict.returncode == 0, (path, verdict.stderr)
        read_catalog(path)


# --- truncation: a damaged file is never read (and so never rewritten tidily) ----------------------------

ARTICLE = REPO / "locales/es/LC_MESSAGES/duloxetine-low-back-pain.po"


def _judge_cut(data: bytes, tmp: Path) -> tuple[subprocess.CompletedProcess, CatalogError | None]:
    tmp.write_bytes(data)
    return msgfmt(tmp), locum_error(data)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_catalog_cut_anywhere_that_msgfmt_rejects_locum_rejects(tmp_path: Path, data):
    whole = ARTICLE.read_bytes()
    cut = data.draw(st.integers(0, len(whole) - 1), label="cut at byte")
    verdict, error = _judge_cut(whole[:cut], tmp_path / "cut.po")
    if verdict.returncode != 0:
        assert error is not None, (cut, verdict.stderr)


@pytest.mark.parametrize("name", ["duloxetine-muscle-spasm.po", "site.po"])
def test_a_catalog_cut_at_every_line_that_msgfmt_rejects_locum_rejects(tmp_path: Path, name: str):
    """Every line boundary of a shipped catalog. Two rejections Locum leaves to ``check`` (an error there,
    and kept out of the build): a translated plural entry left with fewer forms than nplurals, and a
    python-format translation cut between its lines so that a directive is lost."""
    whole = (REPO / "locales/es/LC_MESSAGES" / name).read_bytes()
    offsets = [i + 1 for i, byte in enumerate(whole) if byte == 0x0A]
    rejected = 0
    for offset in offsets[:-1]:
        verdict, error = _judge_cut(whole[:offset], tmp_path / name)
        if verdict.returncode == 0:
            continue
        rejected += 1
        if error is None:
            po = parse_catalog(whole[:offset])
            if "a format specification for argument" in verdict.stderr:     # a python-format msgstr cut
                assert any(check == "python-format" and severity == "error"     # between its lines
                           for entry in po if entry.msgstr for check, severity, _ in check_entry(entry, "es", None)),\
                    offset
                continue
            assert "but some messages have only" in verdict.stderr, (offset, verdict.stderr)
            nplurals = plural_count(po.metadata.get("Plural-Forms"))
            assert any(plural_gap(entry, nplurals) for entry in po), offset
    inside = sum(1 for offset in offsets[:-1] if whole[offset:offset + 6] == b"msgstr")   # cut between msgid and msgstr
    assert rejected >= inside > 0             # the judge found damage (cuts between entries and comments are fine)


def test_update_neither_reads_nor_rewrites_a_cut_catalog(project: Path, locum):
    assert locum(project, "extract").code == 0 and locum(project, "update").code == 0
    path = project / "locales/es/LC_MESSAGES/pain-relief.po"
    text = path.read_text(encoding="utf-8")
    cut = text[:text.rindex("\nmsgstr ") + 1]             # ends after the last msgid, before its msgstr
    path.write_text(cut, encoding="utf-8")
    line = cut[:cut.rindex("\nmsgid ") + 1].count("\n") + 1
    for stage in ("update", "check", "compile"):
        result = locum(project, stage)
        assert result.code == 2, (stage, result)
        assert f"locales/es/LC_MESSAGES/pain-relief.po:{line}: error: broken PO file: msgid without its msgstr" \
            in result.err
    assert path.read_text(encoding="utf-8") == cut


# --- the rules, one by one -------------------------------------------------------------------------------

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')
H = HEADER.count("\n")      # the body starts at line H + 1

REJECTED = [
    # (body after HEADER, the line of the error relative to the body, words of the message)
    ('msgid "a"\nmsgstr "b\\q"\n', 2, "invalid escape '\\q'"),
    ('msgid "a"\nmsgstr "b\\x41"\n', 2, "escape '\\x41' is valid gettext but Locum does not read it"),
    ('msgid "a"\nmsgstr "b\\"\n', 2, "string not closed"),
    ('msgid "a"\nmsgstr "b" "c"\n', 2, "text after the closing quote"),
    ('msgid"a"\nmsgstr "b"\n', 1, "a space must separate msgid"),
    ('msgid "a"\n', 1, "msgid without its msgstr: the file ends"),
    ('msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 1, "msgid without its msgstr: line 8 starts"),
    ('msgid "a"\n# note\nmsgstr "b"\n', 1, "msgid without its msgstr"),
    ('msgctxt "c"\n', 1, "msgctxt without its msgid"),
    ('msgctxt "c"\nmsgctxt "d"\nmsgid "a"\nmsgstr "b"\n', 1, "msgctxt without its msgid"),
    ('msgid "a"\nmsgstr "b"\nmsgstr "c"\n', 3, "msgstr after the entry's msgstr"),
    ('msgid "a"\nmsgstr[0] "b"\n', 2, "msgstr[0] needs msgid_plural"),
    ('msgid "a"\nmsgid_plural "as"\n', 1, "msgid_plural without msgstr[0]"),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n', 3, "msgstr after msgid_plural"),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[1] "b"\n', 3, "the first plural form must be msgstr[0]"),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[2] "c"\n', 4, "msgstr[2] out of order"),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[0] "c"\n', 4, "msgstr[0] out of order"),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n', 5,
     "msgstr[2] is out of range: the header says nplurals=2"),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[00] "b"\n', 3, "write msgstr[0], not msgstr[00]"),
    ('msgid "a"\nmsgid_plural ""\nmsgstr[0] "b"\nmsgstr[1] "c"\n', 2, "msgid_plural is empty"),
    ('# c\n"orphan"\n', 2, "continues no keyword"),
    ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4, 'duplicate entry "a": the first is at line'),
    ('msgid "a"\nmsgstr "b"\n\n#~ msgid "a"\n#~ msgstr "c"\n', 4, 'duplicate entry "a"'),
    ('msgctxt "m"\nmsgid "a"\nmsgstr "b"\n\nmsgctxt "m"\nmsgid "a"\nmsgstr "c"\n', 6, 'with msgctxt "m"'),
    ('msgid "a\\tb"\nmsgstr "b"\n\nmsgid "a\tb"\nmsgstr "c"\n', 4, "duplicate entry"),
    ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n', 1, "a second header entry"),
    ('msgctxt "c"\nmsgid ""\nmsgstr "x"\n', 2, "an empty msgid is reserved for the header"),
    ('#~ msgid "a"\nmsgstr "b"\n', 2, "inconsistent use of '#~'"),
    ('msgid "a"\n#~ msgstr "b"\n', 2, "inconsistent use of '#~'"),
    ('#~ msgid "a"\n#~ msgstr "b\\q"\n', 2, "invalid escape"),
    ('#~ msgid "a"\n', 1, "msgid without its msgstr"),
    ('#~\n', 1, "'#~' (obsolete entry) must be followed"),
    ('#| msgid "old\\q"\nmsgid "a"\nmsgstr "b"\n', 1, "invalid escape"),
    ('#| msgid "old"\n#, fuzzy\nmsgid "a"\nmsgstr "b"\n', 2, "'#|' previous strings must come right before"),
    ('#| msgctxt "old"\nmsgid "a"\nmsgstr "b"\n', 2, "'#| msgctxt' without '#| msgid'"),
    ('#| msgid_plural "old"\nmsgid "a"\nmsgstr "b"\n', 1, "'#| msgid_plural' out of place"),
    ('#| "old"\nmsgid "a"\nmsgstr "b"\n', 1, "continues no '#| msgid'"),
    ('msgid "a"\nmsgstr "b"\n#| msgid "old"\n', 3, "the file ends"),
    ('#~| msgid "old"\nmsgid "a"\nmsgstr "b"\n', 2, "inconsistent use of '#~'"),
    ('#hello\nmsgid "a"\nmsgstr "b"\n', 1, "unknown comment '#hello'"),
    ('#,fuzzy\nmsgid "a"\nmsgstr "b"\n', 1, "a space must follow '#,'"),
    ('msgtsr "b"\n', 1, "unknown keyword 'msgtsr'"),
    ('domain "x"\n', 1, "unknown keyword 'domain'"),
    ('garbage\n', 1, "expected a keyword"),
    ('msgid "a"\nmsgstr "b\x00"\n', 2, "a NUL byte"),
    ('msgid "a"\rmsgstr "b"\n', 1, "carriage return without a line feed"),
    ('msgid "a\u2028"\nmsgstr "b"\n', 1, "U+2028 LINE SEPARATOR"),
    ('msgid "a\\n"\nmsgstr "b"\n', 2, "msgid and msgstr do not both end with \\n (only msgid does"),
    ('msgid "\\na"\nmsgstr "b"\n', 2, "msgid and msgstr do not both begin with \\n"),
    ('msgid "a\\n"\nmsgid_plural "as\\n"\nmsgstr[0] "b\\n"\nmsgstr[1] ""\n', 4,
     "msgid and msgstr[1] do not both end with \\n"),
    ('msgid "a"\nmsgid_plural "as\\n"\nmsgstr[0] "b"\nmsgstr[1] "c\\n"\n', 2,
     "msgid and msgid_plural do not both end with \\n"),
]


@pytest.mark.parametrize("body, line, words", REJECTED, ids=range(len(REJECTED)))
def test_a_broken_entry_is_an_error_at_its_line(body: str, line: int, words: str):
    error = locum_error((HEADER + body).encode("utf-8"))
    assert error is not None
    assert error.line == H + line, str(error)
    assert words in error.message


def header(field: str) -> str:
    return f'# c\nmsgid ""\nmsgstr ""\n"Project-Id-Version: x\\n"\n"{field}\\n"\n\nmsgid "a"\nmsgstr "b"\n'


@pytest.mark.parametrize("text, line, words", [
    ("", 1, "the file is empty"),
    ("\n  \n", 1, "the file is empty"),
    ("# only a comment\n", 1, "no header entry"),
    ('msgid "a"\nmsgstr "b"\n', 1, "no header entry"),
    ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\n', 1, "the header entry's msgstr is empty"),
    ('msgid "a"\nmsgstr "b"\n\n' + HEADER, 4, "the header entry (msgid \"\") must be the first entry"),
    ('#~ msgid ""\n#~ msgstr "Content-Type: text/plain; charset=UTF-8\\n"\n', 1, "an empty msgid is reserved"),
    ("\ufeff" + HEADER, 1, "byte order mark"),
    (header("Content-Type: text/plain; charset=ISO-8859-1"), 5,
     "declares charset=ISO-8859-1; Locum catalogs are UTF-8"),
    (header("Content-Type: text/plain; charset=CHARSET"), 5, "declares charset=CHARSET"),
    (header("Content-Type: text/plain"), 5, "declares no charset"),
    (header("Language: es"), 2, "declares no charset"),
    (header("Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=2; plural=n>1 ?"), 5,
     "invalid plural expression"),
    (header("Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=two; plural=n>1;"), 5,
     "invalid nplurals value"),
    (header("Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=0; plural=0;"), 5,
     "nplurals must be at least 1"),
    (header("Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=2; plural=n-1;"), 5,
     "can produce negative values"),
    (header("Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=2; plural=n%3;"), 5,
     "nplurals=2 but plural=n%3 gives 2 for n=2"),
    (header("Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=2; plural=(1/n)>0;"), 5,
     "divides by zero"),
    ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgid_plural "as"\n'
     'msgstr[0] "b"\nmsgstr[1] "c"\n', 1, "the header lacks a Plural-Forms"),
])
def test_a_bad_file_or_header_is_an_error_at_its_line(text: str, line: int, words: str):
    error = locum_error(text.encode("utf-8"))
    assert error is not None
    assert (error.line, words in error.message) == (line, True), str(error)


ACCEPTED = [
    # What msgfmt accepts and Locum reads too (each is checked against msgfmt below).
    HEADER + 'msgid "a"\nmsgstr "b"\n',
    HEADER,
    HEADER.replace("\n", "\r\n") + 'msgid "a"\r\nmsgstr "b"\r\n',
    HEADER.replace("UTF-8", "utf8") + 'msgid "a"\nmsgstr "¿b?"\n',
    "#, fuzzy\n" + HEADER + 'msgid "a"\nmsgstr "b"\n',
    HEADER + 'msgid "a"\n\nmsgstr "b"\n\n"more"\n',
    HEADER + '  msgid\t"a"  \n\tmsgstr "b"\t\n',
    HEADER + 'msgid "a"\nmsgstr "b\\n\\t\\r\\b\\f\\v\\\\\\""\n',
    HEADER + 'msgid "a"\nmsgstr "b"',
    HEADER + 'msgctxt ""\nmsgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n',
    HEADER + 'msgctxt "x"\n"y"\nmsgid "a"\n"b"\nmsgstr "c"\n"d"\n',
    HEADER + '# c\n#. x\n#: f:1 g:2\n#, fuzzy, python-format\n#| msgctxt "o"\n#| msgid "old"\n#| "er"\n'
             '#| msgid_plural "olds"\nmsgctxt "c"\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\n',
    HEADER + '#~| msgid "old"\n#~ msgid "a"\n#~ msgstr "b"\n\n#~ msgctxt "c"\n#~ msgid "a"\n#~ msgstr "b"\n',
    HEADER + 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] "b"\nmsgstr[2] "c"\n',    # untranslated
    HEADER + '#, fuzzy\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n',
    HEADER + '#~ msgid "a"\n#~ msgid_plural "as"\n#~ msgstr[0] "b"\n#~ msgstr[1] "c"\n#~ msgstr[2] "d"\n',
    HEADER + '#, fuzzy\nmsgid "a\\n"\nmsgstr "b"\n\nmsgid "c\\n"\nmsgstr ""\n',
    HEADER + 'msgid "a"\nmsgid_plural "as\\n"\nmsgstr[0] ""\nmsgstr[1] ""\n',
    HEADER + 'msgid "a"\nmsgstr "b"\n# trailing comment\n',
    HEADER + '##, not a flag\n#\n#.\n#:\n#,\nmsgid "a"\nmsgstr "b"\n',
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] ""\n',                       # a template
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)\\n"\n'
    '"X-Generator: x\\n"\n\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n',
]


@pytest.mark.parametrize("text", ACCEPTED, ids=range(len(ACCEPTED)))
def test_what_msgfmt_accepts_locum_reads(text: str, tmp_path: Path):
    path = tmp_path / "ok.po"
    path.write_bytes(text.encode("utf-8"))
    assert msgfmt(path).returncode == 0, msgfmt(path).stderr
    assert locum_error(text.encode("utf-8")) is None


def test_fewer_plural_forms_than_the_header_says_is_left_to_the_checks():
    """msgfmt rejects it; Locum reads it so that ``check`` reports it and compile holds the entry back
    (it is what a change of the language's plural rules leaves behind)."""
    po = parse_catalog(HEADER.replace("nplurals=2", "nplurals=3").replace("(n != 1)", "(n==1 ? 0 : n==2 ? 1 : 2)")
                       + 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\n')
    (entry,) = list(po)
    assert plural_gap(entry, plural_count(po.metadata["Plural-Forms"])) == [2]


def test_a_last_bare_flag_line_does_not_lose_the_entry_before_it():
    """polib stops at a last ``#,`` with nothing after it and drops the entry before: not here."""
    po = parse_catalog(HEADER + 'msgid "a"\nmsgstr "b"\n\nmsgid "c"\nmsgstr "d"\n#,\n\n')
    assert [e.msgid for e in po] == ["a", "c"]


def test_entries_keep_polib_meaning_and_line_numbers():
    text = HEADER + '# note\nmsgid "a\\tb"\nmsgstr "c\\"d\\\\"\n\n#, fuzzy\nmsgctxt "m"\nmsgid "e"\nmsgstr "f"\n'
    po = parse_catalog(text)
    first, second = po
    assert (first.msgid, first.msgstr, first.tcomment, first.linenum) == ("a\tb", 'c"d\\', "note", H + 1)
    assert (second.msgctxt, second.fuzzy, second.linenum) == ("m", True, H + 5)
    assert po.check_for_duplicates
    assert catalog_text(parse_catalog(catalog_text(po))) == catalog_text(po)


def test_reading_is_linear():
    """A catalog 64 times larger takes about 64 times longer to read, not 64² (no quadratic pass)."""
    import time

    entry = '#: source/a.md:{0}\nmsgid "Sentence number {0} of the article."\nmsgstr "Frase número {0}."\n\n'

    def seconds(count: int) -> float:
        text = HEADER + "".join(entry.format(i) for i in range(count))
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            parse_catalog(text)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = seconds(250), seconds(16000)
    assert large < small * 64 * 3
