"""How large a landing file may be, on disk and once unpacked.

A 1.4 MB workbook can hold a sheet that inflates to gigabytes; read whole, one such
file would take the run's memory with it. A workbook is a zip archive: every member
is inflated as a stream and counted against the budget *before* the Excel reader
sees the file, so a member that declares a small size and inflates further (a lying
header) is caught by the archive's own size and CRC checks. An archive whose
compressed members are too small to reach the budget even at deflate's largest
ratio needs no inflating: it cannot exceed it, whatever its headers say. The limits are far above
any real form (a site's monthly export at 50x Iowa's volume is a few MB; a one-form
workbook tens of KB) and far below what would hurt the machine.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

MIB = 1 << 20
MAX_CSV_BYTES = 256 * MIB
MAX_WORKBOOK_BYTES = 20 * MIB
MAX_WORKBOOK_UNPACKED_BYTES = 100 * MIB
_CHUNK = 1 * MIB
# Deflate's densest code (a 258-byte match in 2 bits) inflates 1032-fold; no stream of
# it inflates further (zlib's technical details, "maximum compression factor").
_DEFLATE_MAX_RATIO = 1032


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MB"


def on_disk_problem(size: int, is_workbook: bool) -> str | None:
    """Why a file of `size` bytes is too large to read, or None."""
    limit = MAX_WORKBOOK_BYTES if is_workbook else MAX_CSV_BYTES
    if size > limit:
        what = "workbook" if is_workbook else "file"
        return f"the {what} is {_mib(size)}, above the {_mib(limit)} a landing file may be; not read"
    return None


def size_problem(path: Path, is_workbook: bool) -> str | None:
    """Why the file is too large to read, or None."""
    too_large = on_disk_problem(path.stat().st_size, is_workbook)
    if too_large or not is_workbook:
        return too_large
    return unpacked_problem(path)


def unpacked_problem(source: Path | bytes) -> str | None:
    """Why a workbook (its path, or its content) would unpack to too much, or None
    (also None for a file that is not a zip archive at all: the Excel reader says what
    is wrong with it)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError):
        return None
    budget = MAX_WORKBOOK_UNPACKED_BYTES
    too_much = (
        f"the workbook unpacks to more than {_mib(MAX_WORKBOOK_UNPACKED_BYTES)} "
        "(a compressed sheet far larger than any form); not read"
    )
    with archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > budget:
            return too_much
        if _cannot_exceed(members, budget):
            return None
        try:
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            return too_much
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            return f"the workbook is a damaged archive ({exc}); not read"
    return None


def _cannot_exceed(members: list[zipfile.ZipInfo], budget: int) -> bool:
    """Whatever their headers declare, stored and deflated members cannot inflate
    beyond the budget when their compressed bytes are too few: deflate expands at
    most _DEFLATE_MAX_RATIO-fold. Every one-form workbook is so small; only larger
    archives (or other compression methods) are inflated to be counted."""
    if any(m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for m in members):
        return False
    return sum(m.compress_size for m in members) * _DEFLATE_MAX_RATIO <= budget
