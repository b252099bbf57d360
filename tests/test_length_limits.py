"""Every form bounds its text: a value one over its limit changes nothing and says why; the limit itself is taken.

The limits are the API's too (tracker.core.limits), and a body or query string too large
for any form is refused before a view reads it."""

import datetime as dt
import re

import pytest
from conftest import PASSWORD, csrf_token

from tracker.accounts.credentials import check_password
from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import db
from tracker.core.limits import MAX_BODY_BYTES, MAX_CODE, MAX_NAME, MAX_PASSWORD, MAX_TEXT, MAX_USERNAME
from tracker.cycles.consultations import AgendaItem, Decision
from tracker.cycles.runs import CycleRun
from tracker.notices.models import CriticismNotice, NoticeEntry
from tracker.problems.ledger import raise_problem
from tracker.problems.models import Problem, ProblemEvent
from tracker.projects.models import ProgressReport, Project
from tracker.supervision.models import SupervisionOrder
from tracker.supervision.orders import issue_order

TODAY = dt.date.today()
LATER = (TODAY + dt.timedelta(days=30)).isoformat()


@pytest.fixture
def world(app, make_user, make_project):
    """A project with a problem, a supervision order, a draft notice and a consultation's agenda item."""
    make_user("office", "office")
    project = make_project(code="XM-001")
    with db.connection_context():
        office = User.get(User.username == "office")
        problem = raise_problem(project, "用地未落实", "市自然资源局", TODAY + dt.timedelta(days=10), office)
        order = issue_order(project, office, "进度滞后", "", TODAY + dt.timedelta(days=10), TODAY)
        notice = CriticismNotice.create(title="通报", as_of=TODAY, week="2026-W47")
        entry = NoticeEntry.create(
            notice=notice, position=1, project=project, code=project.code, name=project.name, project_unit="",
            lead_official="", lead_department="", county="", reasons_data="[]",
        )  # fmt: skip
        run = CycleRun.create(
            cycle="monthly", period="2026-11", state="done", claimed_by="test", lease_until=dt.datetime.now()
        )
        item = AgendaItem.create(run=run, project=project, kind="lagging", title="滞后项目", position=1)
        official = LeadOfficial.get()
    return {"problem": problem.id, "order": order.id, "notice": notice.id, "entry": entry.id, "run": run.id,
            "item": item.id, "office": office.id, "official": official.id}  # fmt: skip


def stored(column, value):
    """Whether a row holds ``value`` in ``column``."""
    with db.connection_context():
        return column.model.select().where(column == value).exists()


def text(limit):
    return "项" * limit


# As a browser posts the form: every field, most of them blank.
BLANK = ("national_code", "category", "county", "industry_chain", "location", "latitude", "longitude",
         "scale_and_content", "annual_target", "project_unit", "responsible_person", "responsible_phone",
         "responsible_email", "lead_official", "lead_department", "stage", "level", "annual_plan_investment",
         "start_deadline", "planned_start", "planned_completion", "statistics_included_on", "statistics_reason")  # fmt: skip
PROJECT = {**dict.fromkeys(BLANK, ""), "code": "XM-NEW", "name": "新项目", "kind": "new", "total_investment": "100"}
REPORT = {"status": "started", "investment_completed": "10", "physical_progress": "基础施工"}


def form(action, field, limit, column, page=None, /, **values):
    """A form to post to ``action`` (read from ``page``, else from itself): ``field`` with the other ``values``,
    bounded at ``limit``, landing in ``column``."""
    return {
        "page": page or action,
        "action": action,
        "field": field,
        "limit": limit,
        "column": column,
        "values": values,
    }


