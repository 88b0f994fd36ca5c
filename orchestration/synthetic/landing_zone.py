"""generate_landing_zone: a complete synthetic landing zone to the contract of
spec/landing-zone.md, plus (optionally) the truth file that says what was planted."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from tqdm import tqdm

from orchestration.synthetic import months
from orchestration.synthetic.activity_forms import Form, MonthPlan, draw_month_forms
from orchestration.synthetic.child_welfare import ProgramCase, build_child_welfare
from orchestration.synthetic.child_welfare_model import ChildWelfareModel
from orchestration.synthetic.contract import contract_terms, invoices
from orchestration.synthetic.exit_assessments import build_exit_assessments
from orchestration.synthetic.form_files import (
    ExportStyle,
    workbook_name,
    write_export,
    write_header_only,
    write_workbook,
)
from orchestration.synthetic.generation_window import GenerationWindow
from orchestration.synthetic.planted_problems import (
    BAD_FILES,
    ROW_ERRORS,
    WARNINGS,
    plant_corrections,
    plant_row_errors,
    plant_warnings,
)
from orchestration.synthetic.planted_reach import ReachGap
from orchestration.synthetic.random_streams import stream
from orchestration.synthetic.reference_seeds import ReferenceSeeds, Site
from orchestration.synthetic.referrals import (
    assign_parent_partners,
    build_referrals,
    hide_future,
    set_exits,
)
from orchestration.synthetic.snapshot_files import (
    HEADERS,
    checklist_rows,
    episode_rows,
    invoice_rows,
    outcome_rows,
    parent_partner_rows,
    referral_rows,
    report_rows,
    term_rows,
    training_rows,
    write_csv,
)
from orchestration.synthetic.workforce import (
    build_roster,
    build_training_records,
    finalize_end_dates,
)

SITES_PER_SCALE = 15
MIN_SITES = 3
# Documentation timeliness varies by year, so some SFYs miss PM05 and lose retainage.
LATE_SHARE_RANGE = (0.02, 0.09)
RETAINAGE_CLAIMED_UP_TO_LATE_SHARE = 0.07


def _sites_for_scale(sites: tuple[Site, ...], scale: float) -> tuple[Site, ...]:
    """Small scales keep a few sites so each still has several Parent Partners."""
    n = min(len(sites), max(MIN_SITES, round(SITES_PER_SCALE * scale)))
    return sites[:n]


@dataclasses.dataclass
class _Tally:
    files: Counter = dataclasses.field(default_factory=Counter)
    rows: Counter = dataclasses.field(default_factory=Counter)
    planted: Counter = dataclasses.field(default_factory=Counter)
    bad_files: list[dict] = dataclasses.field(default_factory=list)
    forms: int = 0


def generate_landing_zone(out: Path, start: str = "2019-07", months: int = 24,
                          scale: float = 1.0, seed: int = 0, truth: Path | None = None,
                          progress: bool = True, activity_forms: bool = True) -> dict:
    """Write a synthetic landing zone into `out` (new or empty) and return a summary.

    The same arguments give byte-identical files. `truth`, when given, is a JSON
    file written outside the landing zone with the planted effects and errors.
    `activity_forms=False` leaves out the activity forms (most of the writing time)
    for runs that only study outcomes; every other file is the same as with them.
    """
    began = time.perf_counter()
    out = Path(out)
    if truth is not None and Path(truth).resolve().is_relative_to(out.resolve()):
        raise ValueError("the truth file must live outside the landing zone")
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty; generate into a new or empty folder")
    if scale <= 0:
        raise ValueError("scale must be positive")
    window = GenerationWindow.from_args(start, months)
    seeds = ReferenceSeeds.load()
    sites = _sites_for_scale(seeds.sites, scale)
    model = ChildWelfareModel()
    horizon = window.newest_extract
    area_of = {c.fips: c.service_area for c in seeds.counties}

    roster = build_roster(stream(seed, "roster"), sites, scale, window)
    families = build_referrals(stream(seed, "referrals"), scale, window, sites, seeds.counties,
                               roster)
    cases = [ProgramCase(f.family_id, f.match_date, f.county_fips, area_of[f.county_fips])
             for f in families if f.children_in_care]
    history = build_child_welfare(model, stream(seed, "child_welfare"), scale, window,
                                  seeds.counties, cases, ReachGap(), stream(seed, "reach_gap"))
    set_exits(stream(seed, "exits"), families, history.focal_discharge)
    assign_parent_partners(stream(seed, "caseload"), families, roster)
    finalize_end_dates(stream(seed, "departures"), roster, horizon)
    hide_future(families, horizon)
    training = build_training_records(stream(seed, "training"), roster, seeds.topics)
    checklists, outcomes = build_exit_assessments(
        stream(seed, "exit_assessments"), families, seeds.fidelity_items,
        seeds.parent_outcome_items, horizon)
    sfys = range(_sfy(window.intake_start), _sfy(window.last_month) + 1)
    climate = stream(seed, "late_share").uniform(*LATE_SHARE_RANGE, size=len(sfys))
    late_share = {sfy: round(float(x), 4) for sfy, x in zip(sfys, climate)}

    tally = _Tally()
    for extract in window.extract_dates:
        day = extract.isoformat()
        snapshots = {
            f"referrals/referrals_{day}.csv": ("referrals", referral_rows(families, extract)),
            f"reference/parent_partners_{day}.csv":
                ("parent_partners", parent_partner_rows(roster, extract)),
            f"reference/training_records_{day}.csv":
                ("training_records", training_rows(training, extract)),
            f"exits/fidelity_checklists_{day}.csv":
                ("fidelity_checklists", checklist_rows(checklists, extract)),
            f"exits/parent_outcomes_{day}.csv":
                ("parent_outcomes", outcome_rows(outcomes, extract)),
            f"child_welfare/removal_episodes_{day}.csv":
                ("removal_episodes", episode_rows(history.episodes, extract)),
            f"child_welfare/maltreatment_reports_{day}.csv":
                ("maltreatment_reports", report_rows(history.reports, extract)),
        }
        for path, (kind, rows) in snapshots.items():
            _count(tally, kind, write_csv(out / path, HEADERS[kind], rows))

    if activity_forms:
        _write_activity_forms(out, seed, window, families, roster, late_share, tally, progress)

    terms = contract_terms(window.first_month, window.last_month, scale)
    claims = {sfy: share <= RETAINAGE_CLAIMED_UP_TO_LATE_SHARE
              for sfy, share in late_share.items()}
    bills = invoices(stream(seed, "invoices"), terms, window.first_month, window.last_month,
                     claims, horizon)
    _count(tally, "contract_terms",
           write_csv(out / "contract/contract_terms.csv", HEADERS["contract_terms"],
                     term_rows(terms)))
    for extract in window.extract_dates:
        _count(tally, "invoices",
               write_csv(out / f"contract/invoices_{extract.isoformat()}.csv",
                         HEADERS["invoices"], invoice_rows(bills, extract)))

    summary = {
        "out": str(out),
        "first_service_month": months_text(window.first_month),
        "last_service_month": months_text(window.last_month),
        "extract_dates": [d.isoformat() for d in window.extract_dates],
        "as_of": window.as_of.isoformat(),
        "sites": [s.site_id for s in sites],
        "files": dict(sorted(tally.files.items())),
        "rows": dict(sorted(tally.rows.items())),
        "forms": tally.forms,
        "corrections": tally.planted["corrections"],
        "megabytes": round(sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6, 2),
    }
    if truth is not None:
        _write_truth(Path(truth), seed, scale, window, model, history, late_share, claims,
                     tally, summary)
    summary["seconds"] = round(time.perf_counter() - began, 1)
    return summary


months_text = months.month_text


def _sfy(month: int) -> int:
    return months.sfy_of(month)


def _count(tally: _Tally, kind: str, rows: int) -> None:
    tally.files[kind] += 1
    tally.rows[kind] += rows


def _write_activity_forms(out: Path, seed: int, window: GenerationWindow, families, roster,
                          late_share: dict[int, float], tally: _Tally, progress: bool) -> None:
    """Month by month, so only one month's forms are ever in memory."""
    matched = sorted((f for f in families if f.match_date is not None),
                     key=lambda f: f.referral_id)
    match_day = np.array([f.match_date.toordinal() for f in matched])
    exit_day = np.array([f.exit_date.toordinal() if f.exit_date else 10**7 for f in matched])
    bad_month = window.first_month + min(2, months_count(window) - 1)
    for month in tqdm(window.service_months, desc="activity months", unit="month",
                      disable=not progress, file=sys.stderr):
        first, last = months.first_day(month).toordinal(), months.last_day(month).toordinal()
        active = np.flatnonzero((match_day <= last) & (exit_day >= first))
        plan = MonthPlan(month, [matched[i] for i in active],
                         [p for p in roster if p.active_in_month(month)],
                         late_share[months.sfy_of(month)], window.newest_extract)
        rng = stream(seed, "activity", month)
        forms = draw_month_forms(rng, plan)
        folder = out / "activity_forms" / months.month_text(month)
        folder.mkdir(parents=True, exist_ok=True)
        if month == bad_month:
            _write_bad_files(folder, rng, forms, tally)
        plant_warnings(rng, forms, tally.planted)
        corrections = plant_corrections(rng, forms, window.newest_extract, tally.planted)
        plant_row_errors(rng, forms, tally.planted)
        _write_month(folder, stream(seed, "export_style", month), forms, corrections, tally)


