"""The problem ledger (问题台账) pages: who sees and answers which problems, the overdue counts,
and the problems the weekly report puts on the ledger."""

import datetime as dt
import re

import pytest
from pages import account_form, field_errors, post
from reporting import file

from scheduler.cycles import run_cycle
from tracker.accounts.models import User
from tracker.core.config import DEFAULTS, ConfigError, load_config
from tracker.core.db import db
from tracker.core.weeks import local_now, week_monday
from tracker.cycles.consultations import AgendaItem
from tracker.demo.loading import load_demo_city
from tracker.inspections.models import Finding
from tracker.problems.ledger import change_problem, raise_problem
from tracker.problems.models import Problem, ProblemEvent

# The city's date, as the ledger dates its events and counts what is overdue (not the machine's).
TODAY = local_now(DEFAULTS["city"]["timezone"]).date()
RAISED = dt.datetime.combine(TODAY - dt.timedelta(days=40), dt.time(9))
NDRC, FINANCE = "市发展改革委", "市财政局"


@pytest.fixture
def city(app, make_user, make_project):
    """Two projects with an owner each, in two counties; a problem on each for a different department."""
    with db.connection_context():
        for role in ("office", "leader", "inspector"):
            make_user(role, role)
        make_user("department", "department", department=NDRC)
        make_user("other_department", "department", department=FINANCE)
        mine = make_project(code="XM-A", name="东城物流园", county="东城区")
        theirs = make_project(code="XM-B", name="西城文旅街", county="西城区", lead_department=FINANCE)
        office = User.get(User.username == "office")
        due = TODAY + dt.timedelta(days=20)
        problems = {
            "mine": raise_problem(mine, "用地指标未落实", NDRC, due, office, source="office", now=RAISED),
            "theirs": raise_problem(theirs, "专项债资金未拨付", FINANCE, due, office, source="office", now=RAISED),
        }
    return {
        "owner": mine.responsible_phone,
        "other_owner": theirs.responsible_phone,
        "projects": {"mine": mine, "theirs": theirs},
        "problems": problems,
    }


def rows(html, table="problems"):
    """The ids of the problems listed in a page's ledger table."""
    body = html.split(f'id="{table}"')[1].split("</table>")[0]
    return [int(n) for n in re.findall(r'data-problem="(\d+)"', body)]


def counts(html, key):
    """[(department or county, overdue count)] as the table above the ledger shows them, in order."""
    body = html.split(f'id="overdue-by-{key}"')[1].split("</table>")[0]
    return [
        (v, int(n)) for v, n in re.findall(rf'data-{key}="([^"]+)"><td>[^<]*</td><td class="num"><a [^>]*>(\d+)', body)
    ]


def fresh(problem):
    with db.connection_context():
        return Problem.get_by_id(problem.id)


def test_a_department_sees_only_its_own_problems_and_not_another_departments(client, login, city):
    login("department")
    mine, theirs = city["problems"]["mine"], city["problems"]["theirs"]
    page = client.get("/problems/").get_data(as_text=True)
    assert rows(page) == [mine.id] and "用地指标未落实" in page and "专项债资金未拨付" not in page
    assert client.get(f"/problems/{mine.id}").status_code == 200
    assert client.get(f"/problems/{theirs.id}").status_code == 403
    project_page = client.get("/projects/XM-B").get_data(as_text=True)
    assert project_page.count("data-problem=") == 0


def test_an_owner_sees_only_the_problems_of_their_own_projects(client, login, city):
    login(city["owner"])
    page = client.get("/problems/").get_data(as_text=True)
    assert rows(page) == [city["problems"]["mine"].id]
    assert client.get(f"/problems/{city['problems']['theirs'].id}").status_code == 403


def test_the_office_sees_every_problem_also_on_the_project_page_with_a_button_to_raise_one(client, login, city):
    login("office")
    assert sorted(rows(client.get("/problems/").get_data(as_text=True))) == sorted(
        p.id for p in city["problems"].values()
    )
    project_page = client.get("/projects/XM-A").get_data(as_text=True)
    assert f'data-problem="{city["problems"]["mine"].id}"' in project_page and "登记问题" in project_page


