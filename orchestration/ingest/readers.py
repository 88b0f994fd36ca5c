"""What reads a run's landing files: reader processes for many files, else threads.

Reading a file is mostly Python holding the interpreter's lock (the archive's checks, the
form's sheet and labels, the count of a CSV record's values), so threads read no faster
than one: the scale-1 landing zone's 2,637 activity files took 1.8 s alone and 1.9 s on
two threads. Processes do read side by side, once a run reads enough files to repay
starting them (a reader imports polars and fastexcel, about 0.3 s; a file takes about
0.7 ms). Every file is read by `batch.read_file` either way: the pool changes where, not
what.

A reader is `python -m orchestration.ingest.readers`, given files and given back what was
read as pickles over its standard input and output. Not multiprocessing's spawn: that
re-imports the starting process's main script in every child, whatever it is (a Streamlit
page under test, a script with no main guard), and a fork copies the run's threads' locks
(polars' and DuckDB's pools) in whatever state they are.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import queue
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice

PROCESS_READ_FILES = 500  # the fewest files read by processes
_CHUNK_FILES = 16  # files a reader takes at a time
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class ReaderFailed(RuntimeError):
    """A reader process failed or ended mid-way: the run's ingestion stops with its reason."""


def _die_with_parent(parent: int) -> None:
    """This reader ends with the process that started it, even one killed with SIGKILL
    (which leaves it no time to stop its readers): it holds nothing worth keeping."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # gone before the request was made
        os._exit(1)


class _Reader:
    """One reader process, used by one thread at a time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.ingest.readers", str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )

    def call(self, function: Callable, arguments: list[tuple]) -> list:
        try:
            pickle.dump((function, arguments), self.process.stdin)
            self.process.stdin.flush()
            ok, value = pickle.load(self.process.stdout)
        except (EOFError, BrokenPipeError, OSError) as exc:
            raise ReaderFailed(
                f"a file reader process ended (exit code {self.process.poll()})"
            ) from exc
        if not ok:
            raise ReaderFailed(f"a file reader process failed:\n{value}")
        return value

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def _reader_processes(workers: int) -> Iterator[Callable]:
    readers = [_Reader() for _ in range(workers)]  # started by this thread, which outlives them
    idle: queue.SimpleQueue[_Reader] = queue.SimpleQueue()
    for reader in readers:
        idle.put(reader)

    def call(function: Callable, arguments: list[tuple]) -> list:
        reader = idle.get()
        try:
            return reader.call(function, arguments)
        finally:
            idle.put(reader)

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            def map_files(function: Callable, *iterables) -> Iterator:
                arguments = iter(zip(*iterables))
                chunks = iter(lambda: list(islice(arguments, _CHUNK_FILES)), [])
                done = pool.map(lambda chunk: call(function, chunk), chunks)
                return (result for results in done for result in results)

            yield map_files
    finally:
        for reader in readers:
            reader.close()


@contextlib.contextmanager
def file_readers(files: int, workers: int | None = None) -> Iterator[Callable]:
    """A `map(function, *iterables)` to read `files` files with, its work under way as soon
    as it is called (like a pool's map): reader processes for PROCESS_READ_FILES or more
    (and more than one core), else threads. `function` must be importable by name."""
    workers = workers or os.cpu_count() or 1
    if files >= PROCESS_READ_FILES and workers > 1:
        with _reader_processes(workers) as map_files:
            yield map_files
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            yield pool.map


def _serve(requests, replies) -> None:
    """Answer each (function, argument tuples) with (True, results) or (False, the error)."""
    while True:
        try:
            function, arguments = pickle.load(requests)
        except EOFError:
            return
        try:
            reply = (True, [function(*args) for args in arguments])
        except Exception:  # noqa: BLE001 - the run reports it; this reader serves on
            reply = (False, traceback.format_exc())
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


if __name__ == "__main__":
    _die_with_parent(int(sys.argv[1]))
    # What is read goes back on the standard output alone: anything printed goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, replies)
