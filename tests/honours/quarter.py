"""A quarter built to fire each rule of the 红旗 and 蜗牛 lists exactly where intended.

2026-Q3 closes with week 2026-W40 (Monday 28 September, Sunday 4 October). Its snapshot reads the plan
to date on 4 October: 277/365 of the annual plan = 75.890…%. With an annual plan of 10,000 万元, a
project that completed 7,689.04 万元 is 1.0 point ahead (76.8904 − 75.8904), 7,699.04 is 1.1 ahead.
"""

import datetime as dt
from decimal import Decimal

import pytest
from reporting import file

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.cycles.snapshots import take_snapshot
from tracker.problems.ledger import raise_problem
from tracker.projects.models import Milestone

QUARTER = "2026-Q3"
WEEKS = ("2026-W39", "2026-W40")
LAST_DAY = dt.date(2026, 9, 30)
PLAN = Decimal("10000.00")
FAR = dt.date(2027, 6, 1)  # a start deadline whose milestones all fall after the quarter


@pytest.fixture(name="quarter_city")
def quarter_city_fixture(conn, config, make_project, make_user):
    """Projects each built to meet one case; both weeks of the quarter closed.

    AHEAD-2 / AHEAD-1: 2.0 and 1.1 points ahead, everything on time: red flags.
    EDGE: exactly 1.0 point ahead: a red flag only while the threshold is below 1.0.
    TIE-A / TIE-B: the same figures, 0.5 behind: snails tied, broken by code.
    SLOW: 20.9 points behind and a week missing; LATE-MS: a milestone of the quarter missed, ahead of plan;
    OVERDUE: ahead of plan, but a ledger problem overdue at the quarter's end;
    OLD-MS: ahead of plan, but a milestone planned before the quarter still not reached (no demerit: not of the quarter).
    """
    for role in ("office", "inspector", "leader"):
        make_user(role, role)
    make_user("dept", "department", department="市交通局")
    made = {}

    def project(code, completed, county="东城区", department="市发展改革委", weeks=WEEKS):
        p = make_project(
            code=code,
            name=f"项目{code}",
            county=county,
            lead_department=department,
            annual_plan_investment=PLAN,
            start_deadline=FAR,
        )
        for week in weeks:
            file(config, p, week, status="started", investment_completed=Decimal(completed))
        made[code] = p
        return p

    project("AHEAD-2", "7789.04")
    project("AHEAD-1", "7699.04", county="西城区", department="市交通局")
    project("EDGE", "7689.04")
    project("TIE-A", "7539.04", department="市交通局")
    project("TIE-B", "7539.04", department="市交通局")
    project("SLOW", "5499.04", county="西城区", weeks=WEEKS[1:])
    late = project("LATE-MS", "7789.04", county="西城区")
    Milestone.update(planned_on=dt.date(2026, 9, 10), actual_on=dt.date(2026, 9, 20)).where(
        (Milestone.project == late) & (Milestone.kind == "approval")
    ).execute()
    old = project("OLD-MS", "7789.04")
    Milestone.update(planned_on=dt.date(2026, 6, 1)).where(
        (Milestone.project == old) & (Milestone.kind == "main_works")
    ).execute()
    overdue = project("OVERDUE", "7789.04")
    office = User.get(username="office")
    raise_problem(
        overdue,
        "征地补偿未落实",
        "市自然资源局",
        dt.date(2026, 9, 1),
        office,
        source="office",
        now=dt.datetime(2026, 8, 1, 9),
    )
    for week in WEEKS:
        take_snapshot(week, config["warnings"])
    db.close()
    db.connect(reuse_if_open=True)
    return made
