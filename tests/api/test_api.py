"""The JSON API as a script or another system uses it, on SQLite and PostgreSQL."""

import re
from decimal import Decimal

import pytest

from tracker.core.config import PROJECT_ROOT
from tracker.core.db import db
from tracker.core.weeks import shift_week
from tracker.projects.models import Project
from tracker.reports.filing import current_week

REPORT = {"status": "started", "investment_completed": 1_200, "physical_progress": "基础施工"}


@pytest.fixture
def office(make_user, token_for):
    return token_for(make_user("office", "office"))


def set_status(project, status):
    with db.connection_context():
        Project.update(status=status).where(Project.id == project.id).execute()


def error_of(response):
    return response.get_json()["error"]


def in_chinese(text):
    return re.search(r"[\u4e00-\u9fff]", text) is not None


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic b2ZmaWNlOnNlY3JldA==", "Bearer"],
    ids=["none", "unknown", "basic", "empty"],
)
def test_a_request_without_a_valid_token_gets_401_asking_for_a_bearer_token(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/api/v1/projects", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert error_of(response)["status"] == 401 and "令牌" in error_of(response)["message"]


def test_a_token_of_a_deactivated_account_no_longer_works(call, make_user, token_for):
    user = make_user("gone", "office")
    token = token_for(user)
    with db.connection_context():
        user.active = False
        user.save()
    assert call(token, "GET", "/projects").status_code == 401


@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        ("office", "GET", "/projects/THEIRS", 200),
        ("leader", "GET", "/projects/THEIRS", 200),
        ("inspector", "GET", "/projects/THEIRS", 200),
        ("owner", "GET", "/projects/THEIRS", 403),
        ("owner", "GET", "/projects/MINE", 200),
        ("office", "GET", "/projects/THEIRS/reports", 200),
        ("leader", "GET", "/projects/THEIRS/reports", 200),
        ("inspector", "GET", "/projects/THEIRS/reports", 200),
        ("owner", "GET", "/projects/THEIRS/reports", 403),
        ("owner", "GET", "/projects/MINE/reports", 200),
        ("office", "POST", "/projects/THEIRS/reports", 201),
        ("leader", "POST", "/projects/THEIRS/reports", 403),
        ("inspector", "POST", "/projects/THEIRS/reports", 403),
        ("owner", "POST", "/projects/THEIRS/reports", 403),
        ("owner", "POST", "/projects/MINE/reports", 201),
        ("leader", "GET", "/projects", 200),
        ("inspector", "GET", "/stats", 200),
        ("office", "GET", "/projects/NOSUCH", 404),
        ("owner", "POST", "/projects/NOSUCH/reports", 404),
    ],
)
def test_each_role_reaches_what_the_ui_lets_it(call, make_user, make_project, token_for, role, method, path, status):
    mine, _ = make_project(code="MINE"), make_project(code="THEIRS")
    user = mine.owner if role == "owner" else make_user(role, role)
    response = call(token_for(user), method, path, json=REPORT if method == "POST" else None)
    assert response.status_code == status, response.get_json()
    if status >= 400:
        assert error_of(response)["status"] == status


def test_a_leader_is_refused_before_the_body_is_judged(call, make_user, make_project, token_for):
    make_project(code="XM-1")
    response = call(token_for(make_user("li", "leader")), "POST", "/projects/XM-1/reports", json={})
    assert response.status_code == 403


def test_an_owner_lists_and_counts_only_their_own_projects(call, make_project, token_for):
    mine = make_project(code="A-1")
    make_project(code="B-1")
    token = token_for(mine.owner)
    assert [p["code"] for p in call(token, "GET", "/projects").get_json()["items"]] == ["A-1"]
    assert call(token, "GET", "/stats").get_json()["restart_rate"]["denominator"] == 1


def test_filters_narrow_the_project_list(call, office, make_project):
    make_project(code="N-1", county="南湖县")
    set_status(make_project(code="N-2", county="南湖县"), "started")
    make_project(code="S-1", county="北山县")
    body = call(office, "GET", "/projects", query_string={"county": "南湖县", "status": "started"}).get_json()
    assert [p["code"] for p in body["items"]] == ["N-2"] and body["total"] == 1


def test_the_project_list_is_paginated(call, office, make_project):
    for n in range(5):
        make_project(code=f"XM-{n}")
    body = call(office, "GET", "/projects", query_string={"page": 2, "per_page": 2}).get_json()
    assert [p["code"] for p in body["items"]] == ["XM-2", "XM-3"]
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 5)


