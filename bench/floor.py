"""The build's floor: Markdown parse + HTML render + write of the same pages, with no catalogs at all.

    python bench/floor.py PROJECT OUT [--jobs N]

For every article and output locale of a project: markdown-it (CommonMark,
tables, front matter, the region containers) renders the source, Jinja2 puts
it in a small page, and the page is written. As plain as it gets;
``bench/run.py`` compares the build stage's pages per second with this, in
one process (``--jobs 1``, the default) and split across a process pool of
every core (``--jobs N``: the articles dealt out in turn to N processes,
as the build deals them out), so that the comparison is fair to a floor that
could use every core as ``locum`` does. Prints ``PAGES SECONDS``.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
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


def render(sources: list[Path], tags: list[str], out: Path) -> int:
    """Render each of ``sources`` in each locale of ``tags`` into ``out``; the pages written."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
    md.use(container_plugin, name="region")
    pages = 0
    for source in sources:
        text = source.read_text(encoding="utf-8")
        for tag in tags:
            body = Markup(md.render(text))
            target = out / tag / source.stem / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(PAGE.render(lang=tag, title=source.stem, body=body), encoding="utf-8")
            pages += 1
    return pages


def floor(project: Path, out: Path, jobs: int = 1) -> tuple[int, float]:
    """Render every article in every output locale into ``out`` with ``jobs`` processes; (pages, seconds).

    The clock starts before the pool does: starting the workers is part of the cost.
    """
    tags = [locale.tag for locale in load_config(project).locales]
    sources = sorted((project / "source").glob("*.md"))
    start = time.perf_counter()
    if jobs == 1:
        return render(sources, tags, out), time.perf_counter() - start
    with ProcessPoolExecutor(jobs) as pool:
        pages = sum(pool.map(render, [sources[n::jobs] for n in range(jobs)], [tags] * jobs, [out] * jobs))
    return pages, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=1, help="processes to render with (default 1)")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    pages, seconds = floor(args.project, args.out, args.jobs)
    print(f"{pages} {seconds:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
