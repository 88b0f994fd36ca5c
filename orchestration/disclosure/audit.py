"""The attacker's audit of a leadership publication.

It reads what leadership can download (the published tables, hidden cells null and
flagged) beside the true tables, and attacks: every count is an unknown unless shown,
every relation the definitions state is an equation (as the reader knows them: from the
metric definitions, not from the suppression's reasoning, which this module never
imports), counts are non-negative, and for each small cell (a protected count of 1..10)
linear programming gives the smallest and largest value consistent with everything shown.
A small cell shown, or one whose largest value is below SAFE_FROM, is a finding; so is a
rate shown without its counts, a rate with more digits than allowed, a met flag or a
following column shown where its rate is hidden, and a count of measures met shown
beside a hidden met flag. The publication passes when there is no finding.

Programs are solved per connected component of unknowns; one joint program per
component proves most cells at once (a feasible point where a cell reaches SAFE_FROM, or
0) and the rest are solved one by one. A component's bounds are a function of its
equations and small cells alone: those of a component attacked before, with the same
equations, the same small cells and the same code, are read back by their digest
(`orchestration/disclosure/solved.py`) and judged the same way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from scipy.optimize import Bounds, LinearConstraint, milp

from orchestration.digests import code_digest
from orchestration.disclosure import definitions as spec
from orchestration.disclosure import lp
from orchestration.disclosure.lp import Entries, Solver
from orchestration.disclosure.solved import Solved, component_digest, linked_groups

_EPS = 1e-6
# What a component's bounds are computed with: this module, the solver's wrapper and
# release (and scipy's, for the whole-number programs), and the thresholds.
AUDIT_CODE = code_digest([Path(__file__), Path(lp.__file__), Path(spec.__file__)],
                         packages=("highspy", "scipy"))


@dataclass(frozen=True)
class Finding:
    cell: str
    reason: str
    low: float | None = None
    high: float | None = None

    def __str__(self) -> str:
        bounds = ""
        if self.low is not None:
            high = "unbounded" if self.high is None else f"{self.high:g}"
            bounds = f" (feasible {self.low:g}..{high})"
        return f"{self.cell}: {self.reason}{bounds}"


@dataclass
class AuditReport:
    small_cells: int = 0
    unknowns: int = 0
    equations: int = 0
    components: int = 0
    # Components whose bounds were read back: attacked before with the same equations.
    components_reused: int = 0
    programs: int = 0
    # Small cells whose proof point was fractional, checked again over whole numbers.
    integer_programs: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    # Each small cell's feasible interval (high None: unbounded). A joint program proves
    # the cells that reach SAFE_FROM without solving their own maximum: `high` is then
    # the value reached there, a lower bound of the maximum.
    intervals: dict[str, tuple[float, float | None]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        head = (f"{self.small_cells} small cells attacked over {self.unknowns} unknowns and "
                f"{self.equations} equations in {self.components} components "
                f"({self.programs} linear programs, {self.integer_programs} over whole "
                f"numbers, {self.components_reused} components with the equations of one "
                f"attacked before, {self.seconds:.1f} s)")
        if self.passed:
            return head + ": none can be told from a count of 11 or more"
        shown = "; ".join(str(f) for f in self.findings[:10])
        more = f" and {len(self.findings) - 10} more" if len(self.findings) > 10 else ""
        return f"{head}: {len(self.findings)} finding(s): {shown}{more}"


class _Attack:
    """Unknowns by name, and the equations sum(coef * unknown) = constant between them."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.truth: list[float] = []
        self.small: list[bool] = []
        self.position: dict[str, int] = {}
        self.shown: dict[str, float] = {}
        self.equations: list[tuple[dict[int, float], float]] = []
        self.findings: list[Finding] = []

    def count(self, name: str, true_value, shown_value, protected: bool = True) -> str:
        """A count the reader sees (shown_value not None) or must solve for."""
        small = protected and true_value is not None and 1 <= true_value <= spec.SMALL_MAX
        if shown_value is not None:
            if true_value is not None and shown_value != true_value:
                self.findings.append(Finding(name, f"shown as {shown_value}, truly {true_value}"))
            if small:
                self.findings.append(Finding(name, "a count of 1..10 is shown",
                                             shown_value, shown_value))
            self.shown[name] = float(shown_value)
            return name
        self.position[name] = len(self.names)
        self.names.append(name)
        self.truth.append(float(true_value))
        self.small.append(small)
        return name

    def equation(self, terms: list[tuple[str, float]]) -> None:
        """sum(coef * cell) = 0, shown cells moved to the constant."""
        coefs: dict[int, float] = {}
        constant = 0.0
        for name, coef in terms:
            if name in self.shown:
                constant -= coef * self.shown[name]
            else:
                position = self.position[name]
                coefs[position] = coefs.get(position, 0.0) + coef
        coefs = {k: v for k, v in coefs.items() if v != 0.0}
        if coefs:
            self.equations.append((coefs, constant))
        elif abs(constant) > _EPS:
            self.findings.append(Finding(" + ".join(n for n, _ in terms),
                                         "shown figures contradict a relation"))

    def at_least(self, name: str, floor: int) -> None:
        """A hidden count the reader knows is `floor` or more: it is a latent rest (x >= 0)
        plus `floor`."""
        if floor <= 0 or name in self.shown:
            return
        rest = self.count(f"{name} beyond {floor}", self.truth[self.position[name]] - floor,
                          None, protected=False)
        self.equations.append(({self.position[name]: 1.0, self.position[rest]: -1.0},
                               float(floor)))

    def known(self, name: str) -> bool:
        return name in self.shown or name in self.position


