"""markdown and html checks: tables of passing and failing pairs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.checks import REGISTRY, Pair
from workflow.checks.markup import _parse_profile, _profile


def messages(check_id, source, target):
    return list(REGISTRY[check_id].function(Pair(source, target, "es", "es")))


PASS = [
    ("markdown", "See [NHS 111](https://111.nhs.uk/).", "Vea [NHS 111](https://111.nhs.uk/)."),
    ("markdown", "Take **30 mg** *daily*.", "Tome **30 mg** *a diario*."),
    ("markdown", "Use `code`.", "Use `código`."),
    ("markdown", "![Pills](a.png \"T\")", "![Pastillas](a.png \"Título\")"),
    ("markdown", "[a](https://x.org/) and [b](https://y.org/)", "[b](https://y.org/) y [a](https://x.org/)"),
    ("markdown", "Plain text.", "Texto simple."),
    ("html", "Plain text.", "Texto simple."),
    ("html", "An autolink <https://www.nhs.uk/>.", "Un enlace <https://www.nhs.uk/>."),
    ("html", "Use 5 < 10 > 2.", "Use 5 < 10 > 2."),
    ("html", "Email <help@example.org>.", "Correo <help@example.org>."),
]
FAIL = [
    ("markdown", "See [NHS 111](https://111.nhs.uk/).", "Vea [NHS 111](https://111.nhs.uk/x)."),
    ("markdown", "See [NHS 111](https://111.nhs.uk/).", "Vea NHS 111."),
    ("markdown", "Take **30 mg** daily.", "Tome 30 mg a diario."),
    ("markdown", "Take *care*.", "Tenga **cuidado**."),
    ("markdown", "Use `code`.", "Use código."),
    ("markdown", "![Pills](a.png)", "![Pastillas](b.png)"),
    ("html", "Plain text.", "Texto <script>alert(1)</script>."),
    ("html", "Plain text.", "Texto <img src=x onerror=alert(1)>."),
    ("html", "Plain text.", "Texto <b>simple</b>."),
    ("html", "Plain.", "[Simple](javascript:alert(1))."),
    ("html", "Plain text.", 'Texto <a href="https://evil.example/">aquí</a>.'),
]


@pytest.mark.parametrize("check_id,source,target", PASS, ids=[f"{p[0]}:{p[2]}" for p in PASS])
def test_passes(check_id, source, target):
    assert messages(check_id, source, target) == []


@pytest.mark.parametrize("check_id,source,target", FAIL, ids=[f"{p[0]}:{p[2]}" for p in FAIL])
def test_fails(check_id, source, target):
    assert messages(check_id, source, target)


# Markdown syntax that is not a link, image, emphasis or code span (brackets without "](", which
# would need a reference definition, entities, escapes, bare URLs), around one or more of what is.
_NOT_MARKUP = ["x", "é", " ", "\n", "!", "[", "]", "(", ")", ">", "\\", "&", "&amp;", "&#42;", "&#96;", "#", "~~", "|",
               "-", "1.", "[es] ", "[a][b]", "[a]: /u", "![a]", "[a] (b)", "https://a.org/", "www.a.org", "a@b.org",
               "\\]\\("]
_MARKUP = ["*", "**", "_", "`", "<", "](", "[a](b)", "![a](b.png)", "<https://a.org/>", "*a*", "_a_", "__a__", "`a`"]
_PLAIN = st.lists(st.sampled_from(_NOT_MARKUP), max_size=8).map("".join)
_MARKDOWN = (st.tuples(_PLAIN, st.sampled_from(_MARKUP), _PLAIN).map("".join)
             | st.lists(st.sampled_from(_NOT_MARKUP + _MARKUP), max_size=14).map("".join))


@given(_MARKDOWN)
def test_texts_the_parser_skips_parse_to_nothing(text: str):
    assert _profile.__wrapped__(text) == _parse_profile(text)


@pytest.mark.parametrize("text", [f"[es] See {m} (x) &amp; y." for m in _NOT_MARKUP + _MARKUP])
def test_each_piece_alone_parses_as_the_parser_says(text: str):
    assert _profile.__wrapped__(text) == _parse_profile(text)
