"""The problem ledger (问题台账) over the API: the page's filters, roles and refusals."""

import datetime as dt

import pytest

from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.problems.models import Problem, ProblemEvent

TODAY = local_now(DEFAULTS["city"]["timezone"]).date()
SOON = (TODAY + dt.timedelta(days=10)).isoformat()


@pytest.fixture
def office(make_user, token_for):
    return token_for(make_user("office", "office"))


def raise_one(call, token, code, department="市住建局", deadline=SOON, description="用地手续未办结"):
    body = {"project": code, "description": description, "department": department, "deadline": deadline}
    return call(token, "POST", "/problems", json=body)


def rows():
    with db.connection_context():
        return Problem.select().count(), ProblemEvent.select().count()


def test_the_office_raises_a_problem_and_the_department_answers_it_until_it_is_closed(
    call, office, make_project, make_user, token_for
):
    make_project(code="XM-1")
    raised = raise_one(call, office, "XM-1")
    assert raised.status_code == 201, raised.get_json()
    problem = raised.get_json()
    assert (problem["project"]["code"], problem["status"], problem["source"]) == ("XM-1", "open", "office")
    department = token_for(make_user("zhujian", "department", department="市住建局"))
    answered = call(
        department, "POST", f"/problems/{problem['id']}/replies", json={"text": "已报批", "status": "resolved"}
    )
    assert answered.status_code == 200 and answered.get_json()["status"] == "resolved"
    closed = call(office, "POST", f"/problems/{problem['id']}/closure")
    assert closed.status_code == 200
    assert [e["kind"] for e in closed.get_json()["events"]] == ["raised", "reply", "status"]
    assert call(office, "GET", f"/problems/{problem['id']}").get_json()["status"] == "closed"


def test_the_list_filters_like_the_page_and_counts_the_overdue(call, office, make_project):
    make_project(code="XM-1", county="东城区")
    make_project(code="XM-2", county="西城区")
    raise_one(call, office, "XM-1", deadline=(TODAY - dt.timedelta(days=3)).isoformat())
    raise_one(call, office, "XM-2", department="市财政局")
    body = call(office, "GET", "/problems", query_string={"overdue": "true"}).get_json()
    assert [p["project"]["code"] for p in body["items"]] == ["XM-1"] and body["total"] == 1
    assert body["overdue_by_department"] == [{"name": "市住建局", "overdue": 1}]
    assert body["overdue_by_county"] == [{"name": "东城区", "overdue": 1}]
    by_department = call(office, "GET", "/problems", query_string={"department": "市财政局"}).get_json()
    assert [p["project"]["code"] for p in by_department["items"]] == ["XM-2"]
    paged = call(office, "GET", "/problems", query_string={"per_page": 1, "page": 2}).get_json()
    assert (len(paged["items"]), paged["total"]) == (1, 2)


def test_a_department_sees_only_the_problems_given_to_it(call, office, make_project, make_user, token_for):
    make_project(code="XM-1")
    theirs = raise_one(call, office, "XM-1", department="市财政局").get_json()["id"]
    raise_one(call, office, "XM-1")
    department = token_for(make_user("zhujian", "department", department="市住建局"))
    assert [p["department"] for p in call(department, "GET", "/problems").get_json()["items"]] == ["市住建局"]
    assert call(department, "GET", f"/problems/{theirs}").status_code == 403


def test_the_office_re_dates_a_problem_with_a_reason(call, office, make_project):
    make_project(code="XM-1")
    problem = raise_one(call, office, "XM-1").get_json()
    later = (TODAY + dt.timedelta(days=40)).isoformat()
    moved = call(
        office, "POST", f"/problems/{problem['id']}/deadline", json={"deadline": later, "reason": "待省厅批复"}
    )
    assert moved.status_code == 200 and moved.get_json()["deadline"] == later


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        (
            "leader",
            "POST",
            "/problems",
            {"project": "XM-1", "description": "x", "department": "市住建局", "deadline": SOON},
        ),
        (
            "department",
            "POST",
            "/problems",
            {"project": "XM-1", "description": "x", "department": "市住建局", "deadline": SOON},
        ),
        (
            "owner",
            "POST",
            "/problems",
            {"project": "XM-1", "description": "x", "department": "市住建局", "deadline": SOON},
        ),
        ("leader", "POST", "/problems/{id}/replies", {"text": "答复"}),
        ("inspector", "POST", "/problems/{id}/replies", {"text": "答复"}),
        ("department", "POST", "/problems/{id}/closure", None),
        ("inspector", "POST", "/problems/{id}/closure", None),
        ("owner", "POST", "/problems/{id}/deadline", {"deadline": SOON, "reason": "延期"}),
    ],
)
def test_each_role_is_refused_what_the_page_refuses_it(
    call, office, make_project, make_user, token_for, role, method, path, body
):
    project = make_project(code="XM-1")
    problem = raise_one(call, office, "XM-1").get_json()
    call(office, "POST", f"/problems/{problem['id']}/replies", json={"text": "已解决", "status": "resolved"})
    user = (
        project.owner
        if role == "owner"
        else make_user(role, role, department="市住建局" if role == "department" else "")
    )
    before = rows()
    response = call(token_for(user), method, path.format(id=problem["id"]), json=body)
    assert response.status_code == 403 and response.get_json()["error"]["status"] == 403
    assert rows() == before


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        (
            "/problems",
            {"project": "XM-1", "description": "x", "department": "不存在的局", "deadline": SOON},
            400,
            "department",
        ),
        (
            "/problems",
            {"project": "XM-1", "description": "  ", "department": "市住建局", "deadline": SOON},
            422,
            "description",
        ),
        (
            "/problems",
            {"project": "XM-1", "description": "x", "department": "市住建局", "deadline": "明天"},
            422,
            "deadline",
        ),
        ("/problems", {"project": "NOSUCH", "description": "x", "department": "市住建局", "deadline": SOON}, 404, None),
        ("/problems/{id}/replies", {"text": "x", "status": "closed"}, 422, "status"),
        ("/problems/{id}/replies", {"text": " "}, 422, "text"),
        ("/problems/{id}/closure", None, 409, None),
        ("/problems/{id}/deadline", {"deadline": SOON}, 422, "reason"),
        ("/problems/999999/closure", None, 404, None),
    ],
)
def test_bad_input_is_refused_in_json_and_changes_nothing(call, office, make_project, path, body, status, field):
    make_project(code="XM-1")
    problem = raise_one(call, office, "XM-1").get_json()
    before = rows()
    response = call(office, "POST", path.format(id=problem["id"]), json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"] and error.get("field") == field
    assert rows() == before
