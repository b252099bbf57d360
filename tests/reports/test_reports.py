"""Filing the weekly report (周报) through the web form, as owners and the office do."""

import re

import pytest
from pages import changes_on, field_errors, post
from queries import recorded_queries, selects
from reporting import file

from tracker.core.db import db
from tracker.core.weeks import local_now, report_cutoff, shift_week, week_label
from tracker.problems.models import Problem
from tracker.projects.models import FUNDING_SOURCES, MILESTONES, Change, ProgressReport, Project
from tracker.reports.filing import current_week


def report_form(**changes):
    """A complete report form: a project that has started, nothing unusual."""
    data = {
        "status": "started",
        "investment_completed": "1500",
        "physical_progress": "基础施工完成 30%",
        "problems": "",
        "next_week_plan": "主体结构施工",
        "explanation": "",
    }
    # Blank like the browser sends them: every fund and milestone field is in the form.
    data.update({f"funds-{source}": "" for source in FUNDING_SOURCES})
    data.update({f"milestones-{kind}": "" for kind in MILESTONES})
    data.update(changes)
    return data


def file_as_office(config, project, week, **values):
    """A report filed earlier, outside the form (no cut-off applies to the office)."""
    with db.connection_context():
        return file(config, project, week, now=local_now(config["city"]["timezone"]), **values)


def stored_report(project, week):
    with db.connection_context():
        return ProgressReport.get_or_none(project=project.id, week=week)


@pytest.fixture
def week(config):
    return current_week(config)


@pytest.fixture
def project(make_project):
    return make_project()


@pytest.fixture
def owner(project, login):
    """The test client logged in as the project's responsible person."""
    return login(project.responsible_phone)


@pytest.fixture
def roles(make_user, make_project, project):
    theirs = make_project()
    for role in ("office", "leader", "inspector"):
        make_user(role, role)
    return {"owner": project.responsible_phone, "stranger": theirs.responsible_phone}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/reports/", {"office", "owner", "stranger"}),
        ("GET", "/projects/{code}/report", {"office", "owner"}),
        ("POST", "/projects/{code}/report", {"office", "owner"}),
        ("POST", "/projects/{code}/report/{past}/reopen", {"office"}),
        ("POST", "/projects/{code}/report/{past}/lock", {"office"}),
    ],
)
@pytest.mark.parametrize("role", ["office", "leader", "inspector", "owner", "stranger"])
def test_each_role_reaches_only_what_it_may(client, login, config, project, week, roles, role, method, path, allowed):
    past = shift_week(week, -2)
    file_as_office(config, project, past)
    login(roles.get(role, role))
    path = path.format(code=project.code, past=past)
    response = client.get(path) if method == "GET" else post(client, path, report_form())
    assert response.status_code == ((302 if method == "POST" else 200) if role in allowed else 403)


def test_a_report_for_someone_elses_project_is_refused_and_not_saved(client, login, make_project, project, week):
    login(make_project().responsible_phone)
    assert post(client, f"/projects/{project.code}/report", report_form()).status_code == 403
    assert stored_report(project, week) is None


def test_opening_the_form_or_the_list_saves_nothing(client, owner, project, week):
    for path in ("/reports/", f"/projects/{project.code}/report", f"/projects/{project.code}/report/{week}"):
        assert client.get(path).status_code == 200
    with db.connection_context():
        assert not ProgressReport.select().exists() and not Change.select().where(Change.report.is_null(False)).exists()


@pytest.mark.parametrize("path", ["/projects/{code}/report", "/projects/{code}/report/{past}/reopen"])
def test_a_post_without_the_csrf_token_is_refused(client, login, make_user, config, project, week, path):
    past = shift_week(week, -2)
    file_as_office(config, project, past)
    make_user("boss", "office")
    login("boss")
    response = client.post(path.format(code=project.code, past=past), data=report_form())
    assert response.status_code == 400
    assert stored_report(project, week) is None and not stored_report(project, past).reopened


@pytest.mark.parametrize("path", ["/projects/{code}/report/{past}/reopen", "/projects/{code}/report/{past}/lock"])
def test_reopening_by_a_get_link_is_not_possible(client, login, make_user, config, project, week, path):
    past = shift_week(week, -2)
    file_as_office(config, project, past)
    make_user("boss", "office")
    login("boss")
    assert client.get(path.format(code=project.code, past=past)).status_code == 405


