"""The review server's web application through Starlette's TestClient: sign-in, CSRF, the four actions landing
in the .po as verified server-signed records, conflicts, escaping, the interface language, security headers.

The client talks to https://testserver, so the Secure cookies travel as a browser would send them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from conftest import require, translate_and_approve
from starlette.testclient import TestClient

from workflow import review
from workflow.approval import VIA_SERVER, judge, parse_record, trust_for
from workflow.catalogs import read_catalog, write_catalog
from workflow.config import load_config
from workflow.errors import ConfigError
from workflow.provenance import suggestion_note
from workflow.server import i18n, keys
from workflow.server.app import check_server_key, create_app
from workflow.server.store import Store

ANA, PIOTR = "ana.lopez@example.org", "piotr.nowak@example.org"
PASSWORD = "correct horse battery"
ES = "locales/es/LC_MESSAGES/pain-relief.po"
FIRST = "Do not take more than the leaflet says."
TITLE = "Pain relief basics"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def approved_project(tmp_path_factory) -> Path:
    """The tiny project translated and approved once per module (copied for each test)."""
    root = tmp_path_factory.mktemp("approved") / "project"
    shutil.copytree(Path(__file__).parent / "data" / "project", root)
    translate_and_approve(root)
    return root


@dataclass
class Served:
    root: Path
    store: Store
    client: TestClient

    def po(self, path: str = ES):
        return read_catalog(self.root / path)

    def judged(self, msgid: str, catalog: str = "es", path: str = ES):
        """The gate's verdict on ``msgid``'s record, with the server's key declared as locum.toml says."""
        config = load_config(self.root)
        po = self.po(path)
        trust = trust_for(config.reviewers, catalog, config.server_keys, config.server_retired_keys)
        return judge(po.find(msgid), trust, po)


def make_store(folder: Path) -> Store:
    return Store(folder, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))   # fast in tests


@pytest.fixture
def served(approved_project: Path, tmp_path: Path) -> Served:
    root = tmp_path / "project"
    shutil.copytree(approved_project, root)
    store = make_store(tmp_path / "store")
    line = keys.public_line(store.server_signer(create=True))
    with open(root / "locales" / "locum.toml", "a", encoding="utf-8") as out:
        out.write(f'\n[review_server]\nkey = "{line}"\n')
    for email in (ANA, PIOTR):
        store.set_password(email, PASSWORD)
    client = TestClient(create_app(load_config(root), store), base_url="https://testserver")
    return Served(root, store, client)


def login_token(client: TestClient) -> str:
    return hidden(client.get("/login").text, "csrf")


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


def sign_in(client: TestClient, email: str = ANA, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password, "csrf": login_token(client)},
                       follow_redirects=False)


def segment(html: str, segment_id: str) -> str:
    """The ``<section>`` of one segment in an article page."""
    start = html.index(f'id="seg-{segment_id}"')
    return html[start:html.index("</section>", start)]


def retranslate(root: Path, msgid: str, text: str, path: str = ES, fuzzy_note: str | None = None) -> str:
    """A translator's save of one entry (its approval goes stale); returns its segment id."""
    po = read_catalog(root / path)
    entry = po.find(msgid)
    entry.msgstr = text
    if fuzzy_note:
        entry.flags.append("fuzzy")
        entry.tcomment = suggestion_note(entry, fuzzy_note)
    write_catalog(po, root / path)
    return review.segment_id(Path(path).stem, entry)


def act(client: TestClient, action: str, segment_id: str, url: str = "/c/es/pain-relief", **fields):
    """Open the article, then submit ``action``'s form of ``segment_id`` as the page gives it."""
    html = client.get(url).text
    section = segment(html, segment_id)
    data = {"csrf": hidden(html, "csrf"), "id": segment_id, "seen": hidden(section, "seen"), **fields}
    return client.post(f"{url}/{action}", data=data, follow_redirects=False)


# ---- sign-in -----------------------------------------------------------------------------------------------

def test_sign_in_sets_a_strict_secure_session_cookie(served):
    assert served.client.get("/", follow_redirects=False).headers["location"] == "/login"
    page = served.client.get("/login")
    assert 'id="login"' in page.text and 'name="email"' in page.text and 'name="password"' in page.text
    response = sign_in(served.client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("locum_session="))
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert flag.lower() in cookie.lower(), cookie
    dashboard = served.client.get("/")
    assert dashboard.status_code == 200 and 'class="dashboard"' in dashboard.text
    assert 'data-catalog="es" data-article="pain-relief"' in dashboard.text
    assert 'href="/c/es/pain-relief"' in dashboard.text and TITLE in dashboard.text
    assert 'data-catalog="pl"' not in dashboard.text
    assert [row.action for row in served.store.audit_log()][:1] == ["login"]


