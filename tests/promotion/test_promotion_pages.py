"""The promotion pages: who reads and who records, a lead's page and its move to a key project, the assessment
and its workbooks."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from conftest import csrf_token
from promotion_city import FGW, TODAY, ZJJ, leads_fixture, people_fixture  # noqa: F401 (fixtures)

from tracker.core.db import db
from tracker.projects.models import Project
from tracker.promotion.models import Lead, StageEvent, Trip
from tracker.promotion.pipeline import move_lead, record_funds

READ_PAGES = ("/promotion/", "/promotion/trips", "/promotion/visits", "/promotion/assessment?period=2026-Q4")
WRITE_PAGES = ("/promotion/leads/new", "/promotion/trips/new")


@pytest.mark.parametrize("path", READ_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("office", 200), ("leader", 200), ("inspector", 200), ("department", 200), ("owner", 403), ("county", 403)],
)
def test_the_office_leaders_inspectors_and_departments_read_the_pipeline(
    client, login, people, leads, path, role, status
):
    login(people[role].username)
    assert client.get(path).status_code == status


@pytest.mark.parametrize("path", WRITE_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("office", 200), ("department", 200), ("leader", 403), ("inspector", 403), ("owner", 403), ("county", 403)],
)
def test_only_the_office_and_departments_record(client, login, people, path, role, status):
    login(people[role].username)
    assert client.get(path).status_code == status


def test_a_department_edits_its_own_leads_and_trips_not_anothers(client, login, people, leads):
    login("fgw")
    assert client.get(f"/promotion/leads/{leads['signed'].id}/edit").status_code == 200
    assert client.get(f"/promotion/trips/{leads['trip'].id}/edit").status_code == 200
    assert client.get(f"/promotion/leads/{leads['other'].id}/edit").status_code == 403
    page = client.get(f"/promotion/leads/{leads['other'].id}")
    assert page.status_code == 200 and "推进到" not in page.get_data(as_text=True)
    token = csrf_token(client.get("/promotion/trips/new").get_data(as_text=True))
    moved = client.post(
        f"/promotion/leads/{leads['other'].id}/stage",
        data={"csrf_token": token, "stage": "intention", "reached_on": "2026-11-20"},
    )
    assert moved.status_code == 403


def test_a_department_records_a_trip_and_a_lead_for_itself_only(client, login, people, app):
    login("fgw")
    token = csrf_token(client.get("/promotion/trips/new").get_data(as_text=True))
    trip = {
        "csrf_token": token,
        "trip_date": "2026-11-02",
        "destination": "深圳",
        "department": ZJJ,
        "industry_chain": "",
    }
    refused = client.post("/promotion/trips/new", data=trip)
    assert refused.status_code == 422 and "只能登记本部门的招商工作" in refused.get_data(as_text=True)
    assert client.post("/promotion/trips/new", data={**trip, "department": FGW}).status_code == 302
    with db.connection_context():
        saved = Trip.get()
    lead = {
        "csrf_token": token,
        "enterprise": "深圳电池有限公司",
        "name": "储能电池项目",
        "department": FGW,
        "industry_chain": "化工产业链",
        "county": "",
        "planned_investment": "8,000.5",
        "trip": str(saved.id),
        "contacted_on": "2026-11-02",
    }
    response = client.post("/promotion/leads/new", data=lead)
    assert response.status_code == 302
    with db.connection_context():
        created = Lead.get()
        assert (created.trip_id, created.planned_investment, created.stage) == (
            saved.id,
            Decimal("8000.50"),
            "contacted",
        )
        assert [(e.stage, e.reached_on) for e in created.events] == [("contacted", dt.date(2026, 11, 2))]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "储能电池项目" in page and "8,000.5万元" in page and "深圳" in page


def test_the_lead_page_moves_a_lead_on_and_says_why_a_move_is_refused(client, login, people, leads):
    login("fgw")
    lead_id = leads["signed"].id
    token = csrf_token(client.get(f"/promotion/leads/{lead_id}").get_data(as_text=True))
    early = client.post(
        f"/promotion/leads/{lead_id}/stage", data={"csrf_token": token, "stage": "landed", "reached_on": "2026-11-01"}
    )
    assert early.status_code == 409 and "日期不能早于上一阶段的日期 2026-11-20" in early.get_data(as_text=True)
    landed = client.post(
        f"/promotion/leads/{lead_id}/stage", data={"csrf_token": token, "stage": "landed", "reached_on": "2026-11-28"}
    )
    assert landed.status_code == 302
    page = client.get(f"/promotion/leads/{lead_id}").get_data(as_text=True)
    assert "落地" in page and "2026-11-28" in page
    assert "转为重点项目" not in page  # the office's action: it creates a key project


def test_the_office_turns_a_landed_lead_into_a_project_whose_page_links_back(client, login, people, leads, recorded):
    lead = leads["signed"]
    with db.connection_context():
        move_lead(lead, "landed", TODAY, people["office"], TODAY)
    login("office")
    page = client.get(f"/promotion/leads/{lead.id}").get_data(as_text=True)
    assert "转为重点项目" in page
    response = client.post(f"/promotion/leads/{lead.id}/land", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    with db.connection_context():
        project = Project.get(Project.name == "新材料产业园项目")
    assert response.headers["Location"] == f"/projects/{project.code}/edit"  # the office completes it there
    shown = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "来源" in shown and f'href="/promotion/leads/{lead.id}"' in shown and "上海新材料有限公司" in shown
    again = client.post(f"/promotion/leads/{lead.id}/land", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 409 and "已转为重点项目" in again.get_data(as_text=True)
    with db.connection_context():
        assert Project.select().count() == 1
    assert [detail for _, _, detail in recorded("lead_landed")] == [{"lead": lead.id, "project": project.code}]


@pytest.mark.parametrize("role", ["department", "leader", "inspector"])
def test_only_the_office_turns_a_lead_into_a_project(client, login, people, leads, role):
    with db.connection_context():
        move_lead(leads["signed"], "landed", TODAY, people["office"], TODAY)
    login(people[role].username)
    token = csrf_token(client.get(f"/promotion/leads/{leads['signed'].id}").get_data(as_text=True))
    assert client.post(f"/promotion/leads/{leads['signed'].id}/land", data={"csrf_token": token}).status_code == 403
    with db.connection_context():
        assert Project.select().count() == 0


def test_the_leads_list_filters_by_stage(client, login, people, leads):
    login("leader")
    signed = client.get("/promotion/?stage=signed").get_data(as_text=True)
    assert "新材料产业园项目" in signed and "冷链物流中心" not in signed
    everything = client.get("/promotion/").get_data(as_text=True)
    assert "新材料产业园项目" in everything and "冷链物流中心" in everything


def test_a_bad_period_is_a_400_on_the_assessment(client, login, people):
    login("office")
    assert client.get("/promotion/assessment?period=2026-Q9").status_code == 400
    assert client.get("/promotion/assessment.xlsx?period=2026-Q9").status_code == 400


@pytest.mark.parametrize(
    ("period", "sheet", "title"),
    [
        ("2026-Q4", "季考核通报", "招商引资2026年第4季度季考核通报"),
        ("2026-H2", "半年盘点", "招商引资2026年下半年半年盘点"),
        ("2026", "年终总评", "招商引资2026年年终总评"),
    ],
)
def test_the_reviews_export_open_in_excel_with_the_pages_figures(client, login, people, leads, period, sheet, title):
    from openpyxl import load_workbook

    with db.connection_context():
        record_funds(leads["signed"], dt.date(2026, 11, 25), Decimal("3000.25"), people["office"], TODAY)
    login("leader")
    page = client.get(f"/promotion/assessment?period={period}").get_data(as_text=True)
    assert 'data-department="市发展改革委"' in page and "3,000.25万元" in page
    response = client.get(f"/promotion/assessment.xlsx?period={period}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book[sheet].iter_rows(values_only=True))
    assert rows[0][0] == title
    header = rows[2]
    city, first, second = (dict(zip(header, row, strict=True)) for row in rows[3:6])
    assert (city["部门"], city["外出招商批次"], city["对接企业"], city["签约项目"]) == ("全市合计", 1, 2, 1)
    assert city["签约投资（万元）"] == 12000.5 and city["到位资金（万元）"] == 3000.25
    assert (first["名次"], first["部门"], first["签约项目"]) == (1, FGW, 1)
    assert (second["名次"], second["部门"], second["对接企业"]) == (2, ZJJ, 1)


def test_the_stage_events_of_a_lead_show_in_order(client, login, people, leads):
    login("inspector")
    page = client.get(f"/promotion/leads/{leads['signed'].id}").get_data(as_text=True)
    with db.connection_context():
        days = [str(e.reached_on) for e in StageEvent.select().where(StageEvent.lead == leads["signed"])]
    positions = [page.index(day) for day in days]
    assert positions == sorted(positions) and len(days) == 3
