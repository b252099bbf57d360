"""The API's projects carry the list's fields and what they lack (待完善); the office creates and changes them."""

import pytest


@pytest.fixture
def office(make_user, token_for):
    return token_for(make_user("office", "office"))


def test_a_project_says_what_it_lacks_and_carries_the_lists_fields(call, office, make_project):
    make_project(
        code="XM-1",
        lead_official="",
        start_deadline=None,
        national_code="2023-610100-48-01-012345",
        category="基础设施 / 交通 / 铁路",
        stage="new_start",
        level="provincial",
        planned_start="2023",
        planned_completion="2025-10",
    )
    body = call(office, "GET", "/projects/XM-1").get_json()
    assert body["missing_fields"] == ["lead_official", "start_deadline"]
    assert (body["lead_official"], body["start_deadline"]) == (None, None)
    assert body["national_code"] == "2023-610100-48-01-012345"
    assert (body["category"], body["stage"], body["level"]) == ("基础设施 / 交通 / 铁路", "new_start", "provincial")
    assert (body["planned_start"], body["planned_completion"]) == ("2023", "2025-10")
    assert (body["latitude"], body["longitude"]) == (None, None)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"category": "基础设施"}, ["R-1", "R-2"]),
        ({"category": "基础设施 / 交通"}, ["R-1"]),
        ({"category": "基础设"}, []),
        ({"stage": "continuing"}, ["R-2"]),
        ({"level": "county"}, ["P-1"]),
        ({"incomplete": "true"}, ["P-1"]),
        ({"incomplete": "false"}, ["P-1", "R-1", "R-2"]),
    ],
)
def test_the_list_filters_by_section_stage_level_and_completeness(call, office, make_project, query, codes):
    make_project(code="R-1", category="基础设施 / 交通 / 铁路", stage="new_start")
    make_project(code="R-2", category="基础设施 / 水利", stage="continuing")
    make_project(code="P-1", category="产业", level="county", annual_plan_investment=None)
    body = call(office, "GET", "/projects", query_string=query).get_json()
    assert [p["code"] for p in body["items"]] == codes


def test_an_unknown_stage_is_a_400_naming_it(call, office):
    response = call(office, "GET", "/projects", query_string={"stage": "done"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "stage"


def test_the_office_creates_a_project_with_only_a_code_a_name_and_a_total(call, office):
    body = {
        "code": "API-1",
        "name": "新建铁路专用线",
        "total_investment": 30_000,
        "national_code": "20236101004801012345",
    }
    response = call(office, "POST", "/projects", json=body)
    assert response.status_code == 201
    created = response.get_json()
    assert created["national_code"] == "2023-610100-48-01-012345"
    assert "lead_official" in created["missing_fields"] and "start_deadline" in created["missing_fields"]
    listed = call(office, "GET", "/projects", query_string={"incomplete": "true"}).get_json()
    assert [p["code"] for p in listed["items"]] == ["API-1"]


def test_a_change_supplies_what_was_missing(call, office, make_project, official):
    make_project(code="XM-1", lead_official="", annual_plan_investment=None)
    response = call(
        office, "PATCH", "/projects/XM-1", json={"lead_official": official.name, "planned_start": "2024-10"}
    )
    assert response.status_code == 200
    changed = response.get_json()
    assert changed["lead_official"] == "王建国" and changed["planned_start"] == "2024-10"
    assert changed["missing_fields"] == ["annual_plan_investment"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"code": "A-1", "name": "x"}, "total_investment", "总投资：不能为空"),
        ({"code": "A-1", "name": "x", "total_investment": 1, "latitude": 91}, "latitude", "纬度应为 -90 到 90"),
        (
            {"code": "A-1", "name": "x", "total_investment": 1, "planned_start": "2024年10月"},
            "planned_start",
            "2024-10",
        ),
        ({"code": "A-1", "name": "x", "total_investment": 1, "national_code": "2023"}, "national_code", "24 位"),
        ({"code": "A-1", "name": "x", "total_investment": 1, "lead_official": "赵六"}, "lead_official", "赵六"),
        (
            {"code": "A-1", "name": "x", "total_investment": 1, "responsible_phone": "12345"},
            "responsible_phone",
            "手机号",
        ),
    ],
)
def test_a_bad_project_is_refused_naming_the_field(call, office, official, body, field, message):
    response = call(office, "POST", "/projects", json=body)
    assert response.status_code in (400, 422)
    error = response.get_json()["error"]
    assert error["field"] == field and message in error["message"]


@pytest.mark.parametrize("role", ["leader", "inspector", "owner", "department"])
def test_only_the_office_creates_or_changes_projects(call, make_user, make_project, token_for, role):
    make_project(code="XM-1")
    token = token_for(make_user("someone", role))
    assert call(token, "POST", "/projects", json={"code": "B-1", "name": "x", "total_investment": 1}).status_code == 403
    assert call(token, "PATCH", "/projects/XM-1", json={"name": "改名"}).status_code in (403, 404)
