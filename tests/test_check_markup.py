"""markdown and html checks: tables of passing and failing pairs, injection payloads, the fast paths."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO
from hypothesis import given
from hypothesis import strategies as st
from test_injection import PAYLOADS, TEXT_ONLY

from workflow.checks import REGISTRY, Pair
from workflow.checks.markup import _MARKUP_START, _markup_tokens, _parse_profile, _profile, markup_tokens, unsafe_url


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


# The html check: every payload of the end-to-end test (tests/test_injection.py) and more, each an error
# when the source is plain text. Markup written as entities is text (markdown-it shows "&lt;b&gt;" as
# "<b>", the templates escape it again): it is not reported, and it cannot run.
MORE_PAYLOADS = {
    "control-char-pointy": "[x](<\x01javascript:alert(1)>)",
    "control-char-bare": "[x](\x01javascript:alert(1))",          # text to CommonMark; reported all the same
    "percent-newline": "[x](java%0ascript:alert(1))",
    "percent-colon": "[x](javascript%3Aalert(1))",
    "double-percent": "[x](javascript%253Aalert(1))",
    "hex-entity-colon": "[x](javascript&#x3A;alert(1))",
    "hex-entity-letter": "[x](&#x6A;avascript:alert(1))",
    "zero-width-inside": "[x](java\u200bscript:alert(1))",
    "upper-with-title": '[x](JAVASCRIPT:alert(1) "t")',
    "leading-tab": "[x](  \tjavascript:alert(1))",
    "image-with-title": '![x](javascript:alert(1) "t")',
    "upper-data": "[x](DATA:text/html,hi)",
    "image-in-link": "[![x](a.png)](javascript:alert(1))",
    "svg-xlink": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "unquoted-href": "<a href=javascript:alert(1)>x",
    "split-script": "<scr<script>ipt>alert(1)",
    "upper-img": "<IMG SRC=JaVaScRiPt:alert(1)>",
    "double-open": "<<script>alert(1)//<</script>",
    "quote-confusion": '<img """><script>alert(1)</script>">',
    "end-tag-only": "Texto</footer>",
    "bogus-end-tag": "</ x>",
    "b": "Texto <b>simple</b>.",
    "changed-autolink": "<https://www.nhs.uk/es/>",
    "vbscript-upper": "[x](VBSCRIPT:msgbox(1))",
}
HTML_FAIL = {**PAYLOADS, **MORE_PAYLOADS}
HTML_PASS = [
    *[("Plain text.", text) for text in TEXT_ONLY.values()],
    ("Plain text.", "Datos (data: 5 mg) y javascript como palabra."),
    ("Plain text.", "a <3 b, x < y, 1 <= 2, </> vacío"),
    ("Plain text.", "Escriba &lt;iframe/srcdoc=x&gt; como texto."),
    ("See [NHS](https://www.nhs.uk/?q=javascript:1).", "Vea [NHS](https://www.nhs.uk/?q=javascript:1)."),
    ("![Pills](images/data:1.png)", "![Pastillas](images/data:1.png)"),
    ("An autolink <https://www.nhs.uk/> and <help@example.org>.", "<help@example.org> y <https://www.nhs.uk/>."),
    ("Published %(date)s", "Publicado el %(date)s"),
]


@pytest.mark.parametrize("name", sorted(HTML_FAIL))
def test_html_payload_is_an_error(name):
    assert messages("html", "Plain text.", HTML_FAIL[name])


@pytest.mark.parametrize("source,target", HTML_PASS, ids=[p[1] for p in HTML_PASS])
def test_html_text_the_source_allows_passes(source, target):
    assert messages("html", source, target) == []


def test_there_are_enough_payloads():
    assert len(HTML_FAIL) >= 60 and len(PAYLOADS) >= 24


