"""``make bench``: XLIFF, TMX and TBX export and import of one locale on the seeded 1,000-article project.

    python bench/exchange_bench.py [--articles 1000] [--locale pl] [--reuse]

The project is the one ``bench/run.py`` measures (``bench/corpus.py``):
generated, extracted, updated, translated and approved by the bench
reviewer, then published, so the catalogs carry verified approvals, the
``.mo`` files and the check stage's record of its findings, as a project
has them after ``locum publish``. ``--reuse`` keeps an earlier run's
project (in ``--dir``) instead of building it again.

Every measurement runs ``python -m workflow`` as a child of
``bench/peak.py`` (wall time and peak RSS), through the CLI:

* ``locum export --format xliff --locale L --output F``;
* ``locum import F``, the file unchanged (nothing to write);
* ``locum import`` of the same file with 1% of its non-empty targets edited
  (as a CAT tool would), into a copy of the project;
* ``locum export --format tmx --locale L`` and its ``locum import`` into a
  copy of the project (the translation memory);
* ``locum export --format tbx`` (the glossary).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import generate, translate  # noqa: E402
from run import measure  # noqa: E402

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
EDIT = " (poprawione)"


def build(project: Path, articles: int, seed: int) -> float:
    """A fresh published project in ``project`` (as bench/run.py's publish leaves it); its seconds."""
    started = time.perf_counter()
    generate(project, articles, seed)
    for stage in ("extract", "update"):
        measure(project, stage)
    translate(project, seed=seed)
    measure(project, "publish")
    return time.perf_counter() - started


def edit_targets(source: Path, out: Path, share: float = 0.01) -> tuple[int, int]:
    """Write ``source`` to ``out`` with every ``1/share``-th non-empty target edited; (edited, units)."""
    ET.register_namespace("", XLIFF_NS)
    tree = ET.parse(source)
    units = tree.getroot().iter(f"{{{XLIFF_NS}}}trans-unit")
    filled = [u for u in units if "[" not in u.get("id", "")
              and "".join(u.find(f"{{{XLIFF_NS}}}target").itertext()).strip()]
    step = max(1, round(1 / share))
    edited = filled[::step]
    for unit in edited:
        target = unit.find(f"{{{XLIFF_NS}}}target")
        children = list(target)
        if children:
            children[-1].tail = (children[-1].tail or "") + EDIT
        else:
            target.text = (target.text or "") + EDIT
    tree.write(out, encoding="utf-8", xml_declaration=True)
    return len(edited), len(filled)


def copy_of(project: Path, name: str) -> Path:
    """A fresh copy of ``project`` beside it (imports that write leave the measured project as it was)."""
    copy = project.parent / name
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, symlinks=True)
    return copy


ROWS = {
    "xliff export": "locum export --format xliff --locale {locale} --output F",
    "xliff import same": "locum import F, the file unchanged",
    "xliff import edited": "locum import of F with 1% of its targets edited ({edited} of {filled}), into a copy",
    "tmx export": "locum export --format tmx --locale {locale} --output T",
    "tmx import": "locum import T into a copy (translation memory)",
    "tbx export": "locum export --format tbx --output G",
}


def measure_all(project: Path, locale: str, files: Path) -> tuple[dict, dict]:
    """(row → (seconds, peak MB), facts) of one pass over the exchange commands."""
    files.mkdir(parents=True, exist_ok=True)
    xliff, edited, tmx, tbx = (files / n for n in ("export.xlf", "edited.xlf", "export.tmx", "glossary.tbx"))
    got: dict[str, tuple[float, float]] = {}
    got["xliff export"] = measure(project, "export", "--format", "xliff", "--locale", locale, "--output", str(xliff))
    got["xliff import same"] = measure(project, "import", str(xliff))
    count, filled = edit_targets(xliff, edited)
    copy = copy_of(project, "exchange-copy")
    got["xliff import edited"] = measure(copy, "import", str(edited), ok=(0, 1))
    got["tmx export"] = measure(project, "export", "--format", "tmx", "--locale", locale, "--output", str(tmx))
    copy = copy_of(project, "exchange-copy")
    got["tmx import"] = measure(copy, "import", str(tmx))
    shutil.rmtree(copy, ignore_errors=True)
    got["tbx export"] = measure(project, "export", "--format", "tbx", "--output", str(tbx))
    facts = {"edited": count, "filled": filled, "xliff MB": xliff.stat().st_size / 2**20,
             "tmx MB": tmx.stat().st_size / 2**20, "catalogs": len(list((project / "locales").glob(
                 "*/LC_MESSAGES/*.po")))}
    return got, facts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles in the project (default 1000)")
    parser.add_argument("--locale", default="pl", help="the catalog or output locale to exchange (default pl)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="reuse the project already in --dir")
    parser.add_argument("--dir", type=Path, default=HERE / "out" / "exchange" / "project")
    args = parser.parse_args()
    built = None
    if not (args.reuse and (args.dir / "locales").is_dir()):
        print(f"building {args.articles} articles (seed {args.seed}) in {args.dir} …", file=sys.stderr, flush=True)
        built = build(args.dir, args.articles, args.seed)
    got, facts = measure_all(args.dir, args.locale, args.dir.parent / "files")
    print(f"\n{args.articles} articles, {facts['catalogs']:,} catalogs; locale {args.locale}: XLIFF "
          f"{facts['xliff MB']:.1f} MB, TMX {facts['tmx MB']:.1f} MB"
          + (f"; project built and published in {built:.0f} s" if built is not None else "; project reused")
          + f".\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, workers: {os.environ.get('LOCUM_WORKERS', 'every core')}.\n")
    print("| measurement | s | peak RSS MB |")
    print("| --- | ---: | ---: |")
    for key, label in ROWS.items():
        seconds, peak = got[key]
        print(f"| {label.format(locale=args.locale, **facts)} | {seconds:.2f} | {peak:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
