"""The fields a published list states (项目代码, 分类, 建设性质 …) on the form, the page and the export;
and a project saved with only what a row must have."""

import io

import pytest
from openpyxl import load_workbook
from pages import field_errors, post, project_form

from tracker.core.db import db
from tracker.projects.models import Milestone, Project
from tracker.projects.sheet_export import export_project_list

LISTED = {
    "national_code": " 20236101004801012345",
    "category": "基础设施 / 交通 / 铁路",
    "stage": "new_start",
    "level": "provincial",
    "location": "东城区滨河路以北",
    "latitude": "34.26",
    "longitude": "108.94",
    "scale_and_content": "新建铁路专用线 12 公里",
    "annual_target": "完成路基工程",
    "planned_start": "2023",
    "planned_completion": "2025年10月",
}


def test_the_page_shows_what_the_list_states_in_a_readable_block(client, office_session, official):
    response = post(client, "/projects/new", project_form(**LISTED))
    assert response.status_code == 302
    page = client.get("/projects/XM-NEW").get_data(as_text=True)
    block = page.split('id="listing"')[1].split("</section>")[0]
    for shown in (
        "2023-610100-48-01-012345",
        "基础设施 / 交通 / 铁路",
        "新开工",
        "省级重点项目",
        "东城区滨河路以北",
        "2023年—2025年10月",
        "新建铁路专用线 12 公里",
        "完成路基工程",
    ):
        assert shown in block
    with db.connection_context():
        project = Project.get(Project.code == "XM-NEW")
    assert (project.planned_start, project.planned_completion) == ("2023", "2025-10")
    assert (project.latitude, project.longitude) == (34.26, 108.94)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("national_code", "2023-6101-48", "应为 24 位项目代码"),
        ("latitude", "134", "应为 -90 到 90 之间的度数"),
        ("longitude", "东经108度", "应为 -180 到 180 之间的度数"),
        ("planned_start", "明年开春", "应为 2023、2024-10、2024-10-15 或 2024年10月 这样的日期"),
        ("planned_completion", "2024-13", "不是有效的日期"),
    ],
)
def test_a_listed_field_that_makes_no_sense_is_refused_on_its_field(
    client, office_session, official, name, value, message
):
    response = post(client, "/projects/new", project_form(**{name: value}))
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response.get_data(as_text=True), name))


def test_a_national_code_another_project_has_is_refused(client, office_session, make_project):
    make_project(national_code="2023-610100-48-01-012345", code="XM-1")
    response = post(client, "/projects/new", project_form(national_code="202361010048010123 45"))
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True), "national_code")
    assert errors == ["项目代码 2023-610100-48-01-012345 已是项目 XM-1 的代码"]


def test_a_project_with_only_a_code_a_name_and_a_total_is_saved_and_says_what_it_lacks(
    client, office_session, official
):
    bare = {name: "" for name in project_form() if name not in ("code", "name", "total_investment", "kind")}
    response = post(client, "/projects/new", project_form(**bare))
    assert response.status_code == 302
    page = client.get("/projects/XM-NEW").get_data(as_text=True)
    banner = page.split('id="missing"')[1].split("</div>")[0]
    assert "待完善" in banner
    assert "市级包抓领导、责任人、联系电话、开工时限、年度计划投资、县区、项目单位、包抓部门" in banner
    assert "未确定" in page
    with db.connection_context():
        # No deadline, nothing to plan back from: no milestone gets an invented date.
        assert not Milestone.select().where(Milestone.planned_on.is_null(False)).exists()
    listed = client.get("/projects/").get_data(as_text=True)
    assert 'data-code="XM-NEW"' in listed


def test_a_complete_project_shows_no_banner(client, office_session, make_project):
    make_project(code="XM-1")
    assert 'id="missing"' not in client.get("/projects/XM-1").get_data(as_text=True)


def test_the_export_carries_every_listed_field(conn, make_project):
    make_project(
        code="XM-1",
        national_code="2023-230600-00-48-010000",
        category="能源 / 光伏",
        stage="continuing",
        level="city",
        location="西川县",
        latitude=34.5,
        longitude=108.1,
        planned_start="2023",
        planned_completion="2025-10",
    )
    sheet = load_workbook(io.BytesIO(export_project_list(Project.active()))).active
    header = [c.value for c in sheet[2]]
    project = {label: cell.value for label, cell in zip(header, sheet[3], strict=True)}
    assert project["项目代码"] == "2023-230600-00-48-010000"
    assert project["项目分类"] == "能源 / 光伏"
    assert (project["建设阶段"], project["项目级别"]) == ("续建", "市级")
    assert (project["建设地点"], project["纬度"], project["经度"]) == ("西川县", 34.5, 108.1)
    assert (project["计划开工"], project["计划竣工"]) == ("2023", "2025-10")
