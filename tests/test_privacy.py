"""Privacy: output/ holds what readers are served and nothing else; the full audit goes to audit/.

No reviewer's e-mail address (nor its ``local@`` part) reaches ``output/``;
the audit with reviewers, e-mails, times and provenance is written outside it,
one record per published page and segment; ``[publish] show_reviewers``
puts "Reviewed by <names>, <date>" on the pages, by name, in the page's language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from babel.dates import format_date
from conftest import DATA, REPO

from workflow.config import OutputLocale, load_config
from workflow.contexts import REVIEWED_BY, reviewed_by
from workflow.errors import ErrorList
from workflow.extract import load_articles
from workflow.pages import Page
from workflow.segments import extract_segments

TRANSLATED = {"es": "Revisado por %(names)s, %(date)s", "pl": "Zweryfikowane przez %(names)s, %(date)s",
              "ar": "تمت المراجعة بواسطة %(names)s، %(date)s"}


def reviewer_emails(root: Path) -> list[str]:
    return [reviewer.email for reviewer in load_config(root).reviewers]


def assert_no_reviewer_email(output: Path, emails: list[str]) -> int:
    """Every file under ``output`` (bytes, case-insensitive) without an address or its ``local@``; returns the count."""
    files = [path for path in output.rglob("*") if path.is_file()]
    for path in files:
        data = path.read_bytes().lower()
        for email in emails:
            local = email.split("@")[0].lower() + "@"
            assert email.lower().encode() not in data, (path, email)
            assert local.encode() not in data, (path, local)
    return len(files)


def set_option(root: Path, line: str) -> None:
    config = root / "locales/locum.toml"
    text = config.read_text(encoding="utf-8")
    assert text.count("\n[publish]\n") == 1
    config.write_text(text.replace("\n[publish]\n", f"\n[publish]\n{line}\n"), encoding="utf-8")


def published(root: Path) -> list[tuple[str, str]]:
    report = json.loads((root / "audit/build-report.json").read_text(encoding="utf-8"))
    return [(page["locale"], page["slug"]) for page in report["published"]]


def page(root: Path, locale: str, slug: str = "pain-relief", site: str = "output") -> str:
    return (root / site / locale / slug / "index.html").read_text(encoding="utf-8")


def audit(root: Path, locale: str, slug: str = "pain-relief") -> dict:
    return json.loads((root / "audit" / locale / f"{slug}.audit.json").read_text(encoding="utf-8"))


def email_of(segment: dict) -> str | None:
    """The reviewer's address in a segment's audit record (``email``, or inside ``approver``)."""
    if segment.get("email"):
        return segment["email"]
    approver = segment.get("approver") or ""
    return approver[approver.rindex("<") + 1:-1] if approver.endswith(">") else None


def test_no_reviewer_email_under_output_after_publish(site_project, locum):
    assert locum(site_project, "publish").code == 0
    output = site_project / "output"
    assert assert_no_reviewer_email(output, reviewer_emails(site_project)) > 10
    names = {path.relative_to(output).as_posix() for path in output.rglob("*") if path.is_file()}
    assert not {name for name in names if "audit" in name or "report" in name or name.startswith(".")
                or "/." in name}
    assert all(name.endswith((".html", ".xml", ".css")) or name.startswith("images/") for name in names), names


def test_no_reviewer_email_under_output_of_the_shipped_project(tmp_path, locum):
    """``make publish`` on the sample project: grep output/ for every reviewer's address."""
    for folder in ("source", "locales"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.mo", "*.audit.json"))
    result = locum(tmp_path, "publish")
    assert result.code == 0, result.err
    assert published(tmp_path)
    assert assert_no_reviewer_email(tmp_path / "output", reviewer_emails(tmp_path)) > 0
    emails = reviewer_emails(tmp_path)
    found = {email for path in (tmp_path / "audit").rglob("*.audit.json")
             for email in emails if email in path.read_text(encoding="utf-8")}
    assert found, "the full audit (outside output/) names the reviewers"


def test_the_full_audit_is_outside_output_and_complete(site_project, locum):
    assert locum(site_project, "publish").code == 0
    config = load_config(site_project)
    pages = published(site_project)
    assert len(pages) == 10
    index = json.loads((site_project / "audit/index.audit.json").read_text(encoding="utf-8"))
    assert sorted((p["locale"], p["slug"]) for p in index) == sorted(pages)
    files = {path.relative_to(site_project / "audit").as_posix() for path in (site_project / "audit").rglob("*")
             if path.is_file()}
    assert files == {p["file"] for p in index} | {"index.audit.json", "build-report.json", ".gitignore"}
    assert "*" in (site_project / "audit/.gitignore").read_text(encoding="utf-8").splitlines()
    articles = {article.slug: article for article in load_articles(config)}
    allowed = {catalog: {r.email for r in config.reviewers if catalog in r.catalogs} for catalog in config.catalogs}
    seen_emails = set()
    for listed in index:
        record = json.loads((site_project / "audit" / listed["file"]).read_text(encoding="utf-8"))
        locale = config.locale(record["locale"])
        assert record["slug"] == listed["slug"] and len(record["segments"]) == listed["segments"]
        if not locale.chain:                # the source text: nothing to approve
            assert record["source"] == "source text" and record["segments"] == []
            continue
        shown = {s.text for s in extract_segments(articles[record["slug"]]) if s.region in (None, locale.market)}
        assert [s["text"] for s in record["segments"]] == list(dict.fromkeys(s["text"] for s in record["segments"]))
        assert {s["text"] for s in record["segments"]} == shown, record["locale"]     # one record per segment
        for segment in record["segments"]:
            if segment["catalog"] is None:      # en-US: text no override changes is the source text
                assert config.is_override(locale.chain[-1])
                continue
            assert email_of(segment) in allowed[segment["catalog"]], segment
            assert segment.get("date") or segment.get("time"), segment
            assert "provenance" in segment
            seen_emails.add(email_of(segment))
    assert seen_emails == set(reviewer_emails(site_project))


def test_the_manifest_is_kept_outside_output_and_builds_stay_incremental(site_project, locum):
    assert locum(site_project, "publish").code == 0
    assert (site_project / ".cache/build.json").is_file()
    assert "0 rendered, 10 unchanged" in locum(site_project, "build").out
    (site_project / "audit/pl-GB/pain-relief.audit.json").unlink()       # an audit is kept with its page
    assert "1 rendered, 9 unchanged" in locum(site_project, "build").out
    assert (site_project / "audit/pl-GB/pain-relief.audit.json").is_file()
    shutil.rmtree(site_project / "output")                                  # a manifest without its site
    assert "10 rendered, 0 unchanged" in locum(site_project, "build").out
    shutil.rmtree(site_project / "audit")
    assert "10 rendered, 0 unchanged" in locum(site_project, "build").out
    assert (site_project / "audit/index.audit.json").is_file()
    (site_project / "source/sleep-and-pain.md").unlink()                    # audits go with their pages
    assert locum(site_project, "publish").code == 0
    assert not list((site_project / "audit").rglob("sleep-and-pain*"))
    assert not list((site_project / "output").rglob("sleep-and-pain*"))


@pytest.fixture
def reviewed_site(request, monkeypatch):
    """The tiny project whose chrome catalogs translate the "Reviewed by" line too."""
    import fixture_translations

    monkeypatch.setitem(fixture_translations.T, REVIEWED_BY, TRANSLATED)
    return request.getfixturevalue("site_project")


def test_reviewers_are_named_on_the_page_when_the_config_asks(reviewed_site, locum):
    assert locum(reviewed_site, "publish").code == 0
    assert not any("Revisado por" in page(reviewed_site, locale) or "Reviewed by" in page(reviewed_site, locale)
                   for locale in ("en-GB", "en-US", "es-US", "pl-GB", "ar-GB"))          # off by default
    set_option(reviewed_site, "show_reviewers = true")
    result = locum(reviewed_site, "publish")
    assert result.code == 0 and "10 page(s) published" in result.out, result.err
    for locale, text, name, babel in (("es-US", "Revisado por", "Dr Ana López", "es_US"),
                                      ("pl-GB", "Zweryfikowane przez", "Dr Piotr Nowak", "pl"),
                                      ("ar-GB", "تمت المراجعة بواسطة", "Dr Layla Haddad", "ar"),
                                      ("en-US", "Reviewed by", "Dr Sam Carter", "en_US")):
        segments = audit(reviewed_site, locale)["segments"]
        latest = max(dt.date.fromisoformat((s.get("date") or s["time"])[:10]) for s in segments if s["catalog"])
        when = f'<time datetime="{latest.isoformat()}">{format_date(latest, "long", locale=babel)}</time>'
        html = page(reviewed_site, locale)
        assert f"{text} {name}{'،' if locale == 'ar-GB' else ','} {when}" in html, (locale, html)
    assert "Reviewed by" not in page(reviewed_site, "en-GB")          # the source text: nobody to name
    assert assert_no_reviewer_email(reviewed_site / "output", reviewer_emails(reviewed_site)) > 10


@pytest.fixture
def unreviewed_site(request, monkeypatch):
    """The tiny project whose chrome catalogs leave the "Reviewed by" line untranslated."""
    import fixture_translations

    monkeypatch.delitem(fixture_translations.T, REVIEWED_BY, raising=False)
    return request.getfixturevalue("site_project")


def test_a_chrome_without_the_line_publishes_while_the_option_is_off(unreviewed_site, locum):
    """The chrome catalogs lack the new message: no page is held back for it until the option asks for it."""
    site_project = unreviewed_site
    result = locum(site_project, "publish")
    assert result.code == 0 and "10 page(s) published" in result.out and "0 skipped" in result.out
    set_option(site_project, "show_reviewers = true")
    result = locum(site_project, "publish")
    assert "4 page(s) published" in result.out and "6 skipped" in result.out
    assert f"workflow/templates: {REVIEWED_BY!r}" in result.err
    report = json.loads((site_project / "audit/build-report.json").read_text(encoding="utf-8"))
    assert {s["locale"] for s in report["skipped"]} == {"es-US", "pl-GB", "ar-GB"}
    assert "Reviewed by Dr Sam Carter, <time" in page(site_project, "en-US")
    result = locum(site_project, "publish", "--preview")                 # preview: the English line stands in
    assert result.code == 0 and "10 page(s) built for preview" in result.out
    assert "Reviewed by Dr Ana López, <time" in page(site_project, "es-US", site=".cache/preview")


@pytest.mark.parametrize("value, shown", [('"yes"', "'yes'"), ("1", "1")])
def test_show_reviewers_must_be_a_boolean(project, locum, value, shown):
    set_option(project, f"show_reviewers = {value}")
    with pytest.raises(ErrorList) as raised:
        load_config(project)
    (problem,) = raised.value.errors
    assert problem.message == f"[publish] show_reviewers: must be true or false (got {shown})"
    lines = (project / "locales/locum.toml").read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1] == f"show_reviewers = {value}"
    result = locum(project, "check")
    assert result.code == 2 and f"locales/locum.toml:{problem.line}: error: [publish] show_reviewers" in result.err


