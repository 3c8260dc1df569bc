"""The build's floor: Markdown parse + HTML render + write of the same pages, with no catalogs at all.

For every article and output locale of a project: markdown-it (CommonMark,
tables, front matter, the region containers) renders the source, Jinja2 puts
it in a small page, and the page is written. One process, as plain as it
gets; ``bench/run.py`` compares the build stage's pages per second with this.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from jinja2 import Environment
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workflow.config import load_config  # noqa: E402

PAGE = Environment(autoescape=True).from_string(
    "<!DOCTYPE html>\n<html lang=\"{{ lang }}\"><head><meta charset=\"utf-8\"><title>{{ title }}</title>"
    "</head><body><main>{{ body }}</main></body></html>\n")


def floor(project: Path, out: Path) -> tuple[int, float]:
    """Render every article in every output locale into ``out``; (pages, seconds)."""
    config = load_config(project)
    md = MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
    md.use(container_plugin, name="region")
    start, pages = time.perf_counter(), 0
    for source in sorted((project / "source").glob("*.md")):
        text = source.read_text(encoding="utf-8")
        for locale in config.locales:
            body = Markup(md.render(text))
            target = out / locale.tag / source.stem / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(PAGE.render(lang=locale.tag, title=source.stem, body=body), encoding="utf-8")
            pages += 1
    return pages, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    pages, seconds = floor(args.project, args.out)
    print(f"{pages} {seconds:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
