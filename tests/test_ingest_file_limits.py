"""Hostile files: a workbook that inflates far beyond any form, and files too large to
read, are rejected with a reason before any reader loads them."""

from __future__ import annotations

import resource
import zipfile

from orchestration.ingest import file_limits
from orchestration.ingest.discovery import discover
from orchestration.ingest.read import read_landing_file

MONTH = "activity_forms/2024-03"


def _bomb(path, unpacked_mib: int) -> None:
    """A well-formed zip whose one sheet inflates to `unpacked_mib` MB of spaces."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet,
    ):
        for _ in range(unpacked_mib):
            sheet.write(b" " * (1 << 20))


def test_a_workbook_that_inflates_beyond_the_limit_is_rejected_unread(tmp_path):
    folder = tmp_path / MONTH
    folder.mkdir(parents=True)
    _bomb(folder / "PP01_F001.xlsx", unpacked_mib=file_limits.MAX_WORKBOOK_UNPACKED_BYTES // (1 << 20) + 20)
    assert (folder / "PP01_F001.xlsx").stat().st_size < 1 << 20
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    [landing_file] = discover(tmp_path)
    result = read_landing_file(landing_file)
    assert result.status == "rejected"
    assert result.rows_read == 0
    assert f"{MONTH}/PP01_F001.xlsx: the workbook unpacks to more than" in result.error
    # Inflated as a stream against a budget: memory grew by far less than the sheet.
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kib < 50 * 1024


def test_a_workbook_within_the_limit_is_not_refused(tmp_path):
    path = tmp_path / "small.xlsx"
    _bomb(path, unpacked_mib=2)
    assert file_limits.size_problem(path, is_workbook=True) is None


def test_not_an_archive_is_left_to_the_excel_reader(tmp_path):
    path = tmp_path / "garbage.xlsx"
    path.write_bytes(b"\x00\x01 not a zip")
    assert file_limits.unpacked_problem(path) is None


def test_a_file_above_the_size_limit_is_rejected_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(file_limits, "MAX_CSV_BYTES", 1000)
    folder = tmp_path / MONTH
    folder.mkdir(parents=True)
    (folder / "site.csv").write_text("pp_id,family_id\n" + "PP01,F1\n" * 200)
    [landing_file] = discover(tmp_path)
    result = read_landing_file(landing_file)
    assert result.status == "rejected" and result.rows_read == 0
    assert "above the 0.0 MB a landing file may be; not read" in result.error


def test_a_damaged_archive_is_refused_without_the_archive_readers_words(tmp_path):
    """The zip reader's message quotes a member's name, which is whatever the sender's
    software wrote: here a parent's name and birth date. The error is published
    (marts.dq_ingested_files), so it says what is wrong and nothing it read."""
    folder = tmp_path / MONTH
    folder.mkdir(parents=True)
    path = folder / "PP01_F001.xlsx"
    member = "xl/embeddings/Sarah Miller DOB 1988-05-13.txt"
    with zipfile.ZipFile(path, "w") as archive:
        # A member the size budget cannot vouch for (not stored or deflated) makes the
        # check inflate every member, the damaged one among them.
        archive.writestr("xl/media/pad.bin", b"x" * 1000, compress_type=zipfile.ZIP_BZIP2)
        archive.writestr(member, b"A" * 200, compress_type=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    data[data.find(b"A" * 200)] = ord("B")  # the stored bytes no longer match their CRC
    path.write_bytes(bytes(data))
    [landing_file] = discover(tmp_path)
    result = read_landing_file(landing_file)
    assert result.status == "rejected" and result.rows_read == 0
    assert result.error == f"{MONTH}/PP01_F001.xlsx: the workbook is a damaged archive; not read"
