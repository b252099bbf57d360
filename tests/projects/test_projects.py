"""The project list as the office keeps it in the UI, and each project's page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from pages import DEADLINE, changes_on, field_errors, post, project_form
from reporting import file

from tracker.accounts.models import User
from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.core.weeks import local_now, shift_week, utc_now, week_of
from tracker.cycles.consultations import AgendaItem, record_decision
from tracker.cycles.runs import CycleRun
from tracker.projects.models import Change, Milestone, Project


@pytest.fixture
def roles(make_user, make_project):
    """A project owned by "owner", another owner's project, and one account per reading role."""
    mine, theirs = make_project(), make_project()
    for role in ("office", "leader", "inspector"):
        make_user(role, role)
    return {"owner": mine.responsible_phone, "stranger": theirs.responsible_phone, "code": mine.code}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/projects/{code}", {"office", "leader", "inspector", "owner"}),
        ("GET", "/projects/new", {"office"}),
        ("GET", "/projects/{code}/edit", {"office"}),
        ("POST", "/projects/{code}/archive", {"office"}),
    ],
)
@pytest.mark.parametrize("role", ["office", "leader", "inspector", "owner", "stranger"])
def test_each_role_reaches_only_what_it_may(client, login, roles, role, method, path, allowed):
    login(roles.get(role, role))
    path = path.format(code=roles["code"])
    response = client.get(path) if method == "GET" else post(client, path)
    assert response.status_code == ((302 if method == "POST" else 200) if role in allowed else 403)


def test_visitors_who_are_not_logged_in_are_sent_to_the_login_page(client, make_project):
    code = make_project().code
    response = client.get(f"/projects/{code}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_opening_every_page_changes_nothing(client, office_session, make_project):
    project = make_project()
    with db.connection_context():
        before = (Change.select().count(), Project.select().count(), User.select().count())
    for path in ("/projects/", f"/projects/{project.code}", "/projects/new", f"/projects/{project.code}/edit"):
        assert client.get(path).status_code == 200
    assert client.get(f"/projects/{project.code}/archive").status_code == 405
    with db.connection_context():
        assert (Change.select().count(), Project.select().count(), User.select().count()) == before
        assert not Project.get_by_id(project.id).archived


@pytest.mark.parametrize("path", ["/projects/new", "/projects/{code}/edit", "/projects/{code}/archive"])
def test_a_post_without_the_csrf_token_is_refused(client, office_session, make_project, path):
    project = make_project()
    response = client.post(path.format(code=project.code), data=project_form(code=project.code, name="改名"))
    assert response.status_code == 400
    with db.connection_context():
        saved = Project.get_by_id(project.id)
        assert (saved.name, saved.archived) == (project.name, False)


def test_the_office_creates_a_project_whose_owner_account_has_no_password_yet(client, office_session, official):
    response = post(client, "/projects/new", project_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/projects/XM-NEW")
    with db.connection_context():
        project = Project.get(Project.code == "XM-NEW")
        assert (project.name, project.lead_official.name, project.total_investment) == (
            "化工园区污水处理厂",
            "王建国",
            20000,
        )
        assert (project.owner.username, project.owner.password_hash) == ("13812345678", None)


def test_blank_milestone_dates_are_planned_back_from_the_start_deadline(client, office_session, official):
    post(client, "/projects/new", project_form())
    with db.connection_context():
        planned = {m.kind: m.planned_on for m in Milestone.select().join(Project).where(Project.code == "XM-NEW")}
    offsets = DEFAULTS["milestones"]
    assert planned["start"] == DEADLINE
    assert planned["approval"] == DEADLINE - dt.timedelta(days=offsets["approval"])
    assert planned["completion"] is None


def test_a_planned_date_the_office_gives_is_kept(client, office_session, official):
    post(client, "/projects/new", project_form(**{"planned-land": "2027-02-01", "planned-completion": "2028-12-31"}))
    with db.connection_context():
        planned = {m.kind: m.planned_on for m in Milestone.select().join(Project).where(Project.code == "XM-NEW")}
    assert (planned["land"], planned["completion"]) == (dt.date(2027, 2, 1), dt.date(2028, 12, 31))


def test_a_code_already_listed_is_shown_on_the_code_field(client, office_session, make_project):
    taken = make_project().code
    response = post(client, "/projects/new", project_form(code=taken))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "code") == [f"项目编号 {taken} 已存在"]


def test_an_annual_plan_above_the_total_is_shown_on_its_field(client, office_session, official):
    response = post(client, "/projects/new", project_form(annual_plan_investment="30000"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "annual_plan_investment") == ["年度计划投资不能大于总投资"]


@pytest.mark.parametrize("value", ["一万", "-5"])
def test_a_budget_that_is_no_amount_is_refused_in_chinese(client, office_session, official, value):
    response = post(client, "/projects/new", project_form(total_investment=value))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "total_investment") == ["请输入不小于 0 的数（万元）"]
    with db.connection_context():
        assert not Project.select().exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("113934.98", "113934.98"), ("1,234.5", "1234.50"), ("１２，３４５.６", "12345.60"), ("３５００", "3500.00")],
)
def test_an_amount_is_taken_as_lists_print_it_to_the_cent(client, office_session, official, typed, stored):
    response = post(client, "/projects/new", project_form(total_investment=typed, annual_plan_investment="0.35"))
    assert response.status_code == 302
    with db.connection_context():
        project = Project.get(Project.code == "XM-NEW")
    assert (project.total_investment, project.annual_plan_investment) == (Decimal(stored), Decimal("0.35"))


