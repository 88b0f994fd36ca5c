"""`ppa` commands for the tests, each in a process forked from a warm interpreter.

A `ppa run` of the demo landing zone spends about a quarter of its time importing Dagster,
dbt, polars, SciPy and the rest before it reads a file: seconds per run, paid again by
every pipeline run the suite makes. `run(args, env=..., cwd=...)` does what
`subprocess.run([PPA, *args], env=env, cwd=cwd, capture_output=True, text=True)` does, in
a process forked from a server that imported those libraries once (one server per test
process): the command's own code, `orchestration.cli.run_ppa`, runs in the child as it
runs in the `ppa` executable, with the given environment, working folder, arguments and
standard streams, and ends the process with its exit status.

Only third-party libraries are imported ahead (the names `orchestration.runner` lists for
the forkserver of `ppa serve`, and what the definitions import): they read no setting of the
platform when imported. The platform's modules read the environment (the landing zone, the warehouse,
Dagster's home) when they are imported, so every child imports them itself, under its
own environment. The server starts no thread and opens nothing, so a fork copies no lock
held mid-way (the warm forkserver of `ppa serve` relies on the same).

Tests that signal or kill a run, or that test the executable itself, start `ppa` as a
process of its own (tests/robustness.py, test_cli.py, test_process_exit.py).
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import selectors
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from orchestration.runner import RUN_TIME_MODULES

PPA = str(Path(sys.executable).parent / "ppa")
# What a run imports that reads no setting of the platform: the libraries the definitions
# import, and those the forkserver of `ppa serve` imports ahead, without the platform's own
# modules.
PRELOAD = ("click", "duckdb", "polars", "fastexcel", "pyarrow", "xlsxwriter", "dagster",
           "dagster_dbt",
           *(name for name in RUN_TIME_MODULES if not name.startswith("orchestration.")))


def _child(request: dict, channels: tuple[int, ...]) -> None:
    """In the forked process: become `ppa <args>` and end with its exit status."""
    code = 1
    try:
        for fd in channels:
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        stdin = os.open(os.devnull, os.O_RDONLY)
        stdout = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        stderr = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for source, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(source, target)
            os.close(source)
        sys.argv = [PPA, *request["args"]]
        from orchestration.cli import run_ppa

        run_ppa()  # ends the process with the command's status
    except BaseException:  # noqa: BLE001 - reported on the command's stderr, as a crash is
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _serve(requests: int, replies) -> None:
    """Fork a child per request line read from the descriptor `requests`; write each
    request's id and exit status to `replies` once its child has ended."""
    selector = selectors.DefaultSelector()
    selector.register(requests, selectors.EVENT_READ, None)
    channels = (requests, replies.fileno())
    pending = b""
    while True:
        for key, _ in selector.select():
            if key.data is None:
                chunk = os.read(requests, 1 << 16)
                if not chunk:
                    return
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    request = json.loads(line)
                    pid = os.fork()
                    if pid == 0:
                        _child(request, channels)
                    selector.register(os.pidfd_open(pid), selectors.EVENT_READ,
                                      (request["id"], pid))
            else:
                selector.unregister(key.fd)
                os.close(key.fd)
                request_id, pid = key.data
                _, status = os.waitpid(pid, 0)
                replies.write(json.dumps({"id": request_id,
                                          "returncode": os.waitstatus_to_exitcode(status)}) + "\n")
                replies.flush()


class _Server:
    """The warm server of this test process, and the runs waiting on it."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, cwd="/",
        )
        self._lock = threading.Lock()
        self._next = 0
        self._done: dict[int, int] = {}
        self._ended: dict[int, threading.Event] = {}
        threading.Thread(target=self._read, daemon=True, name="warm-ppa").start()

    def _read(self) -> None:
        for line in self.process.stdout:
            reply = json.loads(line)
            with self._lock:
                self._done[reply["id"]] = reply["returncode"]
                self._ended[reply["id"]].set()
        with self._lock:  # the server is gone: nothing waiting will end
            for event in self._ended.values():
                event.set()

    def run(self, request: dict) -> int:
        with self._lock:
            self._next += 1
            request_id = self._next
            ended = self._ended[request_id] = threading.Event()
            self.process.stdin.write(json.dumps({**request, "id": request_id}) + "\n")
            self.process.stdin.flush()
        ended.wait()
        with self._lock:
            del self._ended[request_id]
            if request_id not in self._done:
                raise RuntimeError("the warm ppa server ended before the command did")
            return self._done.pop(request_id)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


_server: _Server | None = None
_starting = threading.Lock()


def _the_server() -> _Server:
    global _server
    with _starting:
        if _server is None or _server.process.poll() is not None:
            _server = _Server()
            atexit.register(_server.close)
        return _server


def run(args: list[str], *, env: dict[str, str], cwd: str | Path | None = None,
        check: bool = False) -> subprocess.CompletedProcess:
    """`ppa <args>` as `subprocess.run([PPA, *args], env=env, cwd=cwd, check=check,
    capture_output=True, text=True)` gives it."""
    with tempfile.TemporaryDirectory(prefix="warm-ppa-") as folder:
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        returncode = _the_server().run({"args": [str(a) for a in args], "env": dict(env),
                                        "cwd": str(cwd or os.getcwd()), "stdout": str(out), "stderr": str(err)})
        result = subprocess.CompletedProcess([PPA, *args], returncode,
                                             out.read_text(errors="replace"),
                                             err.read_text(errors="replace"))
    if check:
        result.check_returncode()
    return result


if __name__ == "__main__":
    for _module in PRELOAD:
        importlib.import_module(_module)
    # Replies go out on a copy of the standard output; anything printed goes to stderr.
    _replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.fileno(), _replies)
