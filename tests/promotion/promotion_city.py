"""The promotion tests' city (fixtures the test modules import): users of every role, two departments' trips and leads."""

import datetime as dt
from decimal import Decimal

import pytest

from tracker.core.db import db
from tracker.promotion.pipeline import move_lead, save_lead, save_trip

TODAY = dt.date(2026, 12, 3)
FGW, ZJJ = "市发展改革委", "市住建局"


def lead_values(**values):
    return {
        "enterprise": "上海新材料有限公司",
        "name": "新材料产业园项目",
        "industry_chain": "化工产业链",
        "department": FGW,
        "county": "东城区",
        "planned_investment": Decimal("12000.50"),
        "contact": "张经理",
        "note": "年产 5 万吨新材料",
        "trip": None,
        **values,
    }


def trip_values(**values):
    return {
        "trip_date": dt.date(2026, 10, 12),
        "industry_chain": "化工产业链",
        "destination": "上海",
        "members": "市发展改革委 张三、李四",
        "department": FGW,
        "note": "",
        **values,
    }


@pytest.fixture(name="people")
def people_fixture(app, make_user):
    """One user per role; two department users of different departments."""
    return {
        "office": make_user("office", "office"),
        "leader": make_user("leader", "leader"),
        "inspector": make_user("inspector", "inspector"),
        "department": make_user("fgw", "department", department=FGW),
        "other": make_user("zjj", "department", department=ZJJ),
        "owner": make_user("owner", "owner"),
        "county": make_user("county", "county"),
    }


@pytest.fixture(name="leads")
def leads_fixture(people):
    """A trip of 市发展改革委 with a lead signed on 2026-11-20, and a lead of 市住建局 just contacted."""
    office = people["office"]
    with db.connection_context():
        trip = save_trip(trip_values(), office)
        signed = save_lead(lead_values(trip=trip), office, dt.date(2026, 10, 12))
        for stage, day in (("intention", dt.date(2026, 11, 2)), ("signed", dt.date(2026, 11, 20))):
            move_lead(signed, stage, day, office, TODAY)
        other = save_lead(
            lead_values(enterprise="深圳物流有限公司", name="冷链物流中心", department=ZJJ),
            office,
            dt.date(2026, 11, 5),
        )
    return {"trip": trip, "signed": signed, "other": other}
