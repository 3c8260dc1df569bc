"""Reading a record in one match (``_canonical_record``) gives what reading it line by line gives.

``parse_record`` tries the one match first, for the comments Locum writes, and reads any other comment
line by line (``_parse_lines``). The one match must never answer differently: these tests hold the two
to the same answer on Locum's own records, on records a tool or a hand changed, and on comments made up
around the edges of the fast path (long, spaced, duplicated, joined, empty signatures).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.approval import Damaged, Record, _canonical_record, _parse_lines, parse_record

DIGEST = "RHy5N3hvzq2LwXOMjjdwRvwjhiheeermvg3OP1u1nKM"
OTHER = "qgTN2O-5VkK07ofqmMB-_3BMmJvJeljvACShtBdxLpM"
SIGNATURE = bytes(range(83))        # an SSHSIG blob's length in a record is about that; any bytes will do here


def record(**changes) -> Record:
    fields = dict(meaning="approved", time="2026-11-22T09:00:00Z", email="ana.lopez@example.org",
                  source=DIGEST, text=OTHER, signature=SIGNATURE)
    return Record(**{**fields, **changes})


def comment(rec: Record, before: tuple[str, ...] = ()) -> str:
    return "\n".join([*before, *rec.lines()])


def same(text: str | None):
    """Both readings of ``text``; the one match may decline (None), never differ."""
    fast, slow = _canonical_record(text), _parse_lines(text)
    assert fast is None or fast == slow, text
    parse_record.cache_clear()
    assert parse_record(text) == slow
    return fast, slow


@pytest.mark.parametrize("rec, before", [
    (record(), ()),
    (record(), ("Translator: keep the drug name in English.",)),
    (record(origin="tm: article-0003 2026-11-20"), ("tm: article-0003 2026-11-20 (text MMx4k2Qa)",)),
    (record(via="review-server"), ()),
    (record(origin="mt: libre 2026-11-20", via="review-server"), ("a note", "another note")),
    (record(meaning="rejected"), ()),
    (record(signature=b"\x00"), ()),
], ids=["plain", "note", "origin", "via", "both", "rejected", "one-byte"])
def test_locum_s_own_records_are_read_in_one_match(rec, before):
    fast, slow = same(comment(rec, before))
    assert fast == slow == rec


@pytest.mark.parametrize("text, why", [
    (comment(record(meaning="rejected", reason="Wrong dose unit")), "a reason is read line by line"),
    (comment(record(), ("approval is pending",)), "a line before it names approval"),
    (comment(record(), ("approved-by: someone",)), "an earlier Locum's unsigned record before it"),
    (comment(record(), ("sha256:abcdef",)), "an earlier Locum's digest line"),
    ("  " + comment(record()), "spaces before the first line"),
    (comment(record()).replace("approval-by: ", "approval-by:  "), "two spaces: the value is stripped"),
    (comment(record(email="ana@example.org\u2028")), "a line separator at the end of a value is stripped"),
    (comment(record(email="a" * 60 + "@example.org")), "a line of more than 80 characters"),
    (comment(record()) + "\nTranslator: a note after it", "a line after the record"),
    (comment(record()).replace("approval-by", "approval-source", 1), "fields out of order"),
    (comment(record()) + "\n" + comment(record()).split("\n")[1], "a field twice"),
    (comment(record()).replace("\napproval-by: ", " approval-by: "), "two fields on one line"),
    (comment(record()).replace("approval-sig: ", "approval-sig: !", 1), "a signature that is not base64"),
])
def test_what_the_one_match_declines_is_read_line_by_line(text, why):
    fast, slow = same(text)
    assert fast is None, why


def test_a_signature_of_nothing_is_damage_either_way():
    text = "\n".join([*(line for line in record().lines() if not line.startswith("approval-sig")), "approval-sig: "])
    fast, slow = same(text)
    assert fast is None and slow == Damaged("the record is not signed")


VALUES = st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=90)
LINES = st.one_of(VALUES, st.sampled_from(["approval: x", "approval-by: x", "rejected-by: x", "sha256:ab",
                                           "approval-sig: QUJD", "  approval-via: review-server", ""]))


@st.composite
def changed_comments(draw) -> str:
    """A record as Locum writes it, then as a tool or a hand might leave it."""
    rec = record(meaning=draw(st.sampled_from(["approved", "rejected"])),
                 email=draw(st.one_of(st.just("ana.lopez@example.org"), VALUES)),
                 origin=draw(st.one_of(st.just(""), VALUES)), via=draw(st.sampled_from(["", "review-server", " x"])),
                 signature=draw(st.binary(max_size=120)))
    lines = [*draw(st.lists(LINES, max_size=3)), *rec.lines()]
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["space", "drop", "twice", "join", "swap", "insert", "char"]))
        if kind == "space":
            lines[at] = draw(st.sampled_from([" ", "\t", "\r", "\u2028"])) + lines[at]
        elif kind == "drop" and len(lines) > 1:
            del lines[at]
        elif kind == "twice":
            lines.insert(at, lines[at])
        elif kind == "join" and at + 1 < len(lines):
            lines[at:at + 2] = [lines[at] + " " + lines[at + 1]]
        elif kind == "swap" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
        elif kind == "insert":
            lines.insert(at, draw(LINES))
        elif kind == "char" and lines[at]:
            where = draw(st.integers(0, len(lines[at]) - 1))
            lines[at] = lines[at][:where] + draw(st.sampled_from(["=", "/", " ", "-", "é", ""])) + lines[at][where + 1:]
    return "\n".join(lines)


@settings(max_examples=600, deadline=None)
@given(changed_comments())
def test_any_changed_record_reads_the_same_both_ways(text):
    same(text)
