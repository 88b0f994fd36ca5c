"""The leadership publication: the aggregate tables leadership reads, with one suppression
pattern computed over all of them together.

`leadership_tables(truth)` takes the published marts (name -> frame) and returns each
table of `definitions.TABLES` (those present) and the contract table with:
- every count hidden by the pattern set to null, and `<column>__suppressed` true beside it;
- every rate shown only when its numerator and denominator are (a complement that is
  small hides one of those), rounded to its digits; a column following rates (a
  difference, its interval) shown only when they are; a measure's met flag with its value;
- the contract's count of measures met hidden when a met flag of its SFY is.
The pattern comes from `pattern.protect` over the cells and relations built here from the
definitions, decomposed into independent components by the solver.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from orchestration.disclosure import definitions as d
from orchestration.disclosure.pattern import Linked, protect
from orchestration.disclosure.solved import Solved

CellKey = tuple[str, tuple, str]


class DefinitionError(ValueError):
    """The published tables break a relation the definitions state (a changed model)."""


@dataclass
class _Cells:
    keys: list[CellKey] = field(default_factory=list)
    values: list[int] = field(default_factory=list)
    published: list[bool] = field(default_factory=list)
    protected: list[bool] = field(default_factory=list)
    floors: list[int] = field(default_factory=list)
    relations: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    index: dict[CellKey, int] = field(default_factory=dict)

    def add(self, key: CellKey, value: int, *, published: bool, protected: bool,
            floor: int = 0) -> int:
        if key in self.index:
            raise DefinitionError(f"two cells named {key}")
        if value < floor:
            raise DefinitionError(f"{_name(key)} is {value}: it is never below {floor}")
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.values.append(int(value))
        self.published.append(published)
        self.protected.append(protected)
        self.floors.append(floor)
        return self.index[key]

    def relate(self, total: int, parts: list[int]) -> None:
        """total = sum(parts), checked against the true values."""
        if self.values[total] != sum(self.values[p] for p in parts):
            named = " + ".join(_name(self.keys[p]) for p in parts) or "nothing"
            raise DefinitionError(
                f"{_name(self.keys[total])} = {self.values[total]} is not {named} = "
                f"{sum(self.values[p] for p in parts)}")
        self.relations.append((total, tuple(parts)))

    def within(self, part: int, whole: int) -> None:
        """part <= whole: whole = part + a latent rest that is nobody's count to protect."""
        whole_key = self.keys[whole]
        rest = self.add((whole_key[0], whole_key[1], f"{whole_key[2]}-{self.keys[part][2]}"),
                        self.values[whole] - self.values[part], published=False,
                        protected=False)
        self.relate(whole, [part, rest])

    def complement(self, numerator: int, denominator: int, protected: bool = True) -> int:
        """denominator - numerator as a latent count (the cases not meeting the rate)."""
        key = self.keys[denominator]
        rest = self.add((key[0], key[1], f"{key[2]}-{self.keys[numerator][2]}"),
                        self.values[denominator] - self.values[numerator], published=False,
                        protected=protected)
        self.relate(denominator, [numerator, rest])
        return rest

    def get(self, table: str, row: tuple, column: str) -> int | None:
        return self.index.get((table, row, column))


def _name(key: CellKey) -> str:
    table, row, column = key
    return f"{table}[{', '.join(str(v) for v in row)}].{column}"


def _sorted(frame: pl.DataFrame, table: d.Table) -> pl.DataFrame:
    frame = frame.sort(list(table.keys), nulls_last=True)
    return frame.with_columns(**table.derived) if table.derived else frame


def _row_key(row: Mapping[str, object], table: d.Table) -> tuple[Hashable, ...]:
    return tuple(row[k] for k in table.keys)