def months_count(window: GenerationWindow) -> int:
    return window.last_month - window.first_month + 1


def _write_month(folder: Path, rng: np.random.Generator, forms: list[Form],
                 corrections: list[Form], tally: _Tally) -> None:
    for version, suffix in ((forms, ""), (corrections, "_corrected")):
        exports: dict[str, list[Form]] = {}
        for form in version:
            if "bad_file" in form.planted:
                continue
            tally.forms += 1
            if form.excel:
                _count(tally, "activity_rows", write_workbook(
                    folder / workbook_name(form, suffix), form,
                    month_as_date=bool(rng.random() < 0.3)))
                tally.files["activity_workbooks"] += 1
            else:
                exports.setdefault(form.site_id, []).append(form)
        name = "export" if not suffix else "corrections"
        for site_id in sorted(exports):
            _count(tally, "activity_rows", write_export(
                folder / f"site_{site_id}_{name}.csv", exports[site_id], ExportStyle.draw(rng)))


def _write_bad_files(folder: Path, rng: np.random.Generator, forms: list[Form],
                     tally: _Tally) -> None:
    """A month with the files a person gets wrong. Forms sent only in a broken file
    are missing until someone sends them again."""
    clean = [f for f in forms if f.family_id and not f.covering]
    if len(clean) < 5:
        return
    site = clean[0].site_id
    picks = [clean[int(i)] for i in rng.choice(len(clean), size=5, replace=False)]
    for form in picks:
        form.planted.add("bad_file")
    plain = ExportStyle("utf-8", False, False, False)
    files = {
        "empty_file": (f"site_{site}_export_empty.csv", 0),
        "header_only": (f"site_{site}_export_header_only.csv", 0),
        "semicolon_delimited": (f"site_{site}_export_semicolon.csv",
                                write_export(folder / f"site_{site}_export_semicolon.csv",
                                             picks[0:2], plain, delimiter=";")),
        "missing_required_column": (f"site_{site}_export_missing_column.csv",
                                    write_export(folder / f"site_{site}_export_missing_column.csv",
                                                 picks[2:4], plain,
                                                 drop_column="duration_minutes")),
        "missing_activity_form_sheet": (workbook_name(picks[4], "_wrong_sheet"),
                                        write_workbook(folder / workbook_name(picks[4],
                                                                              "_wrong_sheet"),
                                                       picks[4], sheet="Sheet1")),
    }
    (folder / files["empty_file"][0]).write_bytes(b"")
    write_header_only(folder / files["header_only"][0])
    for kind in BAD_FILES:
        name, rows = files[kind]
        tally.planted[kind] += 1
        tally.files["activity_rows"] += 1
        tally.rows["activity_rows"] += rows
        tally.bad_files.append({"kind": kind, "file": f"activity_forms/{folder.name}/{name}",
                                "rows": rows})
    tally.files["activity_workbooks"] += 1


def _write_truth(path: Path, seed: int, scale: float, window: GenerationWindow,
                 model: ChildWelfareModel, history, late_share, claims, tally: _Tally,
                 summary: dict) -> None:
    kinds = (*ROW_ERRORS, *WARNINGS, *BAD_FILES)
    document = {
        "seed": seed,
        "scale": scale,
        "as_of": window.as_of.isoformat(),
        "att": history.att,
        "att_expected": history.att_expected,
        "effect_by_group": history.effect_by_group,
        "planted": {
            "child_welfare_model": dataclasses.asdict(model),
            "att_populations": history.att_details,
            "reach_gap": history.reach_gap,
            "first_service_month": summary["first_service_month"],
            "last_service_month": summary["last_service_month"],
            "extract_dates": summary["extract_dates"],
            "late_form_share_by_sfy": {str(k): v for k, v in late_share.items()},
            "retainage_claimed_by_sfy": {str(k): v for k, v in claims.items()},
            "corrections": tally.planted["corrections"],
            "bad_files": tally.bad_files,
            "row_error_definitions": "one planted reason per row; warnings count rows "
                                     "(duplicate_row counts the extra copy)",
        },
        "planted_errors": {kind: tally.planted[kind] for kind in kinds},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
