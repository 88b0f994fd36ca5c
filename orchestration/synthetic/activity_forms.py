"""The monthly activity forms of one service month: what each Parent Partner did with
each family (and on their own), when the form came in, and which corrections followed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from orchestration.reference_data import program_parameter
from orchestration.synthetic import months
from orchestration.synthetic.fake_people import family_note, parent_partner_note
from orchestration.synthetic.referrals import Family
from orchestration.synthetic.workforce import ParentPartner

FACE_TO_FACE = ("home_visit", "community_visit", "service_appointment", "visitation_support",
                "ftdm_meeting", "staffing", "court_hearing")
FACE_TO_FACE_P = (0.38, 0.14, 0.14, 0.12, 0.08, 0.07, 0.07)
REMOTE_MINUTES = {"phone_call": (10, 40), "video_call": (20, 50), "text_or_email": (5, 10)}
MISSING_FORM_SHARE = 0.015
COVERING_SHARE = 0.015  # another Parent Partner of the site steps in for a visit
NOTE_SHARE = 0.35
OCCASIONAL_WORKBOOK_SHARE = 0.03


@dataclass
class FormRow:
    activity_date: dt.date | str  # text only where a bad value is planted
    activity_type: str
    duration_minutes: int | float | str
    notes: str = ""
    # CSV rows carry the form's key on every row; a planted error may change one.
    pp_id: str | None = None
    family_id: str | None = None
    service_month: str | None = None

    def identity(self) -> tuple:
        return (self.activity_date, self.activity_type, self.duration_minutes, self.notes)


@dataclass
class Form:
    pp_id: str
    family_id: str  # "" for a Parent Partner's own activities
    site_id: str
    month: int
    submitted_at: dt.datetime
    rows: list[FormRow]
    excel: bool
    covering: bool = False
    planted: set[str] = field(default_factory=set)  # what was planted in it, for the truth
    active_days: tuple[int, int] | None = None  # match days inside the month (ordinals)
    match_month_index: int = 0

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.pp_id, self.family_id, self.month)


@dataclass(frozen=True)
class MonthPlan:
    """What the month's forms are drawn from."""
    month: int
    families: list[Family]  # active in the month
    partners: list[ParentPartner]  # active in the month
    late_share: float
    horizon: dt.date


def _on_workbook(rng: np.random.Generator, partner: ParentPartner) -> bool:
    """Some Parent Partners keep to the paper-style workbook; others use it now and then."""
    return bool(rng.random() < (0.85 if partner.uses_excel else OCCASIONAL_WORKBOOK_SHARE))


def _submission(rng: np.random.Generator, month: int, late_share: float) -> dt.datetime:
    due = months.due_date(month)
    if rng.random() < late_share:
        day = due + dt.timedelta(days=1 + min(60, int(rng.exponential(12))))
    else:
        day = months.first_day(month + 1) + dt.timedelta(days=int(rng.integers(0, 10)))
    return dt.datetime(day.year, day.month, day.day, int(rng.integers(7, 22)),
                       int(rng.integers(0, 60)))


def _split_minutes(rng: np.random.Generator, total: float, n: int) -> list[int]:
    shares = rng.dirichlet(np.full(n, 3.0))
    return [int(np.clip(5 * round(total * s / 5), 30, 300)) for s in shares]


def _unique(rows: list[FormRow]) -> list[FormRow]:
    """Natural rows never repeat exactly: exact duplicates are a planted warning."""
    seen: set[tuple] = set()
    for row in rows:
        while row.identity() in seen:
            row.duration_minutes = int(row.duration_minutes) + 5
        seen.add(row.identity())
    return rows


