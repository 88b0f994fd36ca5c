"""Find the landing files and say which file kind each one is.

A file is recognised by where it sits and how it is named (spec: landing-zone.md).
Anything else - a stray document, an Excel lock file, an activity form outside a
YYYY-MM folder - is listed by `discover_unrecognised` so it can be reported
instead of silently skipped.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from orchestration.ingest.schemas import ACTIVITY_ROWS, REFERENCE_KINDS, FileKind

_MONTH_FOLDER = re.compile(r"^(\d{4})-(\d{2})$")
_EXTRACT_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})$")
_ACTIVITY_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class LandingFile:
    kind: FileKind
    path: Path  # absolute
    rel_path: str  # relative to the landing dir, forward slashes
    partition_key: str | None  # "YYYY-MM" folder month for activity forms, else None
    extract_date: dt.date | None  # from <kind>_YYYY-MM-DD.csv for snapshot kinds
    # A link whose real file lies outside the landing zone: recorded as rejected, never read.
    outside_landing_zone: bool = False


@functools.cache
def _glob_parts(glob: str) -> tuple[str, ...]:
    return PurePosixPath(glob).parts


def _matches(rel_path: str, glob: str) -> bool:
    """Whole-path glob match, part by part ('*' never crosses a folder), any case.
    `rel_path` is normalised (`relative_to(...).as_posix()`): its parts are its pieces
    between slashes."""
    parts, pattern = rel_path.lower().split("/"), _glob_parts(glob)
    return len(parts) == len(pattern) and all(map(fnmatchcase, parts, pattern))


def _valid_month(folder: str) -> str | None:
    match = _MONTH_FOLDER.match(folder)
    return folder if match and 1 <= int(match.group(2)) <= 12 else None


def extract_date_of(file_name: str) -> dt.date | None:
    """The YYYY-MM-DD at the end of a file's stem, if it is a real date."""
    match = _EXTRACT_DATE.search(PurePosixPath(file_name).stem)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


class _Resolver:
    """Real paths of the files of one landing zone. A file that is no link lies where its
    folder really is, so each folder is resolved once, not each file part by part (a
    scale-50 zone holds some 29,000 files in a few dozen folders)."""

    def __init__(self, landing_dir: Path):
        self.root = os.path.realpath(landing_dir)
        self._folders: dict[str, str] = {}

    def real_path(self, path: Path) -> tuple[Path, bool]:
        """The file to read, and whether it lies outside the landing zone (a symbolic
        link out of it): only files whose real path is inside the zone are ever opened."""
        name = str(path)
        if os.path.islink(name):
            real = os.path.realpath(name)
        else:
            folder, base = os.path.split(name)
            if folder not in self._folders:
                self._folders[folder] = os.path.realpath(folder)
            real = os.path.join(self._folders[folder], base)
        inside = real == self.root or real.startswith(self.root + os.sep)
        return (Path(real), False) if inside else (path.absolute(), True)


def classify(landing_dir: Path, path: Path, resolver: _Resolver | None = None
             ) -> LandingFile | None:
    """The landing file for `path`, or None when it is not a file the contract names."""
    rel_path = path.relative_to(landing_dir).as_posix()
    real, outside = (resolver or _Resolver(landing_dir)).real_path(path)
    if _matches(rel_path, ACTIVITY_ROWS.glob):
        folder = rel_path.split("/")[1]
        month = _valid_month(folder)
        if month is None or path.suffix.lower() not in _ACTIVITY_SUFFIXES:
            return None
        if path.name.startswith("~$"):  # the lock file Excel keeps beside an open workbook
            return None
        return LandingFile(ACTIVITY_ROWS, real, rel_path, month, None, outside)
    for kind in REFERENCE_KINDS:
        if _matches(rel_path, kind.glob):
            extract = extract_date_of(path.name) if kind.snapshot else None
            return LandingFile(kind, real, rel_path, None, extract, outside)
    return None


