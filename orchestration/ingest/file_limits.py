"""How large a landing file may be, on disk and once unpacked, and what shape it may have.

A 1.4 MB workbook can hold a sheet that inflates to gigabytes; read whole, one such
file would take the run's memory with it. A workbook is a zip archive: every member
is inflated as a stream and counted against the budget *before* the Excel reader
sees the file, so a member that declares a small size and inflates further (a lying
header) is caught by the archive's own size and CRC checks. An archive whose
compressed members are too small to reach the budget even at deflate's largest
ratio needs no inflating: it cannot exceed it, whatever its headers say. The limits are far above
any real form (a site's monthly export at 50x Iowa's volume is a few MB; a one-form
workbook tens of KB) and far below what would hurt the machine.

Size is not all. A 2 MB CSV whose header is a million commas makes the CSV parser build
a frame of a million columns (tens of GB); a 50 MB line of commas costs more than a
gigabyte to parse and count; a 5 KB workbook holding two cells at opposite corners of a
sheet makes the Excel reader allocate every cell between them (half a terabyte, and the
process aborts). So the shape is judged from the bytes before any parser sees them: the
header's width, the longest line, the span of a sheet's cells.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from xml.parsers import expat

import numpy as np

from orchestration.ingest.schemas import ALL_KINDS

MIB = 1 << 20
MAX_CSV_BYTES = 256 * MIB
MAX_WORKBOOK_BYTES = 20 * MIB
MAX_WORKBOOK_UNPACKED_BYTES = 100 * MIB
_CHUNK = 1 * MIB
# Extra columns are kept (the contract allows them), so a header may name three times as
# many again as the widest table has.
MAX_HEADER_COLUMNS = 4 * max(len(kind.columns) for kind in ALL_KINDS)
# The longest legitimate line holds a note as long as Excel lets a cell be (32,767
# characters, at most 3 bytes each in UTF-8: 98,301 bytes) beside every other column; a
# note's quoted line breaks only make its lines shorter.
MAX_LINE_BYTES = 128 * 1024
# The Excel reader allocates every cell from a sheet's first filled row and column to its
# last; a form spans a few columns by tens of rows.
MAX_SHEET_CELLS = 1 << 20
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


def _archive(source: Path | bytes) -> zipfile.ZipFile | None:
    """The workbook as a zip archive, or None for a file that is not one (the Excel reader
    says what is wrong with it)."""
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError):
        return None


def workbook_problem(data: bytes) -> str | None:
    """`unpacked_problem` or else `sheet_problem`, the archive opened once."""
    archive = _archive(data)
    if archive is None:
        return None
    with archive:
        return _unpacked(archive) or _sheet_span(archive, data)


def unpacked_problem(source: Path | bytes) -> str | None:
    """Why a workbook (its path, or its content) would unpack to too much, or None
    (also None for a file that is not a zip archive at all: the Excel reader says what
    is wrong with it)."""
    archive = _archive(source)
    if archive is None:
        return None
    with archive:
        return _unpacked(archive)


def _unpacked(archive: zipfile.ZipFile) -> str | None:
    budget = MAX_WORKBOOK_UNPACKED_BYTES
    too_much = (
        f"the workbook unpacks to more than {_mib(MAX_WORKBOOK_UNPACKED_BYTES)} "
        "(a compressed sheet far larger than any form); not read"
    )
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
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        # Not the archive reader's message: it quotes a member's name, which is whatever
        # the sender's software wrote, and the error is published.
        return "the workbook is a damaged archive; not read"
    return None


def _cannot_exceed(members: list[zipfile.ZipInfo], budget: int) -> bool:
    """Whatever their headers declare, stored and deflated members cannot inflate
    beyond the budget when their compressed bytes are too few: deflate expands at
    most _DEFLATE_MAX_RATIO-fold. Every one-form workbook is so small; only larger
    archives (or other compression methods) are inflated to be counted."""
    if any(m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for m in members):
        return False
    return sum(m.compress_size for m in members) * _DEFLATE_MAX_RATIO <= budget


def content_problem(data: bytes, is_workbook: bool) -> str | None:
    """Why a file's content (read, not yet parsed) must not reach a parser, or None: the
    one check of ingestion and of `ppa check`, both reading through ingestion."""
    if is_workbook:
        return workbook_problem(data)
    return csv_shape_problem(data)


_NEWLINE, _QUOTE = ord("\n"), ord('"')
_DELIMITERS = tuple(map(ord, ",;\t|"))  # those the CSV reader recognises
_UNITS = 1 << 20  # code units judged at a time: the memory of a check stays a few MB


def _code_units(data: bytes) -> np.ndarray:
    """The text's code units as an array over `data` (no copy): its bytes for UTF-8 and
    Windows-1252, where every ASCII character (a delimiter, a quote, a line end) is a byte
    of its own; 16-bit units for UTF-16 with a byte order mark, which the reader accepts."""
    for bom, dtype in ((codecs.BOM_UTF16_LE, "<u2"), (codecs.BOM_UTF16_BE, ">u2")):
        if data.startswith(bom):
            count = (len(data) - len(bom)) // 2
            return np.frombuffer(data, dtype=dtype, count=count, offset=len(bom))
    return np.frombuffer(data, dtype=np.uint8)


# A header is most often within its file's first few hundred bytes: the first window judged
# is this short, so a header is not looked for by counting the quotes of a whole megabyte.
_FIRST_UNITS = 1 << 14


def _windows(size: int):
    """(start, stop) of the first _FIRST_UNITS units, then of each _UNITS after them."""
    if size:
        yield 0, min(size, _FIRST_UNITS)
    for start in range(_FIRST_UNITS, size, _UNITS):
        yield start, min(size, start + _UNITS)


def _header_width(units: np.ndarray) -> int:
    """The header's columns by the delimiter that splits it most. The header ends at the
    first line end outside quotes, as the reader finds it; a delimiter inside quotes is
    part of a name."""
    counts = np.zeros(len(_DELIMITERS), dtype=np.int64)
    quotes = 0
    for start, stop in _windows(units.size):
        chunk = units[start:stop]
        quoted = np.cumsum(chunk == _QUOTE) + quotes
        outside = quoted % 2 == 0
        ends = np.flatnonzero((chunk == _NEWLINE) & outside)
        if ends.size:
            chunk, outside = chunk[:ends[0]], outside[:ends[0]]
        counts += [np.count_nonzero((chunk == d) & outside) for d in _DELIMITERS]
        if ends.size:
            break
        quotes = int(quoted[-1])
    return int(counts.max()) + 1


def _first_long_line(units: np.ndarray, limit: int) -> tuple[int, int] | None:
    """(number, length in code units) of the first line longer than `limit` units, or
    None. Lines are physical: a quoted line break inside a value ends one."""
    line_start, lines = 0, 0
    for start in range(0, units.size, _UNITS):
        ends = np.flatnonzero(units[start:start + _UNITS] == _NEWLINE) + start
        if not ends.size:
            continue
        lengths = ends - np.concatenate(([line_start], ends[:-1] + 1))
        over = np.flatnonzero(lengths > limit)
        if over.size:
            return lines + int(over[0]) + 1, int(lengths[over[0]])
        line_start, lines = int(ends[-1]) + 1, lines + ends.size
    if units.size - line_start > limit:
        return lines + 1, units.size - line_start
    return None


def csv_shape_problem(data: bytes) -> str | None:
    """Why a CSV file's shape would cost a parser far more than its size, or None: a header
    wider than MAX_HEADER_COLUMNS, or a line longer than MAX_LINE_BYTES. Counted in bytes
    over the file as read, a few MB at a time; no cell is quoted."""
    units = _code_units(data)
    width = _header_width(units)
    if width > MAX_HEADER_COLUMNS:
        return (
            f"the header has {width:,} columns, at most {MAX_HEADER_COLUMNS} are allowed; "
            "not read"
        )
    long_line = _first_long_line(units, MAX_LINE_BYTES // units.itemsize)
    if long_line:
        number, length = long_line
        return (
            f"line {number:,} is {length * units.itemsize:,} bytes long, at most "
            f"{MAX_LINE_BYTES:,} are allowed; not read"
        )
    return None


_CELL_REFERENCE = re.compile(r"([A-Za-z]+)([0-9]+)")


class _CellSpan:
    """The rows and columns a sheet's filled cells span, its XML fed in pieces, the cells
    placed as the Excel reader places them: by their reference; a cell without one right
    of the cell before it, a row without a number under the row before it. A cell without
    a value (a formatted empty cell) is not read, so it does not count."""

    def __init__(self) -> None:
        self.in_sheet = False
        self.row = self.column = -1
        self.cell: tuple[int, int] | None = None
        self.filled = False
        self.rows: tuple[int, int] | None = None
        self.columns: tuple[int, int] | None = None

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(" ")[2]
        if tag == "sheetData":
            self.in_sheet = True
        elif not self.in_sheet:
            return
        elif tag == "row":
            number = attributes.get("r", "")
            self.row = int(number) - 1 if number.isascii() and number.isdigit() else self.row + 1
            self.column = -1
        elif tag == "c":
            reference = _CELL_REFERENCE.fullmatch(attributes.get("r", ""))
            if reference:
                self.row = int(reference[2]) - 1
                self.column = _column_index(reference[1])
            else:
                self.column += 1
            self.cell, self.filled = (self.row, self.column), False
        elif tag in ("v", "is") and self.cell is not None:
            self.filled = True

    def end(self, name: str) -> None:
        tag = name.rpartition(" ")[2]
        if tag == "sheetData":
            self.in_sheet = False
        elif tag == "c" and self.cell is not None:
            if self.filled:
                row, column = self.cell
                self.rows = _widen(self.rows, row)
                self.columns = _widen(self.columns, column)
            self.cell = None

    @property
    def size(self) -> tuple[int, int]:
        if self.rows is None or self.columns is None:
            return 0, 0
        return self.rows[1] - self.rows[0] + 1, self.columns[1] - self.columns[0] + 1


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _widen(span: tuple[int, int] | None, value: int) -> tuple[int, int]:
    return (value, value) if span is None else (min(span[0], value), max(span[1], value))


# What must be in a member's bytes for the XML parser to report a sheetData element: its
# name, written out (an XML name is never a reference), in an encoding the parser reads -
# UTF-8, or any single-byte encoding (the parser refuses one whose ASCII letters are not
# ASCII's bytes), UTF-16 of either byte order. A document type may declare an entity whose
# text is markup (a name written with character references, unseen here): a member with
# one is parsed whatever it holds.
_SHEET_MARKS = tuple(
    word.encode(encoding)
    for word in ("sheetData", "DOCTYPE")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_LONGEST_MARK = max(map(len, _SHEET_MARKS))


def _may_hold_sheet_data(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether the member's bytes name a sheetData element or declare a document type. A
    workbook's other members (styles, theme, relationships) hold no cells: most of what the
    parser would otherwise be called for, element by element."""
    tail = b""
    with (
        contextlib.suppress(zipfile.BadZipFile, OSError, EOFError, NotImplementedError),
        archive.open(member) as stream,
    ):
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if any(mark in window for mark in _SHEET_MARKS):
                return True
            tail = window[-(_LONGEST_MARK - 1):]
    return False


