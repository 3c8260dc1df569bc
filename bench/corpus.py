"""A seeded synthetic Locum project: many articles of mixed blocks, doses, links and market sections.

``generate`` writes the sources, configuration and glossary; after ``locum
extract`` and ``locum update`` have made the catalogs, ``translate`` plays the
translators and reviewers: most articles are translated and approved in full,
the rest half done, and sparse US overrides rename paracetamol.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import shutil
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from workflow.approval import sign_record, with_record
from workflow.catalogs import new_catalog, read_catalog, write_catalog
from workflow.entries import regions
from workflow.sshsig import KeySigner, public_line

WORDS = ("pain back muscle nerve sleep mood dose tablet capsule doctor pharmacist nurse daily weekly "
         "morning evening food water alcohol driving pregnancy side effect nausea headache dizziness "
         "mouth constipation sweating appetite weight blood pressure liver kidney heart stomach "
         "exercise stretch posture walking rest heat ice therapy review plan record symptoms slowly "
         "gradually stop start change increase reduce safely carefully regularly usually often rarely").split()
TERMS = ("duloxetine", "paracetamol", "ibuprofen", "NHS")
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
keys = ["{key}"]

[publish]
policy = "approved"
"""

GLOSSARY = """\
term,status,note,es,es_US,pl,ar,en_US
duloxetine,locked,Generic drug name,duloxetina,,duloksetyna,دولوكسيتين,
paracetamol,locked,US readers know acetaminophen,paracetamol,acetaminofén,paracetamol,باراسيتامول,acetaminophen
ibuprofen,locked,,ibuprofeno,,ibuprofen,إيبوبروفين,
NHS,dnt,UK National Health Service,,,,,
constipation,forbidden,False friend,constipación,,,,
"""
RENDER = {"es": {"duloxetine": "duloxetina", "ibuprofen": "ibuprofeno"},
          "pl": {"duloxetine": "duloksetyna"},
          "ar": {"duloxetine": "دولوكسيتين", "paracetamol": "باراسيتامول", "ibuprofen": "إيبوبروفين"},
          "es_US": {"paracetamol": "acetaminofén", "duloxetine": "duloxetina", "ibuprofen": "ibuprofeno"},
          "en_US": {"paracetamol": "acetaminophen"}}
OVERRIDES = {"es_US": "es", "en_US": None}      # override catalog -> the catalog it overrides
REVIEWER = ("Bench Reviewer", "reviewer@example.org")


def reviewer_signer() -> KeySigner:
    """The bench reviewer's Ed25519 key, the same on every run (derived from a fixed seed; not a secret)."""
    return KeySigner(Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"locum bench reviewer").digest()))


def approve(entry, catalog: str) -> None:
    """Sign an approval of ``entry`` as the bench reviewer."""
    record = sign_record(entry, catalog, "approved", REVIEWER[1], SIGNER, dt.datetime(2026, 11, 22, 9, 0,
                                                                                      tzinfo=dt.timezone.utc))
    entry.tcomment = with_record(entry.tcomment, record)


SIGNER = reviewer_signer()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 22))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"{rng.choice((5, 10, 20, 30, 60, 120))} {rng.choice(UNITS)}")
    if rng.random() < 0.05:
        words.insert(rng.randrange(len(words)), rng.choice(TERMS))
    if rng.random() < 0.2:
        at = rng.randrange(len(words))
        words[at] = f"[{words[at]}]({rng.choice(LINKS)}{rng.choice(WORDS)}/)"
    if rng.random() < 0.2:
        at = rng.randrange(len(words))
        words[at] = f"**{words[at]}**"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


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
    (root / "locales" / "locum.toml").write_text(CONFIG.replace("{key}", public_line(SIGNER.key, "bench")),
                                                 encoding="utf-8")
    (root / "locales" / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
    for number in range(articles):
        (root / "source" / f"article-{number:04d}.md").write_text(article(rng, number), encoding="utf-8")
    return root


def rendered(text: str, catalog: str) -> str:
    """The synthetic translation of ``text``: a language tag and the glossary's renderings."""
    for term, rendering in RENDER.get(catalog, {}).items():
        text = text.replace(term, rendering).replace(term.capitalize(), rendering.capitalize())
    return text if catalog in OVERRIDES else f"[{catalog}] {text}"


def _fill(entry, catalog: str) -> None:
    if entry.msgid_plural:
        entry.msgstr_plural = {k: rendered(entry.msgid_plural, catalog) for k in entry.msgstr_plural}
    else:
        entry.msgstr = rendered(entry.msgid, catalog)
    approve(entry, catalog)


def translate(root: Path, complete: float = 0.8, seed: int = 1) -> int:
    """Translate and approve: ``complete`` of each language's articles in full, the others half done.

    With the default, about 90% of all entries are translated and approved.
    Then every untagged or US segment naming paracetamol gets an approved
    override in ``es_US`` and ``en_US``. Returns the number of entries filled.
    """
    rng = random.Random(seed)
    count = 0
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
        if path.parts[-3] in OVERRIDES and path.stem != "site":
            continue            # the overrides update made for the glossary's regional renderings: below
        po = read_catalog(path)
        share = 1.0 if path.stem == "site" or rng.random() < complete else 0.5   # page chrome: complete
        for entry in po:
            if share == 1.0 or rng.random() < share:
                _fill(entry, path.parts[-3])
                count += 1
        write_catalog(po, path)
    for pot in sorted((root / "locales").glob("article-*.pot")):
        template = read_catalog(pot)
        wanted = [e for e in template if "paracetamol" in e.msgid and regions(e) <= {"us"}]
        if not wanted:
            continue
        for catalog in OVERRIDES:
            path = root / "locales" / catalog / "LC_MESSAGES" / pot.with_suffix(".po").name
            po = read_catalog(path) if path.exists() else new_catalog(template, catalog, "2026-11-22 10:00+0000")
            for entry in wanted:        # update may have made the override entry already (workflow/regional.py)
                copy = po.find(entry.msgid, msgctxt=entry.msgctxt)
                if copy is None:
                    copy = type(entry)(msgid=entry.msgid, msgctxt=entry.msgctxt, comment=entry.comment,
                                       occurrences=list(entry.occurrences))
                    po.append(copy)
                if "fuzzy" in copy.flags:       # update's guess from the closest old entry
                    copy.flags.remove("fuzzy")
                _fill(copy, catalog)
                count += 1
            path.parent.mkdir(parents=True, exist_ok=True)
            write_catalog(po, path)
    return count