def _all_files(landing_dir: Path, roots: list[Path] | None = None) -> list[Path]:
    """Files under the landing dir (or only under `roots` inside it); hidden ones
    (.DS_Store, .gitkeep) are not data."""
    if not landing_dir.is_dir():
        return []
    prefix = len(str(landing_dir)) + 1
    return sorted(
        p
        for root in (roots if roots is not None else [landing_dir])
        for p in root.rglob("*")
        if not any(part.startswith(".") for part in str(p)[prefix:].split(os.sep))
        and p.is_file()
    )


def _folders_of(landing_dir: Path, kind: FileKind, months: set[str] | None) -> list[Path]:
    """The folders that can hold files of `kind` (of `months`, for activity forms), found
    as `_matches` finds files - part by part, any case - so a run that ingests one kind
    or one month walks only them, not the whole landing zone."""
    folders = [landing_dir]
    for part in PurePosixPath(kind.glob).parts[:-1]:
        folders = [
            child
            for folder in folders
            for child in folder.iterdir()
            if child.is_dir()
            and not child.is_symlink()
            and fnmatchcase(child.name.lower(), part)
            and (part != "*" or months is None or child.name in months)
        ]
    return folders


def discover(
    landing_dir: Path, kind: FileKind | None = None, months: set[str] | None = None
) -> list[LandingFile]:
    """Every recognised landing file, sorted by rel_path; only those of `kind` (and of
    the service `months`, for activity forms) when given."""
    landing_dir = Path(landing_dir)
    roots = (
        None if kind is None or not landing_dir.is_dir() else _folders_of(landing_dir, kind, months)
    )
    resolver = _Resolver(landing_dir)
    found = (classify(landing_dir, p, resolver) for p in _all_files(landing_dir, roots))
    return sorted(
        (
            f
            for f in found
            if f is not None
            and (kind is None or f.kind == kind)
            and (months is None or f.partition_key in months)
        ),
        key=lambda f: f.rel_path,
    )


def unrecognised_reason(rel_path: str) -> str:
    """Why no kind of the contract claims the file, in words its sender can act on."""
    parts = PurePosixPath(rel_path).parts
    name = parts[-1]
    if parts[0].lower() == "activity_forms":
        if len(parts) == 2:
            return "an activity form must sit in a YYYY-MM folder of its service month"
        if _valid_month(parts[1]) is None:
            return f"folder '{parts[1]}' is not a service month written YYYY-MM"
        if len(parts) > 3:
            return "an activity form must sit directly in its YYYY-MM folder, not deeper"
        if name.startswith("~$"):
            return "Excel's lock file of an open workbook, not a form"
        return "an activity form must be a .csv export or an .xlsx workbook"
    for kind in REFERENCE_KINDS:
        folder, pattern = PurePosixPath(kind.glob).parts
        if parts[0].lower() == folder:
            if len(parts) > 2:
                return f"files of {folder}/ must sit directly in it, not in a subfolder"
            if (
                kind.snapshot
                and pattern.endswith("_*.csv")
                and fnmatchcase(name.lower(), pattern.replace("_*", "*"))
            ):
                return f"the file name must end in _YYYY-MM-DD, the extract date ({pattern})"
    expected = ", ".join(sorted({k.glob for k in (ACTIVITY_ROWS, *REFERENCE_KINDS)}))
    return f"no kind of landing file is named so; the contract names {expected}"


def discover_unrecognised(landing_dir: Path) -> list[tuple[str, str]]:
    """(relative path, reason) of every file no kind claims, sorted by path."""
    landing_dir = Path(landing_dir)
    resolver = _Resolver(landing_dir)
    return sorted(
        (rel, unrecognised_reason(rel))
        for path, rel in ((p, p.relative_to(landing_dir).as_posix())
                          for p in _all_files(landing_dir))
        if classify(landing_dir, path, resolver) is None
    )


def fingerprint(f: LandingFile) -> str:
    """The file version's identity: the SHA-256 of its content, or, for a link out of
    the landing zone (never opened), of where it points - so a re-run finds it known."""
    if f.outside_landing_zone:
        target = f.path.readlink() if f.path.is_symlink() else f.path.resolve()
        return hashlib.sha256(f"outside the landing zone: {target}".encode()).hexdigest()
    return sha256_of(f.path)


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks so a large file never sits in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