def test_the_project_list_has_50_per_page_unless_asked(call, office, make_project):
    make_project()
    body = call(office, "GET", "/projects").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 1)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "purple"}, "status"),
        ({"per_page": 201}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"county": "东城区\x00"}, "county"),
    ],
)
def test_a_bad_filter_or_page_is_a_400_naming_it(call, office, query, field):
    response = call(office, "GET", "/projects", query_string=query)
    assert response.status_code == 400
    assert error_of(response)["field"] == field


def test_stats_give_the_restart_rate_as_a_fraction(call, office, make_project):
    a, b, _ = make_project(), make_project(), make_project()
    set_status(a, "started")
    set_status(b, "restarted")
    body = call(office, "GET", "/stats").get_json()
    assert body["restart_rate"] == {"numerator": 2, "denominator": 3, "percent": 66.7}
    assert body["annual_plan_investment"] == 15_000.75 and body["reports_missing"] == 3


def test_stats_say_they_are_live_figures_of_this_week(app, call, office, make_project):
    make_project()
    body = call(office, "GET", "/stats").get_json()
    week = current_week(app.config["TRACKER"])
    assert (body["source"], body["week"], body["as_of"]) == ("live", week, "截至本周实时")


def test_stats_take_the_same_filters(call, office, make_project):
    set_status(make_project(county="南湖县"), "started")
    make_project(county="北山县")
    body = call(office, "GET", "/stats", query_string={"county": "南湖县"}).get_json()
    assert body["restart_rate"] == {"numerator": 1, "denominator": 1, "percent": 100.0}


def test_a_filed_report_shows_in_the_history_and_moves_the_figures(app, call, make_project, token_for):
    project = make_project(code="XM-1")
    token = token_for(project.owner)
    body = {**REPORT, "funds": {"special_bonds": 300}, "milestones": {"approval": "2026-01-05"}}
    response = call(token, "POST", "/projects/XM-1/reports", json=body)
    assert response.status_code == 201
    assert response.get_json()["week"] == current_week(app.config["TRACKER"])
    history = call(token, "GET", "/projects/XM-1/reports").get_json()["items"]
    assert [(r["status"], r["investment_completed"], r["funds"]["special_bonds"]) for r in history] == [
        ("started", 1_200, 300)
    ]
    figures = call(token, "GET", "/stats").get_json()
    assert figures["restart_rate"]["numerator"] == 1 and figures["investment_completed"] == 1_200
    assert figures["funds_secured"]["special_bonds"] == 300 and figures["reports_missing"] == 0
    shown = call(token, "GET", "/projects/XM-1").get_json()
    assert shown["status"] == "started" and shown["funds_secured"]["special_bonds"] == 300
    assert {m["kind"]: m["actual_on"] for m in shown["milestones"]}["approval"] == "2026-01-05"


def test_amounts_are_json_numbers_with_their_cents(call, office, make_project):
    make_project(code="XM-1", total_investment=Decimal("113934.98"))
    body = {**REPORT, "investment_completed": 1234.5, "funds": {"special_bonds": 0.1}}
    assert call(office, "POST", "/projects/XM-1/reports", json=body).status_code == 201
    assert call(office, "POST", "/projects/XM-1/reports", json=body).status_code == 201  # a correction
    response = call(office, "GET", "/projects/XM-1")
    assert '"total_investment":113934.98' in response.get_data(as_text=True).replace(" ", "")
    shown = response.get_json()
    assert (shown["total_investment"], shown["investment_completed"]) == (113934.98, 1234.5)
    assert shown["funds_secured"]["special_bonds"] == 0.1
    with db.connection_context():
        assert Project.get(Project.code == "XM-1").investment_completed == Decimal("1234.50")


def test_reports_come_newest_first(app, call, office, make_project):
    make_project(code="XM-1")
    this_week = current_week(app.config["TRACKER"])
    for week in (shift_week(this_week, -2), this_week, shift_week(this_week, -1)):
        assert call(office, "POST", "/projects/XM-1/reports", json={**REPORT, "week": week}).status_code == 201
    weeks = [r["week"] for r in call(office, "GET", "/projects/XM-1/reports").get_json()["items"]]
    assert weeks == [this_week, shift_week(this_week, -1), shift_week(this_week, -2)]


