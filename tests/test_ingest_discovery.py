"""Which landing files are which kind, and what is left unrecognised."""

from __future__ import annotations

import datetime as dt
import hashlib

from orchestration.ingest.discovery import discover, discover_unrecognised, sha256_of
from orchestration.ingest.schemas import (
    ACTIVITY_ROWS,
    CONTRACT_TERMS,
    INVOICES,
    REFERENCE_KINDS,
    REFERRALS,
)

FILES = [
    "activity_forms/2024-03/site_a.csv",
    "activity_forms/2024-03/PP01_F001.XLSX",
    "activity_forms/2024-04/site_a.csv",
    "activity_forms/2024-13/site_a.csv",        # no such month
    "activity_forms/misc/site_a.csv",            # not a month folder
    "activity_forms/2024-03/readme.txt",         # not a form
    "activity_forms/2024-03/~$PP01_F001.xlsx",   # Excel's lock file
    "activity_forms/2024-03/deep/site_a.csv",    # one folder too deep
    "activity_forms/2024-03/.DS_Store",          # hidden: ignored entirely
    "referrals/referrals_2024-04-01.csv",
    "referrals/referrals_latest.csv",            # recognised; the reader rejects it
    "referrals/old/referrals_2024-01-01.csv",
    "contract/contract_terms.csv",
    "contract/invoices_2024-03.csv",
    "notes.docx",
]


def make(landing, rel_paths):
    for rel in rel_paths:
        path = landing / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")


def test_discover_classifies_by_place_and_name(tmp_path):
    make(tmp_path, FILES)
    found = {f.rel_path: f for f in discover(tmp_path)}
    assert list(found) == sorted(found)
    assert set(found) == {
        "activity_forms/2024-03/site_a.csv", "activity_forms/2024-03/PP01_F001.XLSX",
        "activity_forms/2024-04/site_a.csv", "referrals/referrals_2024-04-01.csv",
        "referrals/referrals_latest.csv", "contract/contract_terms.csv",
        "contract/invoices_2024-03.csv",
    }
    form = found["activity_forms/2024-03/PP01_F001.XLSX"]
    assert (form.kind, form.partition_key, form.extract_date) == (ACTIVITY_ROWS, "2024-03", None)
    assert form.path.is_absolute() and form.path == (tmp_path / form.rel_path).resolve()
    snapshot = found["referrals/referrals_2024-04-01.csv"]
    assert (snapshot.kind, snapshot.extract_date) == (REFERRALS, dt.date(2024, 4, 1))
    assert found["referrals/referrals_latest.csv"].extract_date is None
    assert found["contract/contract_terms.csv"].kind == CONTRACT_TERMS
    assert found["contract/invoices_2024-03.csv"].kind == INVOICES
    assert found["contract/invoices_2024-03.csv"].extract_date is None


def test_discovering_one_kind_or_month_finds_what_the_whole_walk_finds(tmp_path):
    """A run ingesting one kind (or one service month) walks only its folders, and finds
    exactly the files the walk of the whole landing zone gives that kind - any case."""
    make(tmp_path, [*FILES, "Contract/invoices_2024-04.csv", "REFERRALS/referrals_2024-05-01.csv",
                    "activity_forms/2024-05/site_b.csv"])
    (tmp_path / "activity_forms/2024-06").mkdir()
    (tmp_path / "activity_forms/2024-06/site_c.csv").symlink_to(tmp_path / "notes.docx")
    everything = discover(tmp_path)
    for kind in (ACTIVITY_ROWS, *REFERENCE_KINDS):
        assert discover(tmp_path, kind) == [f for f in everything if f.kind == kind], kind.name
    months = {"2024-03", "2024-06", "2025-01"}
    assert [f.rel_path for f in discover(tmp_path, ACTIVITY_ROWS, months)] == [
        "activity_forms/2024-03/PP01_F001.XLSX", "activity_forms/2024-03/site_a.csv",
        "activity_forms/2024-06/site_c.csv",
    ]
    assert discover(tmp_path / "nope", REFERRALS) == []


