"""emergency-block: an article with emergency advice for one market and not the other (a source check)."""

from __future__ import annotations

import pytest

from workflow.checks import SOURCE_CHECKS
from workflow.checks.emergency import is_emergency

CHECK = SOURCE_CHECKS["emergency-block"]
GB = [(17, "Help in the UK"), (19, "Call NHS 111 if you need advice. In an emergency, call 999.")]
US = [(22, "Help in the US"), (24, "Call 911 in an emergency.")]
US_NO_NUMBER = [(22, "Help in the US"), (24, "Go to the emergency room.")]
US_PLAIN = [(22, "Insurance in the US"), (24, "Your plan may cover it.")]


def run(blocks, markets=("gb", "us")):
    return list(CHECK.function(blocks, list(markets), "en"))


PASS = [
    ("both markets", {"gb": GB, "us": US}),
    ("the word alone is enough", {"gb": GB, "us": US_NO_NUMBER}),
    ("no emergency block at all", {"gb": [(3, "NHS prescriptions")], "us": US_PLAIN}),
    ("no region blocks", {}),
]
FAIL = [
    ("gb only", {"gb": GB, "us": US_PLAIN}, "us", 19),
    ("us only", {"gb": [(3, "See your GP.")], "us": US}, "gb", 24),
    ("us block missing entirely", {"gb": GB}, "us", 19),
]


@pytest.mark.parametrize("name,blocks", PASS, ids=[p[0] for p in PASS])
def test_passes(name, blocks):
    assert run(blocks) == []


@pytest.mark.parametrize("name,blocks,market,line", FAIL, ids=[f[0] for f in FAIL])
def test_fails(name, blocks, market, line):
    [(at, lacking, message)] = run(blocks)
    assert (at, lacking) == (line, market) and f"no region {market} block does" in message


def test_only_markets_the_site_serves_are_asked_for():
    assert run({"gb": GB}, markets=("gb",)) == []


@pytest.mark.parametrize("text,found", [
    ("In an emergency, call 999.", True), ("call 112", True), ("Emergencies happen.", True),
    ("Take 9110 mg.", False), ("Costs 9.99.", False), ("1,999 people", False), ("911.5", False),
])
def test_what_counts_as_emergency_advice(text, found):
    assert is_emergency(text, "en") is found


def test_check_reports_it_at_the_source_line(site_project, locum):
    path = site_project / "source/pain-relief.md"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    us = next(i for i, line in enumerate(lines) if line.strip() == "::: region us")
    end = next(i for i in range(us + 1, len(lines)) if lines[i].strip() == ":::")
    path.write_text("\n".join(lines[:us] + lines[end + 1:]) + "\n", encoding="utf-8")
    assert locum(site_project, "extract").code == 0
    result = locum(site_project, "check", "--locale", "es-US")
    assert "source/pain-relief.md:19: warning [emergency-block] a region gb block tells readers whom to call" in (
        result.out)
    assert "[emergency-block]" not in locum(site_project, "check", "--locale", "pl-GB").out