def test_fields_left_out_keep_what_was_filed_this_week(call, office, make_project):
    make_project(code="XM-1")
    call(office, "POST", "/projects/XM-1/reports", json={**REPORT, "problems": "用地未批", "funds": {"provincial": 50}})
    response = call(office, "POST", "/projects/XM-1/reports", json={"status": "started", "investment_completed": 1_500})
    report = response.get_json()
    assert (report["investment_completed"], report["problems"], report["funds"]["provincial"]) == (
        1_500,
        "用地未批",
        50,
    )
    assert report["physical_progress"] == "基础施工"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"investment_completed": -5}, "investment_completed"),
        ({"investment_completed": "很多"}, "investment_completed"),
        ({"investment_completed": 12.345}, "investment_completed"),
        ({"investment_completed": 10**12}, "investment_completed"),
        ({"funds": {"special_bonds": -1}}, "funds.special_bonds"),
        ({"funds": {"bank_loans": "一百"}}, "funds.bank_loans"),
        ({"funds": {"gold": 1}}, "funds.gold"),
        ({"status": "finished"}, "status"),
        ({"week": "2026-47"}, "week"),
        ({"week": "2025-W53"}, "week"),
        ({"week": None}, "week"),
        ({"milestones": {"start": "明天"}}, "milestones.start"),
        ({"physical_progress": "主体\x00完成"}, "physical_progress"),
        ({"problems": "问" * 5_001}, "problems"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_bad_value_in_a_report_is_a_422_naming_the_field(call, office, make_project, change, field):
    make_project(code="XM-1")
    response = call(office, "POST", "/projects/XM-1/reports", json={**REPORT, **change})
    assert response.status_code == 422, response.get_json()
    assert error_of(response)["field"] == field
    assert in_chinese(error_of(response)["message"])


@pytest.mark.parametrize(
    ("body", "status"),
    [("[1, 2]", 422), ("null", 422), ("{not json", 400), ("[" * 50_000 + "]" * 50_000, 400)],
    ids=["array", "null", "broken", "deep"],
)
def test_a_body_that_is_not_a_json_object_is_refused(call, office, make_project, body, status):
    make_project(code="XM-1")
    response = call(office, "POST", "/projects/XM-1/reports", data=body, content_type="application/json")
    assert response.status_code == status
    assert in_chinese(error_of(response)["message"])


def test_the_ui_plausibility_rules_apply_to_the_api(call, office, make_project):
    make_project(code="XM-1", total_investment=1_000, annual_plan_investment=500)
    response = call(office, "POST", "/projects/XM-1/reports", json={**REPORT, "investment_completed": 2_000})
    assert response.status_code == 422
    assert error_of(response)["field"] == "explanation" and "超过总投资" in error_of(response)["message"]


def test_a_report_for_a_future_week_is_refused(app, call, office, make_project):
    make_project(code="XM-1")
    week = shift_week(current_week(app.config["TRACKER"]), 1)
    response = call(office, "POST", "/projects/XM-1/reports", json={**REPORT, "week": week})
    assert response.status_code == 422 and error_of(response)["field"] == "week"


def test_funds_that_would_add_up_beyond_the_bound_are_refused(app, call, office, make_project):
    make_project(code="XM-1")
    this_week = current_week(app.config["TRACKER"])
    for weeks_back, status in ((1, 201), (0, 422)):
        body = {**REPORT, "week": shift_week(this_week, -weeks_back), "funds": {"other": 600_000_000}}
        response = call(office, "POST", "/projects/XM-1/reports", json=body)
        assert response.status_code == status
    assert error_of(response)["field"] == "funds.other"


def test_an_owner_gets_409_for_a_week_past_its_cutoff(app, call, make_project, token_for):
    project = make_project(code="XM-1")
    week = shift_week(current_week(app.config["TRACKER"]), -2)
    response = call(token_for(project.owner), "POST", "/projects/XM-1/reports", json={**REPORT, "week": week})
    assert response.status_code == 409
    assert error_of(response)["field"] == "week" and "锁定" in error_of(response)["message"]


def test_the_office_can_still_file_a_week_past_its_cutoff(app, call, office, make_project):
    make_project(code="XM-1")
    week = shift_week(current_week(app.config["TRACKER"]), -2)
    assert call(office, "POST", "/projects/XM-1/reports", json={**REPORT, "week": week}).status_code == 201


def test_a_project_code_no_database_can_hold_is_simply_not_found(call, office):
    assert call(office, "GET", "/projects/XM%00-1").status_code == 404


def test_an_oversized_body_gets_413(call, office, make_project):
    make_project(code="XM-1")
    response = call(office, "POST", "/projects/XM-1/reports", json={**REPORT, "problems": "问" * 200_000})
    assert response.status_code == 413 and error_of(response)["status"] == 413


def test_too_many_requests_with_one_token_get_429_whichever_the_endpoint(app, call, office):
    app.config["TRACKER"]["web"]["api_rate_limit"] = "2 per minute"
    responses = [call(office, "GET", path) for path in ("/stats", "/projects", "/stats")]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert error_of(responses[-1])["status"] == 429


def test_one_token_at_its_limit_does_not_hold_up_another(app, call, office, make_user, token_for):
    app.config["TRACKER"]["web"]["api_rate_limit"] = "1 per minute"
    other = token_for(make_user("other", "inspector"))
    assert [call(token, "GET", "/stats").status_code for token in (office, office, other)] == [200, 429, 200]


def test_the_openapi_description_lists_every_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.0.3"
    assert set(spec["paths"]) == {
        "/api/v1/projects",
        "/api/v1/projects/{code}",
        "/api/v1/projects/{code}/reports/{week}/review",
        "/api/v1/projects/{code}/reports",
        "/api/v1/stats",
        "/api/v1/lagging",
        "/api/v1/lagging/ranking",
        "/api/v1/notices",
        "/api/v1/notices/{notice_id}",
        "/api/v1/notices/{notice_id}/entries/{entry_id}/removal",
        "/api/v1/notices/{notice_id}/publication",
        "/api/v1/audit",
        "/api/v1/honours",
        "/api/v1/scores",
        "/api/v1/oc4ids",
        "/api/v1/problems",
        "/api/v1/problems/{problem_id}",
        "/api/v1/problems/{problem_id}/replies",
        "/api/v1/problems/{problem_id}/closure",
        "/api/v1/problems/{problem_id}/deadline",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/orders/{order_id}/reply",
        "/api/v1/orders/{order_id}/reminders",
        "/api/v1/orders/{order_id}/closure",
        "/api/v1/projects/import",
        "/api/v1/projects/import/{preview}",
        "/api/v1/projects/{code}/archive",
        "/api/v1/projects/{code}/reports/{week}/reopen",
        "/api/v1/projects/{code}/reports/{week}/lock",
        "/api/v1/runs",
        "/api/v1/runs/{run_id}",
        "/api/v1/runs/{run_id}/decisions",
        "/api/v1/runs/{run_id}/agenda/{item_id}/decisions",
        "/api/v1/runs/{run_id}/decisions/{decision_id}/follow-through",
        "/api/v1/deliveries",
        "/api/v1/deliveries/{delivery_id}",
        "/api/v1/deliveries/{delivery_id}/resend",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}/revoke",
        "/api/v1/map",
        "/api/v1/projects/{code}/reports/{week}/photos",
        "/api/v1/photos/{photo_id}/{kind}",
        "/api/v1/letters",
        "/api/v1/letters/{letter_id}",
        "/api/v1/letters/{letter_id}/reply",
        "/api/v1/bonds",
        "/api/v1/bonds/{batch_id}",
        "/api/v1/inspections",
        "/api/v1/inspections/{round_id}",
        "/api/v1/enterprises",
        "/api/v1/enterprises/{enterprise_id}",
        "/api/v1/enterprises/{enterprise_id}/status",
        "/api/v1/promotion",
        "/api/v1/promotion/leads",
    }
    assert set(spec["paths"]["/api/v1/projects/{code}/reports"]) >= {"get", "post"}
    assert set(spec["paths"]["/api/v1/notices/{notice_id}"]) >= {"get", "patch"}
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def operations(spec):
    return [
        (method, path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method != "parameters"
    ]


def test_every_operation_documents_its_answer_its_body_and_its_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for method, path, op in operations(spec):
        success = [code for code in op["responses"] if code.startswith("2")]
        assert success and all("content" in op["responses"][code] for code in success), (method, path)
        assert {"401", "429"} <= set(op["responses"]), (method, path)
        if method in ("post", "patch") and "requestBody" in op:
            assert op["requestBody"]["content"], (method, path)


# How the README's route table names the path parameters.
README_NAMES = {"code": "CODE", "week": "WEEK", "preview": "PREVIEW", "entry_id": "ENTRY", "item_id": "ITEM"}
README_NAMES["decision_id"] = "DECISION"
README_NAMES["kind"] = "KIND"


def test_the_readme_lists_every_route(client):
    readme = (PROJECT_ROOT / "README.md").read_text()
    spec = client.get("/api/v1/openapi.json").get_json()
    for method, path, _ in operations(spec):
        named = re.sub(r"\{(\w+)\}", lambda m: README_NAMES.get(m[1], "ID"), path)
        assert re.search(f"`{method.upper()} {re.escape(named)}[`? ]", readme), f"{method.upper()} {named}"


def test_ui_error_pages_stay_html_beside_the_api(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
