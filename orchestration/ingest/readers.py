"""What reads a run's landing files: a pool of processes for many files, else threads.

Reading a file is mostly Python holding the interpreter's lock (the archive's checks, the
form's sheet and labels, the count of a CSV record's values), so threads read no faster
than one: the scale-1 landing zone's 2,637 activity files took 1.8 s alone and 1.9 s on
two threads. Processes do read side by side, once a run reads enough files to repay
starting them (a spawned reader imports polars and fastexcel, about 0.3 s; a file takes
about 0.7 ms). Every file is read by `batch.read_file` either way: the pool changes where,
not what.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

PROCESS_READ_FILES = 500  # the fewest files read by processes
_CHUNK_FILES = 16  # files a reader process takes at a time
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """A reader process ends with the process that started it, even one killed with
    SIGKILL (which leaves it no time to stop its pool): it holds nothing worth keeping."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # gone before the request was made
        os._exit(1)


@contextlib.contextmanager
def file_readers(files: int, workers: int | None = None) -> Iterator[Callable]:
    """A pool's `map` to read `files` files with: processes for PROCESS_READ_FILES or more
    (and more than one core), else threads. The pool is shut down on leaving."""
    workers = workers or os.cpu_count() or 1
    if files >= PROCESS_READ_FILES and workers > 1:
        # Spawned, not forked: a fork copies the run's threads' locks (polars' and DuckDB's
        # pools) in whatever state they are.
        with ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_die_with_parent, initargs=(os.getpid(),),
        ) as pool:
            yield functools.partial(pool.map, chunksize=_CHUNK_FILES)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            yield pool.map
