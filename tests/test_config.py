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
