"""Run commands and report their wall time and peak RSS, measured from a small process.

    python bench/peak.py RESULT.json < commands.json      # a JSON list of argument lists

Writes one JSON object to RESULT.json: ``seconds`` (all commands, one after
the other), ``cpu`` (their user + system CPU seconds, their own children's
included), ``peak_mb`` (the largest child), ``code`` (the first failing exit
status, or 0; the commands after it are not run) and ``failed`` (that
command). The children's output passes through.

Why a separate process: Linux counts the memory a process had when it
forked into the peak RSS of the child it forked (``ru_maxrss`` survives
``exec``), so commands started straight from ``bench/run.py``, which holds
a whole project's catalogs by then, all looked at least that big. This file
imports nothing heavy, so the floor it adds is a bare interpreter's.
"""

import json
import os
import subprocess
import sys
import time


def main() -> int:
    commands = json.load(sys.stdin)
    seconds, cpu, peak, code, failed = 0.0, 0.0, 0.0, 0, None
    for command in commands:
        start = time.perf_counter()
        proc = subprocess.Popen(command)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds += time.perf_counter() - start
        peak = max(peak, usage.ru_maxrss / 1024)
        cpu += usage.ru_utime + usage.ru_stime      # its own and its waited-for children's (the pool's workers)
        status = os.waitstatus_to_exitcode(status)
        if status != 0:
            code, failed = status, command
            break
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump({"seconds": seconds, "cpu": cpu, "peak_mb": peak, "code": code, "failed": failed}, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
