"""Machine pre-translation end to end, against a local fake LibreTranslate server (never the internet) and the memory."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import socket
import time

import polib
import pytest
from conftest import snapshot
from mt_server import FakeLibreTranslate, spanish
from test_build import set_translation

from workflow.approval import claimed_state, without_record
from workflow.catalogs import read_catalog, write_catalog
from workflow.cli import main
from workflow.config import load_config
from workflow.errors import UsageError
from workflow.findings import check_entry
from workflow.glossary import load_glossary
from workflow.provenance import origin
from workflow.translate import PROVIDERS, TranslateError, batches, split_text, translate_catalogs

TODAY = dt.date(2026, 11, 22)
PARACETAMOL = "Paracetamol is often the first medicine to try for mild pain. Read the leaflet before you take it."
CALL_911 = "Call 911 in an emergency."
CALL_111 = "Call [NHS 111](https://111.nhs.uk/) if you need advice. In an emergency, call 999."
LEAFLET = "Do not take more than the leaflet says."


@pytest.fixture(autouse=True)
def no_engine_settings(monkeypatch):
    for name in ("LOCUM_LIBRE_URL", "LIBRE_API_KEY", "DEEPL_API_KEY", "MICROSOFT_API_KEY", "LOCUM_MYMEMORY_EMAIL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Proof that no test reaches the internet: any connection beyond this machine fails the test."""
    connect = socket.socket.connect

    def local_only(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            pytest.fail(f"a test tried to reach {address[0]}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)


@pytest.fixture
def libre():
    server = FakeLibreTranslate().start()
    yield server
    server.stop()


def po_path(root, catalog, slug):
    return root / "locales" / catalog / "LC_MESSAGES" / f"{slug}.po"


def blank(root, catalog, slug, *msgids):
    """A new segment waiting for a translator: empty, no approval."""
    po = read_catalog(po_path(root, catalog, slug))
    for msgid in msgids:
        entry = po.find(msgid)
        entry.msgstr = ""
        entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
        entry.tcomment = without_record(entry.tcomment)
    write_catalog(po, po_path(root, catalog, slug))


def entry(root, catalog, slug, msgid):
    return read_catalog(po_path(root, catalog, slug)).find(msgid)


def run(root, locale=None, provider="libre", server=None, **kwargs):
    options = kwargs.pop("options", {})
    if server is not None:
        options.setdefault("url", server.url)
    return translate_catalogs(load_config(root), locale, provider=provider, options=options, today=TODAY,
                              backoff=0.001, **kwargs)


def state(root):
    """Every file of the project but the lock (its holder's record): what a failed run must leave as it was."""
    return {name: data for name, data in snapshot(root).items()
            if not name.startswith(".cache/") or name.startswith(".cache/translate/")}


def cache_files(root):
    return sorted((root / ".cache" / "translate").glob("*.json"))


def cached(root):
    """The translations of the one engine cache file (none: {})."""
    files = cache_files(root)
    assert len(files) <= 1, files
    return json.loads(files[0].read_text())["translations"] if files else {}


def catalogs(root):
    return {k: v for k, v in snapshot(root / "locales").items() if k.endswith(".po")}


def untouched(before, after, changed):
    """Every entry except ``changed`` (catalog/slug, msgid) is exactly as it was: text, flags and comments."""
    for name, data in before.items():
        old, new = polib.pofile(data.decode()), polib.pofile(after[name].decode())
        catalog, slug = name.split("/")[0], name.rsplit("/", 1)[1][:-3]
        for a in old:
            if (catalog, slug, a.msgid) in changed:
                continue
            b = new.find(a.msgid)
            assert (a.msgstr, a.msgstr_plural, a.flags, a.tcomment) == (b.msgstr, b.msgstr_plural, b.flags,
                                                                        b.tcomment), (name, a.msgid)


# ---- Must show: masked and restored, locked terms per glossary, fuzzy with provenance, humans untouched ----

def test_libre_fills_only_blank_entries_fuzzy_with_provenance_and_restored_placeholders(site_project, libre):
    blank(site_project, "es", "pain-relief", PARACETAMOL, CALL_911)
    blank(site_project, "pl", "pain-relief", CALL_111)
    before = catalogs(site_project)

    result = run(site_project, server=libre, options={"url": libre.url, "api_key": "s3cret-key"})

    assert (result.filled, result.skipped) == (3, 0)
    es = entry(site_project, "es", "pain-relief", PARACETAMOL)
    assert es.msgstr.startswith("Paracetamol es a menudo el primer medicamento")
    assert es.fuzzy and origin(es)[0] == "mt: libre 2026-11-22"
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "Llame a 911 en una emergencia."
    pl = entry(site_project, "pl", "pain-relief", CALL_111)
    assert pl.msgstr == "[pl] " + CALL_111 and pl.fuzzy and origin(pl)[0] == "mt: libre 2026-11-22"
    # what left the machine: placeholders, never the locked term, the dnt terms, the URL or the numbers
    sent = "\n".join(libre.texts)
    assert "{{1}} is often the first medicine" in sent and "Call {{1}} in an emergency." in sent
    assert "Call [{{1}}]({{2}}) if you need advice. In an emergency, call {{3}}." in sent
    assert not any("aracetamol" in r["q"] for r in libre.requests if r["target"] == "es")   # (pl inflects it)
    for secret in ("911", "999", "NHS 111", "https://", "111.nhs.uk"):
        assert secret not in sent
    assert {r["source"] for r in libre.requests} == {"en"} and {r["target"] for r in libre.requests} == {"es", "pl"}
    # a fuzzy result can never be published: the gate and review see it as not approved
    assert claimed_state(es) == "none"
    untouched(before, catalogs(site_project), {("es", "pain-relief", PARACETAMOL), ("es", "pain-relief", CALL_911),
                                               ("pl", "pain-relief", CALL_111)})
    # the key went to the server, and nowhere else
    assert {r["api_key"] for r in libre.requests} == {"s3cret-key"}
    for path in site_project.rglob("*"):
        if path.is_file():
            assert b"s3cret-key" not in path.read_bytes(), path


def test_locked_term_is_never_sent_and_comes_back_as_each_catalogs_rendering(site_project, libre):
    blank(site_project, "es", "pain-relief", PARACETAMOL)
    blank(site_project, "es_US", "pain-relief", PARACETAMOL)      # the override entry update created

    result = run(site_project, "es-US", server=libre)

    assert result.filled == 2
    es_us = entry(site_project, "es_US", "pain-relief", PARACETAMOL)
    es = entry(site_project, "es", "pain-relief", PARACETAMOL)
    assert es_us.msgstr.startswith("Acetaminofén es a menudo") and es.msgstr.startswith("Paracetamol es a menudo")
    assert not any("aracetamol" in text for text in libre.texts)
    assert len(libre.requests) == 1            # same masked text for es and es_US: translated once
    glossary = load_glossary(site_project, load_config(site_project).catalogs)
    assert not [f for f in check_entry(es_us, "es_US", glossary) if f[0] == "glossary"]
    assert not [f for f in check_entry(es, "es", glossary) if f[0] == "glossary"]


def test_a_regex_rendering_is_left_for_the_engine_to_inflect(site_project, libre):
    blank(site_project, "pl", "pain-relief", PARACETAMOL)
    run(site_project, "pl", server=libre)
    assert libre.texts == [PARACETAMOL]


def test_429_then_success_is_retried(site_project, libre):
    blank(site_project, "es", "pain-relief", CALL_911)
    libre.statuses.extend([429])
    result = run(site_project, "es", server=libre)
    assert result.filled == 1 and result.requests == 2 and len(libre.requests) == 2
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "Llame a 911 en una emergencia."


def test_a_server_that_always_fails_ends_with_a_clear_error_and_untouched_catalogs(site_project, libre):
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    before = snapshot(site_project)
    libre.always = 500
    with pytest.raises(TranslateError) as caught:
        run(site_project, "es", server=libre)
    message = str(caught.value)
    assert "libre: server error (HTTP 500)" in message and "5 attempt(s)" in message
    assert "no catalog was changed" in message and "s3cret" not in message
    assert len(libre.requests) == 5
    assert snapshot(site_project) == before and not (site_project / ".cache" / "translate").exists()


def test_an_unreachable_server_is_a_clear_error_and_nothing_is_written(site_project):
    blank(site_project, "es", "pain-relief", CALL_911)
    before = snapshot(site_project)
    with socket.socket() as sock:               # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TranslateError, match=rf"network unreachable: cannot connect to http://127.0.0.1:{port}/"):
        run(site_project, "es", options={"url": f"http://user:pw@127.0.0.1:{port}/?api_key=k"})
    assert snapshot(site_project) == before


def test_a_server_that_never_answers_times_out_within_the_limit(site_project):
    blank(site_project, "es", "pain-relief", CALL_911)
    with socket.socket() as silent:             # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = "http://127.0.0.1:%d/" % silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(TranslateError, match=r"no complete answer from http://127.0.0.1:\d+/, "
                                                 r"1 attempt\(s\) within 0.2 s \(--timeout\)"):
            run(site_project, "es", options={"url": url, "timeout": 0.2, "attempts": 2})
        assert time.monotonic() - started < 2      # no time was left for a second attempt


def test_what_succeeded_is_kept_when_the_engine_fails_later(site_project, libre):
    blank(site_project, "es", "pain-relief", CALL_911)
    blank(site_project, "pl", "pain-relief", CALL_111)

    def then_fail(text, source, target):
        libre.always = 500                      # every request after this one fails
        return FakeLibreTranslate().translate(text, source, target)

    libre.translate = then_fail
    with pytest.raises(TranslateError, match="kept what succeeded: 1 entry filled") as caught:
        run(site_project, server=libre)
    assert caught.value.result.filled == 1 and caught.value.result.written == ("locales/es/LC_MESSAGES/pain-relief.po",)
    assert entry(site_project, "es", "pain-relief", CALL_911).fuzzy
    assert entry(site_project, "pl", "pain-relief", CALL_111).msgstr == ""
    assert cached(site_project) == {"en>es": {"Call {{1}} in an emergency.": "Llame a {{1}} en una emergencia."}}


@pytest.mark.parametrize("status, message", [
    (400, "refused the request (HTTP 400 ERR_BAD_REQUEST)"),
    (403, "refused the API key (HTTP 403)"),
])
def test_a_refusal_is_not_retried_and_never_shows_the_key(site_project, libre, status, message):
    blank(site_project, "es", "pain-relief", CALL_911)
    libre.statuses.extend([status])
    with pytest.raises(TranslateError, match=re.escape(message)) as caught:
        run(site_project, "es", server=libre, options={"api_key": "s3cret-key"})
    assert len(libre.requests) == 1 and "s3cret" not in str(caught.value)


def test_an_engine_that_merges_lines_gets_one_segment_per_request(site_project, libre):
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    libre.translate = lambda text, source, target: FakeLibreTranslate().translate(text.replace("\n", " "),
                                                                                  source, target)
    result = run(site_project, "es", server=libre)
    assert result.filled == 2 and len(libre.requests) == 3        # the batch, then each alone
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "Llame a 911 en una emergencia."


def test_a_damaged_placeholder_leaves_the_entry_untranslated_with_a_warning(site_project, libre):
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    libre.damage = lambda text: text.replace("{{1}}", "{{1}")
    result = run(site_project, "es", server=libre)
    assert (result.filled, result.skipped) == (1, 1)
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == ""
    assert entry(site_project, "es", "pain-relief", LEAFLET).msgstr == "No tome más que el prospecto dice."
    (warning,) = result.warnings
    line = entry(site_project, "es", "pain-relief", CALL_911).linenum
    assert warning == (f"locales/es/LC_MESSAGES/pain-relief.po:{line}: warning: left untranslated: "
                       "placeholder {{1}} (911) is missing in the engine's answer")
    # only the answer that was used is cached: a rerun asks again for the damaged one
    assert cached(site_project) == {"en>es": {LEAFLET: "No tome más que el prospecto dice."}}


def test_dry_run_writes_nothing_and_sends_nothing(site_project, libre):
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    before = snapshot(site_project)
    result = run(site_project, "es", server=libre, dry_run=True)
    assert result.dry_run and result.filled == 2 and result.written == ()
    assert snapshot(site_project) == before and libre.requests == []


def test_a_rerun_costs_nothing_thanks_to_the_cache(site_project, libre):
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    first = run(site_project, "es", server=libre)
    sent = len(libre.requests)
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    second = run(site_project, "es", server=libre)
    assert len(libre.requests) == sent and second.requests == 0
    assert (first.cached, second.cached, second.filled) == (0, 2, 2)
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "Llame a 911 en una emergencia."


def test_human_work_is_never_overwritten(site_project, libre):
    set_translation(site_project, "es", "pain-relief", LEAFLET, "No tome más de la cuenta.", fuzzy=True)
    blank(site_project, "es", "pain-relief", CALL_911)
    before = catalogs(site_project)
    result = run(site_project, "es", server=libre)
    assert result.filled == 1 and libre.texts == ["Call {{1}} in an emergency."]
    untouched(before, catalogs(site_project), {("es", "pain-relief", CALL_911)})
    assert run(site_project, "es", server=libre).filled == 0     # and a result is not filled twice


def test_plural_entries_get_the_singular_and_plural_translations(site_project, libre):
    blank(site_project, "pl", "site", "%(num)d min read")
    run(site_project, "pl", server=libre)
    plural = entry(site_project, "pl", "site", "%(num)d min read")
    assert plural.msgstr_plural == {0: "[pl] %(num)d min read", 1: "[pl] %(num)d min read",
                                    2: "[pl] %(num)d min read"}
    assert plural.fuzzy and "python-format" in plural.flags


def test_long_texts_are_split_at_sentence_ends_within_the_engines_limit(site_project, libre, monkeypatch):
    monkeypatch.setitem(PROVIDERS, "libre", dataclasses.replace(PROVIDERS["libre"], limit=70))
    blank(site_project, "es", "pain-relief", PARACETAMOL, LEAFLET)
    run(site_project, "es", server=libre)
    assert all(len(text) <= 70 for text in libre.texts)
    assert entry(site_project, "es", "pain-relief", PARACETAMOL).msgstr == \
        "Paracetamol es a menudo el primer medicamento para probar para leve dolor. Lea el prospecto antes de " \
        "usted tome lo."


def test_the_server_address_can_come_from_the_environment_and_progress_is_reported(site_project, libre,
                                                                                    monkeypatch):
    monkeypatch.setenv("LOCUM_LIBRE_URL", libre.url.rstrip("/") + "/translate")
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    seen = []
    result = run(site_project, "es", progress=lambda done, total: seen.append((done, total)))
    assert result.filled == 2 and seen[-1] == (2, 2)
    assert {r["api_key"] for r in libre.requests} == {"no-key"}


@pytest.mark.parametrize("provider, options, message", [
    ("babelfish", {}, "unknown provider 'babelfish'"),
    ("libre", {}, "pass --url URL or set LOCUM_LIBRE_URL"),
    ("libre", {"url": "ftp://mt.example.org/"}, "--url must be an http"),
    ("deepl", {}, "set DEEPL_API_KEY"),
    ("microsoft", {}, "set MICROSOFT_API_KEY"),
    ("memory", {"threshold": 120}, "between 0 and 100"),
    ("google", {"url": "http://127.0.0.1:9/"}, "--url is for the libre provider"),
    ("libre", {"url": "http://127.0.0.1:9/", "timeout": 0}, "--timeout must be a number of seconds above 0"),
    ("libre", {"url": "http://127.0.0.1:9/", "timeout": float("nan")}, "--timeout must be"),
])
def test_bad_settings_are_usage_errors_before_anything_happens(site_project, provider, options, message):
    with pytest.raises(UsageError, match=message):
        run(site_project, "es", provider=provider, options=options)


# ---- Must show: bounded in time, never caching a failure --------------------------------------------------

def test_must_show_a_dripping_server_is_cut_off_at_the_timeout_and_nothing_is_cached(site_project, locum, libre):
    """One byte every 2 s keeps every socket read alive: only a total deadline ends it."""
    blank(site_project, "es", "pain-relief", CALL_911)
    before = state(site_project)
    libre.drip = 2.0
    started = time.monotonic()
    result = locum(site_project, "translate", "--locale", "es", "--provider", "libre", "--url", libre.url,
                   "--timeout", "5")
    elapsed = time.monotonic() - started
    assert result.code == 1 and elapsed < 10, (result, elapsed)
    assert elapsed >= 4.5                               # it was the 5 s deadline that ended it
    assert "libre: no complete answer from " + libre.url in result.err and "within 5 s (--timeout)" in result.err
    assert "no catalog was changed" in result.err
    assert state(site_project) == before             # catalogs byte-identical, and no cache written
    assert len(libre.requests) == 1

    libre.drip = None                                   # the same server, answering now
    result = locum(site_project, "translate", "--locale", "es", "--provider", "libre", "--url", libre.url,
                   "--timeout", "5")
    assert result.code == 0, result
    assert "filled 1 entry as fuzzy" in result.out and "0 from the cache, 1 request(s)" in result.out
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "Llame a 911 en una emergencia."


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_cli_a_bad_timeout_is_a_usage_error(site_project, locum, libre, value):
    result = locum(site_project, "translate", "--locale", "es", "--provider", "libre", "--url", libre.url,
                   "--timeout", value)
    assert result.code == 2 and "--timeout" in result.err and libre.requests == []


def test_a_body_that_dribbles_after_prompt_headers_is_cut_off_too(site_project, libre):
    blank(site_project, "es", "pain-relief", CALL_911)
    before = state(site_project)
    libre.drip, libre.drip_from = 0.3, "body"
    started = time.monotonic()
    with pytest.raises(TranslateError, match=r"no complete answer from .* within 1 s \(--timeout\)"):
        run(site_project, "es", server=libre, options={"timeout": 1})
    assert time.monotonic() - started < 4
    assert state(site_project) == before


def test_retries_and_back_off_stay_within_the_timeout(site_project, libre):
    """A server failing fast is retried only while the time allows: 5 attempts would take 1+2+4+8 s of back-off."""
    blank(site_project, "es", "pain-relief", CALL_911)
    libre.always = 503
    started = time.monotonic()
    with pytest.raises(TranslateError, match=r"service unavailable .* 2 attempt\(s\) within 2 s") as caught:
        translate_catalogs(load_config(site_project), "es", provider="libre", today=TODAY, backoff=1.0,
                           options={"url": libre.url, "timeout": 2})
    assert time.monotonic() - started < 3 and len(libre.requests) == 2
    assert caught.value.result.requests == 2


@pytest.mark.parametrize("reply", [{}, [], "text", {"error": "no"}, {"translation": "Llame"},
                                   {"translatedText": None}, {"translatedText": ""}, {"translatedText": "  "},
                                   {"translatedText": 7}],
                         ids=["{}", "[]", "string", "error-only", "missing-field", "null", "empty", "blank",
                              "number"])
def test_an_empty_or_malformed_answer_is_an_engine_failure_and_is_never_cached(site_project, libre, reply):
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    before = state(site_project)
    libre.reply = reply
    with pytest.raises(TranslateError, match="answered without a translation") as caught:
        run(site_project, "es", server=libre)
    assert "no catalog was changed" in str(caught.value) and len(libre.requests) == 1     # not retried
    assert state(site_project) == before and cache_files(site_project) == []


def test_cli_an_empty_json_reply_exits_1_and_caches_nothing(site_project, locum, libre):
    blank(site_project, "es", "pain-relief", CALL_911)
    before = state(site_project)
    libre.reply = {}
    result = locum(site_project, "translate", "--locale", "es", "--provider", "libre", "--url", libre.url)
    assert result.code == 1 and "answered without a translation" in result.err
    assert state(site_project) == before
    libre.reply = None
    result = locum(site_project, "translate", "--locale", "es", "--provider", "libre", "--url", libre.url)
    assert result.code == 0 and "0 from the cache" in result.out
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "Llame a 911 en una emergencia."


def test_a_batch_answer_with_an_empty_line_is_not_used(site_project, libre):
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    libre.translate = lambda text, source, target: ("Llame\n " if "\n" in text else spanish(text, source, target))
    result = run(site_project, "es", server=libre)
    assert result.filled == 2 and len(libre.requests) == 3        # the batch, then each alone
    assert cached(site_project)["en>es"] == {"Call {{1}} in an emergency.": "Llame a {{1}} en una emergencia.",
                                             LEAFLET: "No tome más que el prospecto dice."}


def test_refresh_ignores_the_cache_and_overwrites_what_it_refetches(site_project, locum, libre):
    blank(site_project, "es", "pain-relief", CALL_911, LEAFLET)
    run(site_project, "es", server=libre)
    sent = len(libre.requests)
    libre.translate = lambda text, source, target: text.upper()    # the engine got better, say
    blank(site_project, "es", "pain-relief", CALL_911)
    assert run(site_project, "es", server=libre).cached == 1 and len(libre.requests) == sent   # the cache
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "Llame a 911 en una emergencia."

    blank(site_project, "es", "pain-relief", CALL_911)
    result = locum(site_project, "translate", "--locale", "es", "--provider", "libre", "--url", libre.url,
                   "--refresh")
    assert result.code == 0 and "0 from the cache, 1 request(s)" in result.out
    assert libre.texts[-1] == "Call {{1}} in an emergency."
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "CALL 911 IN AN EMERGENCY."
    assert cached(site_project)["en>es"] == {"Call {{1}} in an emergency.": "CALL {{1}} IN AN EMERGENCY.",
                                             LEAFLET: "No tome más que el prospecto dice."}
    blank(site_project, "es", "pain-relief", CALL_911)                 # and a plain run now reuses the new one
    assert run(site_project, "es", server=libre).cached == 1
    assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "CALL 911 IN AN EMERGENCY."


def test_the_cache_is_kept_per_server_and_never_holds_its_address(site_project, libre):
    other = FakeLibreTranslate(lambda text, source, target: f"<{text}>").start()
    try:
        blank(site_project, "es", "pain-relief", CALL_911)
        run(site_project, "es", server=libre)
        blank(site_project, "es", "pain-relief", CALL_911)
        result = run(site_project, "es", server=other)
        assert (result.cached, result.requests) == (0, 1)           # the first server's answer is not used
        assert entry(site_project, "es", "pain-relief", CALL_911).msgstr == "<Call 911 in an emergency.>"
        files = cache_files(site_project)
        assert len(files) == 2 and all(re.fullmatch(r"libre-[0-9a-f]{16}\.json", f.name) for f in files)

        # the same server with credentials in its address is the same engine, and they are written nowhere
        port = libre.url.rsplit(":", 1)[1].strip("/")
        blank(site_project, "es", "pain-relief", CALL_911)
        result = run(site_project, "es", options={"url": f"http://user:pa55word@127.0.0.1:{port}/translate",
                                                  "api_key": "s3cret"})
        assert (result.cached, result.requests) == (1, 0)
        assert cache_files(site_project) == files
        for path in files:
            data = path.read_bytes()
            for secret in (b"127.0.0.1", port.encode(), b"pa55word", b"s3cret", b"http"):
                assert secret not in data and secret.decode() not in path.name, (path, secret)
    finally:
        other.stop()


def test_no_other_user_of_requests_or_deep_translator_is_touched(site_project, libre):
    """Seen from another thread (the server's) in the middle of a request: deep-translator's module and class,
    requests and urllib3's logging are as they were; urllib3 still logs that thread's debug lines."""
    import logging

    import deep_translator.libre
    import requests

    def now():
        line = logging.LogRecord("urllib3.connectionpool", logging.DEBUG, __file__, 1, "a line", None, None)
        return (requests.Session.request, deep_translator.libre.requests, deep_translator.libre.LibreTranslator,
                deep_translator.libre.LibreTranslator.translate, logging.getLogger("urllib3").level,
                bool(logging.getLogger("urllib3.connectionpool").filter(line)))

    before = now()
    assert before[1] is requests and before[-1]
    blank(site_project, "es", "pain-relief", CALL_911)
    seen = []
    libre.translate = lambda text, source, target: seen.append(now()) or text
    run(site_project, "es", server=libre)
    assert seen == [before] and now() == before


def test_the_urls_of_engine_requests_never_reach_the_log(site_project, libre, caplog):
    """urllib3 logs each request's URL at debug level, and URLs carry keys: not those of an engine's requests."""
    import logging

    import requests
    caplog.set_level(logging.DEBUG, logger="urllib3")
    blank(site_project, "es", "pain-relief", CALL_911)
    assert run(site_project, "es", server=libre, options={"api_key": "s3cret-key"}).filled == 1
    assert not [r for r in caplog.records if r.name.startswith("urllib3") and r.levelno < logging.INFO]
    assert "s3cret" not in caplog.text
    requests.post(libre.url + "translate?api_key=other-key", timeout=5)      # anyone else's request: as usual
    assert "other-key" in caplog.text


@pytest.mark.parametrize("name", ["libre", "google", "deepl", "microsoft", "mymemory"])
def test_every_request_of_every_engine_goes_through_a_deadline(name):
    """Outside a deadline an engine's request is refused before it leaves (Microsoft asks for its languages as
    it is built: that request too)."""
    from workflow.engines import TRANSLATORS, _bounded, engine_language
    languages = PROVIDERS[name].languages
    settings = {"libre": {"api_key": "k", "custom_url": "http://127.0.0.1:9/"}, "deepl": {"api_key": "k"},
                "microsoft": {"api_key": "k"}}.get(name, {})
    with pytest.raises(RuntimeError, match="outside a deadline"):
        translator = _bounded(TRANSLATORS[name])(source=engine_language(languages, "en"),
                                                 target=engine_language(languages, "es"), **settings)
        translator.translate("Call 911 in an emergency.")


def test_runs_in_two_threads_each_keep_their_own_deadline(site_project, libre):
    """A stalled server is cut off at its own run's deadline while another run's requests come and go in
    another thread, and that run's slow but steady answers are not cut short by it."""
    import threading
    steady = FakeLibreTranslate().start()
    try:
        blank(site_project, "es", "pain-relief", CALL_911)
        libre.drip = 1.0                                    # a byte a second: only the deadline ends it
        steady.drip, steady.drip_from = 0.01, "body"        # about half a second an answer
        stalled = {}

        def run_stalled():
            started = time.monotonic()
            with pytest.raises(TranslateError) as caught:
                run(site_project, "es", server=libre, options={"timeout": 1.5, "attempts": 1})
            stalled.update(message=str(caught.value), elapsed=time.monotonic() - started)

        thread = threading.Thread(target=run_stalled)
        thread.start()
        results = []
        while thread.is_alive() or not results:
            blank(site_project, "pl", "pain-relief", CALL_111)
            results.append(run(site_project, "pl", server=steady, options={"refresh": True, "timeout": 20}))
        thread.join()
        assert "no complete answer" in stalled["message"] and "within 1.5 s" in stalled["message"]
        assert 1.4 <= stalled["elapsed"] < 4, stalled
        assert len(results) >= 2 and all(r.filled == 1 and r.requests == 1 for r in results)
        assert entry(site_project, "pl", "pain-relief", CALL_111).msgstr == "[pl] " + CALL_111
    finally:
        steady.stop()


# ---- the memory provider --------------------------------------------------------------------------------

def test_memory_prefills_a_sentence_another_article_already_translates(site_project):
    blank(site_project, "es", "sleep-and-pain", LEAFLET)
    result = run(site_project, "es", provider="memory")
    assert result.filled == 1
    filled = entry(site_project, "es", "sleep-and-pain", LEAFLET)
    assert filled.msgstr == "No tome más de lo que indica el prospecto."
    assert filled.fuzzy and origin(filled)[0] == "tm: 100% es/pain-relief"


def test_memory_prefers_approved_translations(site_project):
    set_translation(site_project, "es", "sleep-and-pain", LEAFLET, "No tome más.", approve=False)
    template = read_catalog(site_project / "locales/sleep-and-pain.pot")
    override = polib.POFile(wrapwidth=79)
    override.metadata = {"Language": "es_US", "Content-Type": "text/plain; charset=UTF-8"}
    override.append(template.find(LEAFLET))
    write_catalog(override, po_path(site_project, "es_US", "sleep-and-pain"))
    run(site_project, "es-US", provider="memory")
    filled = entry(site_project, "es_US", "sleep-and-pain", LEAFLET)
    assert filled.msgstr == "No tome más de lo que indica el prospecto."
    assert origin(filled)[0] == "tm: 100% es/pain-relief"


def test_memory_fuzzy_matches_above_the_threshold_and_skips_below(project):
    (project / "source/a.md").write_text("---\ntitle: Tablets\n---\n\nTake the tablets with water after a meal.\n")
    (project / "source/b.md").write_text("---\ntitle: Capsules\n---\n\nTake the tablets with food after a meal.\n\n"
                                         "Keep them away from children.\n")
    assert main(["--project", str(project), "extract"]) == 0
    assert main(["--project", str(project), "update", "--locale", "es"]) == 0
    set_translation(project, "es", "a", "Take the tablets with water after a meal.",
                    "Tome los comprimidos con agua después de comer.", approve=False)
    before = snapshot(project)

    assert run(project, "es", article="b", provider="memory", options={"threshold": 95}).filled == 0
    assert run(project, "es", article="b", provider="memory", dry_run=True).filled == 1
    assert snapshot(project) == before
    result = run(project, "es", article="b", provider="memory")

    fuzzy = entry(project, "es", "b", "Take the tablets with food after a meal.")
    assert fuzzy.msgstr == "Tome los comprimidos con agua después de comer." and fuzzy.fuzzy
    score = int(origin(fuzzy)[0].split()[1].rstrip("%"))
    assert 75 <= score < 100 and origin(fuzzy)[0] == f"tm: {score}% es/a"
    assert entry(project, "es", "b", "Keep them away from children.").msgstr == ""
    assert result.filled == 1 and result.skipped >= 1
    assert any("no match of 75% or more" in w for w in result.warnings)


# ---- small pure helpers -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, limit, pieces", [
    ("Short.", 100, [("Short.", "")]),
    ("One. Two! Three?", 9, [("One. Two!", " "), ("Three?", "")]),
    ("One.\n\nTwo.", 5, [("One.", "\n\n"), ("Two.", "")]),
    ("abcdefghij", 4, [("abcd", ""), ("efgh", ""), ("ij", "")]),
])
def test_split_text(text, limit, pieces):
    assert split_text(text, limit) == pieces
    assert "".join(p + s for p, s in pieces) == text