def test_a_reply_shows_with_its_date_and_moves_the_status(client, login, city):
    login("department")
    problem = city["problems"]["mine"]
    response = post(
        client, f"/problems/{problem.id}/reply", {"text": "已协调自然资源局调剂指标", "status": "in_progress"}
    )
    assert response.status_code == 302
    page = client.get(f"/problems/{problem.id}").get_data(as_text=True)
    events = page.split('id="events"')[1].split("</table>")[0]
    assert "已协调自然资源局调剂指标" in events and "答复" in events and TODAY.isoformat() in events
    assert RAISED.date().isoformat() in events  # the raising, with its own date
    assert fresh(problem).status == "in_progress" and '<dd id="status">解决中</dd>' in page


def test_a_reply_needs_words_and_writes_nothing_without_them(client, login, city):
    login("department")
    problem = city["problems"]["mine"]
    response = post(client, f"/problems/{problem.id}/reply", {"text": " ", "status": "resolved"})
    assert response.status_code == 422 and "请填写答复内容" in field_errors(response.get_data(as_text=True), "text")
    with db.connection_context():
        assert (
            fresh(problem).status == "open"
            and ProblemEvent.select().where(ProblemEvent.problem == problem).count() == 1
        )


def test_the_office_closes_only_a_resolved_problem(client, login, city):
    login("office")
    problem = city["problems"]["mine"]
    response = post(client, f"/problems/{problem.id}/close")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "只有已解决的问题可以销号" in page and fresh(problem).status == "open"
    post(client, f"/problems/{problem.id}/reply", {"text": "指标已下达", "status": "resolved"})
    assert post(client, f"/problems/{problem.id}/close").status_code == 302
    page = client.get(f"/problems/{problem.id}").get_data(as_text=True)
    assert "问题已销号" in page and fresh(problem).status == "closed"


def test_the_office_moves_a_deadline_with_a_reason_on_record(client, login, city):
    login("office")
    problem = city["problems"]["mine"]
    later = TODAY + dt.timedelta(days=60)
    response = post(client, f"/problems/{problem.id}/deadline", {"deadline": "明天", "reason": "待省厅批复"})
    assert response.status_code == 422 and "日期格式应为 2026-11-23" in response.get_data(as_text=True)
    assert fresh(problem).deadline == TODAY + dt.timedelta(days=20)
    post(client, f"/problems/{problem.id}/deadline", {"deadline": later.isoformat(), "reason": "待省厅批复"})
    page = client.get(f"/problems/{problem.id}").get_data(as_text=True)
    assert fresh(problem).deadline == later and "待省厅批复" in page and "调整时限" in page