@pytest.mark.parametrize("name", ["script", "img-onerror", "iframe-srcdoc", "base-href", "comment", "doctype"])
def test_markup_the_source_has_too_is_the_source_s(name):
    assert messages("html", f"Source {PAYLOADS[name]}", f"Fuente {PAYLOADS[name]}") == []


@pytest.mark.parametrize("name", ["md-link-javascript", "md-image-vbscript", "md-link-data"])
def test_an_unsafe_destination_is_an_error_even_when_the_source_has_it(name):
    assert messages("html", PAYLOADS[name], PAYLOADS[name])


def test_messages_name_what_is_wrong():
    assert messages("html", "Plain.", "<svg/onload=alert(1)>") == [
        'raw HTML <svg onload="alert(1)"> is not allowed in a translation (event handler onload)']
    assert messages("html", "Plain.", '<a/href="javascript&colon;x">y</a>') == [
        'raw HTML <a href="javascript:x"> is not allowed in a translation (javascript: URL in href)',
        "raw HTML </a> is not allowed in a translation"]
    assert messages("html", "Plain.", "[x](JaVaScRiPt&colon;alert(1))") == [
        "link to JaVaScRiPt:alert(1): javascript: links are not allowed in a translation"]
    assert messages("html", "Plain.", "<img src=x onerror=alert(1)") == [   # open at the end: still a tag
        'raw HTML <img src="x" onerror="alert(1)"> is not allowed in a translation (event handler onerror)']


@pytest.mark.parametrize("url,scheme", [
    ("javascript:alert(1)", "javascript:"), (" JaVaScRiPt:x", "javascript:"), ("java\tscript:x", "javascript:"),
    ("java%09script:x", "javascript:"), ("&#106;avascript&#58;x", "javascript:"), ("\x00\x1fvbscript:x", "vbscript:"),
    ("data:text/html,x", "data:"), ("DATA:image/png;base64,x", "data:"), ("\uff44ata:x", "data:"),
    ("https://www.nhs.uk/", None), ("mailto:help@example.org", None), ("images/javascript:x.png", None),
    ("#javascript:x", None), ("", None)])
def test_unsafe_url(url, scheme):
    assert unsafe_url(url) == scheme


# The fast path: without "<" and a letter, "/", "!" or "?" after it, a browser's tokenizer finds no markup.
_HTMLISH = ["a", "Z", " ", "\t", "\n", "<", ">", "/", "!", "?", "-", "=", '"', "'", "&", "&lt;", "&#60;", "&#x3C;",
            "<3", "< b", "script", "on", "\x00", "\u00e9", "[", "](", ")", "`", "*", "\\", ":", "%3C", "<!--", "-->",
            "<!", "</", "<?", "<a", "</a", "<A", "<a/", "<a ", "x=", "\u017f", "\u0130"]


@given(st.lists(st.sampled_from(_HTMLISH), max_size=12).map("".join))
def test_the_tokenizer_finds_markup_only_where_the_fast_path_looks(text: str):
    found = _markup_tokens.__wrapped__(text)
    if not _MARKUP_START.search(text):
        assert found == ()
    assert markup_tokens(text) == found


@given(st.lists(st.sampled_from(_HTMLISH + list(HTML_FAIL.values())), max_size=6).map("".join))
def test_markup_the_source_has_is_never_reported(text: str):
    assert [m for m in messages("html", text, text) if m.startswith("raw HTML")] == []


def test_the_html_tokenizer_is_loaded_only_for_a_text_with_markup():
    """html5lib (with the network modules it imports) costs a checking command 40 ms; most texts need none."""
    code = ("import sys; from workflow.checks import REGISTRY; from workflow.checks.markup import markup_tokens; "
            "before = 'html5lib' in sys.modules; markup_tokens('5 < 10 mg'); plain = 'html5lib' in sys.modules; "
            "print(before, plain, markup_tokens('a <b>c</b>'), 'html5lib' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip().split(maxsplit=2) == ["False", "False", "('<b>', '</b>') True"]
