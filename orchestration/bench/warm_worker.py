"""The benchmark's runs as `ppa serve` starts them: each forked from a process that has the
platform loaded already (orchestration/defs/warm_runs.py), as the code server of
`ppa serve` forks the sensor's runs, a backfill's or one launched from the UI.

`python -m orchestration.bench.warm_worker REPLY_FD`, in the environment of the runs'
files (orchestration/bench/runs.py, RunPaths.env): it prepares the Dagster home and the
dbt manifest, starts the warm forkserver, waits until it serves, and replies `ready`. Then
for each line read from stdin, `full AS_OF` or `month AS_OF YYYY-MM`, it runs that in a
process forked from the forkserver and replies one JSON line: the wall seconds from asking
for the process to its end, the exit code, the run process's peak resident set (MB), and
whether it began with the definitions loaded.
Replies go to REPLY_FD; the runs' own output goes to stdout and stderr.

A run in the code server goes through Dagster's `start_run_in_subprocess` (the run's
`execute_run`); here it goes through what `ppa run` and the month run call
(`execute_in_process`), with the same in-process executor, assets and tags.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from multiprocessing.connection import Connection


def _peak_mb() -> float:
    """This process's peak resident set and its children's (Linux reports kilobytes). A
    forked process's peak starts from the forkserver's: pages it shares until written."""
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def run_in_fork(kind: str, as_of: str, month: str | None, reply: Connection) -> None:
    """One run, in the forked process: the full run as `ppa run` runs it, or the sensor's
    run for `month`. Sends (succeeded, peak MB, preloaded) on `reply`: preloaded, whether the
    process had the definitions loaded when it began (from the forkserver)."""
    preloaded = "orchestration.defs.definitions" in sys.modules
    succeeded = False
    try:
        if kind == "full":
            from orchestration.config import parse_as_of
            from orchestration.runner.pipeline import run_everything

            failure = run_everything(parse_as_of(as_of))
            if failure:
                print(f"ppa: {failure}", file=sys.stderr, flush=True)
            succeeded = failure is None
        else:
            from orchestration.bench.month_run import run_month

            succeeded = run_month(as_of, month)
    finally:
        reply.send((succeeded, _peak_mb(), preloaded))
        reply.close()


def main(reply_fd: int) -> None:
    from orchestration.config import Paths
    from orchestration.defs.dbt_manifest import ensure_dbt_manifest
    from orchestration.defs.warm_runs import wait_until_warm, warm_context
    from orchestration.runner.dagster_home import prepare_dagster_home

    prepare_dagster_home(Paths.from_env())
    ensure_dbt_manifest()
    context = warm_context()
    began = time.perf_counter()
    wait_until_warm(context)
    with open(reply_fd, "w") as replies:
        replies.write(json.dumps({"ready": True,
                                  "warm_up_seconds": time.perf_counter() - began}) + "\n")
        replies.flush()
        for line in sys.stdin:
            kind, as_of, *rest = line.split()
            receiver, sender = context.Pipe(duplex=False)
            began = time.perf_counter()
            process = context.Process(target=run_in_fork,
                                      args=(kind, as_of, rest[0] if rest else None, sender))
            process.start()
            sender.close()
            try:
                succeeded, peak, preloaded = receiver.recv()
            except EOFError:  # the run process died before it could say
                succeeded, peak, preloaded = False, None, None
            process.join()
            replies.write(json.dumps({
                "seconds": time.perf_counter() - began,
                "exit_code": 0 if succeeded and process.exitcode == 0 else process.exitcode or 1,
                "peak_rss_mb": peak,
                "preloaded": preloaded,
            }) + "\n")
            replies.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]))
