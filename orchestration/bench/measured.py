"""Run a command and report its wall seconds, exit code and peak resident set as JSON:
`python -m orchestration.bench.measured OUT.json -- COMMAND...`.

The kernel's peak for a process (`ru_maxrss`) starts from the peak of the process it was
forked from, carried over its exec: a run forked straight from the benchmark, after the
pandas peer grew it to 4.5 GB, was reported at 4.5 GB. This small process is forked
instead; the command, forked from it, starts from its few megabytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> None:
    out, separator, *command = argv
    if separator != "--" or not command:
        raise SystemExit("usage: python -m orchestration.bench.measured OUT.json -- COMMAND...")
    began = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    with open(out, "w") as handle:
        json.dump({
            "seconds": time.perf_counter() - began,
            "exit_code": os.waitstatus_to_exitcode(status),
            "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux reports kilobytes
        }, handle)


if __name__ == "__main__":
    main(sys.argv[1:])