def test_the_inspector_raises_a_problem_from_an_inspection_and_bad_input_writes_nothing(client, login, city):
    login("inspector")
    path = "/problems/new?project=XM-B"
    form = client.get(path).get_data(as_text=True)
    # The department is chosen from the list, the project's own chosen at first.
    assert re.search(r'<select[^>]*name="department"', form) and re.search(rf'<option selected value="{FINANCE}"', form)
    response = post(client, path, {"description": "施工许可办理缓慢", "department": "", "deadline": "2026-13-01"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, "department") == ["请指定负责解决的部门"] and "日期格式应为" in html
    with db.connection_context():
        assert Problem.select().count() == 2
    response = post(
        client, path, {"description": "施工许可办理缓慢", "department": "市住建局", "deadline": "2027-01-15"}
    )
    with db.connection_context():
        problem = Problem.get(Problem.description == "施工许可办理缓慢")
    assert response.headers["Location"].endswith(f"/problems/{problem.id}")
    assert (problem.source, problem.department, problem.deadline) == ("inspection", "市住建局", dt.date(2027, 1, 15))


def test_the_overdue_filter_and_counts_by_department_and_county(client, login, city, make_project):
    """Overdue: unresolved and past the deadline. NDRC has 3 (2 东城区, 1 南城区), finance 1 (西城区)."""
    with db.connection_context():
        office = User.get(User.username == "office")
        mine, theirs = city["projects"]["mine"], city["projects"]["theirs"]
        south = make_project(code="XM-C", county="南城区")
        past = TODAY - dt.timedelta(days=5)

        def problem(project, department, deadline=past, words="逾期问题"):
            return raise_problem(project, words, department, deadline, office, source="office", now=RAISED)

        overdue = [problem(mine, NDRC), problem(mine, NDRC), problem(south, NDRC), problem(theirs, FINANCE)]
        change_problem(overdue[1], office, "reply", "正在协调", status="in_progress", now=RAISED)
        change_problem(problem(mine, NDRC, words="已解决"), office, "reply", "已解决", status="resolved", now=RAISED)
        problem(mine, NDRC, deadline=TODAY, words="今天到期")  # due today: not overdue yet
    login("office")
    page = client.get("/problems/").get_data(as_text=True)
    assert counts(page, "department") == [(NDRC, 3), (FINANCE, 1)]
    assert counts(page, "county") == [("东城区", 2), ("南城区", 1), ("西城区", 1)]
    assert "逾期 5 天" in page
    listed = client.get("/problems/?overdue=1").get_data(as_text=True)
    assert sorted(rows(listed)) == sorted(p.id for p in overdue)
    by_county = client.get("/problems/?overdue=1&county=东城区").get_data(as_text=True)
    assert sorted(rows(by_county)) == sorted(p.id for p in overdue[:2])
    assert rows(client.get("/problems/?status=open&department=市财政局&q=XM-B").get_data(as_text=True)) == [
        overdue[3].id,
        city["problems"]["theirs"].id,
    ]


def test_the_department_counts_only_its_own_overdue_problems(client, login, city):
    with db.connection_context():
        office = User.get(User.username == "office")
        for department in (NDRC, FINANCE, FINANCE):
            raise_problem(city["projects"]["theirs"], "逾期", department, TODAY - dt.timedelta(days=1), office)
    login("department")
    assert counts(client.get("/problems/").get_data(as_text=True), "department") == [(NDRC, 1)]


def test_new_problem_text_in_a_weekly_report_goes_on_the_ledger_once(conn, config, city):
    project = city["projects"]["theirs"]
    file(config, project, "2026-W45", problems="施工用电未接入")
    file(config, project, "2026-W46", problems="施工用电未接入")  # carried over unchanged: the same problem
    raised = Problem.select().where(Problem.source == "report")
    [problem] = raised
    assert (problem.department, problem.description) == (FINANCE, "施工用电未接入")
    assert problem.deadline == week_monday("2026-W45") + dt.timedelta(days=config["problems"]["default_days"])
    assert problem.report.week == "2026-W45"


def test_correcting_the_weeks_problem_text_rewords_its_entry_instead_of_raising_another(conn, config, city):
    project = city["projects"]["theirs"]
    file(config, project, "2026-W45", problems="施工用电未接入")
    file(config, project, "2026-W46", problems="用水指标不足")
    file(config, project, "2026-W46", problems="用水指标不足，需协调水务局")
    raised = list(Problem.select().where(Problem.source == "report").order_by(Problem.id))
    assert [p.description for p in raised] == ["施工用电未接入", "用水指标不足，需协调水务局"]
    assert [e.kind for e in raised[1].events.order_by(ProblemEvent.id)] == ["raised", "reply"]


def test_a_report_without_problem_text_raises_nothing(conn, config, city):
    file(config, city["projects"]["theirs"], "2026-W45", problems="  ")
    assert Problem.select().where(Problem.source == "report").count() == 0


def test_the_monthly_agenda_lists_the_problems_unresolved_on_the_months_last_day(conn, config, city):
    project = city["projects"]["theirs"]
    file(config, project, "2026-W47", now=dt.datetime(2026, 11, 20, 10), problems="施工用电未接入")
    office = User.get(User.username == "office")
    raised = dt.datetime(2026, 11, 3, 9)
    solved_in_time = raise_problem(project, "规划许可待批", FINANCE, dt.date(2026, 11, 20), office, now=raised)
    change_problem(solved_in_time, office, "reply", "已批复", status="resolved", now=dt.datetime(2026, 11, 18))
    solved_late = raise_problem(project, "征地遗留问题", FINANCE, dt.date(2026, 11, 10), office, now=raised)
    change_problem(solved_late, office, "reply", "已解决", status="resolved", now=dt.datetime(2026, 12, 3))
    run_cycle("weekly", "2026-W47", config)
    run = run_cycle("monthly", "2026-11", config)
    agenda = [i.detail for i in AgendaItem.select().where((AgendaItem.run == run) & (AgendaItem.kind == "problem"))]
    # Resolved only in December: still open on 30 November, and overdue then.
    assert "征地遗留问题（市财政局，限 2026-11-10）" in agenda
    assert "施工用电未接入（市财政局，限 2026-12-16）" in agenda  # the report's week's Monday + 30 days
    assert not [item for item in agenda if "规划许可待批" in item]


def test_looking_at_the_ledger_changes_nothing(client, login, city):
    def state():
        with db.connection_context():
            return [(p.id, p.status, p.deadline, p.description) for p in Problem.select().order_by(Problem.id)], [
                e.id for e in ProblemEvent.select()
            ]

    before = state()
    login("office")
    problem = city["problems"]["mine"]
    for path in ("/problems/", f"/problems/{problem.id}", "/problems/new?project=XM-A", "/projects/XM-A"):
        assert client.get(path).status_code == 200
    for path in (f"/problems/{problem.id}/reply", f"/problems/{problem.id}/close", f"/problems/{problem.id}/deadline"):
        assert client.get(path).status_code == 405
    assert state() == before


def test_a_post_without_the_csrf_token_is_refused(client, login, city):
    login("office")
    problem = city["problems"]["mine"]
    response = client.post(f"/problems/{problem.id}/reply", data={"text": "无令牌", "status": "resolved"})
    assert response.status_code == 400 and fresh(problem).status == "open"


def test_a_department_account_needs_its_department(client, office_session):
    response = post(client, "/accounts/new", account_form(username="dept", role="department"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "department")
    with db.connection_context():
        assert not User.select().where(User.username == "dept").exists()
    response = post(client, "/accounts/new", account_form(username="dept", role="department", department=NDRC))
    assert response.status_code == 302


ROLES = ("office", "leader", "inspector", "department", "other_department", "owner", "other_owner")
ROUTES = {
    # (method, path): the roles let through; everyone else gets 403.
    ("GET", "/problems/"): ROLES,
    ("GET", "/problems/{id}"): ("office", "leader", "inspector", "department", "owner"),
    ("POST", "/problems/{id}/reply"): ("office", "department", "owner"),
    ("POST", "/problems/{id}/close"): ("office",),
    ("POST", "/problems/{id}/deadline"): ("office",),
    ("GET", "/problems/new?project=XM-A"): ("office", "inspector"),
}


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what_on_the_ledger(client, login, city, role, method, path):
    login(city.get(role, role))
    url = path.format(id=city["problems"]["mine"].id)
    data = {"text": "答复", "status": "", "deadline": "2027-03-01", "reason": "延期"}
    response = client.get(url) if method == "GET" else post(client, url, data)
    allowed = 200 if method == "GET" else 302
    assert response.status_code == (allowed if role in ROUTES[(method, path)] else 403)


def test_visitors_who_are_not_logged_in_are_sent_to_the_login_page(client, city):
    assert client.get("/problems/").status_code == 302


def test_every_page_in_a_department_users_nav_opens(client, login, city):
    login("department")
    nav = client.get("/problems/").get_data(as_text=True).split("<nav>")[1].split("</nav>")[0]
    links = re.findall(r'href="([^"]+)"', nav)
    assert "/problems/" in links and "/reports/" not in " ".join(links)
    assert {link: client.get(link).status_code for link in links} == {link: 200 for link in links}


def test_the_demo_ledger_has_every_state_and_the_demo_department_answers_its_own(client, login, config):
    with db.connection_context():
        accounts = {role: (username, password) for role, username, password in load_demo_city(config)}
        # The ledger's own stories: the inspection round's findings (tests/inspections/test_demo_round.py) and
        # the enterprises' problems (tests/enterprises) have their own tests.
        stories = Problem.select().where(
            Problem.id.not_in(Finding.select(Finding.problem)) & Problem.project.is_null(False)
        )
        states = {status for (status,) in stories.select(Problem.status).tuples()}
        assert stories.count() == 12 and states == {"open", "in_progress", "resolved", "closed"}
    login(*accounts["department"])
    page = client.get("/problems/?overdue=1").get_data(as_text=True)
    assert rows(page) and "逾期" in page
    assert client.get(f"/problems/{rows(page)[0]}").status_code == 200


def test_a_problem_needs_at_least_a_day_to_be_solved():
    with pytest.raises(ConfigError, match=r"\[problems\] default_days must be at least 1"):
        load_config(overrides={"problems": {"default_days": 0}})
