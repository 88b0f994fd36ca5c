"""A private PostgreSQL server for tests: initdb + pg_ctl in a temporary folder, on a free
loopback port, stopped and removed afterwards.

The binaries are Debian's (`make test` installs the `postgresql` package when missing):
the newest /usr/lib/postgresql/<version>/bin. initdb refuses to run as root, so as root
(CI) the server runs as the `postgres` user the package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    if not found:
        return None
    return max(found, key=lambda p: float(p.parent.name) if p.parent.name.replace(".", "").isdigit()
               else 0)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@contextmanager
def private_postgres() -> Iterator[str]:
    """Start a server; yield the DSN of its `postgres` database (user postgres, trust auth)."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (make test installs `postgresql`)")
    root = Path(tempfile.mkdtemp(prefix="ppa-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
    data = root / "data"
    port = _free_port()
    subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                         "postgres", "--no-sync",
                         "--encoding=UTF8", "--locale=C"]),
        check=True, capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                         "-l", str(root / "server.log"), "-w", "start"]),
        check=True, capture_output=True,
    )
    try:
        dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        _wait_ready(dsn)
        yield dsn
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                             "stop"]),
            check=False, capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(dsn: str, seconds: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(dsn).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def create_database(dsn: str, name: str) -> str:
    """A new empty database on the server of `dsn`; returns its DSN."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f'create database "{name}"')
    return dsn.rsplit("/", 1)[0] + f"/{name}"


def server_for_tests() -> Iterator[str]:
    """A private server's DSN for a test module's `server` fixture (`yield from` it):
    skipped where PostgreSQL is not installed, failed under CI, where `make test` installs it."""
    import pytest

    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: `make test` installs it")
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    with private_postgres() as dsn:
        yield dsn
