"""A seeded synthetic Locum project: many articles of mixed blocks, doses, links and market sections."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

WORDS = ("pain back muscle nerve sleep mood dose tablet capsule doctor pharmacist nurse daily weekly "
         "morning evening food water alcohol driving pregnancy side effect nausea headache dizziness "
         "mouth constipation sweating appetite weight blood pressure liver kidney heart stomach "
         "exercise stretch posture walking rest heat ice therapy review plan record symptoms slowly "
         "gradually stop start change increase reduce safely carefully regularly usually often rarely").split()
UNITS = ("mg", "g", "ml", "tablets", "capsules", "hours", "days", "weeks")
LINKS = ("https://www.nhs.uk/medicines/", "https://medlineplus.gov/druginfo/",
         "https://www.nice.org.uk/guidance/", "https://111.nhs.uk/")

CONFIG = """\
[project]
source_language = "en"
site_name = "Synthetic Health Library"
base_url = "https://bench.example.org"

[markets.gb]
name = "United Kingdom"

[markets.us]
name = "United States"

[locales."en-GB"]
market = "gb"
chain = []

[locales."en-US"]
market = "us"
chain = ["en_US"]

[locales."es-US"]
market = "us"
chain = ["es_US", "es"]

[locales."pl-GB"]
market = "gb"
chain = ["pl"]

[locales."ar-GB"]
market = "gb"
chain = ["ar"]

[[reviewers]]
name = "Bench Reviewer"
email = "reviewer@example.org"
catalogs = ["es", "es_US", "pl", "ar", "en_US"]

[publish]
policy = "approved"
"""


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 22))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"{rng.choice((5, 10, 20, 30, 60, 120))} {rng.choice(UNITS)}")
    if rng.random() < 0.2:
        at = rng.randrange(len(words))
        words[at] = f"[{words[at]}]({rng.choice(LINKS)}{rng.choice(WORDS)}/)"
    if rng.random() < 0.2:
        at = rng.randrange(len(words))
        words[at] = f"**{words[at]}**"
    return " ".join(words).capitalize() + "."


def block(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.15:
        return "## " + sentence(rng).rstrip(".")
    if kind < 0.30:
        return "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 4)))
    if kind < 0.37:
        rows = [f"| {sentence(rng)} | {sentence(rng)} |" for _ in range(rng.randint(1, 3))]
        return "| Item | Advice |\n| --- | --- |\n" + "\n".join(rows)
    if kind < 0.42:
        return "> " + sentence(rng)
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 3)))


def article(rng: random.Random, number: int) -> str:
    blocks = [block(rng) for _ in range(rng.randint(40, 80))]
    for market in ("gb", "us"):
        at = rng.randrange(len(blocks))
        section = "\n\n".join(block(rng) for _ in range(rng.randint(2, 4)))
        blocks.insert(at, f"::: region {market}\n{section}\n:::")
    body = "\n\n".join(blocks)
    summary = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
    return (f"---\ntitle: Synthetic article {number}\ndescription: {json.dumps(summary)}\n"
            f"published: 2026-01-{1 + number % 28:02d}\nreading_time: {rng.randint(2, 12)}\n---\n\n"
            f"# Synthetic article {number}\n\n{body}\n")


def generate(root: Path, articles: int = 1000, seed: int = 1) -> Path:
    """Write a fresh synthetic project with ``articles`` articles under ``root``; returns ``root``."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "source").mkdir(parents=True)
    (root / "locales").mkdir()
    (root / "locales" / "locum.toml").write_text(CONFIG, encoding="utf-8")
    for number in range(articles):
        (root / "source" / f"article-{number:04d}.md").write_text(article(rng, number), encoding="utf-8")
    return root
