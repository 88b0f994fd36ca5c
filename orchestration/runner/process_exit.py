"""Ending a process that ran the pipeline without tearing its interpreter down."""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable
from typing import NoReturn


def exit_code(done: SystemExit) -> int:
    """The exit status `sys.exit(code)` gives: 0 for None, the number, or 1 after printing
    a message."""
    if done.code is None:
        return 0
    if isinstance(done.code, int):
        return done.code
    print(done.code, file=sys.stderr)
    return 1


def exit_now(code: int) -> NoReturn:
    """End the process with `code` once everything it wrote is out: the streams flushed and
    every exit handler run (logging's, multiprocessing's, the dbt threads' stop). What is
    skipped is the interpreter's teardown, which frees the loaded Dagster, dbt and polars
    object by object: about a second after every run (measured at scale 10), with nothing
    left to write. Every warehouse, event log and published file is closed by then."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def exit_after(main: Callable[[], object]) -> NoReturn:
    """Run a command's `main` (a click command: it ends in SystemExit) and end the process
    with its status through `exit_now`."""
    try:
        main()
    except SystemExit as done:
        exit_now(exit_code(done))
    exit_now(0)
