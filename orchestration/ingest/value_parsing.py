"""Polars expressions that turn trimmed landing-zone text into typed values.

Every parser maps text it cannot read to null, so a check can compare "text was
given" with "value came out" and name the column whose text could not be read. All of
them are vectorised: a 50 MB file is parsed column by column, never row by row.
"""

from __future__ import annotations

import polars as pl

# Years outside this window are typos ("3/9/24" read as year 24), not history.
_MIN_YEAR, _MAX_YEAR = 1900, 2099

# Excel renders a date cell as "2024-03-09 00:00:00"; a date column accepts that.
_MIDNIGHT_SUFFIX = r"[T ]00:00(:00(\.0+)?)?$"
_ZONE_SUFFIX = r"(Z|[+-]\d{2}:?\d{2})$"

_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
)


def blank_to_null(text: pl.Expr) -> pl.Expr:
    """Trim, and make an empty or whitespace-only value null."""
    trimmed = text.str.strip_chars()
    return pl.when(trimmed.str.len_chars() > 0).then(trimmed)


def _within_years(value: pl.Expr) -> pl.Expr:
    return pl.when(value.dt.year().is_between(_MIN_YEAR, _MAX_YEAR)).then(value)


def parse_date(text: pl.Expr) -> pl.Expr:
    """YYYY-MM-DD or M/D/YYYY; impossible dates (2024-02-30) become null."""
    bare = text.str.replace(_MIDNIGHT_SUFFIX, "")
    iso = bare.str.to_date("%Y-%m-%d", strict=False)
    us = bare.str.to_date("%m/%d/%Y", strict=False)
    return _within_years(pl.coalesce(iso, us))


def parse_month(text: pl.Expr) -> pl.Expr:
    """YYYY-MM, or any date in the month; the first day of the month."""
    month_only = (text + "-01").str.to_date("%Y-%m-%d", strict=False)
    return _within_years(pl.coalesce(month_only, parse_date(text).dt.month_start()))


def parse_datetime(text: pl.Expr) -> pl.Expr:
    """ISO 8601 ('T' or space, seconds optional) or M/D/YYYY H:MM, naive Chicago time.

    A bare date means midnight. An explicit zone (Z or +hh:mm) is converted to
    America/Chicago, because the program's clock is Chicago time.
    """
    zone = text.str.extract(_ZONE_SUFFIX, 1)
    local = (
        text.str.replace(_ZONE_SUFFIX, "")
        .str.replace(r"^(\d{4}-\d{1,2}-\d{1,2})T", "${1} ")
        .str.strip_chars()
    )
    candidates = [local.str.to_datetime(f, strict=False, time_unit="us") for f in _DATETIME_FORMATS]
    candidates.append(parse_date(local).cast(pl.Datetime("us")))
    naive = pl.coalesce(candidates)
    offset_minutes = (
        pl.when(zone == "Z")
        .then(pl.lit(0))
        .otherwise(
            zone.str.slice(1, 2).cast(pl.Int64, strict=False) * 60
            + zone.str.slice(-2, 2).cast(pl.Int64, strict=False)
        )
        * pl.when(zone.str.starts_with("-")).then(-1).otherwise(1)
    )
    in_chicago = (
        (naive - pl.duration(minutes=offset_minutes))
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone("America/Chicago")
        .dt.replace_time_zone(None)
    )
    return _within_years(pl.when(zone.is_null()).then(naive).otherwise(in_chicago))


def parse_number(text: pl.Expr) -> pl.Expr:
    """A finite decimal number, else null."""
    value = text.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def parse_money(text: pl.Expr) -> pl.Expr:
    """A number that may carry a dollar sign and thousands separators ($1,200.50)."""
    return parse_number(text.str.replace_all(r"[$,\s]", ""))


def parse_fraction(text: pl.Expr) -> pl.Expr:
    """A share written as 0.05 or as 5%."""
    percent = parse_number(text.str.strip_suffix("%").str.strip_chars()) / 100
    return pl.when(text.str.ends_with("%")).then(percent).otherwise(parse_number(text))


def parse_whole_number(text: pl.Expr, low: int, high: int) -> pl.Expr:
    """A whole number in low..high as Int32 ("30" and "30.0" both read 30), else null."""
    value = parse_number(text)
    ok = (value == value.floor()) & value.is_between(low, high)
    return pl.when(ok).then(value).cast(pl.Int32)


def normalise_code(text: pl.Expr) -> pl.Expr:
    """Codes compare case-insensitively, with spaces or hyphens read as underscores.

    So a form that says "Home visit" means the code home_visit.
    """
    return text.str.to_lowercase().str.replace_all(r"[\s\-]+", "_")


def normalise_code_text(value: str) -> str:
    """The same normalisation for a code read in Python (seed files)."""
    return "_".join(value.strip().lower().replace("-", " ").split())


def parse_county_fips(text: pl.Expr) -> pl.Expr:
    """Five digits; a four-digit value lost its leading zero in a spreadsheet."""
    digits = pl.when(text.str.contains(r"^\d{4}$")).then("0" + text).otherwise(text)
    return pl.when(digits.str.contains(r"^\d{5}$")).then(digits)


def with_parsed(frame: pl.DataFrame, exprs: list[pl.Expr]) -> pl.DataFrame:
    """`frame.with_columns(exprs)`, each parse done once per distinct value.

    A batch of forms repeats few values many times (a form's submission time on each
    of its rows, a month's dates on thousands), so an expression that reads one text
    column is computed over that column's distinct values and joined back by value;
    the parsers are elementwise, so the result is the same, row for row.
    """
    direct: list[pl.Expr] = []
    by_column: dict[str, list[pl.Expr]] = {}
    for expr in exprs:
        roots = sorted(set(expr.meta.root_names()))
        single_text = len(roots) == 1 and frame.schema.get(roots[0]) == pl.String
        if single_text and not expr.meta.undo_aliases().meta.is_column():
            by_column.setdefault(roots[0], []).append(expr)
        else:
            direct.append(expr)
    columns: list[pl.Series] = []
    for column, parsed in by_column.items():
        keys = frame.lazy().select(column)
        values = keys.unique().with_columns(parsed)
        columns += (
            keys.join(values, on=column, how="left", nulls_equal=True, maintain_order="left")
            .drop(column)
            .collect()
            .get_columns()
        )
    return frame.with_columns(columns).lazy().with_columns(direct).collect()