def test_an_amount_with_more_than_two_decimals_is_refused_on_its_field(client, office_session, official):
    response = post(client, "/projects/new", project_form(total_investment="1.234"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "total_investment") == ["最多两位小数"]


def test_the_edit_form_starts_from_the_project(client, office_session, make_project):
    project = make_project()
    page = client.get(f"/projects/{project.code}/edit").get_data(as_text=True)
    assert f'value="{project.name}"' in page
    assert re.search(r'<option selected value="王建国">|<option value="王建国" selected>', page)


def test_an_edit_is_logged_old_to_new_on_the_project_page(client, office_session, make_project):
    project = make_project()
    response = post(client, f"/projects/{project.code}/edit", project_form(code=project.code, name="扩建后的名称"))
    assert response.status_code == 302
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert ("—", "项目名称", f"{project.name} → 扩建后的名称") in changes_on(page)


def test_a_new_start_deadline_moves_the_default_plan_but_not_a_date_set_by_hand(client, office_session, official):
    post(client, "/projects/new", project_form(**{"planned-land": "2027-02-01"}))
    data = project_form(start_deadline="2027-09-30")
    data.update({"planned-land": "2027-02-01"})  # what the edit form shows: only the date set by hand
    assert post(client, "/projects/XM-NEW/edit", data).status_code == 302
    with db.connection_context():
        planned = {m.kind: m.planned_on for m in Milestone.select().join(Project).where(Project.code == "XM-NEW")}
    assert planned["start"] == dt.date(2027, 9, 30) and planned["land"] == dt.date(2027, 2, 1)


def test_changing_the_code_leads_to_the_page_under_the_new_code(client, office_session, make_project):
    project = make_project()
    response = post(client, f"/projects/{project.code}/edit", project_form(code="XM-RENAMED"))
    assert response.headers["Location"].endswith("/projects/XM-RENAMED")
    assert client.get("/projects/XM-RENAMED").status_code == 200


def test_archiving_takes_the_project_off_the_list_but_keeps_its_page(client, office_session, make_project):
    project = make_project()
    assert post(client, f"/projects/{project.code}/archive").status_code == 302
    assert f'data-code="{project.code}"' not in client.get("/projects/").get_data(as_text=True)
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "已归档" in page and ("—", "归档", "否 → 是") in changes_on(page)


def test_milestones_past_their_planned_date_and_not_reached_are_marked_overdue(client, office_session, make_project):
    project = make_project(start_deadline=dt.date.today() + dt.timedelta(days=10))
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    overdue = re.findall(r'<tr data-milestone="(\w+)" class="overdue">', page)
    # Planned 120 / 90 / 75 / 60 / 20 days before a deadline 10 days away: all procedures are late.
    assert overdue == ["approval", "land", "planning", "environment", "construction_permit"]


def test_the_project_page_shows_each_reports_funds_by_source_and_the_total(
    client, office_session, make_project, config
):
    project = make_project()
    with db.connection_context():
        file(config, project, "2026-W40", investment_completed=100, funds={"bank_loans": 300, "special_bonds": 50})
        file(config, project, "2026-W41", investment_completed=200, problems="征地未完成", funds={"bank_loans": 200})
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    funds = page[page.index('id="funds"') :]
    rows = {
        week: re.findall(r'class="num">([^<]+)<', row)
        for week, row in re.findall(r'data-week="([^"]+)">(.*?)</tr>', funds, re.S)
    }
    assert rows["2026-W40"] == ["0万元", "0万元", "50万元", "300万元", "0万元", "0万元", "350万元"]
    assert rows["cumulative"] == ["0万元", "0万元", "50万元", "500万元", "0万元", "0万元", "550万元"]
    assert "征地未完成" in page


def test_the_project_page_shows_the_latest_26_weeks_and_links_to_the_whole_history(
    client, office_session, make_project, config
):
    project = make_project()
    weeks = [shift_week("2026-W40", -n) for n in range(28)]
    with db.connection_context():
        for n, week in enumerate(reversed(weeks)):
            file(config, project, week, investment_completed=n)

    def reports(query=""):
        page = client.get(f"/projects/{project.code}{query}").get_data(as_text=True)
        section = page[page.index('id="reports"') : page.index('id="funds"')]
        return re.findall(r'<tr data-week="([^"]+)">', section), section

    shown, section = reports()
    assert shown == weeks[:26] and "查看全部 28 周" in section
    shown, section = reports("?reports=all")
    assert shown == weeks and "查看全部" not in section


def test_changes_are_listed_newest_first(client, office_session, make_project):
    project = make_project()
    for name in ("第二个名称", "第三个名称"):
        post(client, f"/projects/{project.code}/edit", project_form(code=project.code, name=name))
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    names = [change for _, field, change in changes_on(page) if field == "项目名称"]
    assert names == ["第二个名称 → 第三个名称", f"{project.name} → 第二个名称", f"— → {project.name}"]


def test_an_owner_sees_the_consultations_decisions_on_their_project(client, login, make_project):
    project = make_project()
    with db.connection_context():
        run = CycleRun.create(cycle="monthly", period="2026-10", claimed_by="test", lease_until=utc_now())
        item = AgendaItem.create(run=run, project=project, kind="lagging", title=project.name, position=1)
        record_decision(item, "协调用地审批", "市自然资源局", dt.date(2026, 12, 15), None, dt.date(2026, 11, 30))
    login(project.responsible_phone)
    decisions = client.get(f"/projects/{project.code}").get_data(as_text=True).split('id="decisions"')[1]
    assert all(text in decisions for text in ("2026-10", "协调用地审批", "市自然资源局", "2026-12-15"))


def test_only_the_office_gets_the_edit_and_archive_buttons(client, login, make_user, make_project):
    project = make_project()
    login(project.responsible_phone)
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "填报本周周报" in page and "编辑项目" not in page and "归档项目" not in page


def test_the_office_finds_the_new_project_form_on_the_project_list(client, login, make_user, make_project):
    make_project()
    make_user("office", "office")
    make_user("leader", "leader")
    login("office")
    page = client.get("/projects/").get_data(as_text=True)
    link = re.search(r'<a class="button primary" href="([^"]+)">新建项目</a>', page)
    assert link and client.get(link.group(1)).status_code == 200
    login("leader")
    assert "新建项目" not in client.get("/projects/").get_data(as_text=True)


@pytest.fixture
def searchable(make_project, make_user):
    """Projects to search for, one of them lacking its start deadline (待完善)."""
    make_user("office", "office")
    make_project(code="2026-00012", name="南湖大道改造工程")
    make_project(code="2026-00123", name="化工园区南湖片区污水处理厂", start_deadline=None)
    make_project(code="XA-7", name="文旅小镇", national_code="2023-610100-48-01-012345")
    make_project(code="2027-00012", name="冷链物流中心")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("南湖", ["2026-00012", "2026-00123"]),  # a part of the name
        ("2026-0001", ["2026-00012"]),  # the beginning of a code
        ("2026-00012", ["2026-00012"]),  # a whole code
        ("00012", []),  # the middle of a code finds nothing
        ("xa-7", ["XA-7"]),  # either case
        ("2023-610100", ["XA-7"]),  # the beginning of the national code
        ("%", []),  # typed literally, not a wildcard
    ],
)
@pytest.mark.parametrize("path", ["/projects/", "/board"])
def test_a_project_list_finds_projects_by_name_or_code(client, login, searchable, path, text, found):
    login("office")
    page = client.get(path, query_string={"q": text}).get_data(as_text=True)
    assert sorted(set(re.findall(r'data-code="([^"]+)"', page))) == found
    assert f'value="{text}"' in page  # the box keeps what was typed


