"""Methodology: the measures as the pages name them ("Families per Parent Partner",
"Timely documentation"), each with its definition, numerator, denominator, exclusions,
target and source, the model computing it as the technical reference under it; then every
published table as the dbt docs give it; and the run that produced the figures. All of it
is the dbt documentation published with the data, in the pages' words: a column a text
names reads as its label, a program parameter as its value."""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from dashboards import data_access
from dashboards.labels import EMPTY
from dashboards.markdown_text import literal
from dashboards.page_context import PageContext, open_page
from dashboards.viewer import Viewer

# What each measure states, in the order it is stated.
PARTS = (("definition", "Definition"), ("numerator", "Numerator"),
         ("denominator", "Denominator"), ("exclusions", "Exclusions"), ("target", "Target"),
         ("source", "Source"))


def _provenance(refresh: dict) -> None:
    """Which code and which run produced the published figures (meta_refresh)."""
    commit, modified = refresh.get("code_commit"), refresh.get("code_modified")
    code = f"commit `{commit[:12]}`" if commit else "no git commit recorded"
    if commit and modified:
        code += " with uncommitted changes to tracked files"
    version = refresh.get("package_version")
    dbt_version = refresh.get("dbt_version")
    rows = {
        "Data as of": str(refresh["as_of_date"]),
        "Published": str(refresh["refreshed_at"]),
        "Run": f"`{refresh['run_id']}`" + (f" ({literal(refresh['job_name'])})"
                                           if refresh.get("job_name") else ""),
        "Run started": str(refresh.get("run_started_at") or EMPTY),
        "Code": code + (f", package version {version}" if version else ""),
        "Metrics computed by": f"dbt {dbt_version}" if dbt_version else EMPTY,
    }
    st.subheader("The data on these pages")
    st.markdown("\n".join(f"- **{k}:** {v}" for k, v in rows.items()))


def _meta_text(context: PageContext, meta: str | None) -> str:
    """A column's dbt `meta` (numerator, denominator, target ...) as plain words."""
    values = json.loads(meta or "{}")
    return context.words("; ".join(f"{k}: {v}" for k, v in values.items()
                                      if isinstance(v, str | int | float)))


def _measures(context: PageContext) -> list[tuple[str, dict[str, str], str]]:
    """(name, parts, models) of every measure: the contract's performance measures, then
    each figure the pages show as a ratio (a column documented with its numerator and
    denominator), under its label, once however many tables carry it."""
    definitions = context.definitions
    measures: list[tuple[str, dict[str, str], str]] = []
    contract = definitions.filter((pl.col("model") == "fct_performance_measure")
                                  & pl.col("column_name").is_null())
    if not contract.is_empty():
        for measure_id, parts in json.loads(contract["meta"][0] or "{}").get(
                "measures", {}).items():
            measures.append((parts.get("name", measure_id), parts,
                             f"fct_performance_measure (measure {measure_id})"))
    ratios = definitions.filter(pl.col("column_name").is_not_null()
                                & pl.col("column_name").is_in(list(context.labels.columns)))
    for column in ratios["column_name"].unique(maintain_order=True):
        rows = ratios.filter(pl.col("column_name") == column)
        meta = json.loads(rows["meta"][0] or "{}")
        if not {"numerator", "denominator"} <= set(meta):
            continue
        parts = {"definition": rows["description"][0], **meta}
        measures.append((context.labels.label(column), parts, ", ".join(rows["model"])))
    return measures


def _show_measures(context: PageContext) -> None:
    st.subheader("The measures")
    for name, parts, models in _measures(context):
        st.markdown(f"#### {literal(name)}")
        st.markdown("\n".join(
            f"- **{title}:** {literal(context.words(str(parts[key])).strip())}"
            if key in parts else f"- **{title}:** {EMPTY}" for key, title in PARTS))
        st.caption(f"Technical reference: {models}")


OUTCOME_STUDY_LIMITS = """
**What the outcome study can and cannot say.** The outcome comparison, the effect by group
and the time-to-reunification curves compare participants with never-matched children who
looked alike at removal (fct_outcome_comparison, fct_outcome_by_subgroup,
fct_time_to_reunification below). A matched comparison is not a randomised trial: it
cannot see what the match did not, such as a family's readiness to take part. Effects by
group are exploratory: each group is matched again within itself and shown only with
enough pairs (subgroup_min_pairs), and among 25 tests of a difference between groups some
fall below p = 0.05 by chance alone. The curves follow a child until reunification; a child
who leaves care another way, or is still in care on the as-of date, counts until then and
no further, so a curve estimates how soon children go home rather than how many do.
"""

REACH_LIMITS = """
**What reach and the entry cohorts can and cannot say.** Reach (fct_reach_by_group) counts
removals, not children, and every removal in the state extract: a low share can mean a
group is referred less, declines more or lives where no site works - the table cannot
tell which. The disparity ratio is a group's share over the statewide share of the same
year; its 95% interval (log method, against the statewide share) is wide for groups with
few children matched, and none is given when none was. The latest year is incomplete:
children removed lately may still be matched. The entry cohorts (agg_match_cohort)
describe the program's children only - they are no comparison - and a cohort's figure
stays "not yet observable" until its follow-up window has ended for every child in it.
"""


def render(viewer: Viewer) -> None:
    context = open_page(viewer, "methodology", "Methodology")
    _provenance(data_access.refresh(viewer))
    st.markdown("Every definition below is the dbt documentation of the model that computes "
                "the figure, published with the data.")
    definitions = context.definitions
    if definitions.is_empty():
        st.info("The published data carries no definitions yet: the next run publishes them.")
        return
    _show_measures(context)
    st.markdown(OUTCOME_STUDY_LIMITS)
    st.markdown(REACH_LIMITS)
    st.subheader("Every published table")
    labels = context.labels
    for model in definitions["model"].unique(maintain_order=True):
        rows = definitions.filter(pl.col("model") == model)
        table = rows.filter(pl.col("column_name").is_null())
        with st.expander(f"Technical reference: {model}"):
            if not table.is_empty():
                st.markdown(context.words(table["description"][0]))
                meta = json.loads(table["meta"][0] or "{}")
                if meta:
                    st.json(meta, expanded=False)
            columns = rows.filter(pl.col("column_name").is_not_null()).select(
                pl.col("column_name").map_elements(labels.label, return_dtype=pl.String)
                .alias("label"),
                pl.col("description").map_elements(context.words,
                                                   return_dtype=pl.String),
                pl.col("meta").map_elements(lambda m: _meta_text(context, m),
                                            return_dtype=pl.String).alias("meta"),
            ).with_columns(pl.col("meta").replace("", None))
            st.dataframe(columns, hide_index=True, placeholder=EMPTY, column_config={
                "label": "Column",
                **{c: labels.label(c) for c in ("description", "meta")}})
