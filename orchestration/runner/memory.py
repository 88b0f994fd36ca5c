"""Fewer malloc arenas in the platform's processes, and polars' freed memory returned.

glibc gives threads that allocate their own arenas (up to eight per core), and each keeps
what its thread freed: a run's threads (the file readers, polars, DuckDB, dbt) leave the
process far larger than what it holds. Measured on a scale-10 run: peak RSS 1,971 MB with
glibc's default, 1,702 MB with two arenas, in the same time.

polars allocates with its own jemalloc, which keeps what it freed for a while: the
scale-50 reference extracts (8.8 million rows, 650 MB of CSV) ingested one after another
peaked at 1,715 MB in 75.7 s; with freed pages returned at once, at 1,433 MB in 81.2 s
(and a scale-10 run's activity ingest took 7 to 18% longer). A return after 1 s saved
nothing measurable. The run's memory is the target that binds (2 GB at scale 50), its time
has room.
"""

from __future__ import annotations

import ctypes
import os

ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h
# polars' jemalloc (symbols prefixed _rjem_) reads its options from this variable when
# polars is first loaded.
POLARS_MALLOC_CONF = "_RJEM_MALLOC_CONF"
RETURN_FREED_PAGES = "dirty_decay_ms:0,muzzy_decay_ms:0"


def limit_malloc_arenas() -> None:
    """Two arenas for this process (through mallopt: the arenas made from now on) and for
    the processes it starts (MALLOC_ARENA_MAX, which glibc reads at start). A
    MALLOC_ARENA_MAX already set is kept, for this process too. And polars' freed pages
    returned at once, for this process (if polars is not loaded yet) and those it starts,
    unless _RJEM_MALLOC_CONF is set already."""
    os.environ.setdefault(POLARS_MALLOC_CONF, RETURN_FREED_PAGES)
    os.environ.setdefault("MALLOC_ARENA_MAX", str(ARENAS))
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: its allocator has no such setting
        return
    libc.mallopt(_M_ARENA_MAX, int(os.environ["MALLOC_ARENA_MAX"]))