def family_form_rows(rng: np.random.Generator, family: Family, month: int,
                     first: int, last: int) -> list[FormRow]:
    """Contacts of one family-month between match days first..last (ordinals)."""
    match_index = month - months.month_of(family.match_date) + 1
    fraction = (last - first + 1) / months.days_in(month)
    if match_index <= 3:
        n_visits = (4 + int(rng.poisson(1.0)) if family.engaged and rng.random() < 0.88
                    else int(rng.poisson(2.2)))
    elif family.engaged:
        n_visits = max(2, int(rng.poisson(2.8)))
    else:
        n_visits = int(rng.poisson(1.3))
    if fraction < 1:
        n_visits = int(rng.binomial(n_visits, fraction))
    if family.engaged and rng.random() < 0.85:
        target = rng.uniform(420, 620) * fraction
    else:
        target = rng.uniform(120, 419) * fraction
    rows: list[FormRow] = []
    for kind, mean in (("phone_call", 3.0), ("video_call", 0.4), ("text_or_email", 2.0)):
        low, high = REMOTE_MINUTES[kind]
        for _ in range(int(rng.poisson(mean * fraction))):
            rows.append(FormRow(dt.date.fromordinal(int(rng.integers(first, last + 1))), kind,
                                int(rng.integers(low, high + 1))))
    remote = sum(int(r.duration_minutes) for r in rows)
    if n_visits:
        minutes = _split_minutes(rng, max(target - remote, 40 * n_visits), n_visits)
        kinds = rng.choice(len(FACE_TO_FACE), size=n_visits, p=FACE_TO_FACE_P)
        days = rng.integers(first, last + 1, size=n_visits)
        if match_index == 1 and rng.random() < 0.9:
            days[0] = min(family.match_date.toordinal() + int(rng.integers(0, 6)), last)
        rows.extend(FormRow(dt.date.fromordinal(int(d)), FACE_TO_FACE[k], m)
                    for d, k, m in zip(days, kinds, minutes))
    # Short of the month's time after the visits: longer calls make up part of it.
    for _ in range(4):
        logged = sum(int(r.duration_minutes) for r in rows)
        if logged >= target - 20:
            break
        rows.append(FormRow(dt.date.fromordinal(int(rng.integers(first, last + 1))),
                            "phone_call" if rng.random() < 0.7 else "video_call",
                            int(min(60, target - logged) // 5 * 5) + 5))
    if not rows:
        rows.append(FormRow(dt.date.fromordinal(int(rng.integers(first, last + 1))),
                            "phone_call", int(rng.integers(10, 31))))
    for row in rows:
        if rng.random() < NOTE_SHARE:
            row.notes = family_note(rng, family.parent_first_name)
    rows.sort(key=lambda r: (r.activity_date, r.activity_type, r.duration_minutes))
    return _unique(rows)


def partner_form_rows(rng: np.random.Generator, partner: ParentPartner, month: int
                      ) -> list[FormRow]:
    first = max(partner.start_date.toordinal(), months.first_day(month).toordinal())
    last = months.last_day(month).toordinal()
    if partner.end_date is not None:
        last = min(last, partner.end_date.toordinal())
    in_training = partner.role_on(months.first_day(month)) == "pp_in_training"
    counts = {
        "coordinator_supervision": int(rng.random() < 0.9),
        "support_session": int(rng.poisson(0.9)),
        "committee_meeting": int(rng.poisson(0.7)),
        "presentation": int(rng.random() < 0.2),
        "training_attended": int(rng.integers(2, 5)) if in_training else int(rng.random() < 0.15),
    }
    span = {"coordinator_supervision": (60, 90), "support_session": (60, 120),
            "committee_meeting": (60, 120), "presentation": (30, 90),
            "training_attended": (90, 240)}
    rows = []
    for kind, n in counts.items():
        low, high = span[kind]
        for _ in range(n):
            rows.append(FormRow(dt.date.fromordinal(int(rng.integers(first, last + 1))), kind,
                                5 * int(rng.integers(low // 5, high // 5 + 1)),
                                parent_partner_note(rng, kind) if rng.random() < 0.5 else ""))
    rows.sort(key=lambda r: (r.activity_date, r.activity_type, r.duration_minutes))
    return _unique(rows)


def draw_month_forms(rng: np.random.Generator, plan: MonthPlan) -> list[Form]:
    """Every form version received for the month, before anything is planted."""
    month = plan.month
    first_day, last_day = (months.first_day(month).toordinal(),
                           months.last_day(month).toordinal())
    partners = {p.pp_id: p for p in plan.partners}
    by_site: dict[str, list[ParentPartner]] = {}
    for partner in plan.partners:
        if partner.role_on(months.first_day(month)) != "pp_in_training":
            by_site.setdefault(partner.site_id, []).append(partner)
    forms: list[Form] = []
    for family in plan.families:
        first = max(family.match_date.toordinal(), first_day)
        last = last_day if family.exit_date is None else min(family.exit_date.toordinal(),
                                                             last_day)
        partner = partners.get(family.pp_id)
        rows = family_form_rows(rng, family, month, first, last)
        submitted = _submission(rng, month, plan.late_share)
        if partner is None or rng.random() < MISSING_FORM_SHARE:
            continue
        forms.append(Form(
            family.pp_id, family.family_id, family.site_id, month, submitted, rows,
            excel=_on_workbook(rng, partner),
            active_days=(first, last),
            match_month_index=month - months.month_of(family.match_date) + 1))
        others = [p for p in by_site.get(family.site_id, []) if p.pp_id != family.pp_id]
        if others and rng.random() < COVERING_SHARE:
            cover = others[int(rng.integers(len(others)))]
            cover_rows = [FormRow(dt.date.fromordinal(int(rng.integers(first, last + 1))),
                                  str(rng.choice(["home_visit", "phone_call"])),
                                  int(rng.integers(6, 19)) * 5,
                                  f"Covering for {partner.first_name}.")
                          for _ in range(int(rng.integers(1, 3)))]
            cover_rows.sort(key=lambda r: (r.activity_date, r.activity_type))
            forms.append(Form(cover.pp_id, family.family_id, family.site_id, month,
                              _submission(rng, month, plan.late_share), _unique(cover_rows),
                              excel=cover.uses_excel, covering=True, active_days=(first, last)))
    for partner in plan.partners:
        rows = partner_form_rows(rng, partner, month)
        submitted = _submission(rng, month, plan.late_share)
        if rows and rng.random() >= MISSING_FORM_SHARE:
            forms.append(Form(partner.pp_id, "", partner.site_id, month, submitted, rows,
                              excel=_on_workbook(rng, partner)))
    horizon = plan.horizon
    forms = [f for f in forms if f.submitted_at.date() <= horizon]
    forms.sort(key=lambda f: (f.site_id, f.pp_id, f.family_id))
    return forms


def correction_of(rng: np.random.Generator, form: Form) -> Form:
    """The same form sent again later, with its rows changed."""
    rows = [FormRow(r.activity_date, r.activity_type, r.duration_minutes, r.notes)
            for r in form.rows]
    changed = rows[int(rng.integers(len(rows)))]
    delta = int(rng.integers(3, 13)) * 5 * (1 if rng.random() < 0.6 else -1)
    longest = program_parameter("max_activity_minutes")  # a correction stays a valid row
    changed.duration_minutes = int(np.clip(int(changed.duration_minutes) + delta, 5, longest))
    if form.family_id and form.active_days and rng.random() < 0.5:
        first, last = form.active_days
        rows.append(FormRow(dt.date.fromordinal(int(rng.integers(first, last + 1))),
                            "phone_call", int(rng.integers(10, 31)), "Added a missed call."))
    elif len(rows) > 2:
        rows.pop(int(rng.integers(len(rows))))
    rows.sort(key=lambda r: (r.activity_date, r.activity_type, r.duration_minutes))
    later = form.submitted_at + dt.timedelta(days=int(rng.integers(2, 26)),
                                             minutes=int(rng.integers(0, 600)))
    return Form(form.pp_id, form.family_id, form.site_id, form.month, later, _unique(rows),
                excel=form.excel, active_days=form.active_days, planted={"correction"})
