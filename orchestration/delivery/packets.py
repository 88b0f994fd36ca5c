"""Each recipient's packet: the .xlsx workbook and a short e-mail body (the month's
headline figures against target and, for the coordinators, the overdue forms)."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from email.message import EmailMessage

import polars as pl

from dashboards import data_access
from dashboards.filters import Filters
from dashboards.labels import EMPTY, Labels, month_text
from dashboards.monthly_packet import OVERDUE, packet_bytes, site_tables
from dashboards.partner_names import NAME_COLUMN
from dashboards.suppression import FLAG_SUFFIX, SUPPRESSED_NOTE, for_display
from dashboards.users import User
from dashboards.viewer import LEADERSHIP, SITE_COORDINATOR, Viewer
from dashboards.views.overview import MEASURE_OF_SHARE

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# The summary row's figures an e-mail opens with, in this order.
HEADLINE = ("active_families", "active_pps", "avg_caseload", "pps_over_caseload_limit",
            "share_meeting_initial_intensity", "share_meeting_monthly_time",
            "share_forms_on_time", "forms_missing")


class MonthNotPublished(ValueError):
    """The month asked for is not in the published data."""


@dataclass(frozen=True)
class Packet:
    recipient: str
    address: str
    description: str
    message: EmailMessage


def packet_for(user: User, month: dt.date, sender: str) -> Packet:
    """`user`'s packet for `month`, read as she would read the pages."""
    viewer = user.viewer()
    refresh = data_access.refresh(viewer)
    months = data_access.months(viewer)
    if month not in months["service_month"].to_list():
        raise MonthNotPublished(
            f"{month_text(month)} is not in the published data (as of {refresh['as_of_date']})")
    sfy = months.filter(pl.col("service_month") == month)["sfy"][0]
    labels = Labels.from_frame(data_access.column_labels(viewer))
    scope = _scope(viewer)
    cover = {"packet": scope, "month": month_text(month), "as-of date": refresh["as_of_date"],
             "last refresh": refresh["refreshed_at"]}
    headline = _headline(viewer, month, sfy, labels)
    if viewer.role == LEADERSHIP:
        chosen = Filters(sfy=sfy, month_from=month, month_to=month)
        tables = {
            "Service areas": data_access.activity_by_level(viewer, chosen, "service_area"),
            "Sites": data_access.activity_by_level(viewer, chosen, "site"),
            "Performance measures": data_access.performance_measures(viewer, Filters(sfy=sfy)),
        }
        cover["suppressed"] = SUPPRESSED_NOTE
        overdue = None
    else:
        # The state fiscal year to the month, as the site page shows it by default.
        start = max(dt.date(sfy - 1, 7, 1), months["service_month"].min())
        tables = site_tables(viewer, Filters(month_from=start, month_to=month))
        cover["months"] = f"{month_text(start)} to {month_text(month)}"
        overdue = tables[OVERDUE]
    workbook = packet_bytes(cover, tables, labels)
    message = EmailMessage()
    message["Subject"] = f"Parent Partner monthly packet: {scope}, {month:%B %Y}"
    message["From"] = sender
    message["To"] = user.email
    text, body = _bodies(scope, month, refresh["as_of_date"], headline, overdue, labels,
                         SUPPRESSED_NOTE if viewer.suppressed else None)
    message.set_content(text)
    message.add_alternative(body, subtype="html")
    slug = viewer.site_id or ("leadership" if viewer.role == LEADERSHIP else "statewide")
    message.add_attachment(workbook, maintype=XLSX[0], subtype=XLSX[1],
                           filename=f"packet_{slug}_{month:%Y-%m}.xlsx")
    return Packet(user.name, user.email, f"{scope} packet", message)


def _scope(viewer: Viewer) -> str:
    if viewer.role == SITE_COORDINATOR:
        return f"site {viewer.site_id}"
    return "statewide summary" if viewer.role == LEADERSHIP else "statewide"


