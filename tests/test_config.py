"""locales/locum.toml → Config: the shipped configuration, derived facts, and validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from workflow.config import load_config, parse_config
from workflow.errors import ErrorList


def test_shipped_config():
    config = load_config(REPO)
    assert config.source_language == "en"
    assert set(config.markets) == {"gb", "us"}
    chains = {loc.tag: (loc.market, loc.chain) for loc in config.locales}
    assert chains == {"en-GB": ("gb", ()), "en-US": ("us", ("en_US",)), "es-US": ("us", ("es_US", "es")),
                      "pl-GB": ("gb", ("pl",)), "ar-GB": ("gb", ("ar",))}
    assert config.catalogs == ("en_US", "es_US", "es", "pl", "ar")
    assert [c for c in config.catalogs if config.is_override(c)] == ["en_US", "es_US"]
    assert config.markets_of("pl") == {"gb"} and config.markets_of("es") == {"us"}
    assert config.locale("ar-GB").babel_locale.character_order == "right-to-left"
    assert all(r.catalogs for r in config.reviewers)


def test_config_is_frozen():
    config = load_config(REPO)
    with pytest.raises(AttributeError):
        config.policy = "preview"


def test_all_problems_reported_at_once():
    data = {"markets": {"gb": {}}, "locales": {"xx-GB": {"market": "fr", "chain": ["zz"]}},
            "publish": {"policy": "never"}}
    with pytest.raises(ErrorList) as info:
        parse_config(data, Path("."))
    messages = [e.message for e in info.value.errors]
    assert len(messages) == 4
    assert all(str(e).startswith("locales/locum.toml: error: ") for e in info.value.errors)


def test_defaults():
    config = parse_config({"markets": {"gb": {}}, "locales": {"en-GB": {"market": "gb"}}}, Path("."))
    assert config.policy == "approved" and config.source_language == "en" and config.catalogs == ()


def test_only_english_source_text_is_known():
    data = {"project": {"source_language": "fr"}, "markets": {"gb": {}}, "locales": {"en-GB": {"market": "gb"}}}
    with pytest.raises(ErrorList) as info:
        parse_config(data, Path("."))
    assert [e.message for e in info.value.errors] == [
        "[project] source_language: 'fr': Locum's checks and masking know English source text only (en)"]


@pytest.mark.parametrize("data, message", [
    ({"reviewers": [{"name": "A", "email": "a@example.org", "catalogs": 5}]},
     "[[reviewers]] #1 catalogs: must be a list of catalog names like [\"es_US\", \"es\"]"),
    ({"reviewers": [{"name": "A", "email": "a@example.org", "catalogs": "es"}]},
     "[[reviewers]] #1 catalogs: must be a list of catalog names like [\"es_US\", \"es\"]"),
    ({"locales": {"en-GB": {"market": ["gb"]}}}, "[locales.\"en-GB\"] market: unknown market ['gb'] (known: gb)"),
    ({"markets": {"gb": "United Kingdom"}}, "[markets.gb]: must be a table"),
], ids=["catalogs-a-number", "catalogs-a-string", "market-a-list", "market-not-a-table"])
def test_a_value_of_the_wrong_type_is_reported_not_raised(data, message):
    with pytest.raises(ErrorList) as info:
        parse_config({"markets": {"gb": {}}, "locales": {"en-GB": {"market": "gb"}}} | data, Path("."))
    assert [e.message for e in info.value.errors] == [message]


# Each error is reported on the line of the key it names, or on its table's header when the key is missing
# or the table itself is wrong. The cases edit this valid configuration.
BASE = """\
[project]
source_language = "en"

[markets.gb]
name = "United Kingdom"

[markets.us]
name = "United States"

[locales."en-GB"]
market = "gb"

[locales."es-US"]
market = "us"
chain = ["es_US", "es"]

[locales."pl-GB"]
market = "gb"
chain = ["pl"]

[[reviewers]]
name = "Dr Ana López"
email = "ana.lopez@example.org"
catalogs = ["es", "es_US"]

[[reviewers]]
name = "Dr Piotr Nowak"
email = "piotr.nowak@example.org"
catalogs = ["pl"]

