"""What a killed build leaves in the project root, and putting it right (cheap: publish calls it every time)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

STAGING, RETIRED = ".output-staging-", ".output-old-"


def recover(root: Path, output: Path) -> bool:
    """Clear what a killed build left in ``root``; True when it had to put the last site back as ``output/``.

    A build's staging folder (``.output-staging-*``) and the previous site
    it moved aside (``.output-old-*``) live only while that build runs, and
    only one build runs at a time (the project lock), so any found now are
    leftovers of one that was killed. When ``output/`` is missing and a
    moved-aside site exists, that site was ``output/`` when the build died
    between its two renames: it goes back (the newest, if several), and
    stays until this build replaces it. Every other leftover is removed.
    """
    try:
        with os.scandir(root) as listing:
            leftovers = sorted((e for e in listing if e.name.startswith((STAGING, RETIRED))
                                and e.is_dir(follow_symlinks=False)), key=lambda e: e.name)
    except OSError:
        return False
    if not leftovers:
        return False
    restored = False
    if not os.path.lexists(output):
        aside = [Path(e.path) / "output" for e in leftovers if e.name.startswith(RETIRED)]
        aside = [path for path in aside if path.is_dir() and not path.is_symlink()]
        if aside:
            os.rename(max(aside, key=lambda path: path.stat().st_mtime_ns), output)
            restored = True
    for entry in leftovers:
        shutil.rmtree(entry.path, ignore_errors=True)
    return restored