def reviewed(shown: list[dict], tag: str = "es-US", market: str = "us", reviewers=()) -> dict | None:
    config = load_config(DATA / "project")
    config = dataclasses.replace(config, show_reviewers=True, reviewers=config.reviewers + tuple(reviewers))
    article = load_articles(config)[0]
    locale = OutputLocale(tag, market, ("es",), "approved")
    return reviewed_by(config, Page(locale, article, "", "", "", "", [], "", shown))


def test_the_line_names_the_latest_day_and_each_reviewer_once_by_name():
    ana, sam = "Dr Ana López <ana.lopez@example.org>", "Dr Sam Carter <sam.carter@example.org>"
    shown = [{"text": "a", "catalog": "es", "approver": ana, "date": "2026-03-01", "provenance": None},
             {"text": "b", "catalog": "es", "approver": sam, "date": "2026-11-22", "provenance": None},
             {"text": "c", "catalog": "es", "approver": ana, "date": "2026-11-02", "provenance": None},
             {"text": "d", "catalog": None, "approver": None, "date": None, "provenance": None}]
    line = reviewed(shown)
    assert line["names"] == "Dr Ana López y Dr Sam Carter"
    assert line["date"] == '<time datetime="2026-11-22">22 de noviembre de 2026</time>'
    # signed records: "email" and an ISO "time" (UTC); the name comes from locum.toml, never the address
    shown = [{"text": "a", "catalog": "es", "email": "ANA.LOPEZ@example.org", "name": "Ana",
              "time": "2026-11-22T23:10:00Z", "fingerprint": "SHA256:x"}]
    line = reviewed(shown, "pl-GB", "gb")
    assert line["names"] == "Dr Ana López" and "22 listopada 2026" in line["date"]
    undeclared = [{"text": "a", "catalog": "es", "email": "who@example.org", "time": "2026-01-05T10:00:00+00:00"}]
    assert reviewed(undeclared) is None
    assert reviewed([dict(undeclared[0], name="Dr Who")])["names"] == "Dr Who"
    assert reviewed([{"text": "a", "catalog": None, "approver": None, "date": None}]) is None