def _whole_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo,
                  data: bytes) -> bytes | None:
    """A member's bytes when it declares no more than a chunk (the archive's reader stops at
    the declared size), else None; None too when it cannot be read whole (it is then read
    a chunk at a time, and judged as far as it goes). `data` is the archive's bytes: a
    well-formed member is inflated straight from them (`_plain_member`)."""
    if member.file_size > _CHUNK:
        return None
    if (plain := _plain_member(data, member)) is not None:
        return plain
    with contextlib.suppress(zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        return archive.read(member)
    return None


# A member's local header (zipfile's own layout): signature, versions, flags, method, time,
# date, CRC, sizes, then the lengths of its name and extra field.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
# Encrypted, compressed patched data, strong encryption: the archive's reader refuses these.
_UNREAD_FLAGS = 0x1 | 0x20 | 0x40


def _plain_member(data: bytes, member: zipfile.ZipInfo) -> bytes | None:
    """The member's bytes inflated straight from the archive's bytes, when they are exactly
    what the archive's reader returns: its local header in place and naming it, stored or
    deflated, no flag that reader refuses, inflating to the declared size with the declared
    CRC. Else None, and the archive's reader reads it (with its errors), as it did before:
    the same bytes either way, without the reader's per-member file object (about half of a
    one-form workbook's check, every member of every form being judged)."""
    start = member.header_offset
    header = data[start:start + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        return None
    signature, _, _, local_flags, *_, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    name_start = start + _LOCAL_HEADER.size
    try:  # the name as the archive's reader decodes it, by the local header's flag
        name = data[name_start:name_start + name_length].decode(
            "utf-8" if local_flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    if (signature != _LOCAL_SIGNATURE or member.flag_bits & _UNREAD_FLAGS
            or name != member.orig_filename):
        return None
    body_start = name_start + name_length + extra_length
    body = data[body_start:body_start + member.compress_size]
    if len(body) != member.compress_size:
        return None
    if member.compress_type == zipfile.ZIP_STORED:
        content = body[:member.file_size]
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        try:
            content = zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, member.file_size)
        except zlib.error:
            return None
    else:
        return None
    if len(content) != member.file_size or zlib.crc32(content) != member.CRC:
        return None
    return content


def _parsed_span(chunks) -> tuple[int, int]:
    """(rows, columns) the filled cells of a member's XML span, given as chunks of bytes. A
    member that is not XML, or stops being XML, is judged as far as it is."""
    span = _CellSpan()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = span.start, span.end
    with contextlib.suppress(expat.ExpatError, zipfile.BadZipFile, OSError, EOFError,
                             NotImplementedError):
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return span.size


def _chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo):
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            yield chunk


# Counting instead of parsing. With no comment, CDATA section, document type or processing
# instruction (but the XML declaration), every "<" of a member opens or closes an element,
# so these patterns find every element the parser reports and every r attribute of one.
_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^<>]*\?>")
_ROW_OR_CELL = re.compile(rb"<(?:[^\s/>!?<]*:)?(row|c)[\s/>]")
_SHEET_DATA = re.compile(rb"<(?:[^\s/>!?<]*:)?sheetData[\s/>]")
# Every r attribute, and the value of any other whose name ends in r (more values only
# widen the bound).
_R_ATTRIBUTE = re.compile(rb"r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CELL_REFERENCE_BYTES = re.compile(_CELL_REFERENCE.pattern.encode("ascii"))


def _span_bound(xml: bytes) -> tuple[int, int] | None:
    """At least the (rows, columns) a member's cells span, told by counting its bytes with
    no parse; None when counting cannot tell (the parser then judges).

    A bound on the parser's placing (`_CellSpan`): a row is at most the largest number any
    reference gives plus one per row element (one without a number goes one further down);
    a column at most the rightmost reference's plus the cells in the longest stretch
    between two row elements (a column restarts with each row). Cells without a value count
    too. Anything that could hide an element or a reference from a count - markup other
    than elements, a character reference in an r attribute, another encoding than an
    ASCII-compatible one, a second sheetData - sends the member to the parser."""
    declaration = _DECLARATION.match(xml)
    body = xml[declaration.end():] if declaration else xml
    if b"\0" in body or b"<!" in body or b"<?" in body or len(_SHEET_DATA.findall(body)) > 1:
        return None
    values = {double or single for double, single in _R_ATTRIBUTE.findall(body)}
    if any(b"&" in value for value in values):
        return None
    references = [_CELL_REFERENCE_BYTES.fullmatch(value) for value in values]
    row = max((int(r[2]) - 1 for r in references if r), default=-1)
    row = max([row, *(int(value) - 1 for value in values if value.isdigit())])
    column = max((_column_index(r[1].decode("ascii")) for r in references if r), default=-1)
    # The kinds of element in order, "c" or "row": the longest stretch of cells is the
    # longest run of "c" between two "row"s.
    tags = _ROW_OR_CELL.findall(body)
    longest = max(map(len, b"".join(tags).split(b"row")))
    # Spans run from at least row -1 and column 0 (a row or cell numbered 0).
    return row + tags.count(b"row") + 2, column + longest + 2


def _surely_within(xml: bytes) -> bool:
    bound = _span_bound(xml)
    return bound is not None and bound[0] * bound[1] <= MAX_SHEET_CELLS


def _span_over_limit(archive: zipfile.ZipFile, member: zipfile.ZipInfo,
                     data: bytes) -> tuple[int, int] | None:
    """(rows, columns) the filled cells of one member span when they are more than
    MAX_SHEET_CELLS, else None (a member that holds no sheet spans nothing)."""
    xml = _whole_member(archive, member, data)
    if xml is None:
        if not _may_hold_sheet_data(archive, member):
            return None
        rows, columns = _parsed_span(_chunks(archive, member))
    elif not any(mark in xml for mark in _SHEET_MARKS) or _surely_within(xml):
        return None
    else:
        rows, columns = _parsed_span([xml])
    return (rows, columns) if rows * columns > MAX_SHEET_CELLS else None


def sheet_problem(data: bytes) -> str | None:
    """Why a workbook's sheet spans more cells than MAX_SHEET_CELLS, or None (also None for
    a file that is not a zip archive: the Excel reader says what is wrong with it). Every
    member is judged, whatever its name: the workbook's own relationships say which part
    is a sheet. Run after `unpacked_problem`, which bounds what is inflated."""
    archive = _archive(data)
    if archive is None:
        return None
    with archive:
        return _sheet_span(archive, data)


def _sheet_span(archive: zipfile.ZipFile, data: bytes) -> str | None:
    for member in archive.infolist():
        if over := _span_over_limit(archive, member, data):
            rows, columns = over
            return (
                f"a sheet's cells span {rows:,} rows by {columns:,} columns "
                f"({rows * columns:,} cells), at most {MAX_SHEET_CELLS:,} are allowed; "
                "not read"
            )
    return None