def test_the_incomplete_list_and_the_api_search_the_same_way(client, login, searchable, call, token_for):
    login("office")
    page = client.get("/projects/incomplete", query_string={"q": "南湖"}).get_data(as_text=True)
    assert re.findall(r'data-code="([^"]+)"', page) == ["2026-00123"]
    with db.connection_context():
        token = token_for(User.get(User.username == "office"))
    listed = call(token, "GET", "/projects?q=2026-0001").get_json()
    assert [p["code"] for p in listed["items"]] == ["2026-00012"]


@pytest.mark.parametrize("phone", ["13812345678", "+86 13812345678", "+8613812345678", "029-87654321", "0912-8765432"])
def test_a_mobile_or_a_landline_with_its_area_code_is_taken(client, office_session, official, phone):
    assert post(client, "/projects/new", project_form(responsible_phone=phone)).status_code == 302


@pytest.mark.parametrize("phone", ["1381234567", "12812345678", "87654321", "138-1234-5678x", "office"])
def test_a_phone_that_is_no_phone_number_is_refused_on_its_field(client, office_session, official, phone):
    response = post(client, "/projects/new", project_form(responsible_phone=phone))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "responsible_phone") == [
        "应为手机号（如 13812345678）或带区号的固定电话（如 029-87654321），可加 +86"
    ]


def test_two_office_accounts_each_reopen_a_week_from_the_same_project_page(app, login, make_user, make_project, config):
    # The page's history is drawn once and kept; its buttons must still carry each session's own CSRF token.
    project = make_project()
    week = shift_week(week_of(local_now(config["city"]["timezone"]).date()), -2)
    with db.connection_context():
        file(config, project, week)
    clients = {}
    for name in ("office-a", "office-b"):
        make_user(name, "office")
        clients[name] = login(name, c=app.test_client())
    pages = {name: c.get(f"/projects/{project.code}").get_data(as_text=True) for name, c in clients.items()}
    action = f"/projects/{project.code}/report/{week}/reopen"
    token = re.search(
        rf'action="{action}"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', pages["office-b"]
    )
    assert clients["office-b"].post(action, data={"csrf_token": token[1]}).status_code == 302