def _cell(table: str, row: tuple, column: str) -> str:
    return f"{table}[{', '.join(str(v) for v in row)}].{column}"


def attack(published: Mapping[str, pl.DataFrame],
           truth: Mapping[str, pl.DataFrame], solved: Solved | None = None) -> AuditReport:
    """Audit the leadership tables `published` against the true tables `truth`. `solved`:
    the bounds of components attacked before, by digest (and where this one's are
    recorded)."""
    started = time.perf_counter()
    attack = _Attack()
    rows: dict[str, list[dict]] = {}
    for table in spec.TABLES:
        if table.name in published:
            rows[table.name] = _read_table(attack, table, published[table.name],
                                           truth[table.name])
    _geography_equations(attack, rows, truth.get("dim_site"))
    _margin_equations(attack, rows)
    for margins in spec.MARGINS:
        if margins.table in published:
            _reference_rule(attack, margins, published[margins.table])
    _running_equations(attack, rows)
    _link_equations(attack, rows)
    _flow_equations(attack, rows)
    _reach_flow_equations(attack, rows)
    _subgroup_equations(attack, rows)
    if spec.MEASURES.name in published:
        for dependent in spec.MET_DEPENDENTS:
            if dependent.table in published:
                _met_dependent_rule(attack, dependent, published[dependent.table],
                                    published[spec.MEASURES.name])
    for name in spec.WITHHELD_TABLES:
        if name in published:
            attack.findings.append(Finding(name, "withheld from leadership, but published"))
    report = AuditReport(unknowns=len(attack.names), equations=len(attack.equations),
                         findings=list(attack.findings))
    _solve(attack, report, solved)
    report.seconds = time.perf_counter() - started
    return report


def _hidden(row: dict, column: str) -> bool:
    return bool(row.get(column + spec.FLAG_SUFFIX)) or row.get(column) is None


