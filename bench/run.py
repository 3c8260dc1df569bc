"""``make bench``: time and peak memory of Locum's stages on a seeded synthetic corpus.

Each stage runs as a separate ``python -m workflow`` process; wall time and the
child's peak RSS (from ``os.wait4``) are reported, median of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402

from workflow.approval import Approval, entry_digest, with_approval  # noqa: E402
from workflow.catalogs import read_catalog, write_catalog  # noqa: E402


def measure(project: Path, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Run one locum command; return (seconds, peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "workflow", "--project", str(project), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=HERE.parent)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in ok:
        sys.exit(f"locum {' '.join(args)} failed:\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def translate_most(project: Path, share: float, seed: int) -> int:
    """Give ``share`` of every catalog's entries a translation and a reviewer's approval."""
    rng = random.Random(seed)
    count = 0
    for path in sorted((project / "locales").glob("*/LC_MESSAGES/*.po")):
        po = read_catalog(path)
        for entry in po:
            if path.stem == "site" or rng.random() < share:     # the page chrome is always complete
                if entry.msgid_plural:
                    entry.msgstr_plural = {k: f"[{path.parts[-3]}] {entry.msgid_plural}" for k in entry.msgstr_plural}
                else:
                    entry.msgstr = f"[{path.parts[-3]}] {entry.msgid}"
                entry.tcomment = with_approval(entry.tcomment, Approval(
                    "Bench Reviewer", "reviewer@example.org", dt.date(2026, 11, 22), entry_digest(entry)))
                count += 1
        write_catalog(po, path)
    return count


def gnu_reference(project: Path) -> tuple[float, float]:
    """GNU gettext on the same catalogs: msgmerge --previous of every .po, then msgfmt --check of each."""
    if not shutil.which("msgmerge"):
        return float("nan"), float("nan")
    scratch = project.parent / "gnu-scratch"
    scratch.mkdir(exist_ok=True)
    start, peak = time.perf_counter(), 0.0
    for po in sorted((project / "locales").glob("*/LC_MESSAGES/*.po")):
        pot = project / "locales" / f"{po.stem}.pot"
        for command in (["msgmerge", "--quiet", "--previous", "-o", str(scratch / "merged.po"), str(po), str(pot)],
                        ["msgfmt", "--check", "-o", str(scratch / "out.mo"), str(po)]):
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(proc.pid, 0)
            peak = max(peak, usage.ru_maxrss / 1024)
    return time.perf_counter() - start, peak


def edit_one_entry(project: Path) -> None:
    """A translator fixes one Spanish entry of one article."""
    path = project / "locales" / "es" / "LC_MESSAGES" / "article-0003.po"
    po = read_catalog(path)
    entry = next(e for e in po if e.msgstr and not e.obsolete)
    entry.msgstr = entry.msgstr + " (revisado)"
    entry.tcomment = with_approval(entry.tcomment, Approval(
        "Bench Reviewer", "reviewer@example.org", dt.date(2026, 11, 22), entry_digest(entry)))
    write_catalog(po, path)


def edit_one_paragraph(project: Path) -> None:
    path = project / "source" / "article-0007.md"
    text = path.read_text(encoding="utf-8")
    marker = "\n\n# Synthetic article 7\n\n"
    path.write_text(text.replace(marker, marker + "An edited opening paragraph about back pain.\n\n", 1),
                    encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=HERE / "out" / "project")
    parser.add_argument("--translated", type=float, default=1.0,
                        help="share of entries given a translation (pages with a gap are skipped)")
    args = parser.parse_args()

    rows: list[tuple[str, list[tuple[float, float]]]] = []

    def record(label: str, samples: list[tuple[float, float]]) -> None:
        rows.append((label, samples))
        secs = statistics.median(s for s, _ in samples)
        print(f"  {label}: {secs:.2f} s", file=sys.stderr)

    print(f"generating {args.articles} articles (seed {args.seed}) in {args.dir} …", file=sys.stderr)
    names = ["extract, from scratch", "update, creating es/pl/ar catalogs", "extract, nothing changed",
             "update after translators edited every catalog (nothing to merge)", "compile, from scratch",
             "build, clean output (every article x 5 locales)", "build, nothing changed",
             "compile + build after one .po entry changed", "extract + update after one paragraph changed",
             "GNU reference: msgmerge --previous + msgfmt --check of every catalog",
             "check, every catalog from scratch"]
    samples: dict[str, list] = {name: [] for name in names}
    for run in range(args.runs):
        project = generate(args.dir, args.articles, args.seed)
        samples[names[0]].append(measure(project, "extract"))
        samples[names[1]].append(measure(project, "update"))
        translated = translate_most(project, args.translated, args.seed)
        print(f"  run {run + 1}: translated {translated} entries", file=sys.stderr)
        samples[names[2]].append(measure(project, "extract"))
        samples[names[3]].append(measure(project, "update"))
        samples[names[9]].append(gnu_reference(project))
        samples[names[10]].append(measure(project, "check", ok=(0, 1)))   # 1: findings, not a failure
        samples[names[4]].append(measure(project, "compile"))
        samples[names[5]].append(measure(project, "build"))
        samples[names[6]].append(measure(project, "build"))
        edit_one_entry(project)
        a, b = measure(project, "compile"), measure(project, "build")
        samples[names[7]].append((a[0] + b[0], max(a[1], b[1])))
        edit_one_paragraph(project)
        a, b = measure(project, "extract"), measure(project, "update")
        samples[names[8]].append((a[0] + b[0], max(a[1], b[1])))
    for name in names:
        record(name, samples[name])
    report = json.loads((args.dir / "output" / "build-report.json").read_text(encoding="utf-8"))

    pots = list((args.dir / "locales").glob("*.pot"))
    pos = list((args.dir / "locales").glob("*/LC_MESSAGES/*.po"))
    entries = sum(len(read_catalog(p)) for p in pots)
    print(f"\n{args.articles} articles, {len(pots)} templates ({entries} segments), {len(pos)} catalogs, "
          f"{len(report['published'])} pages published, {len(report['skipped'])} skipped; "
          f"median of {args.runs} runs; python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print("| stage | median s | min s | peak RSS MB |")
    print("| --- | ---: | ---: | ---: |")
    for label, samples in rows:
        secs = [s for s, _ in samples]
        print(f"| {label} | {statistics.median(secs):.2f} | {min(secs):.2f} | "
              f"{max(m for _, m in samples):.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
