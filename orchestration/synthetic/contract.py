"""The HHS contract: terms per SFY and the contractor's invoices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from orchestration.synthetic import months

CONTRACTOR = "Children and Families of Iowa"
RETAINAGE_PCT = 0.10
# The first contract: 2019-07-01, two-year term and four one-year extensions
# (SFY2020..2025); the next procurement starts a new two-year term.
CONTRACT_TERMS = (
    ("C2020", 2020, 2021), ("C2020", 2022, 2022), ("C2020", 2023, 2023),
    ("C2020", 2024, 2024), ("C2020", 2025, 2025), ("C2026", 2026, 2027),
    ("C2026", 2028, 2028), ("C2026", 2029, 2029),
)
ANNUAL_VALUE_SFY2020 = 3_400_000.0
ANNUAL_GROWTH = 0.025


@dataclass(frozen=True)
class TermRow:
    contract_id: str
    sfy: int
    term_start: dt.date
    term_end: dt.date
    annual_value: float


@dataclass(frozen=True)
class InvoiceRow:
    invoice_id: str
    contract_id: str
    invoice_type: str
    service_month: int
    amount: float
    submitted_on: dt.date
    paid_on: dt.date | None


def contract_terms(first_month: int, last_month: int, scale: float) -> list[TermRow]:
    rows = []
    for contract_id, first_sfy, last_sfy in CONTRACT_TERMS:
        for sfy in range(first_sfy, last_sfy + 1):
            if sfy < months.sfy_of(first_month) or sfy > months.sfy_of(last_month):
                continue
            value = round(ANNUAL_VALUE_SFY2020 * (1 + ANNUAL_GROWTH) ** (sfy - 2020) * scale, -2)
            rows.append(TermRow(contract_id, sfy, dt.date(first_sfy - 1, 7, 1),
                                dt.date(last_sfy, 6, 30), value))
    return rows


def invoices(rng: np.random.Generator, terms: list[TermRow], first_month: int, last_month: int,
             claims_retainage: dict[int, bool], horizon: dt.date) -> list[InvoiceRow]:
    """Equal monthly installments of the non-retained 90%, paid about 30 days after they
    are sent; the retainage is invoiced after the SFY when the contractor claims it."""
    by_sfy = {t.sfy: t for t in terms}
    rows = []
    for month in range(first_month, last_month + 1):
        term = by_sfy.get(months.sfy_of(month))
        if term is None:
            continue
        sent = months.last_day(month) + dt.timedelta(days=int(rng.integers(5, 13)))
        paid = sent + dt.timedelta(days=int(rng.integers(25, 36)))
        amount = round(term.annual_value * (1 - RETAINAGE_PCT) / 12, 2)
        if sent <= horizon:
            rows.append(InvoiceRow(f"INV-{term.contract_id}-{months.month_text(month)}",
                                   term.contract_id, "installment", month, amount, sent,
                                   paid if paid <= horizon else None))
    for term in terms:
        june = term.sfy * 12 + 5
        if june > last_month or not claims_retainage.get(term.sfy, False):
            continue
        sent = dt.date(term.sfy, 8, 15) + dt.timedelta(days=int(rng.integers(0, 15)))
        paid = sent + dt.timedelta(days=int(rng.integers(25, 46)))
        if sent <= horizon:
            rows.append(InvoiceRow(f"RET-{term.contract_id}-SFY{term.sfy}", term.contract_id,
                                   "retainage", june, round(term.annual_value * RETAINAGE_PCT, 2),
                                   sent, paid if paid <= horizon else None))
    return rows
