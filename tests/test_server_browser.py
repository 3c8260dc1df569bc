"""The review server in a real browser (Debian's Chromium driven by Playwright), end to end.

Reviewers sign in, approve, reject with a reason, accept a suggestion, edit
and approve their edit; each decision is judged afterwards in the ``.po``
file as ``locum review`` judges it (signed by the server's key, ``via:
review-server``, naming the reviewer). A translator's save between page
load and a click is a conflict, never a lost edit; forged or cross-catalog
requests are refused; wrong passwords are throttled; markup in a
translation stays text; axe-core finds no violation on the login page, the
dashboard and an article, in English, Arabic and the Spanish interface.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, missing
from server_fixture import (
    ANA,
    LAYLA,
    MARTA,
    PASSWORD,
    SUGGESTED,
    clone,
    item,
    make_project,
    po_path,
    running,
    set_msgstr,
)
from test_browser import browser  # noqa: F401  (the Chromium fixture)
from test_site import AXE

from workflow.config import load_config
from workflow.sshsig import parse_public_key

PARAGRAPH = "Do not take more than the leaflet says."
EMERGENCY = "Call 911 in an emergency."
TITLE = "Pain relief basics"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture project and its store, made once per module (see tests/server_fixture.py)."""
    top = tmp_path_factory.mktemp("review")
    shutil.copytree(DATA / "project", top / "project")
    make_project(top / "project", top / "store")
    return top / "project", top / "store"


@pytest.fixture
def server(template, tmp_path):
    """A private copy of the project, its review server running on loopback."""
    root = clone(*template, tmp_path / "project", tmp_path / "store")
    with running(root, tmp_path / "store") as live:
        yield live


@pytest.fixture
def browse(browser):  # noqa: F811
    """New browser tabs, each in its own context (cookies), reaching nothing but 127.0.0.1."""
    contexts = []

    def open_tab(locale: str = "en-GB", **options):
        context = browser.new_context(locale=locale, **options)
        context.set_default_timeout(10_000)
        context.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith("http://127.0.0.1:") else route.abort())
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


# ---------------------------------------------------------------- helpers


def login(tab, base: str, email: str, password: str = PASSWORD):
    """Sign in through the login form; returns the response the form's POST led to."""
    tab.goto(f"{base}/login")
    tab.fill("#login [name=email]", email)
    tab.fill("#login [name=password]", password)
    with tab.expect_navigation() as nav:
        tab.locator("#login button").click()
    return nav.value


def posts(tab) -> list[tuple[str, int]]:
    """(path, status) of every POST the tab sends from now on."""
    seen: list[tuple[str, int]] = []

    def record(response):
        if response.request.method == "POST":
            seen.append((response.url.split("/", 3)[3], response.status))

    tab.on("response", record)
    return seen


def segment(tab, root: Path, catalog: str, slug: str, msgid: str):
    """The ``section.segment`` of ``msgid`` on the open article page."""
    return tab.locator(f"#seg-{item(root, catalog, slug, msgid).id}")


def submit(tab, section, form: str):
    """Press the button of ``form.{form}`` in ``section``; returns the response the page ended on."""
    with tab.expect_navigation() as nav:
        section.locator(f"form.{form} button").click()
    return nav.value


def reveal(field) -> None:
    """Open the ``<details>`` a form field may sit in (a click on its summary), so it can be typed into."""
    if not field.is_visible():
        field.locator("xpath=ancestor::details[1]/summary").click()
    assert field.is_visible()


def assert_server_record(root: Path, catalog: str, slug: str, msgid: str, email: str, state: str = "approved"):
    """The entry's record verifies, is of ``state``, names ``email`` and says it came through the server."""
    found = item(root, catalog, slug, msgid)
    verdict = found.verdict
    assert verdict.state == state, (verdict.state, verdict.reason, found.entry.tcomment)
    assert verdict.record.email == email
    assert verdict.record.via == "review-server"
    assert verdict.key in {parse_public_key(line) for line in load_config(root).server_keys}    # the server's key
    assert "approval-via: review-server" in found.entry.tcomment
    return found


