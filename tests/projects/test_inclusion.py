"""入库纳统: the light after N months under way above the threshold, the city's 入库率, the project's JSON,
the form and the import."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook
from pages import post, project_form
from sheets import xlsx

from tracker.core.db import db
from tracker.projects.inclusion import months_before
from tracker.projects.lights import light_thresholds, warning_rule
from tracker.projects.models import Project
from tracker.projects.sheet_reading import read_project_list

STARTED = dt.date(2026, 3, 15)


def light_of(project, day, config):
    rule = warning_rule(day, light_thresholds(config)).alias("rule")
    return Project.select(rule).where(Project.id == project.id).scalar()


@pytest.fixture
def under_way(conn, make_project):
    """A project started on STARTED, not included; no annual plan, so no other rule can light it."""

    def make(total=Decimal("600"), **values):
        project = make_project(total_investment=total, annual_plan_investment=None, **values)
        Project.update(status="started", started_on=STARTED).where(Project.id == project.id).execute()
        return Project.get_by_id(project.id)

    return make


def test_the_light_turns_yellow_at_exactly_one_month_and_red_at_two(config, under_way):
    project = under_way()
    assert light_of(project, dt.date(2026, 4, 14), config) is None
    assert light_of(project, dt.date(2026, 4, 15), config) == "not_included"
    assert light_of(project, dt.date(2026, 5, 14), config) == "not_included"
    assert light_of(project, dt.date(2026, 5, 15), config) == "not_included_long"


def test_the_months_come_from_the_config(config, under_way):
    config["statistics_inclusion"].update(yellow_months=3, red_months=5)
    project = under_way()
    assert light_of(project, dt.date(2026, 6, 14), config) is None
    assert light_of(project, dt.date(2026, 6, 15), config) == "not_included"


def test_the_threshold_amount_is_the_boundary(config, under_way):
    at, below = under_way(Decimal("500")), under_way(Decimal("499.99"))
    day = dt.date(2026, 6, 1)
    assert (light_of(at, day, config), light_of(below, day, config)) == ("not_included_long", None)


def test_an_included_project_has_no_light_and_a_month_end_is_clamped(config, under_way):
    project = under_way()
    Project.update(statistics_included=True).where(Project.id == project.id).execute()
    assert light_of(project, dt.date(2026, 9, 1), config) is None
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)


def test_the_rate_and_the_project_json_in_the_api(app, conn, call, token_for, make_user, under_way):
    included = under_way(code="IN-1")
    Project.update(statistics_included=True, statistics_included_on=dt.date(2026, 4, 1)).where(
        Project.id == included.id
    ).execute()
    under_way(code="OUT-1", statistics_reason="统计报表未报送")
    under_way(code="OUT-2")
    under_way(Decimal("499.99"), code="SMALL")  # below the threshold: not counted at all
    token = token_for(make_user("boss", "office"))
    rate = call(token, "GET", "/stats").get_json()["statistics_inclusion"]
    assert rate == {"numerator": 1, "denominator": 3, "percent": 33.3}
    assert rate["percent"] == round(100 * rate["numerator"] / rate["denominator"], 1)
    body = call(token, "GET", "/projects/IN-1").get_json()
    assert body["statistics_inclusion"] == {"included": True, "date": "2026-04-01", "reason": ""}
    body = call(token, "GET", "/projects/OUT-1").get_json()
    assert body["statistics_inclusion"] == {"included": False, "date": None, "reason": "统计报表未报送"}


def test_the_api_creates_and_changes_inclusion_and_refuses_a_date_without_it(app, conn, call, token_for, make_user):
    token = token_for(make_user("boss", "office"))
    new = {"code": "API-1", "name": "入库测试", "total_investment": 800}
    created = call(
        token, "POST", "/projects", json={**new, "statistics_inclusion": {"included": False, "reason": "资料整理中"}}
    )
    assert created.status_code == 201
    assert created.get_json()["statistics_inclusion"] == {"included": False, "date": None, "reason": "资料整理中"}
    changed = call(
        token, "PATCH", "/projects/API-1", json={"statistics_inclusion": {"included": True, "date": "2026-05-06"}}
    )
    assert changed.get_json()["statistics_inclusion"] == {"included": True, "date": "2026-05-06", "reason": ""}
    refused = call(
        token, "PATCH", "/projects/API-1", json={"statistics_inclusion": {"included": False, "date": "2026-05-06"}}
    )
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "statistics_included_on"


def test_the_office_sets_inclusion_on_the_project_form(app, office_session, official):
    form = project_form(statistics_included="y", statistics_included_on="2026-04-20")
    assert post(office_session, "/projects/new", form).status_code == 302
    with db.connection_context():
        project = Project.get(Project.code == "XM-NEW")
    assert (project.statistics_included, project.statistics_included_on) == (True, dt.date(2026, 4, 20))
    page = office_session.get("/projects/XM-NEW").get_data(as_text=True)
    assert 'data-included="yes"' in page and "2026-04-20" in page


def test_the_import_reads_inclusion_columns():
    book = Workbook()
    sheet = book.active
    sheet.append(["项目名称", "总投资（万元）", "是否入库", "入库时间", "未入库原因"])
    sheet.append(["甲项目", 1000, "是", "2026年4月8日", None])
    sheet.append(["乙项目", 2000, "否", None, "项目单位未提交统计报表"])
    sheet.append(["丙项目", 3000, None, "2026-05-01", None])  # a date says it is included
    rows = {row.values["name"]: row.values for row in read_project_list(xlsx(book)).rows}
    assert (rows["甲项目"]["statistics_included"], rows["甲项目"]["statistics_included_on"]) == (
        True,
        dt.date(2026, 4, 8),
    )
    assert (rows["乙项目"]["statistics_included"], rows["乙项目"]["statistics_reason"]) == (
        False,
        "项目单位未提交统计报表",
    )
    assert rows["丙项目"]["statistics_included"] is True


def test_the_api_refuses_a_null_inclusion_with_a_message(app, conn, call, token_for, make_user):
    token = token_for(make_user("boss", "office"))
    body = {"code": "API-2", "name": "入库测试", "total_investment": 800, "statistics_inclusion": None}
    refused = call(token, "POST", "/projects", json=body)
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "statistics_inclusion"