PROBLEM, ORDER, NOTICE = "/problems/{problem}", "/supervision/{order}", "/notices/{notice}"
FORMS = {
    "project name": form("/projects/new", "name", MAX_NAME, Project.name, **PROJECT),
    "project code": form("/projects/new", "code", MAX_CODE, Project.code, **PROJECT),
    "project content": form("/projects/new", "scale_and_content", MAX_TEXT, Project.scale_and_content, **PROJECT),
    "project edit": form("/projects/XM-001/edit", "project_unit", MAX_NAME, Project.project_unit, **{**PROJECT, "code": "XM-001"}),
    "weekly report": form("/projects/XM-001/report", "next_week_plan", MAX_TEXT, ProgressReport.next_week_plan, **REPORT),
    "problem": form("/problems/new?project=XM-001", "description", MAX_TEXT, Problem.description, department="市住建局", deadline=LATER),
    "problem reply": form(PROBLEM + "/reply", "text", MAX_TEXT, ProblemEvent.text, PROBLEM, status=""),
    "problem deadline": form(PROBLEM + "/deadline", "reason", MAX_TEXT, ProblemEvent.text, PROBLEM, deadline=LATER),
    "supervision order": form("/supervision/new?project=XM-001", "reason", MAX_TEXT, SupervisionOrder.reason, reply_deadline=LATER),
    "order reply": form(ORDER + "/reply", "reply", MAX_TEXT, SupervisionOrder.reply, ORDER),
    "decision": form("/cycles/{run}/agenda/{item}/decisions", "assignee", MAX_NAME, Decision.assignee, "/cycles/{run}", action="协调", due_on=LATER, department=""),
    "notice title": form(NOTICE + "/edit", "title", MAX_NAME, CriticismNotice.title, NOTICE, preamble=""),
    "notice preamble": form(NOTICE + "/edit", "preamble", MAX_TEXT, CriticismNotice.preamble, NOTICE, title="通报"),
    "entry removal": form(NOTICE + "/entries/{entry}/remove", "reason", MAX_TEXT, NoticeEntry.removal_reason, NOTICE),
    "new account": form("/accounts/new", "display_name", MAX_NAME, User.display_name, username="newbie", role="leader", lead_official="", department=""),
    "login name": form("/accounts/new", "username", MAX_USERNAME, User.username, display_name="新人", role="leader", lead_official="", department=""),
    "account edit": form("/accounts/{office}/edit", "display_name", MAX_NAME, User.display_name, department="", role="office", lead_official=""),
    "lead official": form("/accounts/officials/new", "title", MAX_NAME, LeadOfficial.title, name="李四"),
    "lead official edit": form("/accounts/officials/{official}/edit", "name", MAX_NAME, LeadOfficial.name, title="副市长"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(FORMS))
def test_a_value_over_its_limit_changes_nothing_and_the_limit_itself_is_taken(client, login, world, name):
    case = FORMS[name]
    field, limit, column = case["field"], case["limit"], case["column"]
    login("office")
    html = client.get(case["page"].format(**world)).get_data(as_text=True)
    assert re.search(rf'name="{field}"[^>]*maxlength="{limit}"|maxlength="{limit}"[^>]*name="{field}"', html)
    action, token = case["action"].format(**world), csrf_token(html)
    over = client.post(action, data={**case["values"], field: text(limit + 1), "csrf_token": token})
    assert over.status_code == 422 and f"不能超过 {limit} 个字" in over.get_data(as_text=True)
    assert not stored(column, text(limit + 1))
    at_limit = client.post(action, data={**case["values"], field: text(limit), "csrf_token": token})
    assert at_limit.status_code == 302, at_limit.get_data(as_text=True)
    assert stored(column, text(limit))


def test_a_notice_title_over_its_limit_drafts_nothing(client, login, world):
    login("office")
    token = csrf_token(client.get("/lagging/").get_data(as_text=True))
    with db.connection_context():
        before = CriticismNotice.select().count()
    response = client.post(
        "/notices/", data={"day": TODAY.isoformat(), "title": text(MAX_NAME + 1), "csrf_token": token}
    )
    assert f"不能超过 {MAX_NAME} 个字" in client.get(response.location).get_data(as_text=True)
    with db.connection_context():
        assert CriticismNotice.select().count() == before


def test_a_password_over_its_limit_is_refused_and_the_limit_is_taken(client, login, world):
    login("office")
    page = f"/accounts/{world['office']}/password"
    token = csrf_token(client.get(page).get_data(as_text=True))
    longest = ("不易猜中的密码Ab3" * MAX_PASSWORD)[:MAX_PASSWORD]
    long = longest + "x"
    over = client.post(page, data={"password": long, "confirm": long, "csrf_token": token})
    assert over.status_code == 422 and f"密码不能超过 {MAX_PASSWORD} 位" in over.get_data(as_text=True)
    assert client.post(page, data={"password": longest, "confirm": longest, "csrf_token": token}).status_code == 302
    with db.connection_context():
        assert check_password(User.get_by_id(world["office"]), longest)


def test_a_login_over_its_limits_is_not_even_tried(client, world):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "x" * (MAX_USERNAME + 1), "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 200 and f"不能超过 {MAX_USERNAME} 个字" in response.get_data(as_text=True)
    response = client.post(
        "/login", data={"username": "office", "password": "x" * (MAX_PASSWORD + 1), "csrf_token": token}
    )
    assert response.status_code == 200 and f"密码不能超过 {MAX_PASSWORD} 位" in response.get_data(as_text=True)
    with db.connection_context():
        assert User.get(User.username == "office").failed_logins == 0


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", MAX_NAME), ("code", MAX_CODE), ("scale_and_content", MAX_TEXT), ("project_unit", MAX_NAME)],
)
def test_the_api_and_the_form_agree_on_a_fields_limit(call, token_for, world, field, limit):
    with db.connection_context():
        token = token_for(User.get(User.username == "office"))
    body = {"code": "API-1", "name": "接口项目", "total_investment": 100}
    over = call(token, "POST", "/projects", json={**body, field: ("A" if field == "code" else "项") * (limit + 1)})
    assert over.status_code == 422 and over.get_json()["error"]["field"] == field
    assert f"不能超过 {limit} 个字" in over.get_json()["error"]["message"]
    assert (
        call(token, "POST", "/projects", json={**body, field: ("A" if field == "code" else "项") * limit}).status_code
        == 201
    )