def audited(server, email: str, action: str) -> bool:
    return any(row.email == email and row.action == action for row in server.store.audit_log(500))


def axe(tab) -> list[str]:
    if not AXE.is_file():
        missing("axe-core (make tools: npm axe-core)")
    tab.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return tab.evaluate("""async () => (await axe.run(document)).violations.map(
        v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))""")


# ---------------------------------------------------------------- the actions, landing in the .po


def test_log_in_and_approve_lands_as_a_verified_server_record(server, browse):
    tab = browse()
    assert login(tab, server.url, ANA).url == f"{server.url}/"
    rows = tab.locator("table.dashboard tr[data-catalog=es][data-article=pain-relief]")
    assert rows.count() == 1
    assert tab.locator("table.dashboard tr[data-catalog=ar]").count() == 0       # not hers
    cookie = next(c for c in tab.context.cookies() if c["name"] == "locum_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert "locum_session" not in tab.evaluate("document.cookie")
    with tab.expect_navigation():
        rows.locator("a").first.click()
    assert tab.url == f"{server.url}/c/es/pain-relief"
    section = segment(tab, server.root, "es", "pain-relief", PARAGRAPH)
    assert section.get_attribute("data-state") == "pending"
    sent = posts(tab)
    landed = submit(tab, section, "approve")
    assert sent == [("c/es/pain-relief/approve", 303)]
    assert landed.status == 200 and landed.url.startswith(f"{server.url}/c/es/pain-relief")
    assert tab.locator("[role=status].flash").is_visible()
    section = segment(tab, server.root, "es", "pain-relief", PARAGRAPH)
    assert section.get_attribute("data-state") == "approved"
    assert "Dr Ana López" in section.locator(".approver").inner_text()
    assert_server_record(server.root, "es", "pain-relief", PARAGRAPH, ANA)
    assert audited(server, ANA, "login")
    row = next(r for r in server.store.audit_log(500) if r.action == "approve")
    assert (row.email, row.ip, row.catalog, row.article, row.segment) == (
        ANA, "127.0.0.1", "es", "pain-relief", item(server.root, "es", "pain-relief", PARAGRAPH).id)


def test_reject_with_a_reason(server, browse):
    tab = browse()
    login(tab, server.url, ANA)
    tab.goto(f"{server.url}/c/es/pain-relief")
    section = segment(tab, server.root, "es", "pain-relief", EMERGENCY)
    reason = "Say 'llame al 911' first: the number must lead the sentence."
    field = section.locator("form.reject textarea[name=reason]")
    reveal(field)
    field.fill(reason)
    sent = posts(tab)
    submit(tab, section, "reject")
    assert sent == [("c/es/pain-relief/reject", 303)]
    found = assert_server_record(server.root, "es", "pain-relief", EMERGENCY, ANA, "rejected")
    assert found.verdict.reason == reason and "fuzzy" in found.entry.flags
    assert audited(server, ANA, "reject")


def test_accept_a_machine_suggestion(server, browse):
    tab = browse()
    login(tab, server.url, ANA)
    tab.goto(f"{server.url}/c/es/sleep-and-pain")
    section = segment(tab, server.root, "es", "sleep-and-pain", SUGGESTED)
    assert section.get_attribute("data-state") == "suggested"
    assert "mt: libre" in section.locator(".provenance").inner_text()
    assert section.locator("form.approve button").count() in (0, 1)
    sent = posts(tab)
    submit(tab, section, "accept")
    assert sent == [("c/es/sleep-and-pain/accept", 303)]
    found = assert_server_record(server.root, "es", "sleep-and-pain", SUGGESTED, ANA)
    assert found.verdict.record.origin.startswith("mt: libre") and "fuzzy" not in found.entry.flags


def test_edit_then_approve_the_edit(server, browse):
    tab = browse()
    login(tab, server.url, MARTA)           # declared for es with no key of her own: the server signs
    tab.goto(f"{server.url}/c/es/pain-relief")
    section = segment(tab, server.root, "es", "pain-relief", PARAGRAPH)
    mine = "No tome más de lo que indica el prospecto del medicamento."
    field = section.locator("form.edit textarea[name=msgstr]")
    reveal(field)
    field.fill(mine)
    sent = posts(tab)
    submit(tab, section, "edit")
    found = item(server.root, "es", "pain-relief", PARAGRAPH)
    assert found.entry.msgstr == mine and found.state == "pending"
    section = segment(tab, server.root, "es", "pain-relief", PARAGRAPH)
    assert mine in section.locator(".translation").inner_text()
    submit(tab, section, "approve")
    assert sent == [("c/es/pain-relief/edit", 303), ("c/es/pain-relief/approve", 303)]
    found = assert_server_record(server.root, "es", "pain-relief", PARAGRAPH, MARTA)
    assert found.entry.msgstr == mine
    assert audited(server, MARTA, "edit") and audited(server, MARTA, "approve")


def test_an_edit_is_checked_again_and_an_error_holds_its_approval(server, browse):
    tab = browse()
    login(tab, server.url, ANA)
    tab.goto(f"{server.url}/c/es/pain-relief")
    section = segment(tab, server.root, "es", "pain-relief", EMERGENCY)
    field = section.locator("form.edit textarea[name=msgstr]")
    reveal(field)
    field.fill("En una emergencia, llame al 112.")           # the US emergency number lost
    submit(tab, section, "edit")
    section = segment(tab, server.root, "es", "pain-relief", EMERGENCY)
    assert "911" in section.locator(".findings").inner_text()
    sent = posts(tab)
    landed = submit(tab, section, "approve")
    assert sent == [("c/es/pain-relief/approve", 422)] and landed.status == 422
    assert tab.locator("[role=alert]").first.is_visible()
    found = item(server.root, "es", "pain-relief", EMERGENCY)
    assert found.entry.msgstr == "En una emergencia, llame al 112." and found.verdict.state == "none"


def test_two_reviewers_on_one_article_keep_each_others_decisions(server, browse):
    ana, marta = browse(), browse()
    for tab, email in ((ana, ANA), (marta, MARTA)):
        login(tab, server.url, email)
        tab.goto(f"{server.url}/c/es/pain-relief")          # both load the page before either acts
    submit(ana, segment(ana, server.root, "es", "pain-relief", PARAGRAPH), "approve")
    sent = posts(marta)
    submit(marta, segment(marta, server.root, "es", "pain-relief", EMERGENCY), "approve")
    assert sent == [("c/es/pain-relief/approve", 303)]
    assert_server_record(server.root, "es", "pain-relief", PARAGRAPH, ANA)
    assert_server_record(server.root, "es", "pain-relief", EMERGENCY, MARTA)


# ---------------------------------------------------------------- conflicts and refusals


def test_a_translators_save_after_page_load_is_a_conflict_not_a_lost_edit(server, browse):
    tab = browse()
    login(tab, server.url, ANA)
    tab.goto(f"{server.url}/c/es/pain-relief")
    section = segment(tab, server.root, "es", "pain-relief", PARAGRAPH)
    theirs = "No tome nunca más de lo que indica el prospecto."
    set_msgstr(server.root, "es", "pain-relief", PARAGRAPH, theirs)         # the translator saves meanwhile
    before = po_path(server.root, "es", "pain-relief").read_bytes()
    sent = posts(tab)
    landed = submit(tab, section, "approve")
    assert sent == [("c/es/pain-relief/approve", 409)] and landed.status == 409
    assert tab.locator("[role=alert].conflict").is_visible()
    section = segment(tab, server.root, "es", "pain-relief", PARAGRAPH)
    assert theirs in section.locator(".translation").inner_text()
    assert po_path(server.root, "es", "pain-relief").read_bytes() == before
    found = item(server.root, "es", "pain-relief", PARAGRAPH)
    assert found.entry.msgstr == theirs and found.verdict.state == "none"
    submit(tab, section, "approve")                  # having read it, she approves the text as it now is
    assert sent[-1] == ("c/es/pain-relief/approve", 303)
    assert assert_server_record(server.root, "es", "pain-relief", PARAGRAPH, ANA).entry.msgstr == theirs


def test_an_edit_over_a_translators_save_is_a_conflict_and_keeps_their_text(server, browse):
    tab = browse()
    login(tab, server.url, ANA)
    tab.goto(f"{server.url}/c/es/pain-relief")
    section = segment(tab, server.root, "es", "pain-relief", EMERGENCY)
    field = section.locator("form.edit textarea[name=msgstr]")
    reveal(field)
    field.fill("Si es una emergencia, llame al 911.")
    theirs = "En caso de emergencia, llame al 911."
    set_msgstr(server.root, "es", "pain-relief", EMERGENCY, theirs)
    sent = posts(tab)
    submit(tab, section, "edit")
    assert sent == [("c/es/pain-relief/edit", 409)]
    assert tab.locator("[role=alert].conflict").is_visible()
    assert theirs in segment(tab, server.root, "es", "pain-relief", EMERGENCY).locator(".translation").inner_text()
    assert item(server.root, "es", "pain-relief", EMERGENCY).entry.msgstr == theirs


def _form_fields(section, form: str) -> dict[str, str]:
    return {name: section.locator(f"form.{form} input[name={name}]").get_attribute("value")
            for name in ("csrf", "id", "seen")}


def test_a_post_without_the_csrf_token_is_refused(server, browse):
    tab = browse()
    login(tab, server.url, ANA)
    tab.goto(f"{server.url}/c/es/pain-relief")
    fields = _form_fields(segment(tab, server.root, "es", "pain-relief", PARAGRAPH), "approve")
    path = po_path(server.root, "es", "pain-relief")
    before = path.read_bytes()
    url = f"{server.url}/c/es/pain-relief/approve"
    for form in ({"id": fields["id"], "seen": fields["seen"]}, {**fields, "csrf": "0" * 43},
                 {**fields, "csrf": ""}):
        assert tab.request.post(url, form=form, max_redirects=0).status == 403, form
    elsewhere = tab.request.post(url, form=fields, max_redirects=0, headers={"Origin": "http://evil.example"})
    assert elsewhere.status == 403                                 # the right token, from another site
    assert path.read_bytes() == before
    logout = tab.request.post(f"{server.url}/logout", form={}, max_redirects=0)
    assert logout.status == 403                                    # logout needs it too
    assert tab.request.post(url, form=fields, max_redirects=0).status == 303      # the session still holds
    stranger = browse()                                            # a login form posted from elsewhere
    refused = stranger.request.post(f"{server.url}/login", form={"email": ANA, "password": PASSWORD},
                                    max_redirects=0)
    assert refused.status == 403
    assert not any(c["name"] == "locum_session" for c in stranger.context.cookies())
    assert_server_record(server.root, "es", "pain-relief", PARAGRAPH, ANA)


def test_another_catalogs_article_is_403(server, browse):
    tab = browse()
    login(tab, server.url, ANA)
    assert tab.goto(f"{server.url}/c/ar/pain-relief").status == 403
    assert tab.goto(f"{server.url}/c/es/no-such-article").status == 404
    tab.goto(f"{server.url}/c/es/pain-relief")
    fields = _form_fields(segment(tab, server.root, "es", "pain-relief", PARAGRAPH), "approve")
    arabic = item(server.root, "ar", "pain-relief", PARAGRAPH)
    from workflow.approval import text_digest

    path = po_path(server.root, "ar", "pain-relief")
    before = path.read_bytes()
    forged = {"csrf": fields["csrf"], "id": arabic.id, "seen": text_digest(arabic.entry)}
    assert tab.request.post(f"{server.url}/c/ar/pain-relief/approve", form=forged, max_redirects=0).status == 403
    assert path.read_bytes() == before
    other = browse()
    login(other, server.url, LAYLA)
    assert other.goto(f"{server.url}/c/es/pain-relief").status == 403
    assert other.goto(f"{server.url}/c/ar/pain-relief").status == 200


def test_wrong_passwords_are_throttled(server, browse):
    tab = browse()
    for attempt in range(5):
        response = login(tab, server.url, ANA, "not the password at all")
        assert response.status == 401, attempt
        assert tab.locator("[role=alert]").is_visible()
    response = login(tab, server.url, ANA, PASSWORD)                   # the right one, too late
    assert response.status == 429
    assert tab.goto(f"{server.url}/").url.startswith(f"{server.url}/login")        # not signed in
    assert sum(row.email == ANA for row in server.store.audit_log(500)) >= 5
    other = browse()                                      # another reviewer from the same address still may
    assert login(other, server.url, LAYLA).url == f"{server.url}/"


def test_an_unknown_reviewer_and_logout(server, browse):
    tab = browse()
    assert login(tab, server.url, "someone@example.org", PASSWORD).status == 401
    assert login(tab, server.url, ANA).url == f"{server.url}/"
    with tab.expect_navigation():
        tab.locator("form[action='/logout'] button").click()
    assert tab.url == f"{server.url}/login"
    assert tab.goto(f"{server.url}/c/es/pain-relief").url.startswith(f"{server.url}/login")


# ---------------------------------------------------------------- markup in a translation stays text


def test_markup_in_a_translation_is_shown_escaped_and_never_runs(server, browse):
    payloads = {PARAGRAPH: "No tome más. <img src=x onerror=window.__pwned=1>",
                EMERGENCY: "Llame al 911. <script>window.__pwned=2; alert(2)</script>",
                TITLE: "Analgésicos <img src=x onerror=alert(3)> [aquí](javascript:window.__pwned=3)"}
    for msgid, text in payloads.items():
        set_msgstr(server.root, "es", "pain-relief", msgid, text)
    tab = browse()
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(tab, server.url, ANA)
    for url in (f"{server.url}/", f"{server.url}/c/es/pain-relief"):
        tab.goto(url)
        tab.wait_for_timeout(300)
        assert dialogs == [] and tab.evaluate("typeof window.__pwned") == "undefined", url
    assert tab.locator(".translation img, .translation script, .translation a[href^=javascript]").count() == 0
    for msgid in (PARAGRAPH, EMERGENCY):
        shown = segment(tab, server.root, "es", "pain-relief", msgid).locator(".translation").inner_text()
        assert payloads[msgid].split(". ", 1)[1] in shown, shown
    assert tab.evaluate("document.querySelectorAll('img').length") == 0
    section = segment(tab, server.root, "es", "pain-relief", PARAGRAPH)
    field = section.locator("form.edit textarea[name=msgstr]")
    reveal(field)
    typed = "No tome más.</textarea><img src=x onerror=alert(4)><b>"      # an edit that tries to leave its box
    field.fill(typed)
    submit(tab, section, "edit")
    tab.wait_for_timeout(300)
    assert item(server.root, "es", "pain-relief", PARAGRAPH).entry.msgstr == typed
    assert dialogs == [] and tab.evaluate("document.querySelectorAll('img, .translation b').length") == 0
    section = segment(tab, server.root, "es", "pain-relief", PARAGRAPH)
    assert typed in section.locator(".translation").inner_text()
    assert section.locator("form.edit textarea[name=msgstr]").input_value() == typed


# ---------------------------------------------------------------- keyboard, layout, accessibility


def test_a_on_a_focused_segment_approves_it(server, browse):
    tab = browse()
    login(tab, server.url, ANA)
    tab.goto(f"{server.url}/c/es/pain-relief")
    section = segment(tab, server.root, "es", "pain-relief", EMERGENCY)
    field = section.locator("form.reject textarea[name=reason]")
    reveal(field)
    field.type("a")                                   # typing in a field is no shortcut
    tab.wait_for_timeout(300)
    assert item(server.root, "es", "pain-relief", EMERGENCY).verdict.state == "none"
    section = segment(tab, server.root, "es", "pain-relief", PARAGRAPH)
    section.focus()
    assert section.evaluate("el => el === document.activeElement")
    sent = posts(tab)
    with tab.expect_navigation():
        tab.keyboard.press("a")
    assert sent == [("c/es/pain-relief/approve", 303)]
    assert_server_record(server.root, "es", "pain-relief", PARAGRAPH, ANA)


def test_reject_and_accept_by_keyboard_alone(server, browse):
    tab = browse()
    login(tab, server.url, ANA)
    tab.goto(f"{server.url}/c/es/pain-relief")
    tab.keyboard.press("j")                                       # j: the first segment
    assert tab.evaluate("document.activeElement.classList.contains('segment')")
    segment(tab, server.root, "es", "pain-relief", EMERGENCY).focus()
    tab.keyboard.press("r")                                       # r: the reason box, focused
    assert tab.evaluate("document.activeElement.name") == "reason"
    tab.keyboard.type("Use the number first.")
    tab.keyboard.press("Tab")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")                               # the focused Reject button
    assert_server_record(server.root, "es", "pain-relief", EMERGENCY, ANA, "rejected")
    tab.goto(f"{server.url}/c/es/sleep-and-pain")
    segment(tab, server.root, "es", "sleep-and-pain", SUGGESTED).focus()
    with tab.expect_navigation():
        tab.keyboard.press("s")                                   # s: accept the suggestion
    assert_server_record(server.root, "es", "sleep-and-pain", SUGGESTED, ANA)


def test_the_article_view_fits_a_1280_pixel_laptop_and_a4_paper(server, browse):
    tab = browse(viewport={"width": 1280, "height": 800})
    login(tab, server.url, LAYLA)
    tab.goto(f"{server.url}/c/ar/pain-relief")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 1280
    translation = tab.locator(".segment .translation").first
    assert translation.get_attribute("dir") == "rtl" and translation.get_attribute("lang").startswith("ar")
    assert translation.evaluate("el => getComputedStyle(el).direction") == "rtl"
    tab.set_viewport_size({"width": 794, "height": 1123})          # A4 at 96 px per inch
    tab.emulate_media(media="print")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 794
    sizes = tab.evaluate("""() => [...document.querySelectorAll('.segment .source, .segment .translation')]
        .map(el => parseFloat(getComputedStyle(el).fontSize))""")
    assert sizes and min(sizes) >= 13.3, sizes                      # 10 pt or more on paper
    assert tab.pdf(format="A4")[:4] == b"%PDF"


@pytest.mark.parametrize("who, locale, catalog, lang", [(ANA, "en-GB", "es", ""), (LAYLA, "ar", "ar", ""),
                                                          (ANA, "en-GB", "es", "es")])
def test_axe_finds_no_violation_on_login_dashboard_and_article(server, browse, who, locale, catalog, lang):
    tab = browse(locale, bypass_csp=True)          # the server's CSP would refuse the injected axe-core
    query = f"?lang={lang}" if lang else ""
    violations = {}
    tab.goto(f"{server.url}/login{query}")
    violations["login"] = axe(tab)
    login(tab, server.url, who)
    for name, path in (("dashboard", "/"), ("article", f"/c/{catalog}/pain-relief")):
        assert tab.goto(f"{server.url}{path}").status == 200          # ?lang= is remembered (locum_lang)
        violations[name] = axe(tab)
    if lang:
        assert tab.evaluate("document.documentElement.lang") == lang
        assert tab.locator("form.approve button").first.inner_text() == "Aprobar"
    assert {name: found for name, found in violations.items() if found} == {}
