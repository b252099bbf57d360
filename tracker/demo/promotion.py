"""The demo city's investment promotion (招商引资), as the seed report gives this quarter:
外出招商35批次，对接企业341家，邀请56家企业来考察，与30家企业初步达成合作意向 — and 52 enterprises
in deep contact, some leads signed and landed (one of them the demo's key project it became),
and the same quarter a year before, so that the target of funds in place (+15 %) has a base."""

import datetime as dt
import random

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.projects.models import Project
from tracker.promotion.models import FundsArrival, Lead, StageEvent, Trip, Visit
from tracker.promotion.periods import period_days, quarter_of, year_before

# This quarter's figures (the seed's) and the same quarter's a year before; amounts in 万元.
THIS_QUARTER = {"batches": 35, "contacted": 341, "deep_contact": 52, "visits": 56, "intentions": 30}
YEAR_BEFORE = {"batches": 28, "contacted": 290, "deep_contact": 40, "visits": 41, "intentions": 24}
# Older leads signed this quarter (planned investment each), and how many of them landed too.
SIGNED = (38000, 26500, 15000, 12000, 8800, 6200)
LANDED = 2
FUNDS_THIS_QUARTER = (9000, 4200, 1320)  # 14,520 万元: above 12,000 × 1.15
FUNDS_YEAR_BEFORE = (7500, 4500)  # 12,000 万元

# Which department goes out for which chain (the development commission for every chain, some of the time).
CHAIN_DEPARTMENTS = {
    "化工产业链": "市工信局",
    "绿色农业产业链": "市农业农村局",
    "商贸物流产业链": "市商务局",
    "文旅产业链": "市文旅局",
}
DESTINATIONS = ("上海", "深圳", "杭州", "成都", "西安", "北京", "苏州", "广州", "兰州", "天津")
BRANDS = ("华信", "恒达", "远景", "中联", "金桥", "瑞丰", "海川", "新元", "汇通", "长盛")
TRADES = ("新材料", "精细化工", "冷链物流", "果蔬加工", "文旅运营", "康养", "商贸", "仓储")
COUNTIES = ("东城区", "西城区", "南湖县", "北山县", "河口县", "高新区")


def write_promotion(today, seed=2026):
    """Trips, leads, visits and stages of this quarter and of the same quarter a year before; returns nothing."""
    rng = random.Random(seed)
    office = User.get(username="office")
    this_first, _ = period_days(quarter_of(today))
    before_first, before_last = period_days(year_before(quarter_of(today)))
    with db.atomic():
        # A year before first: the list shows the newest leads first.
        _quarter(rng, office, YEAR_BEFORE, before_first, before_last)
        _quarter(rng, office, THIS_QUARTER, this_first, today)
        signed = _signed(rng, office, before_first, before_last, this_first, today)
        for amounts, first, last in (
            (FUNDS_THIS_QUARTER, this_first, today),
            (FUNDS_YEAR_BEFORE, before_first, before_last),
        ):
            for lead, amount in zip(signed, amounts, strict=False):
                FundsArrival.create(lead=lead, arrived_on=_day(rng, first, last), amount=amount, recorded_by=office)


def _day(rng, first, last):
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _quarter(rng, office, counts, first, last):
    """One quarter's trips, each with its share of the enterprises contacted; some leads further along."""
    chains = list(CHAIN_DEPARTMENTS)
    trips = []
    for n in range(counts["batches"]):
        chain = chains[n % len(chains)]
        department = "市发展改革委" if n % 5 == 4 else CHAIN_DEPARTMENTS[chain]
        trips.append(
            Trip.create(
                trip_date=_day(rng, first, last),
                industry_chain=chain,
                destination=rng.choice(DESTINATIONS),
                members=f"{department}招商小组{n % 3 + 2}人",
                department=department,
                created_by=office,
            )
        )
    leads = []
    for n in range(counts["contacted"]):
        trip = trips[n % len(trips)]
        trade = rng.choice(TRADES)
        lead = Lead.create(
            enterprise=f"{rng.choice(DESTINATIONS)}{rng.choice(BRANDS)}{trade}有限公司",
            name=f"{trade}项目（{trip.destination}）",
            industry_chain=trip.industry_chain,
            department=trip.department,
            county=rng.choice(COUNTIES),
            planned_investment=rng.randrange(500, 30000, 100),
            trip=trip,
            created_by=office,
        )
        StageEvent.create(lead=lead, stage="contacted", reached_on=trip.trip_date, recorded_by=office)
        leads.append(lead)
    for lead in leads[: counts["visits"]]:
        Visit.create(lead=lead, visited_on=_day(rng, lead.trip.trip_date, last), recorded_by=office)
    for n, lead in enumerate(leads[: counts["deep_contact"]]):
        stages = ("deep_contact", "intention") if n < counts["intentions"] else ("deep_contact",)
        reached = lead.trip.trip_date
        for stage in stages:
            reached = _day(rng, reached, last)
            StageEvent.create(lead=lead, stage=stage, reached_on=reached, recorded_by=office)
        lead.stage = stages[-1]
        lead.save(only=[Lead.stage])


def _signed(rng, office, before_first, before_last, first, last):
    """Leads first met a year before, signed this quarter; the first LANDED landed too, the first one on the list."""
    leads = []
    for n, amount in enumerate(SIGNED):
        chain = list(CHAIN_DEPARTMENTS)[n % len(CHAIN_DEPARTMENTS)]
        lead = Lead.create(
            enterprise=f"{DESTINATIONS[n]}{TRADES[n]}集团有限公司",
            name=f"{TRADES[n]}产业园项目",
            industry_chain=chain,
            department=CHAIN_DEPARTMENTS[chain],
            county=COUNTIES[n],
            planned_investment=amount,
            contact=f"联系人{n + 1}",
            created_by=office,
        )
        met = _day(rng, before_first, before_last)
        signed = _day(rng, first, last)
        days = {"contacted": met, "deep_contact": met, "intention": before_last, "signed": signed}
        if n < LANDED:
            days["landed"] = _day(rng, signed, last)
        for stage, day in days.items():
            StageEvent.create(lead=lead, stage=stage, reached_on=day, recorded_by=office)
        lead.stage = list(days)[-1]
        if n == 0:
            _link(lead)
        lead.save()
        leads.append(lead)
    return leads


def _link(lead):
    """The first landed lead is the demo key project it became: the lead as that project was created from it."""
    project = Project.select().where(Project.industry_chain == lead.industry_chain).order_by(Project.code).first()
    lead.project, lead.name, lead.county = project, project.name, project.county
    lead.enterprise, lead.planned_investment = project.project_unit, project.total_investment