def test_a_wrong_password_is_refused_and_then_throttled(served):
    wrong = sign_in(served.client, password="not the password")
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text
    for _ in range(4):
        sign_in(served.client, password="still not it")
    throttled = sign_in(served.client)           # the right password, too late
    assert throttled.status_code == 429 and 'role="alert"' in throttled.text
    assert "locum_session" not in throttled.headers.get("set-cookie", "")
    actions = [row.action for row in served.store.audit_log()]
    assert actions.count("login-failed") == 5 and actions[0] == "login-throttled"
    assert sign_in(served.client, PIOTR).status_code == 303     # another account is not locked out


def test_sign_in_needs_the_login_token(served):
    login_token(served.client)
    response = served.client.post("/login", data={"email": ANA, "password": PASSWORD, "csrf": "forged"},
                                  follow_redirects=False)
    assert response.status_code == 403
    assert served.client.get("/", follow_redirects=False).status_code == 303


def test_sign_out(served):
    sign_in(served.client)
    html = served.client.get("/").text
    assert served.client.post("/logout", data={}, follow_redirects=False).status_code == 403
    response = served.client.post("/logout", data={"csrf": hidden(html, "csrf")}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert served.client.get("/", follow_redirects=False).headers["location"] == "/login"


# ---- refusals ----------------------------------------------------------------------------------------------

def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(served):
    segment_id = retranslate(served.root, FIRST, "No tome más de lo que dice el prospecto.")
    sign_in(served.client)
    before = (served.root / ES).read_bytes()
    html = served.client.get("/c/es/pain-relief").text
    seen = hidden(segment(html, segment_id), "seen")
    for token in ({}, {"csrf": "x" * 43}):
        response = served.client.post("/c/es/pain-relief/approve", data={"id": segment_id, "seen": seen, **token},
                                      follow_redirects=False)
        assert response.status_code == 403
    assert (served.root / ES).read_bytes() == before


def test_a_post_from_another_origin_is_refused(served):
    segment_id = retranslate(served.root, FIRST, "No tome más de lo que dice el prospecto.")
    sign_in(served.client)
    before = (served.root / ES).read_bytes()
    html = served.client.get("/c/es/pain-relief").text
    data = {"csrf": hidden(html, "csrf"), "id": segment_id, "seen": hidden(segment(html, segment_id), "seen")}
    response = served.client.post("/c/es/pain-relief/approve", data=data, follow_redirects=False,
                                  headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and (served.root / ES).read_bytes() == before
    same = served.client.post("/c/es/pain-relief/approve", data=data, follow_redirects=False,
                              headers={"Origin": "https://testserver"})
    assert same.status_code == 303


def test_another_catalog_is_forbidden(served):
    sign_in(served.client)
    assert served.client.get("/c/pl/pain-relief").status_code == 403
    html = served.client.get("/c/es/pain-relief").text
    segment_id = review.segment_id("pain-relief", served.po("locales/pl/LC_MESSAGES/pain-relief.po").find(FIRST))
    response = served.client.post("/c/pl/pain-relief/approve", data={"csrf": hidden(html, "csrf"), "id": segment_id,
                                                                     "seen": "x"}, follow_redirects=False)
    assert response.status_code == 403
    assert served.client.get("/c/xx/pain-relief").status_code == 404
    assert served.client.get("/c/es/no-such-article").status_code == 404
    assert "forbidden" in [row.action for row in served.store.audit_log()]


# ---- the four actions --------------------------------------------------------------------------------------

def test_approve_lands_as_a_verified_server_signed_record(served):
    text = "No tome más de lo que dice el prospecto."
    segment_id = retranslate(served.root, FIRST, text)
    assert served.judged(FIRST).state == "stale"
    sign_in(served.client)
    page = served.client.get("/c/es/pain-relief").text
    assert 'data-state="stale"' in segment(page, segment_id) and 'class="approve"' in segment(page, segment_id)
    response = act(served.client, "approve", segment_id)
    assert response.status_code == 303 and response.headers["location"] == f"/c/es/pain-relief#seg-{segment_id}"
    verdict = served.judged(FIRST)
    assert verdict.state == "approved" and verdict.record.email == ANA and verdict.record.via == VIA_SERVER
    assert verdict.key == served.store.server_signer().key
    assert served.po().find(FIRST).msgstr == text
    after = served.client.get("/c/es/pain-relief").text
    assert re.search(r'<p class="flash" role="status">[^<]*' + segment_id, after)
    assert "Dr Ana López" in segment(after, segment_id)
    assert "flash" not in served.client.get("/c/es/pain-relief").text.split("<main", 1)[1].split("<section", 1)[0]
    row = served.store.audit_log()[0]
    assert (row.action, row.email, row.catalog, row.article, row.segment, row.ip) == (
        "approve", ANA, "es", "pain-relief", segment_id, "testclient")


def test_reject_with_a_reason(served):
    segment_id = retranslate(served.root, FIRST, "No tome más de lo que dice el prospecto.")
    sign_in(served.client)
    empty = act(served.client, "reject", segment_id, reason="  ")
    assert empty.status_code == 422 and 'role="alert"' in empty.text
    response = act(served.client, "reject", segment_id, reason="Say 'indica', as the leaflet does.")
    assert response.status_code == 303
    entry = served.po().find(FIRST)
    record = parse_record(entry.tcomment)
    assert "fuzzy" in entry.flags and record.meaning == "rejected" and record.via == VIA_SERVER
    assert record.reason == "Say 'indica', as the leaflet does." and served.judged(FIRST).state == "rejected"
    assert served.store.audit_log()[0].detail == "Say 'indica', as the leaflet does."


def test_accept_a_suggestion(served):
    segment_id = retranslate(served.root, FIRST, "No tome más de lo que pone en el prospecto.",
                             fuzzy_note="mt: libre 2026-11-22")
    sign_in(served.client)
    section = segment(served.client.get("/c/es/pain-relief").text, segment_id)
    assert 'data-state="suggested"' in section and 'class="accept"' in section and 'class="approve"' not in section
    assert act(served.client, "accept", segment_id).status_code == 303
    entry = served.po().find(FIRST)
    verdict = served.judged(FIRST)
    assert "fuzzy" not in entry.flags and verdict.state == "approved"
    assert verdict.record.origin.startswith("mt: libre") and verdict.record.via == VIA_SERVER


def test_edit_then_approve(served):
    segment_id = review.segment_id("pain-relief", served.po().find(FIRST))
    sign_in(served.client)
    edited = "No tome más de lo que indica el prospecto, nunca."
    response = act(served.client, "edit", segment_id, msgstr=edited)
    assert response.status_code == 303
    assert served.po().find(FIRST).msgstr == edited and served.judged(FIRST).state == "stale"
    section = segment(served.client.get("/c/es/pain-relief").text, segment_id)
    assert 'data-state="stale"' in section and "Dr Ana López" not in section.split('class="approver"')[1][:80]
    assert act(served.client, "approve", segment_id).status_code == 303
    assert served.judged(FIRST).state == "approved" and served.po().find(FIRST).msgstr == edited


def test_a_translators_save_between_view_and_approve_is_a_conflict(served):
    segment_id = retranslate(served.root, FIRST, "No tome más de lo que dice el prospecto.")
    sign_in(served.client)
    html = served.client.get("/c/es/pain-relief").text
    data = {"csrf": hidden(html, "csrf"), "id": segment_id, "seen": hidden(segment(html, segment_id), "seen")}
    newer = "No tome nunca más de lo que dice el prospecto."
    retranslate(served.root, FIRST, newer)              # the translator saves meanwhile
    before = (served.root / ES).read_bytes()
    response = served.client.post("/c/es/pain-relief/approve", data=data, follow_redirects=False)
    assert response.status_code == 409
    alert = re.search(r'<div class="alert conflict" role="alert">(.*?)</div>', response.text, re.S)
    assert alert and newer in alert.group(1)
    assert (served.root / ES).read_bytes() == before and served.judged(FIRST).state == "stale"
    assert served.store.audit_log()[0].action == "approve-conflict"
    assert 'href="/c/es/pain-relief?lang=es"' in response.text          # the language switch leads to the page


def test_approving_an_unclean_segment_is_refused_with_the_reason(served):
    segment_id = retranslate(served.root, FIRST, "No tome más de 120 mg.")
    sign_in(served.client)
    response = act(served.client, "approve", segment_id)
    assert response.status_code == 422 and 'class="alert refused" role="alert"' in response.text
    assert served.judged(FIRST).state == "stale"


# ---- what the page shows -----------------------------------------------------------------------------------

def test_markup_in_a_translation_is_shown_as_text(served):
    segment_id = retranslate(served.root, FIRST, XSS)
    sign_in(served.client)
    html = served.client.get("/c/es/pain-relief").text
    section = segment(html, segment_id)
    assert "&lt;img src=x onerror=alert(1)&gt;" in section and "<img" not in html
    translation = re.search(r'<div class="translation" lang="es" dir="ltr">', section)
    assert translation


def test_arabic_cells_are_right_to_left_and_the_page_is_not(served):
    served.store.set_password("layla.haddad@example.org", PASSWORD)
    sign_in(served.client, "layla.haddad@example.org")
    html = served.client.get("/c/ar/pain-relief").text
    assert '<html lang="en" dir="ltr">' in html
    assert '<div class="translation" lang="ar" dir="rtl">' in html
    assert '<div class="source" lang="en" dir="ltr">' in html


def test_the_interface_speaks_spanish(served):
    sign_in(served.client)
    spanish = served.client.get("/?lang=es")
    assert '<html lang="es"' in spanish.text and "Sus catálogos" in spanish.text
    assert "locum_lang=es" in spanish.headers["set-cookie"]
    assert '<html lang="es"' in served.client.get("/c/es/pain-relief").text      # remembered
    assert '<html lang="en"' in served.client.get("/?lang=en").text
    fresh = TestClient(served.client.app, base_url="https://testserver")
    assert '<html lang="es"' in fresh.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9"}).text
    assert '<html lang="en"' in fresh.get("/login", headers={"Accept-Language": "fr"}).text


def test_security_headers(served):
    sign_in(served.client)
    for url in ("/login", "/", "/c/es/pain-relief", "/static/review.css"):
        headers = served.client.get(url).headers
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin" and "max-age" in headers["strict-transport-security"]
        if not url.startswith("/static/"):
            assert headers["cache-control"] == "no-store"


def test_no_inline_script_or_style(served):
    sign_in(served.client)
    for url in ("/login", "/", "/c/es/pain-relief"):
        html = served.client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "<style" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html)


# ---- the interface's translations and start-up -------------------------------------------------------------

def test_every_interface_message_has_a_spanish_translation():
    used = {msgid for msgid, _file, _line in i18n.interface_messages()}
    spanish = i18n.compile_po(i18n.LOCALE_DIR / "es.po")
    untranslated = sorted(m for m in used if spanish.gettext(m) == m and m not in ("error",))
    assert len(used) > 50 and not untranslated, untranslated
    template = (i18n.LOCALE_DIR / "locum-review.pot").read_text(encoding="utf-8")
    missing = sorted(m for m in used if f'msgid "{m}"' not in template.replace('"\n"', ""))
    assert not missing, f"run python -m workflow.server.i18n: {missing}"


def test_the_spanish_catalog_passes_msgfmt_check(tmp_path):
    msgfmt = require("msgfmt")
    result = subprocess.run([msgfmt, "--check", "--check-format", "--check-header", "-o", str(tmp_path / "es.mo"),
                             str(i18n.LOCALE_DIR / "es.po")], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr, result.stderr


def test_the_server_refuses_to_start_with_an_undeclared_key(served, tmp_path):
    check_server_key(load_config(served.root), served.store)          # declared: starts
    other = make_store(tmp_path / "other")
    line = keys.public_line(other.server_signer(create=True))
    with pytest.raises(ConfigError) as raised:
        check_server_key(load_config(served.root), other)
    assert "[review_server]" in str(raised.value) and f'key = "{line}"' in str(raised.value)
    with pytest.raises(ConfigError, match="server-key"):
        check_server_key(load_config(served.root), make_store(tmp_path / "empty"))


def test_serve_runs_uvicorn_behind_a_proxy_and_says_where(served, monkeypatch, capsys):
    import uvicorn

    from workflow.server.app import serve

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    serve(load_config(served.root), served.store.folder, "127.0.0.1", 8765, secure_cookies=False)
    (app, options), = calls
    assert options["host"] == "127.0.0.1" and options["port"] == 8765
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == "127.0.0.1"
    assert "http://127.0.0.1:8765/" in capsys.readouterr().out
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    sign_in(client)
    assert client.get("/").status_code == 200           # plain-HTTP cookies when secure_cookies is off


def test_a_broken_catalog_is_a_clear_error_page(served):
    sign_in(served.client)
    (served.root / ES).write_text('msgid "x"\nmsgstr "unterminated\n', encoding="utf-8")
    response = served.client.get("/c/es/pain-relief")
    assert response.status_code == 500 and 'role="alert"' in response.text and "pain-relief.po" in response.text


def test_the_pages_are_valid_html(served, vnu, tmp_path):
    retranslate(served.root, FIRST, XSS)
    pages = {"login": served.client.get("/login?lang=es").text}
    sign_in(served.client)
    pages["dashboard"] = served.client.get("/").text
    pages["article"] = served.client.get("/c/es/pain-relief").text
    pages["forbidden"] = served.client.get("/c/pl/pain-relief").text
    paths = []
    for name, html in pages.items():
        paths.append(str(tmp_path / f"{name}.html"))
        Path(paths[-1]).write_text(html, encoding="utf-8")
    result = vnu(paths)
    assert result.returncode == 0, result.stdout + result.stderr


# ---- kept views ---------------------------------------------------------------------------------------------

def test_a_view_is_kept_until_a_translator_saves_the_catalog_from_outside(served):
    sign_in(served.client)
    views = served.client.app.state.review.views
    first = served.client.get("/c/es/pain-relief").text
    assert served.client.get("/c/es/pain-relief").text == first and views.made == 1
    newer = "No tome nunca más de lo que dice el prospecto."
    segment_id = retranslate(served.root, FIRST, newer)         # an editor's save, not through the server
    section = segment(served.client.get("/c/es/pain-relief").text, segment_id)
    assert newer in section and 'data-state="stale"' in section and views.made == 2
    glossary = served.root / "locales" / "glossary.csv"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "leaflet,locked,,prospecto,,,,\n", encoding="utf-8")
    assert served.client.get("/c/es/pain-relief").status_code == 200
    assert views.made == 3                                      # any file the view is made of counts


def test_each_session_gets_its_own_token_in_every_form_of_a_kept_view(served):
    other = TestClient(served.client.app, base_url="https://testserver")
    sign_in(served.client)
    sign_in(other, PIOTR)
    pages = [client.get("/c/es/pain-relief").text for client in (served.client, other)]
    tokens = [set(re.findall(r'name="csrf" value="([^"]*)"', html)) for html in pages]
    assert all(len(found) == 1 for found in tokens) and tokens[0] != tokens[1]
    assert served.client.app.state.review.views.made == 1


def test_an_approval_through_the_server_shows_in_the_next_view(served):
    segment_id = retranslate(served.root, FIRST, "No tome más de lo que dice el prospecto.")
    sign_in(served.client)
    assert 'data-state="stale"' in segment(served.client.get("/c/es/pain-relief").text, segment_id)
    assert act(served.client, "approve", segment_id).status_code == 303
    assert 'data-state="approved"' in segment(served.client.get("/c/es/pain-relief").text, segment_id)


def test_reviewers_approving_at_once_all_land_each_audited(served):
    """Threads, each a signed-in reviewer's browser, approve distinct segments at once: every approval is
    written, verified and audited, whichever batch it joined."""
    import threading

    from workflow.approval import without_record

    po = served.po()
    waiting = [entry for entry in po if not entry.obsolete][:6]
    for entry in waiting:
        entry.tcomment = without_record(entry.tcomment)     # pending again, as if newly translated
    write_catalog(po, served.root / ES)
    ids = [review.segment_id("pain-relief", entry) for entry in waiting]
    clients = [TestClient(served.client.app, base_url="https://testserver") for _ in ids]
    for client in clients:
        sign_in(client)
    start, answers = threading.Barrier(len(ids)), []

    def approve(client: TestClient, segment_id: str) -> None:
        html = client.get("/c/es/pain-relief").text
        data = {"csrf": hidden(html, "csrf"), "id": segment_id, "seen": hidden(segment(html, segment_id), "seen")}
        start.wait()
        answers.append(client.post("/c/es/pain-relief/approve", data=data, follow_redirects=False).status_code)

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(clients, ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == [303] * len(ids)
    assert all(served.judged(entry.msgid).state == "approved" for entry in waiting)
    audited = [row for row in served.store.audit_log() if row.action == "approve"]
    assert sorted(row.segment for row in audited) == sorted(ids)