def build_cells(truth: Mapping[str, pl.DataFrame]) -> tuple[_Cells, dict[str, pl.DataFrame]]:
    """Every cell of the leadership tables present in `truth`, and every relation among
    them; with the tables as read (sorted, derived counts added)."""
    cells = _Cells()
    frames = {t.name: _sorted(truth[t.name], t) for t in d.TABLES if t.name in truth}
    for table in d.TABLES:
        if table.name in frames:
            _table_cells(cells, table, frames[table.name])
    sites = truth.get("dim_site")
    for table in d.TABLES:
        if table.geography and table.name in frames:
            _geography(cells, table, frames[table.name], sites)
        if table.running and table.name in frames:
            _running(cells, table, frames[table.name])
    _margins(cells, frames)
    _measure_links(cells, frames)
    _sample_flow(cells, frames)
    _reach_flow(cells, frames)
    _subgroups(cells, frames)
    return cells, frames


def _table_cells(cells: _Cells, table: d.Table, frame: pl.DataFrame) -> None:
    shares = {
        rate: (frame.select(spec.share).to_series().fill_null(False).to_list()
               if isinstance(spec.share, pl.Expr) else [spec.share] * frame.height)
        for rate, spec in table.rates.items()
    }
    for i, row in enumerate(frame.iter_rows(named=True)):
        key = _row_key(row, table)
        ids = {
            column: cells.add((table.name, key, column), row[column], published=True,
                              protected=True, floor=int((column,) in table.at_least_one))
            for column in table.count_cells if row[column] is not None
        }
        for group in table.at_least_one:
            if len(group) > 1 and all(c in ids for c in group):
                # The group's sum, a latent count of at least 1.
                total = cells.add((table.name, key, "+".join(group)),
                                  sum(row[c] for c in group), published=False,
                                  protected=False, floor=1)
                cells.relate(total, [ids[c] for c in group])
        for total, parts in table.identities.items():
            if total in ids and all(p in ids for p in parts):
                cells.relate(ids[total], [ids[p] for p in parts])
        for part, whole in table.within:
            if part in ids and whole in ids:
                cells.within(ids[part], ids[whole])
        for rate, spec in table.rates.items():
            if (spec.numerator in ids and spec.denominator in ids and shares[rate][i]):
                cells.complement(ids[spec.numerator], ids[spec.denominator])


def _area_of(sites: pl.DataFrame | None) -> dict[str, str]:
    area = {d.UNKNOWN: d.UNKNOWN}
    if sites is not None:
        area.update(dict(sites.select("site_id", "service_area").iter_rows()))
    return area


def _geography(cells: _Cells, table: d.Table, frame: pl.DataFrame,
               sites: pl.DataFrame | None) -> None:
    """statewide = sum of service areas, service area = sum of its sites, per period."""
    area_of = _area_of(sites)
    for period, rows in frame.group_by(list(table.period), maintain_order=True):
        by_level: dict[str, list[tuple]] = {}
        for row in rows.iter_rows(named=True):
            by_level.setdefault(row["level"], []).append(_row_key(row, table))
        areas = {key[1]: key for key in by_level.get(d.SERVICE_AREA, [])}
        members: dict[tuple, list[tuple]] = {}
        for key in by_level.get(d.SITE, []):
            area = area_of.get(key[1])
            if area not in areas:
                raise DefinitionError(f"{table.name}: site {key[1]} of {period} has no "
                                      "service-area row")
            members.setdefault(areas[area], []).append(key)
        sums = [(state, list(areas.values())) for state in by_level.get(d.STATEWIDE, [])]
        sums += [(area, members.get(area, [])) for area in areas.values()]
        for total, parts in sums:
            for column in table.counts:
                total_id = cells.get(table.name, total, column)
                part_ids = [cells.get(table.name, p, column) for p in parts]
                if total_id is not None and None not in part_ids:
                    cells.relate(total_id, part_ids)