def test_unrecognised_files_are_listed_with_a_reason(tmp_path):
    make(tmp_path, [*FILES, "activity_forms/2024-3/x.csv", "activity_forms/export.csv",
                    "referrals/referrals.csv"])
    reasons = dict(discover_unrecognised(tmp_path))
    assert sorted(reasons) == [
        "activity_forms/2024-03/deep/site_a.csv",
        "activity_forms/2024-03/readme.txt",
        "activity_forms/2024-03/~$PP01_F001.xlsx",
        "activity_forms/2024-13/site_a.csv",
        "activity_forms/2024-3/x.csv",
        "activity_forms/export.csv",
        "activity_forms/misc/site_a.csv",
        "notes.docx",
        "referrals/old/referrals_2024-01-01.csv",
        "referrals/referrals.csv",
    ]
    assert reasons["activity_forms/2024-3/x.csv"] == (
        "folder '2024-3' is not a service month written YYYY-MM"
    )
    assert reasons["activity_forms/export.csv"] == (
        "an activity form must sit in a YYYY-MM folder of its service month"
    )
    assert reasons["referrals/referrals.csv"].startswith("the file name must end in _YYYY-MM-DD")
    assert "not in a subfolder" in reasons["referrals/old/referrals_2024-01-01.csv"]
    assert reasons["activity_forms/2024-03/readme.txt"].endswith(".csv export or an .xlsx workbook")
    assert reasons["notes.docx"].startswith("no kind of landing file is named so")


def test_missing_landing_dir_is_empty(tmp_path):
    assert discover(tmp_path / "nope") == [] and discover_unrecognised(tmp_path / "nope") == []


def test_sha256_streams_the_file(tmp_path):
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * 20_000
    path.write_bytes(data)
    assert sha256_of(path, chunk_size=4096) == hashlib.sha256(data).hexdigest()


def test_a_link_out_of_the_landing_zone_is_recorded_and_never_read(tmp_path):
    from orchestration.ingest.discovery import fingerprint
    from orchestration.ingest.read import read_landing_file

    landing, elsewhere = tmp_path / "landing", tmp_path / "elsewhere"
    make(landing, ["activity_forms/2024-03/inside.csv"])
    secret = elsewhere / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("pp_id,family_id\nSECRET-VALUE,F1\n")
    links = {
        "activity_forms/2024-03/passwd.csv": "/etc/passwd",
        "activity_forms/2024-03/elsewhere.csv": str(secret),
        "referrals/referrals_2024-04-01.csv": str(secret),
        "activity_forms/2024-03/alias.csv": str(landing / "activity_forms/2024-03/inside.csv"),
    }
    for rel, target in links.items():
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).symlink_to(target)

    found = {f.rel_path: f for f in discover(landing)}
    outside = {rel for rel, f in found.items() if f.outside_landing_zone}
    assert outside == set(links) - {"activity_forms/2024-03/alias.csv"}
    for rel in outside:
        result = read_landing_file(found[rel])
        assert result.status == "rejected"
        assert result.rows_read == 0 and result.rejected.height == 0
        assert "outside the landing zone; not read" in result.error
        assert rel in result.error
        # The identity depends on where the link points, not on the content behind it.
        assert fingerprint(found[rel]) == fingerprint(found[rel])
        assert fingerprint(found[rel]) != hashlib.sha256(secret.read_bytes()).hexdigest()
    assert found["activity_forms/2024-03/alias.csv"].path == (
        landing / "activity_forms/2024-03/inside.csv"
    ).resolve()


def test_a_landing_zone_reached_through_a_link_is_inside_itself(tmp_path):
    """Real paths are resolved folder by folder, against the zone's own real path: a zone
    opened through a link holds its files, and a file linked out of it is still outside."""
    real_zone = tmp_path / "real_zone"
    make(real_zone, ["activity_forms/2024-03/inside.csv", "notes/secret.csv"])
    (tmp_path / "elsewhere.csv").write_text("x\n")
    (real_zone / "activity_forms/2024-03/out.csv").symlink_to(tmp_path / "elsewhere.csv")
    (tmp_path / "zone_link").symlink_to(real_zone, target_is_directory=True)

    found = {f.rel_path: f for f in discover(tmp_path / "zone_link")}
    assert sorted(found) == ["activity_forms/2024-03/inside.csv",
                             "activity_forms/2024-03/out.csv"]
    inside = found["activity_forms/2024-03/inside.csv"]
    assert not inside.outside_landing_zone
    assert inside.path == real_zone / "activity_forms/2024-03/inside.csv"
    assert found["activity_forms/2024-03/out.csv"].outside_landing_zone