def _headline(viewer: Viewer, month: dt.date, sfy: int,
              labels: Labels) -> list[tuple[str, str, str]]:
    """(figure, value, target) for the month in the viewer's narrowest scope, as the pages
    show them (a suppressed figure reads as suppressed)."""
    rows = data_access.activity_trend(viewer, Filters(month_from=month, month_to=month))
    if rows.is_empty():
        return []
    columns = [c for c in HEADLINE if c in rows.columns]
    shown = for_display(rows.head(1).select(*columns, *_flags(rows, columns)), labels.text)
    shown = shown.with_columns(
        labels.text(c, dtype) for c, dtype in shown.schema.items() if dtype != pl.String
    ).row(0, named=True)
    measures = data_access.measure_targets(viewer, Filters(sfy=sfy))
    by_id = {r["measure_id"]: r for r in measures.iter_rows(named=True)}
    limit = data_access.program_parameters(viewer).get(data_access.CASELOAD_LIMIT)
    targets = {share: f"{by_id[m]['comparator']} {by_id[m]['target']:.0%} ({m})"
               for share, m in MEASURE_OF_SHARE.items() if m in by_id}
    if limit is not None:
        targets["avg_caseload"] = f"<= {limit:g}"
    return [(labels.label(c), shown[c] or EMPTY, targets.get(c, "")) for c in columns]


def _flags(rows: pl.DataFrame, columns: list[str]) -> list[str]:
    return [c for c in rows.columns if c.endswith(FLAG_SUFFIX)
            and c.removesuffix(FLAG_SUFFIX) in columns]


def _overdue_by_partner(overdue: pl.DataFrame) -> pl.DataFrame:
    """One line per site and Parent Partner (her name beside her id, where the staff
    directory gives it): the families whose forms are overdue."""
    partner = ["pp_id", *([NAME_COLUMN] if NAME_COLUMN in overdue.columns else [])]
    return (overdue.group_by("site_id", *partner, "days_overdue", maintain_order=True)
            .agg(forms=pl.len(), families=pl.col("family_id").sort().str.join(", "))
            .sort("site_id", "pp_id"))


def _html_table(heads: list[str], rows: list[tuple[str, ...]]) -> str:
    cells = ["".join(f"<th>{html.escape(h)}</th>" for h in heads)]
    cells += ["".join(f"<td>{html.escape(c)}</td>" for c in row) for row in rows]
    return "<table>" + "".join(f"<tr>{c}</tr>" for c in cells) + "</table>"


def _bodies(scope: str, month: dt.date, as_of, headline, overdue: pl.DataFrame | None,
            labels: Labels, note: str | None) -> tuple[str, str]:
    """The plain-text and HTML bodies, with the same content."""
    intro = (f"The monthly packet ({scope}) for {month:%B %Y}, data as of {as_of}. "
             "The attached workbook holds every table.")
    text = [intro, "", f"{month:%B %Y} against target:"]
    text += [f"  {f}: {v}" + (f" (target {t})" if t else "") for f, v, t in headline]
    parts = [f"<p>{html.escape(intro)}</p>", f"<h3>{month:%B %Y} against target</h3>",
             _html_table(["Figure", f"{month:%B %Y}", "Target"], headline)]
    if note:
        text.append(f"  ({note})")
        parts.append(f"<p>({html.escape(note)})</p>")
    if overdue is not None:
        closed = f"{overdue['service_month'][0]:%B %Y}" if not overdue.is_empty() else None
        heading = f"Overdue forms, {closed}" if closed else "Overdue forms"
        text += ["", f"{heading}:"]
        parts.append(f"<h3>{html.escape(heading)}</h3>")
        if overdue.is_empty():
            none = "None: every form due for the last closed month arrived."
            text.append(f"  {none}")
            parts.append(f"<p>{none}</p>")
        else:
            by_partner = _overdue_by_partner(overdue)
            partner = [c for c in ("pp_id", NAME_COLUMN) if c in by_partner.columns]
            rows = [(r["site_id"], *(r[c] or EMPTY for c in partner), str(r["forms"]),
                     r["families"], str(r["days_overdue"]))
                    for r in by_partner.iter_rows(named=True)]
            text += [f"  {site} {' '.join(who)}: {n} form(s) overdue {days} days - "
                     f"families {families}"
                     for site, *who, n, families, days in rows]
            parts.append(_html_table(
                [labels.label("site_id"), *map(labels.label, partner), "Forms overdue",
                 labels.label("family_id"), labels.label("days_overdue")], rows))
    return "\n".join(text) + "\n", "<html><body>" + "".join(parts) + "</body></html>"