def test_a_form_post_over_the_body_limit_is_a_413_page_in_chinese(app, client, login, world):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login("office")
    token = csrf_token(client.get("/projects/new").get_data(as_text=True))
    response = client.post("/projects/new", data={**PROJECT, "name": "x" * MAX_BODY_BYTES, "csrf_token": token})
    assert response.status_code == 413
    assert "提交的内容过大，不能超过 256 KB" in response.get_data(as_text=True)
    assert not stored(Project.code, "XM-NEW")


def upload(client, content):
    """Post ``content`` as the list to import, the body built here in memory (the test client would spool it to disk)."""
    token = csrf_token(client.get("/projects/import").get_data(as_text=True))
    boundary = "limits-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="list.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post("/projects/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_list_upload_may_be_larger_than_a_form(client, login, world):
    login("office")
    response = upload(client, b"PK" + b"\0" * (2 * MAX_BODY_BYTES))  # no workbook: read and refused, not a 413
    assert response.status_code == 422 and "不能超过" not in response.get_data(as_text=True)


def test_an_upload_over_its_own_limit_is_a_413(app, client, login, world):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login("office")
    response = upload(client, b"\0" * (app.config["TRACKER"]["web"]["max_upload_mb"] * 2**20))
    assert response.status_code == 413 and "不能超过 10 MB" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/projects/", "/", "/board", "/problems/", "/accounts/", "/projects/export"])
def test_a_search_longer_than_any_name_is_a_400_in_chinese(client, login, world, path):
    login("office")
    response = client.get(path, query_string={"q": "项" * (MAX_NAME + 1)})
    assert response.status_code == 400
    assert f"搜索或筛选条件不能超过 {MAX_NAME} 个字" in response.get_data(as_text=True)
    assert client.get(path, query_string={"q": "项" * MAX_NAME}).status_code == 200


def test_a_megabyte_query_string_is_refused_before_any_query(client, login, world):
    login("office")
    response = client.get("/projects/", query_string={"q": "x" * 2**20})
    assert response.status_code == 400 and "查询参数过长" in response.get_data(as_text=True)
    assert len(response.data) < 100_000


def test_the_api_refuses_a_search_longer_than_any_name_as_the_pages_do(call, token_for, world):
    with db.connection_context():
        token = token_for(User.get(User.username == "office"))
    response = call(token, "GET", "/projects", query_string={"q": "项" * (MAX_NAME + 1)})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "q"
    assert call(token, "GET", "/projects", query_string={"q": "项" * MAX_NAME}).status_code == 200