def test_the_form_starts_from_last_weeks_figures(client, owner, config, project, week):
    file_as_office(
        config, project, shift_week(week, -1), investment_completed=1200, physical_progress="主体结构完成 60%"
    )
    page = client.get(f"/projects/{project.code}/report").get_data(as_text=True)
    assert 'name="investment_completed"' in page and 'value="1200"' in page
    assert "主体结构完成 60%" in page
    assert re.search(r'<option selected value="started">|<option value="started" selected>', page)


def test_a_filed_report_moves_the_project_and_the_list_says_so(client, owner, project, week):
    response = post(client, f"/projects/{project.code}/report", report_form(**{"funds-bank_loans": "300"}))
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/")
    listing = client.get("/reports/").get_data(as_text=True)
    assert f"已提交 {project.name} {week} 周报" in listing and "本周已填报" in listing and ">修改</a>" in listing
    with db.connection_context():
        saved = Project.get_by_id(project.id)
        assert (saved.status, saved.investment_completed, saved.funds_secured) == ("started", 1500, {"bank_loans": 300})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("investment_completed", "-5", "请输入不小于 0 的数（万元）"),
        ("investment_completed", "一千五", "请输入不小于 0 的数（万元）"),
        ("investment_completed", "1.234", "最多两位小数"),
        ("funds-bank_loans", "-300", "请输入不小于 0 的数（万元）"),
        ("funds-bank_loans", "300.005", "最多两位小数"),
        ("investment_completed", "99999999999", "不能超过 1000000000 万元"),
    ],
)
def test_a_negative_or_non_numeric_amount_is_refused_with_a_message(
    client, owner, project, week, field, value, message
):
    response = post(client, f"/projects/{project.code}/report", report_form(**{field: value}))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert stored_report(project, week) is None


def test_completed_investment_above_the_total_needs_an_explanation(client, owner, project, week):
    path = f"/projects/{project.code}/report"
    response = post(client, path, report_form(investment_completed="12000"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "explanation") == [
        "累计完成投资 12000 万元超过总投资 10000.55 万元，请填写说明"
    ]
    assert stored_report(project, week) is None
    assert (
        post(client, path, report_form(investment_completed="12000", explanation="追加投资已批复")).status_code == 302
    )


def test_completed_investment_below_last_weeks_needs_an_explanation(client, owner, config, project, week):
    file_as_office(config, project, shift_week(week, -1), investment_completed=2000)
    response = post(client, f"/projects/{project.code}/report", report_form(investment_completed="1500"))
    assert response.status_code == 422
    assert "低于上周的 2000 万元" in field_errors(response.get_data(as_text=True), "explanation")[0]


def test_a_milestone_date_in_the_future_is_shown_at_that_milestone(client, owner, project, week):
    response = post(client, f"/projects/{project.code}/report", report_form(**{"milestones-start": "2099-01-01"}))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "milestones-start") == ["开工完成日期不能晚于今天"]


def test_a_correction_before_the_cutoff_is_kept_in_the_history(client, owner, project, week):
    path = f"/projects/{project.code}/report"
    post(client, path, report_form(investment_completed="1500"))
    assert post(client, path, report_form(investment_completed="1800")).status_code == 302
    assert stored_report(project, week).investment_completed == 1800
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert (week, "累计完成投资", "1500 → 1800") in changes_on(page)


def test_after_the_cutoff_the_owner_finds_the_report_locked(client, owner, config, project, week):
    past = shift_week(week, -2)
    file_as_office(config, project, past, investment_completed=800)
    path = f"/projects/{project.code}/report/{past}"
    page = client.get(path).get_data(as_text=True)
    assert "已过截止时间并锁定" in page and "提交周报</button>" not in page
    assert re.search(r'<input[^>]*disabled[^>]*name="investment_completed"', page)
    response = post(client, path, report_form(investment_completed="900"))
    assert response.status_code == 409 and "已过截止时间并锁定" in response.get_data(as_text=True)
    assert stored_report(project, past).investment_completed == 800


def test_owners_see_the_week_in_days_and_the_cutoff_with_the_time_left(client, owner, config, project, week):
    cutoff = report_cutoff(week, config["reporting"]["cutoff"], config["city"]["timezone"])
    for path in ("/reports/", f"/projects/{project.code}/report"):
        page = client.get(path).get_data(as_text=True)
        assert week_label(week) in page and f"{week} " not in page
        line = re.search(r'<p class="cutoff">(.*?)</p>', page)[1]
        assert line.startswith(f"填报截止：{cutoff.month}月{cutoff.day}日（周一）09:00，还剩 ")
    past = shift_week(week, -2)
    page = client.get(f"/projects/{project.code}/report/{past}").get_data(as_text=True)
    assert "，已截止</p>" in page