[publish]
policy = "approved"
"""
PIOTR = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE9Jt49SsTuxDMt/ZZFUo5FJNtIauLrvNHmgJWxE60FZ piotr.nowak@example.org"
LAYLA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBHioXy+U7HszdqlrCIgX112ZXd1lO3LLUuh6aC47Qsx piotr.nowak@example.org"
# case → (edits of BASE, [(text on the line the error must name, message)])
CASES = {
    "deep-in-the-second-reviewer": (
        [('email = "piotr.nowak@example.org"\ncatalogs = ["pl"]\n',
          f'catalogs = ["pl"]\nkeys = [\n  "{PIOTR}",  # email = "a@b.c" ]\n  # [[reviewers]]\n  """{LAYLA}""",\n]\n'
          'phone = "+44 20 7946 0000"\nemail = "piotr.nowak@example"\n')],
        [("phone =", "[[reviewers]] #2: unknown key 'phone' (expected one of: catalogs, email, keys, name, "
                     "retired_keys)"),
         ('email = "piotr.nowak@example"', "[[reviewers]] #2 email: not an email address ('piotr.nowak@example')")]),
    "unknown-key-in-publish": (
        [('policy = "approved"\n', 'policy = "approved"\ngate = "strict"\n')],
        [("gate =", "[publish]: unknown key 'gate' (expected one of: policy, show_reviewers)")]),
    "third-locale": (
        [('[locales."pl-GB"]\nmarket = "gb"\n', '[locales."pl-XX"]\nmarket = "fr"\n')],
        [('[locales."pl-XX"]', '[locales."pl-XX"]: not a known BCP 47 language-region tag like es-US'),
         ('market = "fr"', "[locales.\"pl-XX\"] market: unknown market 'fr' (known: gb, us)")]),
    "missing-keys-name-their-table": (
        [('[locales."en-GB"]\nmarket = "gb"\n', '[locales."en-GB"]\n'),
         ('[[reviewers]]\nname = "Dr Ana López"\n', '[[reviewers]]  # Ana\n')],
        [('[locales."en-GB"]', '[locales."en-GB"] market: unknown market None (known: gb, us)'),
         ("[[reviewers]]  # Ana", "[[reviewers]] #1 name: required")]),
    "after-a-multi-line-array": (
        [('chain = ["es_US", "es"]\n', 'chain = [\n  "es_US",  # ] policy = "x"\n  """es""",\n]\npolicy = "never"\n')],
        [('policy = "never"', "[locales.\"es-US\"] policy: must be one of approved, preview (got 'never')")]),
    "source-language": (
        [('source_language = "en"', 'source_language = "fr"')],
        [('source_language = "fr"',
          "[project] source_language: 'fr': Locum's checks and masking know English source text only (en)")]),
}


def edit(edits: list[tuple[str, str]]) -> str:
    text = BASE
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def located(text: str, expected: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """(line, message) pairs, each line found as the one line of ``text`` holding the given fragment."""
    found = []
    for fragment, message in expected:
        (line,) = [n for n, content in enumerate(text.splitlines(), 1) if fragment in content]
        found.append((line, message))
    return found


def problems(root: Path, text: str) -> list[tuple[int | None, str]]:
    (root / "locales").mkdir(exist_ok=True)
    (root / "locales" / "locum.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ErrorList) as info:
        load_config(root)
    return [(error.line, error.message) for error in info.value.errors]


def test_the_base_of_the_line_cases_is_valid(tmp_path):
    (tmp_path / "locales").mkdir()
    (tmp_path / "locales" / "locum.toml").write_text(BASE, encoding="utf-8")
    assert [r.name for r in load_config(tmp_path).reviewers] == ["Dr Ana López", "Dr Piotr Nowak"]


@pytest.mark.parametrize("case", CASES)
def test_an_error_names_the_line_of_its_key(tmp_path, case):
    edits, expected = CASES[case]
    text = edit(edits)
    assert problems(tmp_path, text) == located(text, expected)


def test_every_error_at_once_each_on_its_line(tmp_path):
    cases = [CASES[name] for name in ("source-language", "unknown-key-in-publish", "missing-keys-name-their-table",
                                      "after-a-multi-line-array", "third-locale", "deep-in-the-second-reviewer")]
    text = edit([change for edits, _ in cases for change in edits])
    got = problems(tmp_path, text)
    assert sorted(got) == sorted(located(text, [error for _, expected in cases for error in expected]))
    assert [line for line, _ in got] == [2, 41, 10, 18, 20, 21, 24, 36, 37]     # table by table, as validated


def test_reviewers_in_an_inline_array_are_located_by_entry(tmp_path):
    text = BASE.split("[[reviewers]]")[0].replace("[project]", (
        'reviewers = [\n  {name = "A", email = "a@example.org", catalogs = ["es"]},\n'
        '  {name = "B", email = "b@example", catalogs = ["pl"]},\n]\n\n[project]'))
    assert problems(tmp_path, text + '[publish]\npolicy = "approved"\n') == [
        (3, "[[reviewers]] #2 email: not an email address ('b@example')")]
