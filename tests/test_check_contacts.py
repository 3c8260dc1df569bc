"""The contact checks: URLs, email addresses and phone numbers reach the reader exactly as the source wrote them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.checks.contacts import (
    _phones,
    _read_contacts,
    _read_phones,
    _scan_cached,
    find_emails,
    find_phones,
    find_urls,
)
from workflow.checks.registry import ERROR, REGISTRY, Pair


def messages(check_id: str, source: str, target: str, catalog: str) -> list[str]:
    """What the registered check ``check_id`` says about one pair."""
    return list(REGISTRY[check_id].function(Pair(source, target, catalog, catalog.split("_")[0])))


NHS = "https://www.nhs.uk/conditions/sepsis/"

URLS_PASS = [
    pytest.param(f"See [sepsis]({NHS}).", f"Vea [sepsis]({NHS}).", "es", id="link-target"),
    pytest.param(f"See [sepsis]({NHS} \"NHS\").", f"Zobacz [sepsa]({NHS} \"NHS\").", "pl", id="link-with-title"),
    pytest.param(f"See <{NHS}>.", f"انظر <{NHS}>.", "ar", id="autolink"),
    pytest.param(f"See {NHS}.", f"Vea {NHS}.", "es", id="bare-url-before-full-stop"),
    pytest.param(f"See {NHS}, then rest.", f"انظر {NHS}، ثم استرح.", "ar", id="bare-url-before-arabic-comma"),
    pytest.param(f"(See {NHS})", f"(Zobacz {NHS})", "pl", id="bare-url-in-parentheses"),
    pytest.param("See https://en.wikipedia.org/wiki/Sepsis_(disease).",
                 "Vea https://en.wikipedia.org/wiki/Sepsis_(disease).", "es", id="url-with-parentheses"),
    pytest.param(f"**{NHS}**", f"**{NHS}**", "es", id="bare-url-in-emphasis"),
    pytest.param(f"[A]({NHS}) and [B](https://111.nhs.uk/)", f"[B](https://111.nhs.uk/) y [A]({NHS})", "es",
                 id="other-order"),
    pytest.param("Read the leaflet.", "Lea el prospecto.", "es", id="no-urls"),
    pytest.param("Write to [us](mailto:help@example.org).", "Napisz do [nas](mailto:help@example.org).", "pl",
                 id="mailto-is-an-email-not-a-url"),
]

URLS_FAIL = [
    pytest.param(f"See [sepsis]({NHS}).", "Vea [sepsis](https://www.nhs.uk/conditions/sepsis).", "es",
                 id="trailing-slash-dropped"),
    pytest.param(f"See [sepsis]({NHS}).", "Vea [sepsis](https://www.nhs.uk/es/conditions/sepsis/).", "es",
                 id="localized-url"),
    pytest.param(f"See [sepsis]({NHS}).", "Vea sepsis.", "es", id="link-dropped"),
    pytest.param(f"See {NHS}.", "Zobacz https://www.nhs.uk/Conditions/sepsis/.", "pl", id="case-changed"),
    pytest.param(f"See <{NHS}>.", "انظر <http://www.nhs.uk/conditions/sepsis/>.", "ar", id="scheme-changed"),
    pytest.param(f"See [sepsis]({NHS}).", f"Vea [sepsis]({NHS}) y https://example.com/.", "es", id="url-added"),
    pytest.param(f"See [A]({NHS}) and [B]({NHS}).", f"Vea [A]({NHS}) y B.", "es", id="one-of-two-copies-dropped"),
    pytest.param(f"See [sepsis]({NHS}).", "انظر [الإنتان](https://www.nhs.uk/conditions/الإنتان/).", "ar",
                 id="path-translated"),
]

EMAILS_PASS = [
    pytest.param("Write to help@example.org.", "Escriba a help@example.org.", "es", id="bare-before-full-stop"),
    pytest.param("Write to <help@example.org>.", "اكتب إلى <help@example.org>.", "ar", id="autolink"),
    pytest.param("Write to [us](mailto:help@example.org).", "Napisz do [nas](mailto:help@example.org).", "pl",
                 id="mailto"),
    pytest.param("Write to [us](mailto:help@example.org?subject=Help).",
                 "Escríbanos [aquí](mailto:help@example.org?subject=Ayuda).", "es", id="mailto-query-translated"),
    pytest.param("Ask ana.lopez@example.org or help@example.org.",
                 "Pregunte a help@example.org o a ana.lopez@example.org.", "es", id="other-order"),
    pytest.param("See https://example.org/?to=a@b.org.", "Vea https://example.org/?to=a@b.org.", "es",
                 id="address-inside-url-is-the-url"),
    pytest.param("Read the leaflet.", "Przeczytaj ulotkę.", "pl", id="no-addresses"),
    pytest.param("Email help@example.org today.", "راسل help@example.org اليوم.", "ar", id="bare-in-arabic"),
]

EMAILS_FAIL = [
    pytest.param("Write to help@example.org.", "Escriba a ayuda@example.org.", "es", id="local-part-translated"),
    pytest.param("Write to help@example.org.", "Napisz na help@example.pl.", "pl", id="domain-changed"),
    pytest.param("Write to help@example.org.", "Escríbanos.", "es", id="dropped"),
    pytest.param("Write to [us](mailto:help@example.org).", "Napisz do [nas](mailto:pomoc@example.org).", "pl",
                 id="mailto-changed"),
    pytest.param("Write to [us](mailto:help@example.org).", "اكتب [إلينا](https://example.org/contact).", "ar",
                 id="mailto-became-url"),
    pytest.param("Write to us.", "Escríbanos a help@example.org.", "es", id="added"),
    pytest.param("Write to Help@Example.org.", "Escriba a help@example.org.", "es", id="case-changed"),
    pytest.param("Write to <help@example.org>.", "اكتب إلى <help@exampel.org>.", "ar", id="typo"),
]

PHONES_PASS = [
    pytest.param("Call 0300 123 4567.", "Llame al 0300 123 4567.", "es", id="uk-non-geographic"),
    pytest.param("Call +44 20 7946 0000.", "Zadzwoń pod +44 20 7946 0000.", "pl", id="international"),
    pytest.param("Call (555) 123-4567.", "Llame al (555) 123-4567.", "es_US", id="us-area-code"),
    pytest.param("Call 1-800-273-8255 or 988.", "Llame al 1-800-273-8255 o al 988.", "es_US", id="us-toll-free"),
    pytest.param("In an emergency, call 999.", "W nagłych wypadkach dzwoń pod 999.", "pl", id="emergency-999"),
    pytest.param("In an emergency, call 999.", "في حالات الطوارئ، اتصل بـ999.", "ar", id="emergency-after-clitic"),
    pytest.param("Call [NHS 111](https://111.nhs.uk/).", "Llame al [NHS 111](https://111.nhs.uk/).", "es",
                 id="service-number-in-link-text"),
    pytest.param("Call 911 or 112.", "Llame al 112 o al 911.", "es", id="other-order"),
    pytest.param("Call Samaritans on 116 123.", "Zadzwoń do Samaritans: 116 123.", "pl", id="helpline-116"),
    pytest.param("Call 0300 123 4567.", "Llame al 0300\u00a0123\u00a04567.", "es", id="nbsp-looks-like-a-space"),
    pytest.param("Take 999 mg.", "Tome 1 g.", "es", id="amount-is-not-a-phone-number"),
    pytest.param("In 1999, 112 people.", "En 1999, 112 personas.", "es", id="year-is-not-a-phone-number"),
]

PHONES_FAIL = [
    pytest.param("Call 0300 123 4567.", "Llame al 0300 1234 567.", "es", id="grouping-changed"),
    pytest.param("Call 0300 123 4567.", "Llame al 03001234567.", "es", id="grouping-dropped"),
    pytest.param("Call 0300 123 4567.", "Zadzwoń pod 0300 123 4576.", "pl", id="digits-swapped"),
    pytest.param("Call +44 20 7946 0000.", "اتصل على 020 7946 0000.", "ar", id="international-became-national"),
    pytest.param("In an emergency, call 999.", "في حالات الطوارئ، اتصل بـ ٩٩٩.", "ar", id="arabic-indic-digits"),
    pytest.param("In an emergency, call 999.", "En caso de emergencia, llame al 911.", "es", id="service-changed"),
    pytest.param("Call 1-800-273-8255.", "Llame al 1 800 273 8255.", "es_US", id="hyphens-became-spaces"),
    pytest.param("Call [NHS 111](https://111.nhs.uk/).", "Zadzwoń pod [NHS](https://111.nhs.uk/).", "pl",
                 id="dropped-from-link-text"),
    pytest.param("Call your GP.", "Llame a su médico o al 112.", "es", id="added"),
]


@pytest.mark.parametrize("check_id, source, target, catalog", [
    *(pytest.param("urls", *p.values, id=f"urls-{p.id}") for p in URLS_PASS),
    *(pytest.param("emails", *p.values, id=f"emails-{p.id}") for p in EMAILS_PASS),
    *(pytest.param("phones", *p.values, id=f"phones-{p.id}") for p in PHONES_PASS),
])
def test_passes(check_id: str, source: str, target: str, catalog: str):
    assert messages(check_id, source, target, catalog) == []


@pytest.mark.parametrize("check_id, source, target, catalog", [
    *(pytest.param("urls", *p.values, id=f"urls-{p.id}") for p in URLS_FAIL),
    *(pytest.param("emails", *p.values, id=f"emails-{p.id}") for p in EMAILS_FAIL),
    *(pytest.param("phones", *p.values, id=f"phones-{p.id}") for p in PHONES_FAIL),
])
def test_fails(check_id: str, source: str, target: str, catalog: str):
    assert messages(check_id, source, target, catalog) != []


@pytest.mark.parametrize("check_id, source, target, expected", [
    pytest.param("urls", f"See [x]({NHS}).", "Vea [x](https://www.nhs.uk/es/).",
                 [f"URL {NHS} in the source is missing in the translation (found https://www.nhs.uk/es/)"],
                 id="url-changed"),
    pytest.param("urls", "See it.", f"Véalo en {NHS}.", [f"URL {NHS} added in the translation"], id="url-added"),
    pytest.param("emails", "Write to help@example.org.", "Escríbanos.",
                 ["email address help@example.org in the source is missing in the translation"], id="email-dropped"),
    pytest.param("phones", "Call 0300 123 4567.", "Llame al 0300 1234 567.",
                 ["phone number 0300 123 4567 in the source is missing in the translation (found 0300 1234 567)"],
                 id="phone-regrouped"),
    pytest.param("phones", "Call 999.", "اتصل بـ ٩٩٩.",
                 ["phone number 999 in the source is missing in the translation (found ٩٩٩); "
                  "write phone numbers with the digits 0-9, as they are dialled"], id="phone-in-arabic-digits"),
])
def test_messages_name_the_problem(check_id: str, source: str, target: str, expected: list[str]):
    assert messages(check_id, source, target, "es") == expected


def test_finders_read_each_kind_once():
    text = ("See [NHS](https://www.nhs.uk/), <https://111.nhs.uk/>, https://nice.org.uk/ng59. "
            "Write to [us](mailto:help@example.org) or a.b@example.org; call 0300 123 4567 or 999.")
    assert [f.text for f in find_urls(text)] == ["https://www.nhs.uk/", "https://111.nhs.uk/",
                                                 "https://nice.org.uk/ng59"]
    assert [f.text for f in find_emails(text)] == ["help@example.org", "a.b@example.org"]
    assert [f.text for f in find_phones(text)] == ["0300 123 4567", "999"]
    assert all(text[f.start:f.end] == f.text for f in (*find_urls(text), *find_emails(text), *find_phones(text)))


@pytest.mark.parametrize("check_id", ["urls", "emails", "phones"])
def test_registered_as_errors(check_id: str):
    assert REGISTRY[check_id].severity == ERROR


# Pieces of URLs, addresses and phone numbers, whole and broken: texts without "](", "<", "@", "://",
# "www." or a digit skip the scans, and must read as the full scans read them.
_NOT_CONTACTS = ["x", "s", " ", ".", "/", "]", "(", ")", ">", "http", "ftp", "ſ", "mailto:", "org", "a.b", "-", "\u00a0",
                 "mg", "WW."]
_CONTACTS = ["](", "<", "@", "://", "www.", "WWW.", "help@a.org", "https://a.org/", "<https://a.org/>", "[a](/b)",
             "[a](https://a.org/)", "www.a.org", "<a@b.org>", "ftp://a.org", "<tel:999>", "9", "٩", "0300 123 4567",
             "999", "+44 20 7946 0000", "(555) 123-4567"]
_TEXT = st.lists(st.sampled_from(_NOT_CONTACTS), max_size=8).map("".join)


@given(st.tuples(_TEXT, st.sampled_from(_CONTACTS), _TEXT).map("".join)
       | st.lists(st.sampled_from(_NOT_CONTACTS + _CONTACTS), max_size=12).map("".join))
def test_texts_the_scans_skip_read_as_the_full_scans(text: str):
    assert _scan_cached.__wrapped__(text) == _read_contacts(text)
    assert _phones.__wrapped__(text) == _read_phones(text)


@pytest.mark.parametrize("text", [f"Call or see {c}, then rest." for c in _NOT_CONTACTS + _CONTACTS])
def test_each_piece_alone_reads_as_the_full_scans(text: str):
    assert _scan_cached.__wrapped__(text) == _read_contacts(text)
    assert _phones.__wrapped__(text) == _read_phones(text)