def _margins(cells: _Cells, frames: Mapping[str, pl.DataFrame]) -> None:
    """A grouping's groups = their whole, a group's areas = its statewide row (d.Margins)."""
    for margins in d.MARGINS:
        if margins.table not in frames:
            continue
        table = d.BY_NAME[margins.table]
        for whole, parts in _margin_sums(margins, table, frames[margins.table]):
            for column in table.counts:
                whole_id = cells.get(table.name, whole, column)
                part_ids = [cells.get(table.name, p, column) for p in parts]
                if whole_id is not None and None not in part_ids:
                    cells.relate(whole_id, part_ids)


def _margin_sums(margins: d.Margins, table: d.Table,
                 frame: pl.DataFrame) -> list[tuple[tuple, list[tuple]]]:
    sums: list[tuple[tuple, list[tuple]]] = []
    for period, rows in frame.group_by(margins.period, maintain_order=True):
        keys = {(row[margins.area], row[margins.grouping], row[margins.group]):
                _row_key(row, table) for row in rows.iter_rows(named=True)}
        blocks: dict[tuple, dict[str, list[tuple]]] = {}
        across: dict[tuple, list[tuple]] = {}
        for (area, grouping, group), key in keys.items():
            if grouping == margins.total:
                continue
            whole = ((margins.statewide, margins.total, margins.total)
                     if area == margins.statewide
                     else (margins.statewide, margins.area_grouping, area))
            blocks.setdefault(whole, {}).setdefault(grouping, []).append(key)
            if area != margins.statewide:
                across.setdefault((margins.statewide, grouping, group), []).append(key)
        for whole, groupings in blocks.items():
            if whole not in keys:
                raise DefinitionError(f"{table.name} {period}: no row {whole} for its parts")
            sums += [(keys[whole], parts) for parts in groupings.values()]
        for whole, parts in across.items():
            if whole not in keys:
                raise DefinitionError(f"{table.name} {period}: no row {whole} for its areas")
            sums.append((keys[whole], parts))
    return sums


def _running(cells: _Cells, table: d.Table, frame: pl.DataFrame) -> None:
    """Each running total = the one before + its month (latent, a count to protect)."""
    share_rates = [spec for spec in table.rates.values() if spec.share is True]
    for _, rows in frame.group_by(list(table.running.group), maintain_order=True):
        previous: dict[str, int] = {}
        for row in rows.sort(table.running.order).iter_rows(named=True):
            key = _row_key(row, table)
            month: dict[str, int] = {}
            for column in table.counts:
                total = cells.get(table.name, key, column)
                if total is None:
                    continue
                before = previous.get(column)
                value = cells.values[total] - (cells.values[before] if before is not None else 0)
                month[column] = cells.add((table.name + ":month", key, column), value,
                                          published=False, protected=True)
                cells.relate(total, [p for p in (before, month[column]) if p is not None])
                previous[column] = total
            for spec in share_rates:
                if spec.numerator in month and spec.denominator in month:
                    cells.complement(month[spec.numerator], month[spec.denominator])


def _ytd_groups(frames: Mapping[str, pl.DataFrame]) -> dict[tuple, list[tuple]]:
    """(sfy, measure_id) -> the year-to-date row keys in month order."""
    ytd = frames.get(d.MEASURES_YTD.name)
    if ytd is None:
        return {}
    groups: dict[tuple, list[tuple]] = {}
    for row in ytd.sort(d.MEASURES_YTD.running.order).iter_rows(named=True):
        groups.setdefault((row["sfy"], row["measure_id"]), []).append(
            _row_key(row, d.MEASURES_YTD))
    return groups