def _read_table(attack: _Attack, table: spec.Table, shown: pl.DataFrame,
                true: pl.DataFrame) -> list[dict]:
    """The table's cells as unknowns or shown values, and its in-row equations; the
    rows as read (true values under their names, shown ones under `shown:<name>`)."""
    if table.derived:
        true = true.with_columns(**table.derived)
    keys = list(table.keys)
    true = true.with_columns(
        (rule.share if isinstance(rule.share, pl.Expr) else pl.lit(rule.share))
        .fill_null(False).alias(f"share:{rate}")
        for rate, rule in table.rates.items())
    # In key order: the unknowns are numbered as read, and a component's digest names them
    # by number, so the same figures read in another order must give the same numbers.
    joined = true.join(shown.rename({c: f"shown:{c}" for c in shown.columns if c not in keys}),
                       on=keys, how="left", nulls_equal=True).sort(keys, nulls_last=True)
    out = []
    for row in joined.iter_rows(named=True):
        key = tuple(row[k] for k in keys)
        seen = {c.removeprefix("shown:"): v for c, v in row.items() if c.startswith("shown:")}
        names = {}
        for column in table.counts:
            if row[column] is not None:
                value = None if _hidden(seen, column) else seen[column]
                names[column] = attack.count(_cell(table.name, key, column), row[column], value)
        for group in table.at_least_one:
            if not all(c in names for c in group):
                continue
            if len(group) == 1:
                attack.at_least(names[group[0]], 1)
                continue
            total = attack.count(_cell(table.name, key, "+".join(group)),
                                 sum(row[c] for c in group), None, protected=False)
            attack.equation([(total, -1.0), *((names[c], 1.0) for c in group)])
            attack.at_least(total, 1)
        for column in table.derived:
            if row[column] is None:
                continue
            rate = next(r for r, s in table.rates.items() if s.numerator == column)
            value = None if _hidden(seen, rate) else row[column]
            names[column] = attack.count(_cell(table.name, key, column), row[column], value)
        _rate_rules(attack, table, key, row, seen)
        for total, parts in table.identities.items():
            if total in names and all(p in names for p in parts):
                attack.equation([(names[total], -1.0), *((names[p], 1.0) for p in parts)])
        for part, whole in table.within:
            if part in names and whole in names:
                slack = attack.count(_cell(table.name, key, f"{whole} beyond {part}"),
                                     row[whole] - row[part], None, protected=False)
                attack.equation([(names[whole], -1.0), (names[part], 1.0), (slack, 1.0)])
        for rate, rule in table.rates.items():
            if (row[f"share:{rate}"] and rule.numerator in names
                    and rule.denominator in names):
                rest = attack.count(
                    _cell(table.name, key, f"{rule.denominator} not {rule.numerator}"),
                    row[rule.denominator] - row[rule.numerator], None)
                attack.equation([(names[rule.denominator], -1.0),
                                 (names[rule.numerator], 1.0), (rest, 1.0)])
        out.append({"key": key, "row": row, "names": names})
    return out


def _rate_rules(attack: _Attack, table: spec.Table, key: tuple, row: dict,
                seen: dict) -> None:
    for rate, rule in table.rates.items():
        if _hidden(seen, rate):
            continue
        name = _cell(table.name, key, rate)
        for part in (rule.denominator, rule.numerator):
            if part in table.counts and _hidden(seen, part):
                attack.findings.append(Finding(name, f"shown while {part} is hidden"))
        value = seen[rate]
        if abs(value * 10 ** rule.digits - round(value * 10 ** rule.digits)) > 1e-6:
            attack.findings.append(Finding(name, f"{value!r} has more than {rule.digits} "
                                                 "decimals"))
    for column, rates in table.follows.items():
        if not _hidden(seen, column) and any(_hidden(seen, r) for r in rates):
            attack.findings.append(Finding(_cell(table.name, key, column),
                                           f"shown while {' or '.join(rates)} is hidden"))
    for column, rate in table.flag.items():
        if not _hidden(seen, column) and _hidden(seen, rate):
            attack.findings.append(Finding(_cell(table.name, key, column),
                                           f"shown while {rate} is hidden"))


