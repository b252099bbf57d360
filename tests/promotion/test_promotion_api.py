"""GET /api/v1/promotion: a period's counts and amounts, as numbers like the rest of the API; the leads."""

import datetime as dt
from decimal import Decimal

import pytest
from promotion_city import TODAY, leads_fixture, people_fixture  # noqa: F401 (fixtures)

from tracker.core.db import db
from tracker.promotion.pipeline import move_lead, record_funds, record_visit


def test_a_periods_counts_and_amounts(call, token_for, people, leads):
    with db.connection_context():
        record_visit(leads["signed"], dt.date(2026, 11, 3), "", people["office"], TODAY)
        record_funds(leads["signed"], dt.date(2026, 11, 25), Decimal("3000.25"), people["office"], TODAY)
        move_lead(leads["signed"], "landed", dt.date(2026, 12, 1), people["office"], TODAY)
    body = call(token_for(people["leader"]), "GET", "/promotion?period=2026-Q4").get_json()
    assert body == {
        "period": "2026-Q4",
        "first": "2026-10-01",
        "last": "2026-12-31",
        "batches": 1,
        "enterprises_contacted": 2,
        "visits": 1,
        "intentions": 1,
        "signed": 1,
        "landed": 1,
        "signed_investment": 12000.5,
        "landed_investment": 12000.5,
        "funds_in_place": 3000.25,
        "funds_last_year": 0,
        "funds_target": 0,
        "funds_percent": None,
    }
    november = call(token_for(people["office"]), "GET", "/promotion?period=2026-11").get_json()
    assert (november["landed"], november["signed"], november["visits"]) == (0, 1, 1)


@pytest.mark.parametrize("period", ["2026-Q5", "Q4", "2026-H3", "0000", "2026-W47"])
def test_a_bad_period_is_a_400_in_json_naming_the_field(call, token_for, people, period):
    response = call(token_for(people["office"]), "GET", f"/promotion?period={period}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "period" and "2026-H1" in error["message"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("office", 200), ("leader", 200), ("inspector", 200), ("department", 200), ("owner", 403), ("county", 403)],
)
@pytest.mark.parametrize("path", ["/promotion?period=2026", "/promotion/leads"])
def test_owners_and_counties_do_not_read_the_pipeline(call, token_for, people, role, status, path):
    assert call(token_for(people[role]), "GET", path).status_code == status


def test_the_leads_list_filters_by_stage_and_department(call, token_for, people, leads):
    token = token_for(people["inspector"])
    signed = call(token, "GET", "/promotion/leads?stage=signed").get_json()
    assert signed["total"] == 1
    [lead] = signed["items"]
    assert (lead["name"], lead["stage"], lead["planned_investment"], lead["project"]) == (
        "新材料产业园项目",
        "signed",
        12000.5,
        None,
    )
    other = call(token, "GET", "/promotion/leads?department=市住建局").get_json()["items"]
    assert [lead["enterprise"] for lead in other] == ["深圳物流有限公司"]
    assert call(token, "GET", "/promotion/leads?stage=nowhere").status_code == 400