def _measure_links(cells: _Cells, frames: Mapping[str, pl.DataFrame]) -> None:
    ytd_name = d.MEASURES_YTD.name
    groups = _ytd_groups(frames)
    # An SFY's measure is its last year-to-date row.
    for (sfy, measure), keys in groups.items():
        for column in d.MEASURES.counts:
            sfy_cell = cells.get(d.MEASURES.name, (sfy, measure), column)
            last = cells.get(ytd_name, keys[-1], column)
            if sfy_cell is not None and last is not None:
                cells.relate(sfy_cell, [last])
    # A measure's month is a statewide activity count of that month.
    for link in d.MONTH_LINKS:
        for (_, measure), keys in groups.items():
            if measure != link.measure_id:
                continue
            for key in keys:
                _month_link(cells, link, key)
    # A measure's SFY is the statewide row of another table.
    for link in d.SFY_LINKS:
        if link.table not in frames or d.MEASURES.name not in frames:
            continue
        for row in frames[d.MEASURES.name].filter(
                pl.col("measure_id") == link.measure_id).iter_rows(named=True):
            other = (d.STATEWIDE, d.STATEWIDE, row["sfy"])
            for mine, theirs in (("numerator", link.numerator),
                                 ("denominator", link.denominator)):
                mine_id = cells.get(d.MEASURES.name, (row["sfy"], row["measure_id"]), mine)
                theirs_id = cells.get(link.table, other, theirs)
                if mine_id is not None and theirs_id is not None:
                    cells.relate(mine_id, [theirs_id])


def _month_link(cells: _Cells, link: d.MonthLink, key: tuple) -> None:
    month_name = d.MEASURES_YTD.name + ":month"
    activity = {column: cells.get(d.ACTIVITY.name, (d.STATEWIDE, d.STATEWIDE, key[2]), column)
                for column in (link.numerator, link.denominator, link.complement,
                               link.denominator_within) if column}
    numerator = cells.get(month_name, key, "numerator")
    denominator = cells.get(month_name, key, "denominator")
    complement = cells.get(month_name, key, "denominator-numerator")
    for mine, theirs in ((numerator, link.numerator), (denominator, link.denominator),
                         (complement, link.complement)):
        if mine is not None and theirs and activity[theirs] is not None:
            cells.relate(mine, [activity[theirs]])
    within = activity.get(link.denominator_within) if link.denominator_within else None
    if denominator is not None and within is not None:
        cells.within(denominator, within)


def _sample_flow(cells: _Cells, frames: Mapping[str, pl.DataFrame]) -> None:
    flow = d.SAMPLE_FLOW
    if flow.table not in frames:
        return

    def step(order: int, outcome: str | None) -> int | None:
        return cells.get(flow.table, (order, outcome), flow.count)

    everyone, matched = step(flow.all_step, None), step(flow.matched_step, None)
    if everyone is not None and matched is not None:
        cells.within(matched, everyone)
    outcomes = frames[flow.table].filter(pl.col(flow.step) == flow.observable_step)[
        flow.outcome].to_list()
    for outcome in outcomes:
        observable = step(flow.observable_step, outcome)
        not_yet = step(flow.not_yet_step, outcome)
        if matched is not None and observable is not None and not_yet is not None:
            cells.relate(matched, [observable, not_yet])
        naive = cells.get(flow.naive, (outcome,), "participant_n")
        if naive is not None and observable is not None:
            # The naive comparison counts every participant observable for the outcome, the
            # flow only the matched ones: the unmatched rest are children, protected too.
            unmatched = cells.add(
                (flow.naive, (outcome,), "participant_n-unmatched"),
                cells.values[naive] - cells.values[observable], published=False, protected=True,
            )
            cells.relate(naive, [observable, unmatched])
        pairs = cells.get(flow.matched, (outcome,), "participant_n")
        if pairs is not None and observable is not None:
            cells.within(pairs, observable)
    if flow.matched in frames:
        for (outcome,) in frames[flow.matched].select("outcome").iter_rows():
            pairs = cells.get(flow.matched, (outcome,), "participant_n")
            others = cells.get(flow.matched, (outcome,), "comparison_n")
            if pairs is not None and others is not None:
                cells.relate(pairs, [others])