def _geography_equations(attack: _Attack, rows: dict[str, list[dict]],
                         sites: pl.DataFrame | None) -> None:
    area_of = {spec.UNKNOWN: spec.UNKNOWN}
    if sites is not None:
        area_of.update(dict(zip(sites["site_id"], sites["service_area"], strict=True)))
    for table in spec.TABLES:
        if not table.geography or table.name not in rows:
            continue
        blocks: dict[tuple, dict[str, list[dict]]] = {}
        for item in rows[table.name]:
            period = tuple(item["row"][c] for c in table.period)
            blocks.setdefault(period, {}).setdefault(item["row"]["level"], []).append(item)
        for levels in blocks.values():
            areas = levels.get(spec.SERVICE_AREA, [])
            sites_of = {a["row"]["area_id"]: [] for a in areas}
            for site in levels.get(spec.SITE, []):
                sites_of.setdefault(area_of.get(site["row"]["area_id"]), []).append(site)
            sums = [(state, areas) for state in levels.get(spec.STATEWIDE, [])]
            sums += [(area, sites_of[area["row"]["area_id"]]) for area in areas]
            for whole, parts in sums:
                for column in table.counts:
                    if column in whole["names"] and all(column in p["names"] for p in parts):
                        attack.equation([(whole["names"][column], -1.0),
                                         *((p["names"][column], 1.0) for p in parts)])


def _margin_equations(attack: _Attack, rows: dict[str, list[dict]]) -> None:
    """Each grouping's groups add up to the state or to their area, each group's areas to
    its statewide row (spec.Margins)."""
    for margins in spec.MARGINS:
        table = spec.BY_NAME[margins.table]
        periods: dict[object, dict[tuple, dict]] = {}
        for item in rows.get(margins.table, []):
            row = item["row"]
            periods.setdefault(row[margins.period], {})[
                (row[margins.area], row[margins.grouping], row[margins.group])] = item
        for cells in periods.values():
            sums: dict[tuple, list[dict]] = {}
            for (area, grouping, group), item in cells.items():
                if grouping == margins.total:
                    continue
                if area == margins.statewide:
                    sums.setdefault((margins.statewide, margins.total, margins.total,
                                     grouping), []).append(item)
                else:
                    sums.setdefault((margins.statewide, margins.area_grouping, area,
                                     grouping), []).append(item)
                    sums.setdefault((margins.statewide, grouping, group, None),
                                    []).append(item)
            for (*whole, _), parts in sums.items():
                total = cells.get(tuple(whole))
                for column in table.counts:
                    if total and column in total["names"] and all(
                            column in p["names"] for p in parts):
                        attack.equation([(total["names"][column], -1.0),
                                         *((p["names"][column], 1.0) for p in parts)])


def _reference_rule(attack: _Attack, margins: spec.Margins, shown: pl.DataFrame) -> None:
    """A figure dividing by the statewide rate is never shown while that rate is hidden."""
    table = spec.BY_NAME[margins.table]
    rows = list(shown.iter_rows(named=True))
    hidden = {row[margins.period] for row in rows
              if row[margins.area] == margins.statewide and row[margins.grouping] == margins.total
              and _hidden(row, margins.reference)}
    for row in rows:
        if row[margins.period] not in hidden:
            continue
        for column in table.follows:
            if not _hidden(row, column):
                key = tuple(row[k] for k in table.keys)
                attack.findings.append(Finding(_cell(table.name, key, column),
                                               f"shown while the statewide {margins.reference} "
                                               "is hidden"))


