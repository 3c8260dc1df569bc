"""The Markdown module: extraction and localization find the same segments; no parser changes once built."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from workflow import markdown
from workflow.checks.markup import markdown_profile, raw_html
from workflow.checks.registry import Pair
from workflow.config import load_config
from workflow.errors import SourceError
from workflow.localize import Fallback, Missing, localize_tokens
from workflow.markdown import parse_blocks, parse_inline, parse_inline_unvalidated, render_html
from workflow.references import PageReferences, SiteReferences
from workflow.render import render_tokens
from workflow.segments import extract_segments
from workflow.source import TRANSLATABLE_FIELDS, parse_article

HERE = Path(__file__).parent
REPO = HERE.parent
SEEDS = Path(os.environ.get("LOCUM_SEEDS", "/work/shared/seeds"))
GOLDEN_MARKETS = frozenset({"gb", "us"})

# The odd corners: images without alt text, a title alone, an image beside text, an image in a table cell of
# a region, an empty heading, a hard break in a quoted list, a paragraph of images in a region, links to articles.
EDGES = """---
title: Edge cases
description: The odd corners
---
#

![](images/no-alt.svg) ![ ](images/space.svg "Only a title")

![Alt](a.svg) and text after it, [another article](other.md#part) and [one nowhere](gone.md)

::: region gb
| A | B |
|---|---|
| ![x](y.png) | |
:::

> - quoted *list*\\
>   hard break

::: region us
![US map](us.svg "US") ![](/abs.svg)
:::
"""


def _markets(root: Path) -> frozenset[str]:
    return frozenset(load_config(root).markets)


def _cases() -> list[tuple[str, str, frozenset[str]]]:
    """(name, text, markets) of every article the agreement test reads."""
    cases = [(f"golden/{p.name}", p.read_text(encoding="utf-8"), GOLDEN_MARKETS)
             for p in sorted((HERE / "golden" / "segments").glob("*.md"))]
    for root in (HERE / "data" / "project", REPO):
        if (root / "source").is_dir():
            markets = _markets(root)
            cases += [(f"{root.name}/{p.name}", p.read_text(encoding="utf-8"), markets)
                      for p in sorted((root / "source").glob("*.md"))]
    if SEEDS.is_dir():       # plain text: given a front matter when it has none
        for path in sorted(p for p in SEEDS.rglob("*") if p.suffix in (".md", ".txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            if not text.startswith("---"):
                text = f"---\ntitle: {path.stem}\n---\n\n{text}"
            cases.append((f"seeds/{path.name}", text, GOLDEN_MARKETS))
    cases.append(("edges", EDGES, GOLDEN_MARKETS))
    return cases


CASES = _cases()


def _article(text: str, markets: frozenset[str]):
    try:
        return parse_article(text, "case", "source/case.md", markets)
    except SourceError as exc:
        pytest.skip(f"does not parse as an article: {exc}")


def _recording(looked_up: list[str]):
    """A lookup that knows every text, and notes each it is asked for in ``looked_up``."""

    def lookup(text: str) -> str:
        looked_up.append(text)
        return f"T({text})"

    return lookup


@pytest.mark.parametrize("name, text, markets", CASES, ids=[c[0] for c in CASES])
def test_localize_looks_up_exactly_the_extracted_segments(name: str, text: str, markets: frozenset[str]):
    article = _article(text, markets)
    body = [s for s in extract_segments(article) if s.kind not in TRANSLATABLE_FIELDS]
    for market in [*sorted(markets), None]:
        expected = [s for s in body if s.region in (None, market)]
        looked_up: list[str] = []
        _, missing = localize_tokens(article.tokens, market, _recording(looked_up), asset_prefix="../../")
        assert Counter(looked_up) == Counter(s.text for s in expected), market
        assert missing == []
        looked_up = []
        _, missing = localize_tokens(article.tokens, market, _recording(looked_up), references=REFERENCES)
        assert Counter(looked_up) == Counter(s.text for s in expected), market
        assert missing == []
        _, missing = localize_tokens(article.tokens, market, lambda text: None, Fallback("en", "Not translated"))
        assert missing == [Missing(s.text, s.line) for s in expected], market


# Links to articles and images, as a page of pl-GB sees them: "other" only in English, "gone" published nowhere.
REFERENCES = PageReferences(SiteReferences(frozenset({"other", "gone"}), frozenset({"images/a.svg"}),
                                           {"en-GB": frozenset({"other"}), "pl-GB": frozenset()}, "en-GB"), "pl-GB")


@pytest.mark.parametrize("name, text, markets", CASES, ids=[c[0] for c in CASES])
def test_localizing_and_rendering_leave_the_article_as_it_was(name: str, text: str, markets: frozenset[str]):
    article = _article(text, markets)
    before = [t.as_dict() for t in article.tokens]
    for market in [*sorted(markets), None]:
        for lookup in (lambda text: None, lambda text: f"T({text})"):
            tokens, _ = localize_tokens(article.tokens, market, lookup, Fallback("en", "Not translated"), "../../")
            render_tokens(tokens)
            tokens, _ = localize_tokens(article.tokens, market, lookup, Fallback("en", "Not translated"),
                                        references=REFERENCES)
            render_tokens(tokens)
    assert [t.as_dict() for t in article.tokens] == before


def test_the_edge_article_has_every_corner():
    segments = extract_segments(_article(EDGES, GOLDEN_MARKETS))
    assert [(s.text, s.kind, s.region) for s in segments if s.kind.startswith("image")] == [
        ("Only a title", "image-title", None), ("x", "image-alt", "gb"),
        ("US map", "image-alt", "us"), ("US", "image-title", "us")]
    assert ("![Alt](a.svg) and text after it, [another article](other.md#part) and [one nowhere](gone.md)"
            in [s.text for s in segments])


# --- no parser changes once built --------------------------------------------------------------------------

FACTORIES = [markdown._article_parser, markdown._inline_parser, markdown._unvalidated_parser,
             markdown._html_renderer]
PROBE = ("::: region gb\n# Ask [your GP](javascript:alert(1)) *now*\n\n![Map](images/m.svg \"NHS\")\n:::\n\n"
         "| A | B |\n|---|---|\n| [x](https://www.nhs.uk/) | `y` <b>z</b> |\n")
PROBE_CODE = """
import json, sys
from workflow.markdown import parse_blocks, parse_inline, parse_inline_unvalidated, render_html
text = sys.stdin.read()
print(json.dumps([render_html(parse_blocks(text)), [t.as_dict() for t in parse_inline(text)],
                  [t.as_dict() for t in parse_inline_unvalidated(text)]]))
"""


def _fingerprint(md) -> tuple:
    """All that decides what a parser makes of a text: options, rules, renderer, per-instance overrides."""
    rulers = (md.core.ruler, md.block.ruler, md.inline.ruler, md.inline.ruler2)
    return (dict(md.options), [ruler.get_active_rules() for ruler in rulers], type(md.renderer),
            {name: getattr(rule, "__qualname__", repr(rule)) for name, rule in md.renderer.rules.items()},
            sorted(vars(md)))


def _run_other_modules() -> None:
    """What a publish does with Markdown: localize and render pages, check translations."""
    article = parse_article(EDGES, "case", "source/case.md", GOLDEN_MARKETS)
    render_tokens(localize_tokens(article.tokens, "gb", lambda text: None, Fallback("en", "Not translated"))[0])
    markdown_profile("See [NHS](https://www.nhs.uk/) **now**.")
    assert list(raw_html(Pair("See [NHS](https://www.nhs.uk/).", "Vea [x](javascript:alert(1)).", "es", "es")))


def test_the_renderer_has_the_region_rules_when_built():
    fresh = markdown._html_renderer.__wrapped__()
    assert {"container_region_open", "container_region_close"} <= set(fresh.renderer.rules)
    tokens = parse_blocks("::: region us\nHi\n:::\n")
    assert fresh.renderer.render(tokens, fresh.options, {}) == '<section data-region="us">\n<p>Hi</p>\n</section>\n'


@pytest.mark.parametrize("factory", FACTORIES, ids=[f.__name__ for f in FACTORIES])
def test_no_module_changes_a_parser(factory):
    _run_other_modules()
    assert factory() is factory()
    assert _fingerprint(factory()) == _fingerprint(factory.__wrapped__())


def test_the_translation_parser_is_not_the_checks_one():
    assert [t.type for t in parse_inline("[x](javascript:y)")] == ["text"]
    assert markdown._inline_parser().validateLink("javascript:y") is False
    assert "validateLink" not in vars(markdown._inline_parser())


def test_parsing_and_rendering_do_not_depend_on_what_ran_before():
    fresh = subprocess.run([sys.executable, "-c", PROBE_CODE], input=PROBE, capture_output=True, text=True,
                           check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}).stdout
    _run_other_modules()
    here = json.dumps([render_html(parse_blocks(PROBE)), [t.as_dict() for t in parse_inline(PROBE)],
                       [t.as_dict() for t in parse_inline_unvalidated(PROBE)]])
    assert fresh == here + "\n"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_parsers_come_only_from_the_markdown_module():
    package = REPO / "workflow"
    for path in sorted(package.rglob("*.py")):
        if path.name == "markdown.py":
            continue
        imported = _imports(path)
        assert not {"markdown_it.MarkdownIt", "markdown_it.main"} & imported, path
        assert not any(name.startswith("mdit_py_plugins") for name in imported), path
    for path in sorted((package / "checks").glob("*.py")):
        stages = {f"workflow.{stage}" for stage in ("localize", "build", "render", "translate")}
        assert not {name for name in _imports(path) if name.rsplit(".", 1)[0] in stages or name in stages}, path


def test_the_edge_article_s_links_and_images_on_a_page():
    article = _article(EDGES, GOLDEN_MARKETS)
    tokens, _ = localize_tokens(article.tokens, "us", lambda text: None, Fallback("en", "Not translated"),
                                references=REFERENCES)
    html = render_tokens(tokens)
    assert '<a href="../../en-GB/other/#part" hreflang="en-GB">another article</a> and one nowhere' in html
    assert 'src="../../a.svg"' in html and 'src="../../us.svg"' in html and 'src="/abs.svg"' in html
