"""How large a landing file may be, on disk and once unpacked.

A 1.4 MB workbook can hold a sheet that inflates to gigabytes; read whole, one such
file would take the run's memory with it. A workbook is a zip archive: every member
is inflated as a stream and counted against the budget *before* the Excel reader
sees the file, so a member that declares a small size and inflates further (a lying
header) is caught by the archive's own size and CRC checks. The limits are far above
any real form (a site's monthly export at 50x Iowa's volume is a few MB; a one-form
workbook tens of KB) and far below what would hurt the machine.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MIB = 1 << 20
MAX_CSV_BYTES = 256 * MIB
MAX_WORKBOOK_BYTES = 20 * MIB
MAX_WORKBOOK_UNPACKED_BYTES = 100 * MIB
_CHUNK = 1 * MIB


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MB"


def size_problem(path: Path, is_workbook: bool) -> str | None:
    """Why the file is too large to read, or None."""
    size = path.stat().st_size
    limit = MAX_WORKBOOK_BYTES if is_workbook else MAX_CSV_BYTES
    if size > limit:
        what = "workbook" if is_workbook else "file"
        return f"the {what} is {_mib(size)}, above the {_mib(limit)} a landing file may be; not read"
    return unpacked_problem(path) if is_workbook else None


def unpacked_problem(path: Path) -> str | None:
    """Why a workbook would unpack to too much, or None (also None for a file that is
    not a zip archive at all: the Excel reader says what is wrong with it)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return None
    budget = MAX_WORKBOOK_UNPACKED_BYTES
    too_much = (
        f"the workbook unpacks to more than {_mib(MAX_WORKBOOK_UNPACKED_BYTES)} "
        "(a compressed sheet far larger than any form); not read"
    )
    with archive:
        if sum(member.file_size for member in archive.infolist()) > budget:
            return too_much
        try:
            for member in archive.infolist():
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            return too_much
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            return f"the workbook is a damaged archive ({exc}); not read"
    return None