def _running_equations(attack: _Attack, rows: dict[str, list[dict]]) -> None:
    """A running total's month = this row - the row before: an unknown count."""
    for table in spec.TABLES:
        if table.running is None or table.name not in rows:
            continue
        ordered = sorted(rows[table.name], key=lambda item: (
            tuple(item["row"][c] for c in table.running.group), item["row"][table.running.order]))
        before: dict[tuple, dict] = {}
        for item in ordered:
            group = tuple(item["row"][c] for c in table.running.group)
            previous = before.get(group)
            item["month"] = {}
            for column in table.counts:
                if column not in item["names"]:
                    continue
                true = item["row"][column] - (previous["row"][column] if previous else 0)
                month = attack.count(_cell(table.name, item["key"], f"{column} in the month"),
                                     true, None)
                terms = [(item["names"][column], -1.0), (month, 1.0)]
                if previous:
                    terms.append((previous["names"][column], 1.0))
                attack.equation(terms)
                item["month"][column] = month
            for rule in table.rates.values():
                month = item["month"]
                if rule.share is True and rule.numerator in month and rule.denominator in month:
                    true = (item["row"][rule.denominator] - item["row"][rule.numerator]) - (
                        (previous["row"][rule.denominator] - previous["row"][rule.numerator])
                        if previous else 0)
                    rest = attack.count(_cell(table.name, item["key"],
                                              f"{rule.denominator} not {rule.numerator} "
                                              "in the month"), true, None)
                    month["complement"] = rest
                    attack.equation([(month[rule.denominator], -1.0),
                                     (month[rule.numerator], 1.0), (rest, 1.0)])
            before[group] = item


def _link_equations(attack: _Attack, rows: dict[str, list[dict]]) -> None:
    measures = {item["key"]: item for item in rows.get(spec.MEASURES.name, [])}
    activity = {item["key"]: item for item in rows.get(spec.ACTIVITY.name, [])}
    ytd = rows.get(spec.MEASURES_YTD.name, [])
    last: dict[tuple, dict] = {}
    for item in ytd:
        group = (item["row"]["sfy"], item["row"]["measure_id"])
        if group not in last or item["row"]["service_month"] > last[group]["row"]["service_month"]:
            last[group] = item
    for group, item in last.items():
        year = measures.get(group)
        if year is None:
            continue
        for column in spec.MEASURES.counts:
            if column in year["names"] and column in item["names"]:
                attack.equation([(year["names"][column], -1.0), (item["names"][column], 1.0)])
    links = {link.measure_id: link for link in spec.MONTH_LINKS}
    for item in ytd:
        link = links.get(item["row"]["measure_id"])
        month = item.get("month", {})
        statewide = activity.get((spec.STATEWIDE, spec.STATEWIDE, item["row"]["service_month"]))
        if link is None or statewide is None:
            continue
        pairs = ((month.get("numerator"), link.numerator),
                 (month.get("denominator"), link.denominator),
                 (month.get("complement"), link.complement))
        for mine, theirs in pairs:
            if mine is not None and theirs and theirs in statewide["names"]:
                attack.equation([(mine, -1.0), (statewide["names"][theirs], 1.0)])
        if (month.get("denominator") is not None and link.denominator_within
                and link.denominator_within in statewide["names"]):
            whole = statewide["row"][link.denominator_within]
            true = whole - attack.truth[attack.position[month["denominator"]]]
            slack = attack.count(f"{month['denominator']} below {link.denominator_within}",
                                 true, None, protected=False)
            attack.equation([(statewide["names"][link.denominator_within], -1.0),
                             (month["denominator"], 1.0), (slack, 1.0)])
    for link in spec.SFY_LINKS:
        other = {item["key"]: item for item in rows.get(link.table, [])}
        for year in measures.values():
            if year["row"]["measure_id"] != link.measure_id:
                continue
            statewide = other.get((spec.STATEWIDE, spec.STATEWIDE, year["row"]["sfy"]))
            if statewide is None:
                continue
            for mine, theirs in (("numerator", link.numerator),
                                 ("denominator", link.denominator)):
                if mine in year["names"] and theirs in statewide["names"]:
                    attack.equation([(year["names"][mine], -1.0),
                                     (statewide["names"][theirs], 1.0)])


