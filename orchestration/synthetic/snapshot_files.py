"""Snapshot extracts: what each source system held on an extract date."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from orchestration.synthetic import months
from orchestration.synthetic.child_welfare import EpisodeRow, ReportRow
from orchestration.synthetic.contract import InvoiceRow, TermRow
from orchestration.synthetic.exit_assessments import ChecklistRow, OutcomeRow
from orchestration.synthetic.referrals import Family
from orchestration.synthetic.workforce import ParentPartner, TrainingRecord


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(header))
        for row in rows:
            writer.writerow([cell(v) for v in row])
            count += 1
    return count


def _known(day: dt.date | None, extract: dt.date) -> dt.date | None:
    return day if day is not None and day <= extract else None


def referral_rows(families: list[Family], extract: dt.date):
    for f in families:
        if f.referral_date > extract:
            continue
        matched = f.match_date is not None and f.match_date <= extract
        exited = _known(f.exit_date, extract)
        yield (f.referral_id, f.family_id, f.site_id, f.county_fips, f.referral_date,
               f.referral_source, f.parent_first_name, f.parent_last_name, f.parent_birth_date,
               f.parent_gender, f.parent_race_ethnicity, f.pp_id if matched else None,
               f.match_date if matched else None, exited, f.exit_reason if exited else None)


def parent_partner_rows(roster: list[ParentPartner], extract: dt.date):
    for p in roster:
        if p.start_date > extract:
            continue
        end = _known(p.end_date, extract)
        yield (p.pp_id, p.site_id, p.role_on(min(extract, end or extract)), p.first_name,
               p.last_name, p.start_date, end, p.own_reunification_date)


def training_rows(records: list[TrainingRecord], extract: dt.date):
    for r in records:
        if r.completed_on <= extract:
            yield (r.pp_id, r.topic_code, r.completed_on, f"{r.hours:g}")


def checklist_rows(rows: list[ChecklistRow], extract: dt.date):
    for r in rows:
        if r.completed_on <= extract:
            yield (r.family_id, r.pp_id, r.match_date, r.completed_on, r.item_code, r.response)


def outcome_rows(rows: list[OutcomeRow], extract: dt.date):
    for r in rows:
        if r.completed_on <= extract:
            yield (r.family_id, r.match_date, r.completed_on, r.item_code, r.score)


def episode_rows(episodes: list[tuple[str, EpisodeRow]], extract: dt.date):
    for episode_id, e in episodes:
        if e.removal_date > extract:
            continue
        out = _known(e.discharge_date, extract)
        yield (episode_id, e.child_id, e.family_id, e.removal_date, out,
               e.discharge_reason if out else None, e.child_birth_date, e.child_sex,
               e.child_race_ethnicity, e.county_fips, e.removal_reason)


def report_rows(reports: list[tuple[str, ReportRow]], extract: dt.date):
    for report_id, r in reports:
        if r.report_date <= extract:
            yield (report_id, r.child_id, r.family_id, r.report_date, r.finding)


def term_rows(terms: list[TermRow]):
    for t in terms:
        yield (t.contract_id, "Children and Families of Iowa", t.sfy, t.term_start, t.term_end,
               t.annual_value, "0.10")


def invoice_rows(invoices: list[InvoiceRow], extract: dt.date):
    for i in invoices:
        if i.submitted_on <= extract:
            yield (i.invoice_id, i.contract_id, i.invoice_type, months.month_text(i.service_month),
                   i.amount, i.submitted_on, _known(i.paid_on, extract))


HEADERS = {
    "referrals": ("referral_id", "family_id", "site_id", "county_fips", "referral_date",
                  "referral_source", "parent_first_name", "parent_last_name",
                  "parent_birth_date", "parent_gender", "parent_race_ethnicity", "pp_id",
                  "match_date", "exit_date", "exit_reason"),
    "parent_partners": ("pp_id", "site_id", "role", "first_name", "last_name", "start_date",
                        "end_date", "own_reunification_date"),
    "training_records": ("pp_id", "topic_code", "completed_on", "hours"),
    "fidelity_checklists": ("family_id", "pp_id", "match_date", "completed_on", "item_code",
                            "response"),
    "parent_outcomes": ("family_id", "match_date", "completed_on", "item_code", "score"),
    "removal_episodes": ("episode_id", "child_id", "family_id", "removal_date",
                         "discharge_date", "discharge_reason", "child_birth_date", "child_sex",
                         "child_race_ethnicity", "county_fips", "removal_reason"),
    "maltreatment_reports": ("report_id", "child_id", "family_id", "report_date", "finding"),
    "contract_terms": ("contract_id", "contractor", "sfy", "term_start", "term_end",
                       "annual_value", "retainage_pct"),
    "invoices": ("invoice_id", "contract_id", "invoice_type", "service_month", "amount",
                 "submitted_on", "paid_on"),
}
