"""A period's promotion figures, for the city and per department, counted in SQL from the dated events.

The counts: trips (批次), enterprises contacted, visits received, and the leads that reached
intention, signed and landed in the period; the amounts: the planned investment of the leads
signed and landed in the period, and the funds in place (到位资金) that arrived in it, against
a target of ``[promotion] funds_growth_target`` per cent more than the same period a year before."""

from decimal import Decimal

from peewee import fn

from tracker.core.money import CENT, money_sum, percent, to_money
from tracker.promotion.models import FundsArrival, Lead, StageEvent, Trip, Visit
from tracker.promotion.periods import period_days, year_before

COUNTS = ("batches", "enterprises_contacted", "visits", "intentions", "signed", "landed")
AMOUNTS = ("signed_investment", "landed_investment", "funds_in_place")
LABELS = {
    "batches": "外出招商批次",
    "enterprises_contacted": "对接企业",
    "visits": "来考察企业",
    "intentions": "达成意向",
    "signed": "签约项目",
    "landed": "落地项目",
    "signed_investment": "签约投资（万元）",
    "landed_investment": "落地投资（万元）",
    "funds_in_place": "到位资金（万元）",
    "funds_last_year": "上年同期到位资金（万元）",
    "funds_target": "到位资金目标（万元）",
    "funds_percent": "目标完成（%）",
}
# The stage events each count counts.
STAGE_COUNTS = {"enterprises_contacted": "contacted", "intentions": "intention", "signed": "signed", "landed": "landed"}


def _grouped(query, department, value, by_department):
    """{department or None: value} of ``query``, grouped by department when asked."""
    if by_department:
        return dict(query.select(department, value).group_by(department).tuples())
    return {None: query.select(value).scalar()}


def _measures(first, last, by_department):
    """{measure: {department or None: value}} for the days first..last: one grouped query per measure."""
    measures = {
        "batches": _grouped(
            Trip.select().where(Trip.trip_date.between(first, last)), Trip.department, fn.COUNT(Trip.id), by_department
        ),
        "visits": _grouped(
            Visit.select().join(Lead).where(Visit.visited_on.between(first, last)),
            Lead.department,
            fn.COUNT(Visit.id),
            by_department,
        ),
        "funds_in_place": _grouped(
            FundsArrival.select().join(Lead).where(FundsArrival.arrived_on.between(first, last)),
            Lead.department,
            money_sum(FundsArrival.amount),
            by_department,
        ),
    }
    for name, stage in STAGE_COUNTS.items():
        events = (
            StageEvent.select()
            .join(Lead)
            .where((StageEvent.stage == stage) & StageEvent.reached_on.between(first, last))
        )
        measures[name] = _grouped(events, Lead.department, fn.COUNT(StageEvent.id), by_department)
        if stage in ("signed", "landed"):
            measures[f"{stage}_investment"] = _grouped(
                events, Lead.department, money_sum(Lead.planned_investment), by_department
            )
    return measures


def _row(measures, key, last_year, target):
    row = {name: measures[name].get(key) or 0 for name in COUNTS}
    row.update({name: to_money(measures[name].get(key) or 0) for name in AMOUNTS})
    before = to_money((last_year or {}).get(key) or 0)
    row["funds_last_year"] = before
    row["funds_target"] = (before * (100 + Decimal(str(target))) / 100).quantize(CENT)
    row["funds_percent"] = percent(row["funds_in_place"], row["funds_target"]) if row["funds_target"] else None
    row["funds_on_target"] = row["funds_in_place"] >= row["funds_target"]
    return row


def _last_year_funds(label, by_department):
    before = year_before(label)
    if before is None:
        return {}
    first, last = period_days(before)
    return _measures(first, last, by_department)["funds_in_place"]


def period_figures(label, target):
    """The city's figures for the period ``label`` (period_days), funds against ``target`` per cent growth."""
    first, last = period_days(label)
    return {
        "period": label,
        "first": first,
        "last": last,
        **_row(_measures(first, last, False), None, _last_year_funds(label, False), target),
    }


def department_figures(label, target):
    """Each department's figures for the period, the most landed investment first (季考核通报's ranking)."""
    first, last = period_days(label)
    measures = _measures(first, last, True)
    last_year = _last_year_funds(label, True)
    departments = {key for values in (*measures.values(), last_year) for key in values if key}
    rows = [{"department": name, **_row(measures, name, last_year, target)} for name in departments]
    rows.sort(
        key=lambda r: (
            -r["landed_investment"],
            -r["signed_investment"],
            -r["funds_in_place"],
            -r["landed"],
            -r["signed"],
            -r["intentions"],
            -r["batches"],
            r["department"],
        )
    )
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def signed_not_landed(day):
    """The leads signed by ``day`` and not landed by then, by department then name: 签约未落地 to follow up."""
    landed = StageEvent.select(StageEvent.lead).where((StageEvent.stage == "landed") & (StageEvent.reached_on <= day))
    return (
        Lead.select(Lead, StageEvent.reached_on.alias("signed_on"))
        .join(StageEvent)
        .where((StageEvent.stage == "signed") & (StageEvent.reached_on <= day) & Lead.id.not_in(landed))
        .order_by(Lead.department, StageEvent.reached_on, Lead.id)
        .objects()
    )


def monthly_follow_up(month, target):
    """月跟进调度: the month's figures and the leads signed but not landed by its last day, by department."""
    city = period_figures(month, target)
    return {"figures": city, "signed_not_landed": list(signed_not_landed(city["last"]))}