def _flow_equations(attack: _Attack, rows: dict[str, list[dict]]) -> None:
    flow = spec.SAMPLE_FLOW
    if flow.table not in rows:
        return
    steps = {(item["row"][flow.step], item["row"][flow.outcome]): item
             for item in rows[flow.table]}

    def step(order: int, outcome: str | None) -> str | None:
        item = steps.get((order, outcome))
        return item["names"].get(flow.count) if item else None

    def slack(whole: str, part: str) -> str:
        true = (attack.shown.get(whole, None) if whole in attack.shown
                else attack.truth[attack.position[whole]])
        part_true = (attack.shown[part] if part in attack.shown
                     else attack.truth[attack.position[part]])
        return attack.count(f"{whole} beyond {part}", true - part_true, None, protected=False)

    everyone, matched = step(flow.all_step, None), step(flow.matched_step, None)
    if everyone and matched:
        attack.equation([(everyone, -1.0), (matched, 1.0), (slack(everyone, matched), 1.0)])
    naive = {item["key"][0]: item for item in rows.get(flow.naive, [])}
    pairs = {item["key"][0]: item for item in rows.get(flow.matched, [])}
    for order, outcome in steps:
        if order != flow.observable_step:
            continue
        observable, not_yet = step(order, outcome), step(flow.not_yet_step, outcome)
        if matched and observable and not_yet:
            attack.equation([(matched, -1.0), (observable, 1.0), (not_yet, 1.0)])
        if observable and outcome in naive and "participant_n" in naive[outcome]["names"]:
            attack.equation([(observable, -1.0),
                             (naive[outcome]["names"]["participant_n"], 1.0)])
        if observable and outcome in pairs and "participant_n" in pairs[outcome]["names"]:
            part = pairs[outcome]["names"]["participant_n"]
            attack.equation([(observable, -1.0), (part, 1.0), (slack(observable, part), 1.0)])
    for item in pairs.values():
        names = item["names"]
        if "participant_n" in names and "comparison_n" in names:
            attack.equation([(names["participant_n"], -1.0), (names["comparison_n"], 1.0)])


def _reach_flow_equations(attack: _Attack, rows: dict[str, list[dict]]) -> None:
    """The study's participant episodes are the statewide reached removals of every period
    (spec.ReachFlow)."""
    link, margins, flow = spec.REACH_FLOW, spec.REACH_MARGINS, spec.SAMPLE_FLOW
    everyone = [item["names"].get(flow.count) for item in rows.get(flow.table, [])
                if item["row"][flow.step] == flow.all_step and item["row"][flow.outcome] is None]
    parts = [item["names"].get(link.count) for item in rows.get(link.reach, [])
             if item["row"][margins.area] == margins.statewide
             and item["row"][margins.grouping] == margins.total]
    if len(everyone) == 1 and everyone[0] and parts and None not in parts:
        attack.equation([(everyone[0], -1.0), *((part, 1.0) for part in parts)])


def _met_dependent_rule(attack: _Attack, dependent: spec.MetDependent, shown: pl.DataFrame,
                        measures: pl.DataFrame) -> None:
    hidden = measures.filter(pl.col("met" + spec.FLAG_SUFFIX))["sfy"].unique().to_list()
    exposed = shown.with_row_index("row").filter(pl.col("sfy").is_in(hidden) & dependent.rows)
    for row in exposed.iter_rows(named=True):
        for column in dependent.columns:
            if row[column] is not None:
                attack.findings.append(Finding(
                    f"{dependent.table}[row {row['row']}, {row['sfy']}].{column}",
                    "shown while a met flag of its SFY is hidden"))


def _components(count: int, equations: list[tuple[dict[int, float], float]]) -> list[list[int]]:
    pairs = []
    for coefs, _ in equations:
        first, *rest = coefs
        pairs += [(first, other) for other in rest]
    links = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return [group.tolist() for group in linked_groups(count, links[:, 0], links[:, 1])]