def _reach_flow(cells: _Cells, frames: Mapping[str, pl.DataFrame]) -> None:
    """The study's participant episodes = the statewide reached removals of every period
    (d.ReachFlow)."""
    link, margins, flow = d.REACH_FLOW, d.REACH_MARGINS, d.SAMPLE_FLOW
    if link.reach not in frames or flow.table not in frames:
        return
    everyone = cells.get(flow.table, (flow.all_step, None), flow.count)
    totals = frames[link.reach].filter((pl.col(margins.area) == margins.statewide)
                                       & (pl.col(margins.grouping) == margins.total))
    table = d.BY_NAME[link.reach]
    parts = [cells.get(link.reach, _row_key(row, table), link.count)
             for row in totals.iter_rows(named=True)]
    if everyone is not None and parts and None not in parts:
        cells.relate(everyone, parts)


def leadership_tables(truth: Mapping[str, pl.DataFrame],
                      solved: Solved | None = None) -> dict[str, pl.DataFrame]:
    """The suppressed tables of the leadership publication (see the module docstring).
    `solved`: the patterns of components solved before (`pattern.protect`)."""
    cells, frames = build_cells(truth)
    hidden = protect(Linked(
        values=np.asarray(cells.values, dtype=np.int64),
        published=np.asarray(cells.published, dtype=bool),
        protected=np.asarray(cells.protected, dtype=bool),
        relations=cells.relations,
        floors=np.asarray(cells.floors, dtype=np.int64),
    ), solved) if cells.keys else np.zeros(0, dtype=bool)
    out = {name: _apply(d.BY_NAME[name], frame, cells, hidden)
           for name, frame in frames.items()}
    for margins in d.MARGINS:
        if margins.table in out:
            out[margins.table] = _follow_reference(margins, d.BY_NAME[margins.table],
                                                   out[margins.table])
    hidden_sfys = _sfys_with_hidden_met(out.get(d.MEASURES.name))
    if d.SUBGROUPS.table in out:
        out[d.SUBGROUPS.table] = _across_groups(out[d.SUBGROUPS.table],
                                                frames[d.SUBGROUPS.table], d.SUBGROUPS)
    for dependent in d.MET_DEPENDENTS:
        if dependent.table in truth:
            out[dependent.table] = _met_dependent(dependent, truth[dependent.table], hidden_sfys)
    return out


def _apply(table: d.Table, frame: pl.DataFrame, cells: _Cells,
           hidden: np.ndarray) -> pl.DataFrame:
    def is_hidden(key: tuple, column: str | None) -> bool:
        if column is None:
            return False
        cell = cells.get(table.name, key, column)
        return bool(hidden[cell]) if cell is not None else False

    keys = [_row_key(row, table) for row in frame.select(table.keys).iter_rows(named=True)]
    flags: dict[str, list[bool]] = {
        column: [is_hidden(key, column) for key in keys] for column in table.counts
    }
    for rate, spec in table.rates.items():
        flags[rate] = [is_hidden(key, spec.numerator) or is_hidden(key, spec.denominator)
                       for key in keys]
    for column, rates in table.follows.items():
        flags[column] = [any(flags[r][i] for r in rates) for i in range(len(keys))]
    for column, rate in table.flag.items():
        flags[column] = list(flags[rate])
    digits = {rate: spec.digits for rate, spec in table.rates.items()}
    digits.update({column: d.SHARE_DIGITS for column in table.follows})
    shown = frame.drop(list(table.derived)).with_columns(
        pl.col(column).round(places) for column, places in digits.items())
    shown = shown.with_columns(
        pl.Series(column + d.FLAG_SUFFIX, values, dtype=pl.Boolean)
        for column, values in flags.items())
    return shown.with_columns(
        pl.when(pl.col(column + d.FLAG_SUFFIX)).then(None).otherwise(pl.col(column))
        .alias(column)
        for column in flags)


