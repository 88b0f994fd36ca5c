"""Hostile shapes: a header wider than any contract, a line longer than any form needs and a
workbook whose cells span a vast sheet are rejected with their reason before any parser
builds a frame of them, within a bounded memory; legitimate files in every encoding the
landing zone accepts pass."""

from __future__ import annotations

import codecs
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_fixtures.landing import (
    ACTIVITY_HEADER,
    activity_row,
    csv_text,
    landing_file,
    write_activity_csv,
    write_workbook,
)

from orchestration.ingest import file_limits
from orchestration.ingest.read import read_landing_file
from orchestration.ingest.schemas import ALL_KINDS

MONTH = "activity_forms/2024-03"
# Excel's longest cell; every character of it 3 bytes in UTF-8.
EXCEL_CELL_CHARS = 32_767
WIDE_NOTE = "€" * EXCEL_CELL_CHARS


def _csv(header: list[str], rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    return csv_text(header, rows).encode(encoding)


def _activity_csv(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    return _csv(ACTIVITY_HEADER, rows, encoding)


# The CSV check


def test_the_widest_contract_with_twice_as_many_extra_columns_passes():
    widest = max(ALL_KINDS, key=lambda kind: len(kind.columns))
    names = [*widest.columns, *(f"extra_{i}" for i in range(2 * len(widest.columns)))]
    assert file_limits.csv_shape_problem(_csv(names, [{}])) is None


def test_a_header_wider_than_any_contract_is_refused_with_its_width():
    data = b"pp_id" + b"," * 1000 + b"\r\nPP01\r\n"
    assert file_limits.csv_shape_problem(data) == (
        "the header has 1,001 columns, at most 64 are allowed; not read"
    )


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_a_header_wide_by_another_delimiter_is_refused(delimiter):
    data = ("pp_id" + delimiter * 100 + "\n").encode()
    assert "the header has 101 columns" in file_limits.csv_shape_problem(data)


def test_a_header_at_the_limit_passes_one_past_it_does_not():
    limit = file_limits.MAX_HEADER_COLUMNS
    at_limit = ",".join(f"c{i}" for i in range(limit)) + "\n1\n"
    assert file_limits.csv_shape_problem(at_limit.encode()) is None
    past = ",".join(f"c{i}" for i in range(limit + 1)) + "\n1\n"
    assert file_limits.csv_shape_problem(past.encode()) == (
        f"the header has {limit + 1} columns, at most {limit} are allowed; not read"
    )


def test_commas_inside_quoted_header_names_are_not_columns():
    names = [f"note, part {i}" for i in range(40)]
    data = _csv(names, [{names[0]: "x"}])
    assert data.count(b",") > file_limits.MAX_HEADER_COLUMNS
    assert file_limits.csv_shape_problem(data) is None


@pytest.mark.parametrize("spread", [1, 5_000, 20_000, 40_000])
def test_a_header_is_judged_whole_wherever_its_quotes_and_line_end_fall(spread):
    """The header is read a window at a time (a first short one): quotes open in one window
    and closed in the next still hide their commas, and columns past the first window
    still count."""
    quoted = '"a, b\n' + "," * spread + '"'  # one name holding commas and a line break
    assert file_limits.csv_shape_problem(f"{quoted},x\n1,2\n".encode()) is None
    wide = "y" * spread + ",c" * 70 + "\n1\n"
    assert file_limits.csv_shape_problem(wide.encode()) == (
        "the header has 71 columns, at most 64 are allowed; not read"
    )


def test_a_line_longer_than_any_form_needs_is_refused_with_its_number_and_length():
    long_note = "x" * (file_limits.MAX_LINE_BYTES + 10)
    data = _activity_csv([activity_row(), activity_row(notes=long_note), activity_row()])
    line = data.split(b"\r\n")[2] + b"\r"
    problem = file_limits.csv_shape_problem(data)
    assert problem == (
        f"line 3 is {len(line):,} bytes long, at most {file_limits.MAX_LINE_BYTES:,} are "
        "allowed; not read"
    )
    assert "xxx" not in problem


def test_a_file_of_one_long_line_is_refused():
    data = b"pp_id," + b"x" * (2 * file_limits.MAX_LINE_BYTES)
    assert file_limits.csv_shape_problem(data).startswith(f"line 1 is {len(data):,} bytes long")


def test_a_line_at_the_limit_passes():
    head = b"pp_id,notes\n"
    line = b"PP01," + b"x" * (file_limits.MAX_LINE_BYTES - 5)
    assert file_limits.csv_shape_problem(head + line + b"\n") is None
    assert file_limits.csv_shape_problem(head + line + b"x\n") is not None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_a_full_excel_cell_of_quoted_multi_line_notes_passes(encoding):
    """The longest legitimate record: a note as long as Excel lets a cell be, of
    characters taking 3 bytes each in UTF-8, beside a note whose quoted line breaks,
    commas and quotes make many physical lines of one record."""
    multi_line = 'visit, talked about "court"\n' * 5_000 + "and\r\nthe next visitation"
    data = _activity_csv(
        [activity_row(notes=WIDE_NOTE), activity_row(notes=multi_line)], encoding
    )
    assert len(data) > file_limits.MAX_LINE_BYTES
    assert file_limits.csv_shape_problem(data) is None


def test_windows_1252_is_judged_by_its_bytes():
    row = activity_row(notes="café, naïve – “quoted” " * 2_000)
    data = _activity_csv([row], "cp1252")
    assert file_limits.csv_shape_problem(data) is None
    wide = ";".join(["Müller"] * 70).encode("cp1252") + b"\r\n"
    assert "the header has 70 columns" in file_limits.csv_shape_problem(wide)


@pytest.mark.parametrize("bom, encoding", [(codecs.BOM_UTF8, "utf-8"), (b"", "utf-16")])
def test_a_byte_order_mark_does_not_hide_a_wide_header(bom, encoding):
    data = bom + ("pp_id" + "," * 200 + "\n").encode(encoding)
    assert "the header has 201 columns" in file_limits.csv_shape_problem(data)


def test_an_empty_file_is_left_to_the_reader():
    assert file_limits.csv_shape_problem(b"") is None


def test_ingestion_refuses_the_file_naming_it_and_not_its_cells(tmp_path):
    folder = tmp_path / MONTH
    folder.mkdir(parents=True)
    (folder / "site.csv").write_bytes(
        b"pp_id,SECRET_NAME" + b"," * 100 + b"\r\n" + b"PP01,Jane Doe\r\n" * 10
    )
    result = read_landing_file(landing_file(tmp_path, f"{MONTH}/site.csv"))
    assert result.status == "rejected" and result.rows_read == 0
    assert result.error == (
        f"{MONTH}/site.csv: the header has 102 columns, at most 64 are allowed; not read"
    )


def test_ingestion_still_reads_a_legitimate_export(tmp_path):
    note = 'visit, "court"\nand\r\nthe next visitation'
    rows = [activity_row(notes=WIDE_NOTE), activity_row(notes=note)]
    found = write_activity_csv(tmp_path, rows)
    result = read_landing_file(found)
    assert result.error is None
    assert result.accepted.get_column("notes").to_list() == [WIDE_NOTE, note]


# The workbook check


def _form(landing: Path, name: str = "PP01_F001.xlsx"):
    return write_workbook(
        landing, f"{MONTH}/{name}",
        header_block={"pp_id": "PP01", "family_id": "F001", "service_month": "2024-03",
                      "submitted_at": "2024-04-02T09:30:00"},
        rows=[["2024-03-09", "home_visit", 60, "notes"]],
        trailing_empty_rows=3,
    )


def _sheet(path: Path, cells: list[tuple[int, int]], *, blank: bool = False) -> None:
    """A form's sheet holding text in `cells` (row, column), a few KB that may span a vast
    sheet; `blank` makes the last cell a formatted one holding nothing."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Activity Form")
    for row, col in cells[:-1]:
        sheet.write_string(row, col, "x")
    if blank:  # the Excel reader skips such a cell
        sheet.write_blank(*cells[-1], None, book.add_format({"bold": True}))
    else:
        sheet.write_string(*cells[-1], "x")
    book.close()


def test_a_legitimate_form_passes(tmp_path):
    form = _form(tmp_path)
    assert file_limits.sheet_problem(form.path.read_bytes()) is None
    assert read_landing_file(form).error is None


@pytest.mark.parametrize("cells, rows, columns", [
    ([(0, 0), (1_048_575, 16_383)], 1_048_576, 16_384),  # opposite corners
    ([(0, 0), *((99, col) for col in range(16_384))], 100, 16_384),  # a row of every column
    ([(0, 0), (1_048_575, 1)], 1_048_576, 2),
])
def test_a_sheet_spanning_more_cells_than_allowed_is_refused(tmp_path, cells, rows, columns):
    path = tmp_path / "form.xlsx"
    _sheet(path, cells)
    assert rows * columns > file_limits.MAX_SHEET_CELLS
    assert file_limits.sheet_problem(path.read_bytes()) == (
        f"a sheet's cells span {rows:,} rows by {columns:,} columns ({rows * columns:,} "
        f"cells), at most {file_limits.MAX_SHEET_CELLS:,} are allowed; not read"
    )


def test_a_sheet_within_the_cell_limit_passes(tmp_path):
    path = tmp_path / "form.xlsx"
    _sheet(path, [(0, 0), (999, 999)])
    assert file_limits.sheet_problem(path.read_bytes()) is None


def test_formatted_empty_cells_do_not_count(tmp_path):
    path = tmp_path / "form.xlsx"
    _sheet(path, [(0, 0), (1_048_575, 16_383)], blank=True)
    assert file_limits.sheet_problem(path.read_bytes()) is None


def test_cells_without_a_reference_are_placed_as_the_reader_places_them(tmp_path):
    """A cell may leave out its reference: it follows the cell before it (and a row
    without a number the row before it)."""
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="1048576"><c r="XFC1048576"><v>1</v></c><c><v>2</v></c></row>'
        b"</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/anywhere.xml", sheet)
    assert "16,384 columns" in file_limits.sheet_problem(buffer.getvalue())


_VAST_SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
)


def _archive(member: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/theme/theme1.xml", '<a:theme xmlns:a="urn:x"><a:clr/></a:theme>')
        archive.writestr("xl/worksheets/sheet1.xml", member)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be", "iso-8859-1"])
def test_a_vast_sheet_is_refused_in_any_encoding_the_parser_reads(encoding):
    """Members without a sheetData element are not parsed; one written in UTF-16 or a
    single-byte encoding still has it found."""
    declared = {"utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}.get(encoding, encoding)
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    xml = f'<?xml version="1.0" encoding="{declared}"?>{_VAST_SHEET}'
    assert "16,384 columns" in file_limits.sheet_problem(_archive(bom + xml.encode(encoding)))


def test_a_sheet_data_element_made_by_an_entity_is_still_judged():
    """A document type may declare an entity whose text is a sheetData element written with
    character references, so the name never appears in the bytes: such a member is parsed."""
    opening, rest = _VAST_SHEET.split("<sheetData>")
    element = "<sheetData>" + rest.removesuffix("</worksheet>")
    hidden = (element.replace("sheetData", "&#115;heetData").replace("<", "&#60;")
              .replace('"', "&#34;"))
    xml = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY s "{hidden}">]>{opening}&s;</worksheet>'
    assert b"sheetData" not in xml.encode()
    assert "16,384 columns" in file_limits.sheet_problem(_archive(xml.encode()))


def test_a_sheet_data_name_across_two_read_chunks_is_found():
    """The member is read a chunk at a time: a name split between two chunks is found (the
    sheet ends there, unclosed: it is judged as far as it goes)."""
    opening = '<?xml version="1.0"?><worksheet xmlns="urn:x"><!--'
    padding = "x" * (file_limits._CHUNK - len(opening) - len("--><shee"))
    cells = _VAST_SHEET.split("<sheetData>")[1].split("</sheetData>")[0]
    xml = (opening + padding + "--><sheetData>" + cells).encode()
    assert xml.index(b"sheetData") == file_limits._CHUNK - 4 and xml.count(b"sheetData") == 1
    assert "16,384 columns" in file_limits.sheet_problem(_archive(xml))


# A well-formed member is inflated straight from the archive's bytes; anything else is left
# to the archive's reader, as before: the same bytes, or the same refusal, either way.


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes | None]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(m, file_limits._plain_member(data, m)) for m in archive.infolist()]


def test_every_member_of_the_demo_forms_is_read_straight_and_identically():
    from orchestration.config import REPO_ROOT

    forms = sorted((REPO_ROOT / "seeds" / "demo" / "activity_forms").rglob("*.xlsx"))
    assert forms
    for form in forms:
        data = form.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                assert file_limits._plain_member(data, member) == archive.read(member)


def test_a_stored_member_is_read_straight():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", _VAST_SHEET)
    ((_, content),) = _members(buffer.getvalue())
    assert content == _VAST_SHEET.encode()
    assert "16,384 columns" in file_limits.sheet_problem(buffer.getvalue())


def _tampered(data: bytes, name: bytes, change) -> bytes:
    """The archive with the local entry of member `name` changed by change(entry bytes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = archive.getinfo(name.decode())
    start = member.header_offset
    end = start + 30 + len(name) + len(member.extra) + member.compress_size
    return data[:start] + change(data[start:end]) + data[end:]


def _flip_a_data_byte(entry: bytes) -> bytes:
    at = len(entry) - 20  # within the deflated data of a member this size
    return entry[:at] + bytes([entry[at] ^ 0xFF]) + entry[at + 1:]


@pytest.mark.parametrize("change", [
    pytest.param(lambda e: b"PK\x05\x06" + e[4:], id="no local signature"),
    pytest.param(lambda e: e[:30] + b"X" + e[31:], id="another local name"),
    pytest.param(_flip_a_data_byte, id="damaged deflate data"),
])
def test_a_member_not_read_straight_is_judged_by_the_archive_reader_as_before(
    change, monkeypatch
):
    """Damaged or unusual members go to the archive's reader, whose verdict is kept: the
    check decides exactly as it did when every member went through it."""
    data = _tampered(_archive(_VAST_SHEET.encode()), b"xl/worksheets/sheet1.xml", change)
    plain = {m.filename: content for m, content in _members(data)}
    assert plain["xl/worksheets/sheet1.xml"] is None
    assert plain["xl/theme/theme1.xml"] is not None
    verdict = file_limits.workbook_problem(data)
    monkeypatch.setattr(file_limits, "_plain_member", lambda data, member: None)
    assert file_limits.workbook_problem(data) == verdict


def test_a_member_whose_crc_size_or_flags_are_wrong_is_left_to_the_archive_reader():
    data = _archive(_VAST_SHEET.encode())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
    wrong_crc = zipfile.ZipInfo(member.filename)
    for field in ("header_offset", "compress_size", "file_size", "compress_type", "flag_bits"):
        setattr(wrong_crc, field, getattr(member, field))
    wrong_crc.CRC = member.CRC ^ 1
    assert file_limits._plain_member(data, member) is not None
    assert file_limits._plain_member(data, wrong_crc) is None
    wrong_crc.CRC, wrong_crc.file_size = member.CRC, member.file_size + 1
    assert file_limits._plain_member(data, wrong_crc) is None
    wrong_crc.file_size, wrong_crc.flag_bits = member.file_size, member.flag_bits | 0x1
    assert file_limits._plain_member(data, wrong_crc) is None  # encrypted
    wrong_crc.flag_bits = member.flag_bits
    assert file_limits._plain_member(data, wrong_crc) == _VAST_SHEET.encode()


# Counting instead of parsing: the bound a member's bytes give must hold the span the
# parser finds, whatever the sheet's XML spells.

_PREFIXES = ["", "x:"]


@st.composite
def _sheet_xml(draw) -> bytes:
    """A sheet's XML as writers may spell it: cells and rows with or without references,
    references of any size or none that parse, prefixed names, either quote, spaces
    around '=', cells with no value, elements outside sheetData."""
    prefix = draw(st.sampled_from(_PREFIXES))
    quote = draw(st.sampled_from(['"', "'"]))
    equals = draw(st.sampled_from(["=", " = ", "\n=\t"]))

    def attribute(value):
        return "" if value is None else f" r{equals}{quote}{value}{quote}"

    numbers = st.one_of(st.none(), st.integers(0, 1_100_000).map(str),
                        st.sampled_from(["", "x", "1.5", " 3", "0"]))
    letters = st.text(alphabet="ABCDXYZabc", min_size=1, max_size=3)
    references = st.one_of(st.none(), st.builds(lambda a, b: f"{a}{b}", letters,
                                                st.integers(0, 1_100_000)),
                           st.sampled_from(["A", "1", "A1B", "$A$1"]))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        cells = []
        for _ in range(draw(st.integers(0, 6))):
            value = draw(st.sampled_from(["<{p}v>1</{p}v>", "<{p}is><{p}t>x</{p}t></{p}is>", ""]))
            cells.append(f"<{prefix}c{attribute(draw(references))}>"
                         f"{value.format(p=prefix)}</{prefix}c>")
        rows.append(f"<{prefix}row{attribute(draw(numbers))}>{''.join(cells)}</{prefix}row>")
    outside = draw(st.sampled_from(["", f'<{prefix}row r="7"><{prefix}c r="Q9"/></{prefix}row>']))
    namespace = "xmlns:x" if prefix else "xmlns"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{prefix}worksheet {namespace}="urn:s">'
        f"{outside}<{prefix}sheetData>{''.join(rows)}</{prefix}sheetData>{outside}"
        f"</{prefix}worksheet>"
    ).encode()


@settings(max_examples=400, deadline=None)
@given(_sheet_xml())
def test_the_counted_bound_holds_the_parsed_span(xml):
    bound = file_limits._span_bound(xml)
    assert bound is not None  # plain elements and attributes: counting tells
    rows, columns = file_limits._parsed_span([xml])
    assert rows <= bound[0] and columns <= bound[1]


@pytest.mark.parametrize("markup", [
    b"<!-- <row> -->", b"<![CDATA[<c>]]>", b"<?pi <c>?>", b'<c r="&#65;1"/>',
    b"<sheetData/>",
])
def test_markup_a_count_could_miss_sends_the_member_to_the_parser(markup):
    xml = (b'<?xml version="1.0"?><worksheet xmlns="urn:s"><sheetData><row r="1">'
           b'<c r="A1"><v>1</v></c></row></sheetData>' + markup + b"</worksheet>")
    assert file_limits._span_bound(xml) is None
    assert file_limits._span_bound(xml.replace(markup, b"")) is not None


def test_every_form_of_the_demo_landing_zone_is_judged_by_counting(monkeypatch):
    """The parser is the exception: real forms are cleared by their counts alone."""
    from orchestration.config import REPO_ROOT

    parsed = []
    monkeypatch.setattr(file_limits, "_parsed_span",
                        lambda chunks: parsed.append(1) or (0, 0))
    forms = sorted((REPO_ROOT / "seeds" / "demo" / "activity_forms").rglob("*.xlsx"))
    assert forms
    for form in forms:
        assert file_limits.content_problem(form.read_bytes(), is_workbook=True) is None
    assert parsed == []


def test_ingestion_refuses_a_vast_sheet_with_its_reason(tmp_path):
    form = _form(tmp_path, "PP01_F002.xlsx")
    _sheet(form.path, [(0, 0), (100_000, 100)])
    result = read_landing_file(form)
    assert result.status == "rejected" and result.rows_read == 0
    assert result.error.startswith(f"{MONTH}/PP01_F002.xlsx: a sheet's cells span 100,001 rows")


# Memory: ingestion and `ppa check` of a landing zone of hostile shapes, each in a process
# of its own, killed as soon as it passes the bound (so a failing run cannot take the
# machine with it).

MEMORY_BOUND_KIB = 1 << 20  # 1 GB
_INGEST = """
import json, sys
from pathlib import Path
import duckdb
from orchestration.defs.assets.raw import ingest_files
from orchestration.ingest.discovery import discover
with duckdb.connect(sys.argv[2]) as con:
    ingest_files(con, discover(Path(sys.argv[1])), run_id="shape")
    print(json.dumps(con.sql(
        "select file, status, error, rows_accepted from raw.ingested_files order by file"
    ).fetchall()))
"""


# The peak is the process's own high-water mark (VmHWM of its memory map after exec), read
# while it runs and by the process itself as it exits. Not wait4's ru_maxrss: Linux carries
# the forking test worker's resident size (often over 1 GB late in a suite) into the
# child's ru_maxrss at exec.
_REPORT_PEAK = """
import atexit, os
from pathlib import Path
def _report_peak():
    status = Path("/proc/self/status").read_text()
    peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    Path(os.environ["PPA_TEST_PEAK_FILE"]).write_text(peak)
atexit.register(_report_peak)
"""
_PPA_MAIN = """
import sys
from orchestration.cli import main
sys.argv[0] = "ppa"
main()
"""


def _peak_memory(command: list[str], env: dict[str, str], logs: Path) -> tuple[int, int, str]:
    """(peak resident KiB, exit status, stdout) of the Python code `command` (a `-c` script
    and its arguments) in a process of its own, killed as soon as it passes
    MEMORY_BOUND_KIB; its stderr in `logs`/stderr."""
    script, *arguments = command
    peak_file = logs / "peak_kib"
    peak_file.unlink(missing_ok=True)
    env = {**env, "PPA_TEST_PEAK_FILE": str(peak_file)}
    peak = 0
    with open(logs / "stdout", "wb") as out, open(logs / "stderr", "wb") as err:
        process = subprocess.Popen([sys.executable, "-c", _REPORT_PEAK + script, *arguments],
                                   stdout=out, stderr=err, env=env, cwd="/")
        while process.poll() is None:
            peak = max(peak, _peak_so_far(process.pid))
            if peak > MEMORY_BOUND_KIB:
                process.kill()
            time.sleep(0.05)
    if peak_file.exists():
        peak = max(peak, int(peak_file.read_text()))
    return peak, process.returncode, (logs / "stdout").read_text()


def _peak_so_far(pid: int) -> int:
    """The process's peak resident KiB so far (0 once it has exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines()
                 if line.startswith("VmHWM:")), 0)


def _hostile_zone(landing: Path) -> None:
    folder = landing / MONTH
    folder.mkdir(parents=True)
    rows = _activity_csv([activity_row()] * 16_000)
    (folder / "site_S09_wide_header.csv").write_bytes(
        b"pp_id" + b"," * 1_000_000 + b"\r\n" + rows[rows.index(b"\r\n") + 2:]
    )
    header = ",".join(ACTIVITY_HEADER).encode() + b"\r\n"
    with open(folder / "site_S09_one_line.csv", "wb") as out:
        out.write(header + b"PP01")
        out.writelines(b"," * (1 << 20) for _ in range(50))
    _sheet(folder / "PP01_F009.xlsx", [(0, 0), (1_048_575, 16_383)])
    write_activity_csv(landing, [activity_row()], name="site_S01_export.csv")


@pytest.mark.slow
def test_hostile_shapes_are_refused_within_the_memory_bound(tmp_path):
    landing = tmp_path / "landing"
    _hostile_zone(landing)
    assert (landing / MONTH / "site_S09_wide_header.csv").stat().st_size > 2_000_000
    assert (landing / MONTH / "site_S09_one_line.csv").stat().st_size > 50 << 20
    env = {**os.environ, "PPA_LANDING_DIR": str(landing),
           "PPA_WAREHOUSE": str(tmp_path / "warehouse.duckdb")}

    peak, status, out = _peak_memory(
        [_INGEST, str(landing), str(tmp_path / "run.duckdb")], env, tmp_path)
    assert peak < MEMORY_BOUND_KIB, f"ingestion peaked at {peak // 1024} MB"
    assert status == 0, (tmp_path / "stderr").read_text()[-3000:]
    files = {file: (state, error, accepted) for file, state, error, accepted in json.loads(out)}
    wide = (f"{MONTH}/site_S09_wide_header.csv: the header has 1,000,001 columns, at most 64 "
            "are allowed; not read")
    assert files[f"{MONTH}/site_S09_wide_header.csv"] == ("rejected", wide, 0)
    state, error, _ = files[f"{MONTH}/site_S09_one_line.csv"]
    assert state == "rejected" and error.startswith(
        f"{MONTH}/site_S09_one_line.csv: line 2 is 52,428,804 bytes long, at most "
    )
    state, error, _ = files[f"{MONTH}/PP01_F009.xlsx"]
    assert state == "rejected" and "a sheet's cells span 1,048,576 rows by 16,384" in error
    assert files[f"{MONTH}/site_S01_export.csv"] == ("loaded", None, 1)

    peak, status, out = _peak_memory([_PPA_MAIN, "check", str(landing / MONTH)], env, tmp_path)
    assert peak < MEMORY_BOUND_KIB, f"ppa check peaked at {peak // 1024} MB"
    assert status == 1, (tmp_path / "stderr").read_text()[-3000:]
    assert "site_S09_wide_header.csv: the header has 1,000,001 columns" in out
    assert "site_S09_one_line.csv: line 2 is 52,428,804 bytes long" in out
    assert "PP01_F009.xlsx: a sheet's cells span" in out