def test_after_the_office_reopens_a_report_the_owner_can_correct_it(client, login, make_user, config, project, week):
    past = shift_week(week, -2)
    file_as_office(config, project, past, investment_completed=800)
    make_user("boss", "office")
    office = login("boss")
    page = office.get(f"/projects/{project.code}").get_data(as_text=True)
    assert f"/report/{past}/reopen" in page
    assert post(office, f"/projects/{project.code}/report/{past}/reopen").status_code == 302
    login(project.responsible_phone)
    assert f'/report/{past}">修改</a>' in client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert (
        post(client, f"/projects/{project.code}/report/{past}", report_form(investment_completed="900")).status_code
        == 302
    )
    assert stored_report(project, past).investment_completed == 900


def test_the_office_can_lock_a_reopened_report_again(client, login, make_user, config, project, week):
    past = shift_week(week, -2)
    file_as_office(config, project, past)
    make_user("boss", "office")
    login("boss")
    post(client, f"/projects/{project.code}/report/{past}/reopen")
    assert post(client, f"/projects/{project.code}/report/{past}/lock").status_code == 302
    assert not stored_report(project, past).reopened


def test_the_office_may_still_correct_a_locked_report(client, login, make_user, config, project, week):
    past = shift_week(week, -2)
    file_as_office(config, project, past, investment_completed=800)
    make_user("boss", "office")
    login("boss")
    assert (
        post(client, f"/projects/{project.code}/report/{past}", report_form(investment_completed="900")).status_code
        == 302
    )
    assert stored_report(project, past).investment_completed == 900


def test_the_list_shows_which_projects_still_need_this_weeks_report(client, login, make_project, config, week):
    done = make_project()
    todo = make_project(responsible_phone=done.responsible_phone)  # one person, two projects
    file_as_office(config, done, week)
    login(done.responsible_phone)
    listing = client.get("/reports/").get_data(as_text=True)
    cards = dict(re.findall(r'data-code="([^"]+)">(.*?)</section>', listing, re.S))
    assert "本周已填报" in cards[done.code] and ">修改</a>" in cards[done.code]
    assert "本周未填报" in cards[todo.code] and ">填报</a>" in cards[todo.code]


def test_a_week_that_does_not_exist_is_not_found(client, owner, project):
    assert client.get(f"/projects/{project.code}/report/2026-W99").status_code == 404


def test_a_future_week_cannot_be_filed(client, owner, project, week):
    future = shift_week(week, 2)
    response = post(client, f"/projects/{project.code}/report/{future}", report_form())
    assert response.status_code == 422 and f"不能填报未来的周次 {future}" in response.get_data(as_text=True)


def test_correcting_an_earlier_week_leaves_the_project_on_its_newest_report(config, conn, project):
    file(config, project, "2026-W46", investment_completed=100)
    file(config, project, "2026-W47", investment_completed=300)
    file(config, project, "2026-W46", investment_completed=150)
    current = Project.get_by_id(project.id)
    assert (current.investment_completed, current.last_report_week) == (300, "2026-W47")


def test_an_earlier_week_filed_while_a_later_one_was_saved_leaves_the_project_on_the_later(config, conn, project):
    # Two requests read the project at the same moment: the office files last week, the owner this week.
    office_read, owner_read = Project.get_by_id(project.id), Project.get_by_id(project.id)
    file(config, owner_read, "2026-W47", investment_completed=300)
    file(config, office_read, "2026-W46", investment_completed=150)
    current = Project.get_by_id(project.id)
    assert (current.investment_completed, current.last_report_week) == (300, "2026-W47")


def test_filing_a_report_reads_the_projects_reports_once(config, conn, project):
    file(config, project, "2026-W46", investment_completed=100, problems="道路未通")
    with recorded_queries() as statements:
        file(config, project, "2026-W47", investment_completed=80, explanation="核减", problems="电力未接入")
    reads = [sql for sql in selects(statements) if 'FROM "progress_report"' in sql]
    # This week's report and last week's in one read; the project row itself says no later week is carried.
    assert len(reads) == 1
    assert Project.get_by_id(project.id).investment_completed == 80
    assert [p.description for p in Problem.select().order_by(Problem.id)] == ["道路未通", "电力未接入"]