def _follow_reference(margins: d.Margins, table: d.Table, shown: pl.DataFrame) -> pl.DataFrame:
    """The columns following a rate hidden too in the periods whose statewide rate is."""
    hidden = shown.filter(
        (pl.col(margins.area) == margins.statewide) & (pl.col(margins.grouping) == margins.total)
        & pl.col(margins.reference + d.FLAG_SUFFIX))[margins.period].to_list()
    in_hidden = pl.col(margins.period).is_in(hidden)
    return shown.with_columns(
        (pl.col(column + d.FLAG_SUFFIX) | in_hidden).alias(column + d.FLAG_SUFFIX)
        for column in table.follows
    ).with_columns(
        pl.when(pl.col(column + d.FLAG_SUFFIX)).then(None).otherwise(pl.col(column))
        .alias(column)
        for column in table.follows)


def _sfys_with_hidden_met(measures: pl.DataFrame | None) -> list:
    if measures is None:
        return []
    return measures.filter(pl.col("met" + d.FLAG_SUFFIX))["sfy"].unique().to_list()


def _met_dependent(dependent: d.MetDependent, frame: pl.DataFrame,
                   hidden_sfys: list) -> pl.DataFrame:
    """The dependent columns hidden in the rows of an SFY where a met flag is hidden."""
    hidden = pl.col("sfy").is_in(hidden_sfys) & dependent.rows
    return frame.with_columns(
        hidden.alias(column + d.FLAG_SUFFIX) for column in dependent.columns
    ).with_columns(
        pl.when(pl.col(column + d.FLAG_SUFFIX)).then(None).otherwise(pl.col(column))
        .alias(column)
        for column in dependent.columns)


def _subgroups(cells: _Cells, frames: Mapping[str, pl.DataFrame]) -> None:
    """Per grouping and outcome, each count of the groups (and each complement) plus a
    latent rest, children not matched within their group, is the naive comparison's."""
    spec = d.SUBGROUPS
    if spec.table not in frames or spec.whole not in frames:
        return
    table = d.BY_NAME[spec.table]
    columns = [*table.count_cells, *(f"{rate.denominator}-{rate.numerator}"
                                     for rate in table.rates.values())]
    keys = [_row_key(row, table) for row in frames[spec.table].iter_rows(named=True)]
    partitions: dict[tuple, list[tuple]] = {}
    for key, row in zip(keys, frames[spec.table].iter_rows(named=True)):
        partitions.setdefault(tuple(row[c] for c in spec.partition), []).append(key)
    for partition, members in partitions.items():
        outcome = partition[spec.partition.index(spec.outcome)]
        for column in columns:
            whole = cells.get(spec.whole, (outcome,), column)
            parts = [cell for key in members
                     if (cell := cells.get(spec.table, key, column)) is not None]
            if whole is None:
                continue
            rest = cells.add((spec.table, partition, f"{column} not in a group"),
                             cells.values[whole] - sum(cells.values[p] for p in parts),
                             published=False, protected=True)
            cells.relate(whole, [*parts, rest])


def _across_groups(frame: pl.DataFrame, truth: pl.DataFrame, spec: d.Subgroups
                   ) -> pl.DataFrame:
    """The column across the groups hidden wherever one of the groups it was computed over
    has its `across_follows` column hidden."""
    table = d.BY_NAME[spec.table]
    flag = spec.across + d.FLAG_SUFFIX
    tested = truth.filter(pl.col(spec.across).is_not_null()).select(table.keys)
    exposed = (frame.join(tested, on=list(table.keys), how="semi")
               .filter(pl.col(spec.across_follows + d.FLAG_SUFFIX))
               .select(spec.partition).unique())
    hidden = frame.with_columns(
        pl.col(flag) | pl.struct(spec.partition).is_in(exposed.to_struct().implode()))
    return hidden.with_columns(pl.when(pl.col(flag)).then(None).otherwise(pl.col(spec.across))
                               .alias(spec.across))
