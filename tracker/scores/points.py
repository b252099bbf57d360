"""加减分: the points of departments and counties for a quarter, each point traceable to what earned it.

The score model is the config's [scores]: points per item (negative for demerits). The items of a quarter:

- a 红旗 / 蜗牛 project on the quarter's published list (entries taken off it do not count), for its
  lead department and its county as the list states them;
- a ledger problem overdue on the quarter's last day, for the department it is assigned to and the
  project's county;
- a supervision order unreplied past its deadline on that day, for its department and the project's county;
- a weekly report missing in one of the quarter's closed weeks, for the project's lead department and
  county at that week's snapshot;
- a monthly consultation's decision not carried out by its due date on that day, for its owning
  department (the project's lead department when a person owns it) and the project's county.

Late reports (迟报) join as their own item when reports carry a ``late`` flag; until then a report
counts only when it is missing. "The quarter's last day" is, for a quarter still running, the last day of
its closing week (rules.Quarter.as_of). Every item is a row of one UNION ALL query; the scores are that
query grouped by unit (GROUP BY, SUM), the breakdown is the same rows listed, so the points of a
breakdown always add up to its score."""

import functools
import operator
from decimal import Decimal

from peewee import JOIN, SQL, Case, Cast, Value, fn

from tracker.cycles.consultations import AgendaItem, Decision, overdue_decisions_as_of
from tracker.cycles.snapshots import ProjectSnapshot
from tracker.honours.models import HonourEntry, HonourList
from tracker.honours.rules import quarter_of
from tracker.problems.models import Problem, overdue_as_of
from tracker.projects.models import Project
from tracker.supervision.models import SupervisionOrder, overdue_orders_as_of

UNIT_KINDS = {"department": "部门", "county": "县区"}


# item: what a breakdown row says it is
ITEMS = {
    "red_flag": "红旗项目",
    "snail": "蜗牛项目",
    "problem_overdue": "问题逾期未解决",
    "order_overdue": "督办逾期未回复",
    "report_missing": "缺报周报",
    "decision_overdue": "会商决定逾期未落实",
}


CENT = Decimal("0.01")


def quarter_scores(quarter, config):
    """Every department and county of ``quarter`` with its score and breakdown, best first within each kind.

    [{"kind": "department" | "county", "name", "score", "breakdown": [{"reason", "points", "ref"}]}];
    a unit of the quarter's closing snapshot without any item scores 0 with an empty breakdown.
    """
    period = quarter_of(quarter)
    items = _items(period, config["scores"], config["lagging"]["overdue_days"])
    kind, name, reason, ref, points = (SQL(f'"{column}"') for column in ("kind", "name", "reason", "ref", "points"))
    totals = items.select_from(kind, name, fn.SUM(points)).group_by(kind, name).tuples()
    units = {(k, n): {"kind": k, "name": n, "score": _cents(total), "breakdown": []} for k, n, total in totals}
    rows = items.select_from(kind, name, reason, ref, points).where(reason.is_null(False))
    for k, n, why, what, value in rows.order_by(kind, name, points, reason, ref).tuples():
        units[(k, n)]["breakdown"].append({"reason": why, "points": _cents(value), "ref": what})
    return sorted(units.values(), key=lambda u: (u["kind"] != "department", -u["score"], u["name"]))


def _cents(value):
    return Decimal(str(value or 0)).quantize(CENT)


def _items(period, points, overdue_days):
    """The UNION ALL of every scored item: (kind, name, reason, ref, points), both kinds of unit."""
    parts = [*_units(period)]
    if period.week is not None:
        parts += _reports_missing(period, points["report_missing"])
    parts += _honours(period, points)
    parts += _problems(period, points["problem_overdue"], overdue_days)
    parts += _orders(period, points["order_overdue"], overdue_days)
    parts += _decisions(period, points["decision_overdue"])
    return functools.reduce(operator.add, parts)


def _row(query, kind, name, reason, ref, value):
    """One part of the union: ``query`` selecting the five columns, units without a name left out."""
    return query.select(
        Value(kind).alias("kind"),
        name.alias("name"),
        reason.alias("reason"),
        ref.alias("ref"),
        _number(value).alias("points"),
    ).where(name.is_null(False) & (name != ""))


def _number(value):
    # A literal of the config's points, typed so that both databases add them as numbers.
    return value if not isinstance(value, int | float) else Cast(Value(str(Decimal(str(value)))), "NUMERIC(10,2)")


def _both(query, department, county, reason, ref, value):
    return [
        _row(query, "department", department, reason, ref, value),
        _row(query, "county", county, reason, ref, value),
    ]


def _text(*parts):
    """SQL text joined from columns and literals (||, numbers cast to text)."""
    terms = [part if isinstance(part, str) else Cast(part, "TEXT") for part in parts]
    return functools.reduce(lambda a, b: (Value(a) if isinstance(a, str) else a).concat(b), terms)


def _units(period):
    """Every department and county of the closing snapshot, at zero: a unit without items is ranked too."""
    if period.week is None:
        return []
    s = ProjectSnapshot
    none = Value(None)
    return [
        _row(s.select().where(s.week == period.week).group_by(column), kind, column, none, none, Value(0))
        for kind, column in (("department", s.lead_department), ("county", s.county))
    ]


def _reports_missing(period, value):
    s = ProjectSnapshot
    query = (
        s.select()
        .join(Project, on=(s.project == Project.id))
        .where(s.week.between(period.first_week, period.week) & (s.reported == False))  # noqa: E712
    )
    return _both(
        query, s.lead_department, s.county, Value(ITEMS["report_missing"]), _text(Project.code, " ", s.week), value
    )


def _honours(period, points):
    e = HonourEntry
    query = (
        e.select()
        .join(HonourList)
        .where((HonourList.quarter == period.quarter) & (HonourList.state == "published") & (e.removed == False))  # noqa: E712
    )
    reason = Case(e.kind, [(kind, ITEMS[kind]) for kind in ("red_flag", "snail")])
    value = Case(e.kind, [(kind, _number(points[kind])) for kind in ("red_flag", "snail")])
    return _both(query, e.lead_department, e.county, reason, _text(e.code, " ", e.name), value)


def _problems(period, value, overdue_days):
    query = overdue_as_of(period.as_of, overdue_days).switch(Problem).join(Project)
    ref = _text("问题#", Problem.id, "（", Project.code, "）")
    return _both(query, Problem.department, Project.county, Value(ITEMS["problem_overdue"]), ref, value)


def _orders(period, value, overdue_days):
    o = SupervisionOrder
    query = overdue_orders_as_of(period.as_of, overdue_days)
    ref = _text("督办〔", o.year, "〕", o.seq, "号（", Project.code, "）")
    return _both(query, o.department, Project.county, Value(ITEMS["order_overdue"]), ref, value)


def _decisions(period, value):
    d = Decision
    query = overdue_decisions_as_of(period.as_of).join(Project, JOIN.LEFT_OUTER, on=(AgendaItem.project == Project.id))
    department = Case(None, [(d.department != "", d.department)], Project.lead_department)
    ref = _text("决定#", d.id, "（", fn.COALESCE(Project.code, "—"), "）")
    return _both(query, department, Project.county, Value(ITEMS["decision_overdue"]), ref, value)