def _solve(attack: _Attack, report: AuditReport, solved: Solved | None = None) -> None:
    solved = Solved() if solved is None else solved
    small = np.asarray(attack.small, dtype=bool)
    report.small_cells = int(small.sum()) + sum(
        1 for f in attack.findings if f.reason == "a count of 1..10 is shown")
    by_unknown: dict[int, list[int]] = {}
    for e, (coefs, _) in enumerate(attack.equations):
        for i in coefs:
            by_unknown.setdefault(i, []).append(e)
    work, attacked, seen = [], [], set()
    for component in _components(len(attack.names), attack.equations):
        targets = [i for i in component if small[i]]
        if not targets:
            continue
        report.components += 1
        equations = sorted({e for i in component for e in by_unknown.get(i, [])})
        program = _Program(attack, component, equations, targets)
        digest = program.digest()
        # Solved now, or by an earlier publication or component (its programs counted once).
        new = not solved.holds(digest) and digest not in seen
        seen.add(digest)
        work.append((digest, lambda program=program: json.dumps(program.bounds()),
                     len(component)))
        attacked.append((targets, new))
    for (targets, new), solution in zip(attacked, solved.solutions(work), strict=True):
        found = json.loads(solution)
        if not new:
            report.components_reused += 1
        else:
            report.programs += found["programs"]
            report.integer_programs += found["integer_programs"]
        for t, (low, high) in zip(targets, found["bounds"], strict=True):
            name = attack.names[t]
            report.intervals[name] = (low, high)
            if high is not None and high < spec.SAFE_FROM - _EPS:
                report.findings.append(Finding(name, f"pinned below {spec.SAFE_FROM}",
                                               low, high))


class _Program:
    """One component: its equations over its unknowns (A x = rhs, x >= 0), and the
    positions of its small cells."""

    def __init__(self, attack: _Attack, unknowns: list[int], equations: list[int],
                 targets: list[int]) -> None:
        local = {u: j for j, u in enumerate(unknowns)}
        rows, cols, data = [], [], []
        self.rhs = np.zeros(len(equations))
        for i, e in enumerate(equations):
            coefs, constant = attack.equations[e]
            for u, coef in coefs.items():
                rows.append(i)
                cols.append(local[u])
                data.append(coef)
            self.rhs[i] = constant
        self.rows = np.asarray(rows, dtype=np.int64)
        self.cols = np.asarray(cols, dtype=np.int64)
        self.data = np.asarray(data, dtype=np.float64)
        self.n = len(unknowns)
        self.where = np.array([local[t] for t in targets], dtype=np.int64)

    def digest(self) -> str:
        return component_digest(AUDIT_CODE, self.n, self.where, self.rows, self.cols,
                                self.data, self.rhs)

    def bounds(self) -> dict:
        """Each small cell's (smallest, largest) value (None: unbounded), in the order of
        `where`, and how many programs were solved for them."""
        a = Entries(self.rows, self.cols, self.data, (len(self.rhs), self.n))
        rhs, n, where = self.rhs, self.n, self.where
        k = len(where)
        equations = len(rhs) > 0
        high: dict[int, float | None] = {}
        low: dict[int, float] = {}
        # A cell proven by a point with every unknown whole is safe for a reader who knows
        # counts are whole numbers too; one proven by a fractional point is checked again.
        whole: dict[int, bool] = {}
        counts = {"programs": 0, "integer_programs": 0}

        def integral(x: np.ndarray) -> bool:
            return bool(np.all(np.abs(x[:n] - np.round(x[:n])) <= _EPS))

        solver = Solver()

        def program(objective):
            counts["programs"] += 1
            return solver.minimize(objective, a_eq=a if equations else None,
                                   b_eq=rhs if equations else None)

        # Joint maximum: sum of min(x_t, SAFE_FROM) over the targets (t_t <= x_t).
        cap = Entries(np.r_[np.arange(k), np.arange(k)], np.r_[n + np.arange(k), where],
                      np.r_[np.ones(k), -np.ones(k)], (k, n + k))
        joint = solver.minimize(
            np.r_[np.zeros(n), -np.ones(k)], a_ub=cap, b_ub=np.zeros(k),
            a_eq=a.widened(k) if equations else None,
            b_eq=rhs if equations else None,
            upper=np.r_[np.full(n, np.inf), np.full(k, spec.SAFE_FROM)])
        counts["programs"] += 1
        if joint.status == 0:
            for t, j in enumerate(where):
                if joint.x[j] >= spec.SAFE_FROM - _EPS:
                    high[t] = float(joint.x[j])
                    whole[t] = integral(joint.x)
        joint_low = program(np.isin(np.arange(n), where).astype(float))
        if joint_low.status == 0:
            for t, j in enumerate(where):
                if joint_low.x[j] <= _EPS:
                    low[t] = 0.0
        for t, j in enumerate(where):
            objective = np.zeros(n)
            objective[j] = 1.0
            if t not in low:
                result = program(objective)
                low[t] = float(result.fun) if result.status == 0 else 0.0
            if t not in high:
                result = program(-objective)
                if result.status == 3:
                    high[t] = None
                elif result.status == 0:
                    high[t] = float(-result.fun)
                    whole[t] = integral(result.x)
                else:
                    high[t] = low[t]
            if (high[t] is not None and high[t] >= spec.SAFE_FROM - _EPS
                    and not whole.get(t, True)):
                counts["integer_programs"] += 1
                floor = np.zeros(n)
                floor[j] = spec.SAFE_FROM
                reached = milp(np.zeros(n), integrality=np.ones(n),
                               bounds=Bounds(floor, np.inf),
                               constraints=[LinearConstraint(a.csr(), rhs, rhs)] if equations
                               else None)
                if reached.status != 0:
                    high[t] = spec.SAFE_FROM - 1.0
        return {"bounds": [[low[t], high[t]] for t in range(k)], **counts}


