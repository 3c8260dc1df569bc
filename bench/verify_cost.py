"""What verifying every approval costs: each signed record of a project judged once, in one process.

    python bench/verify_cost.py PROJECT

Reads every catalog first (not timed), then times :func:`workflow.approval.judge`
on every entry that carries a record, with the signature cache emptied: the
record parsed, its message built, its Ed25519 signature verified, its key and
reviewer looked up, its text digest compared. That is the work a cold publish
adds for signatures, once per stage that judges (``check`` and the gate in
``compile``). Prints ``RECORDS SECONDS APPROVED``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workflow import sshsig  # noqa: E402
from workflow.approval import judge, parse_record  # noqa: E402
from workflow.catalogs import read_catalog  # noqa: E402
from workflow.config import load_config  # noqa: E402
from workflow.review import trust_for  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    args = parser.parse_args()
    config = load_config(args.project)
    work = []
    for catalog in config.catalogs:
        trust = trust_for(config, catalog)
        for path in sorted((config.locales_dir / catalog / "LC_MESSAGES").glob("*.po")):
            po = read_catalog(path)
            work += [(entry, trust, po) for entry in po if parse_record(entry.tcomment) is not None]
    sshsig.verify.cache_clear()
    start = time.perf_counter()
    approved = sum(judge(entry, trust, po).state == "approved" for entry, trust, po in work)
    seconds = time.perf_counter() - start
    print(f"{len(work)} {seconds:.3f} {approved}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