def test_batches_respect_the_limit_and_keep_multiline_texts_alone():
    assert batches(["aa", "bb", "cc"], 5) == [["aa", "bb"], ["cc"]]
    assert batches(["aa", "b\nb", "cc"], 100) == [["aa"], ["b\nb"], ["cc"]]
    assert batches(["aa", "bb"], 0) == [["aa"], ["bb"]]


# -- through the command line ---------------------------------------------------------------------

def test_cli_memory_prefills_from_another_article_and_the_gate_holds_it_back(site_project, locum):
    blank(site_project, "es", "sleep-and-pain", LEAFLET)
    result = locum(site_project, "translate", "--locale", "es-US", "--article", "sleep-and-pain", "--dry-run")
    assert result.code == 0 and "would fill 1 entry" in result.out
    assert entry(site_project, "es", "sleep-and-pain", LEAFLET).msgstr == ""
    result = locum(site_project, "translate", "--locale", "es-US", "--article", "sleep-and-pain")
    assert result.code == 0 and "filled 1 entry as fuzzy" in result.out
    filled = entry(site_project, "es", "sleep-and-pain", LEAFLET)
    assert filled.msgstr == "No tome más de lo que indica el prospecto." and filled.fuzzy
    assert origin(filled)[0] == "tm: 100% es/pain-relief"
    assert "skipped es-US/sleep-and-pain" in locum(site_project, "publish").err


def test_cli_engine_failure_exits_1_with_a_clear_message(site_project, locum, libre, monkeypatch):
    import functools

    import workflow.translate
    monkeypatch.setattr(workflow.translate, "translate_catalogs",
                        functools.partial(workflow.translate.translate_catalogs, backoff=0.01))
    blank(site_project, "es", "pain-relief", CALL_911)
    libre.always = 500
    before = catalogs(site_project)
    result = locum(site_project, "translate", "--locale", "es", "--provider", "libre", "--url", libre.url)
    assert result.code == 1
    assert "error" in result.err and libre.url.split("//")[1].split("/")[0] in result.err
    assert catalogs(site_project) == before