def _true_value(attack: _Attack, name: str) -> float:
    return attack.shown[name] if name in attack.shown else attack.truth[attack.position[name]]


def _subgroup_equations(attack: _Attack, rows: dict[str, list[dict]]) -> None:
    """Per grouping and outcome, the groups' children, those with the outcome and those
    without sum to at most the naive comparison's (the rest is an unknown count of
    children); a figure across the groups is shown only where each of their estimates is."""
    groups = spec.SUBGROUPS
    if groups.table not in rows:
        return
    table = spec.BY_NAME[groups.table]
    complements = [f"{rule.denominator} not {rule.numerator}" for rule in table.rates.values()]
    wholes = {item["key"]: item for item in rows.get(groups.whole, [])}
    partitions: dict[tuple, list[dict]] = {}
    for item in rows[groups.table]:
        partitions.setdefault(tuple(item["row"][c] for c in groups.partition), []).append(item)

    def name(table_name: str, item: dict, column: str) -> str | None:
        if column in item["names"]:
            return item["names"][column]
        complement = _cell(table_name, item["key"], column)
        return complement if attack.known(complement) else None

    for partition, items in partitions.items():
        seen = [{c.removeprefix("shown:"): v for c, v in item["row"].items()
                 if c.startswith("shown:")} for item in items]
        tested = [i for i, item in enumerate(items) if item["row"][groups.across] is not None]
        if any(_hidden(seen[i], groups.across_follows) for i in tested):
            for i, item in enumerate(items):
                if not _hidden(seen[i], groups.across):
                    attack.findings.append(Finding(
                        _cell(groups.table, item["key"], groups.across),
                        f"shown while a {groups.across_follows} it was computed from is hidden"))
        whole = wholes.get((partition[groups.partition.index(groups.outcome)],))
        if whole is None:
            continue
        for column in (*table.counts, *table.derived, *complements):
            total = name(groups.whole, whole, column)
            if total is None:
                continue
            parts = [part for item in items if (part := name(groups.table, item, column))]
            rest = attack.count(
                f"{groups.table}[{', '.join(map(str, partition))}].{column} not in a group",
                _true_value(attack, total) - sum(_true_value(attack, p) for p in parts), None)
            attack.equation([(total, -1.0), *((p, 1.0) for p in parts), (rest, 1.0)])
