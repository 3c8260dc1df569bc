"""``make bench``: time and peak memory of Locum's stages on a seeded synthetic corpus.

Each stage runs as a separate ``python -m workflow`` process; wall time and the
child's peak RSS (from ``os.wait4``) are reported, median of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402

from workflow.catalogs import read_catalog, write_catalog  # noqa: E402


def measure(project: Path, *args: str) -> tuple[float, float]:
    """Run one locum command; return (seconds, peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "workflow", "--project", str(project), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=HERE.parent)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"locum {' '.join(args)} failed:\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def translate_most(project: Path, share: float, seed: int) -> int:
    """Give ``share`` of every catalog's entries a translation, as translators would."""
    rng = random.Random(seed)
    count = 0
    for path in sorted((project / "locales").glob("*/LC_MESSAGES/*.po")):
        po = read_catalog(path)
        for entry in po:
            if rng.random() < share:
                entry.msgstr = f"[{path.parts[-3]}] {entry.msgid}"
                count += 1
        write_catalog(po, path)
    return count


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
    args = parser.parse_args()

    rows: list[tuple[str, list[tuple[float, float]]]] = []

    def record(label: str, samples: list[tuple[float, float]]) -> None:
        rows.append((label, samples))
        secs = statistics.median(s for s, _ in samples)
        print(f"  {label}: {secs:.2f} s", file=sys.stderr)

    print(f"generating {args.articles} articles (seed {args.seed}) in {args.dir} …", file=sys.stderr)
    cold_extract, cold_update, noop_extract, noop_update, edit = [], [], [], [], []
    for run in range(args.runs):
        project = generate(args.dir, args.articles, args.seed)
        cold_extract.append(measure(project, "extract"))
        cold_update.append(measure(project, "update"))
        translated = translate_most(project, 0.9, args.seed)
        print(f"  run {run + 1}: translated {translated} entries", file=sys.stderr)
        noop_extract.append(measure(project, "extract"))
        noop_update.append(measure(project, "update"))
        edit_one_paragraph(project)
        a, b = measure(project, "extract"), measure(project, "update")
        edit.append((a[0] + b[0], max(a[1], b[1])))
    record("extract, from scratch", cold_extract)
    record("update, creating es/pl/ar catalogs", cold_update)
    record("extract, nothing changed", noop_extract)
    record("update, nothing changed (translated catalogs)", noop_update)
    record("extract + update after one paragraph changed", edit)

    pots = list((args.dir / "locales").glob("*.pot"))
    pos = list((args.dir / "locales").glob("*/LC_MESSAGES/*.po"))
    entries = sum(len(read_catalog(p)) for p in pots)
    print(f"\n{args.articles} articles, {len(pots)} templates ({entries} segments), {len(pos)} catalogs; "
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
