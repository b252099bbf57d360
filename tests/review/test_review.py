"""县区审核 and 迟报: a county office accepts or sends back its projects' reports; the city counts accepted ones only."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from conftest import csrf_token
from pages import post

from tracker.accounts.models import AccountCounty, User
from tracker.core.weeks import week_of
from tracker.cycles import figures as stats
from tracker.cycles.snapshots import ProjectSnapshot, take_snapshot
from tracker.lagging.rules import lagging_list, lagging_rules, ranking
from tracker.mail.outbox import Outbox
from tracker.projects.lights import light_thresholds
from tracker.projects.models import PROCEDURES, ListEntry, Milestone, ProgressReport, Project
from tracker.reports.filing import ReportAccepted, ReportConflict, file_report
from tracker.review.chain import ReviewConflict, ReviewError, late_counts, review_report

WEEK = "2026-W20"  # Monday 11 May 2026; its reporting day is Friday 15 May, its cut-off Monday 18 May 09:00
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
FRIDAY_EVENING = dt.datetime(2026, 5, 15, 20, 0, tzinfo=ZONE)


@pytest.fixture
def chain(app, conn, make_project, make_user):
    """Review on; 南湖县 has a county office account, 东城区 none. Returns (config, projects, county, owner)."""
    config = app.config["TRACKER"]
    config["review"]["enabled"] = True
    county = make_user("nanhu", "county", display_name="南湖县项目办")
    AccountCounty.set_counties(county, ["南湖县"])
    reviewed = make_project(code="NH-1", county="南湖县", responsible_email="zhao@example.com")
    other = make_project(code="DC-1", county="东城区")
    return config, {"reviewed": reviewed, "other": other}, county, reviewed.owner


def filed(config, project, user, now=FRIDAY_EVENING, version=None, week=WEEK, **values):
    values = {"status": "started", "investment_completed": Decimal("100"), "physical_progress": "施工中", **values}
    return file_report(project, week, values, user, config, now=now, version=version)


def this_week(config, project, user):
    """Filed now, for this week: what the pages show as open."""
    now = dt.datetime.now(ZONE)
    return filed(config, project, user, now=now, week=week_of(now.date()))


def test_a_report_of_a_county_under_review_waits_and_the_city_counts_it_once_accepted(chain):
    config, projects, county, owner = chain
    report = filed(config, projects["reviewed"], owner, investment_completed=Decimal("300"))
    assert report.review_state == "submitted"
    project = Project.get_by_id(projects["reviewed"].id)
    assert (project.investment_completed, project.last_report_week) == (0, None)
    live = stats.figures(stats.Live(WEEK), Project.code == "NH-1")
    assert (live["reports_missing"], live["investment_completed"]) == (1, 0)
    review_report(report, "accept", "", county, config, now=FRIDAY_EVENING)
    project = Project.get_by_id(project.id)
    assert (project.investment_completed, project.last_report_week) == (Decimal("300"), WEEK)
    assert stats.figures(stats.Live(WEEK), Project.code == "NH-1")["reports_missing"] == 0


def test_accepting_a_start_moves_the_watched_milestone_from_the_procedures_to_the_works(chain):
    config, projects, county, owner = chain
    main_works = (Milestone.project == projects["reviewed"].id) & (Milestone.kind == "main_works")
    Milestone.update(planned_on=dt.date(2027, 3, 1)).where(main_works).execute()
    report = filed(config, projects["reviewed"], owner, status="started")
    assert Project.get_by_id(projects["reviewed"].id).milestone in PROCEDURES
    review_report(report, "accept", "", county, config, now=FRIDAY_EVENING)
    project = Project.get_by_id(projects["reviewed"].id)
    assert (project.status, project.milestone, project.milestone_due) == ("started", "main_works", dt.date(2027, 3, 1))


def test_a_project_whose_county_has_no_account_is_accepted_at_once(chain):
    config, projects, _, _ = chain
    report = filed(config, projects["other"], projects["other"].owner)
    assert (report.review_state, Project.get_by_id(projects["other"].id).last_report_week) == ("accepted", WEEK)


def test_the_weekly_snapshot_reads_accepted_reports_only(chain):
    config, projects, county, owner = chain
    filed(config, projects["reviewed"], owner, investment_completed=Decimal("300"))
    take_snapshot(WEEK, light_thresholds(config))
    row = ProjectSnapshot.get(ProjectSnapshot.project == projects["reviewed"].id)
    assert (row.reported, row.investment_completed) == (False, 0)


def test_sending_back_needs_a_reason_mails_the_owner_and_the_resubmission_waits_again(chain):
    config, projects, county, owner = chain
    report = filed(config, projects["reviewed"], owner)
    with pytest.raises(ReviewError):
        review_report(report, "send_back", "  ", county, config)
    back = review_report(report, "send_back", "累计投资与形象进度不符，请核实", county, config, now=FRIDAY_EVENING)
    assert (back.review_state, back.review_reason) == ("sent_back", "累计投资与形象进度不符，请核实")
    [mail] = Outbox.select()
    assert (mail.recipient, mail.kind) == ("zhao@example.com", "report_sent_back") and "周报退回" in mail.subject
    again = filed(config, projects["reviewed"], owner, version=back.version, investment_completed=Decimal("120"))
    assert (again.review_state, again.investment_completed) == ("submitted", Decimal("120"))


def test_the_owner_cannot_change_an_accepted_report_until_the_office_reopens_it(chain):
    config, projects, county, owner = chain
    report = review_report(filed(config, projects["reviewed"], owner), "accept", "", county, config)
    with pytest.raises(ReportAccepted):
        filed(config, projects["reviewed"], owner)
    ProgressReport.update(reopened=True).where(ProgressReport.id == report.id).execute()
    assert filed(config, projects["reviewed"], owner).review_state == "submitted"


def test_accepting_a_report_the_owner_corrected_meanwhile_changes_nothing(chain):
    config, projects, county, owner = chain
    seen = filed(config, projects["reviewed"], owner, investment_completed=Decimal("100"))
    # The owner corrects it after the county office opened its page …
    filed(config, projects["reviewed"], owner, version=seen.version, investment_completed=Decimal("150"))
    # … so the decision on the version the office saw is refused, and the correction stands.
    with pytest.raises(ReviewConflict):
        review_report(seen, "accept", "", county, config)
    stored = ProgressReport.get_by_id(seen.id)
    assert (stored.review_state, stored.investment_completed) == ("submitted", Decimal("150"))
    # The other way round: accepted first, the owner's correction from the old version is refused.
    accepted = review_report(stored, "accept", "", county, config)
    with pytest.raises(ReportConflict):
        filed(config, projects["reviewed"], owner, version=stored.version, investment_completed=Decimal("999"))
    assert ProgressReport.get_by_id(seen.id).investment_completed == Decimal("150")
    assert accepted.review_state == "accepted"


@pytest.mark.parametrize(
    ("now", "late"),
    [
        (dt.datetime(2026, 5, 15, 23, 59, 59, tzinfo=ZONE), False),  # the last second of the reporting day
        (dt.datetime(2026, 5, 16, 0, 0, 0, tzinfo=ZONE), True),  # the first after it
    ],
)
def test_a_report_is_late_from_the_end_of_its_reporting_day(chain, now, late):
    config, projects, _, _ = chain
    report = filed(config, projects["other"], projects["other"].owner, now=now)
    assert report.late is late
    assert late_counts(Project.county, WEEK, Project.id > 0) == ({"东城区": 1} if late else {})


def test_late_reports_are_counted_per_county_and_department_in_the_ranking(chain):
    config, projects, county, owner = chain
    saturday = dt.datetime(2026, 5, 16, 10, 0, tzinfo=ZONE)
    filed(config, projects["other"], projects["other"].owner, now=saturday)
    filed(config, projects["reviewed"], owner, now=FRIDAY_EVENING)
    take_snapshot(WEEK, light_thresholds(config))
    tables = ranking(lagging_list(dt.date(2026, 5, 18), lagging_rules(config)), 0)
    counties = {row["name"]: row["late_reports"] for row in tables["county"]}
    assert counties == {"东城区": 1, "南湖县": 0}
    assert tables["lead_department"][0]["late_reports"] == 1


def test_the_report_the_owner_sees_says_it_was_sent_back_and_why(chain, login):
    config, projects, county, owner = chain
    report = this_week(config, projects["reviewed"], owner)
    review_report(report, "send_back", "请补充现场照片说明", county, config)
    client = login(owner.username)
    mine = client.get("/reports/").get_data(as_text=True)
    assert "已退回" in mine and "请补充现场照片说明" in mine
    page = client.get(f"/projects/NH-1/report/{report.week}").get_data(as_text=True)
    assert 'data-review="sent_back"' in page and "请补充现场照片说明" in page and "修改后重新提交" in page


def test_the_county_page_lists_its_pending_reports_and_decides(chain, login):
    config, projects, county, owner = chain
    report = this_week(config, projects["reviewed"], owner)
    client = login("nanhu")
    page = client.get("/review/").get_data(as_text=True)
    assert 'data-code="NH-1"' in page and 'data-code="DC-1"' not in page
    token = csrf_token(page)
    response = client.post(
        f"/review/NH-1/{report.week}",
        data={"csrf_token": token, "decision": "accept", "version": report.version, "reason": ""},
    )
    assert response.status_code == 302
    assert "周报：审核通过" in client.get("/review/").get_data(as_text=True)
    assert ProgressReport.get_by_id(report.id).review_state == "accepted"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/projects/NH-1", 200),
        ("/projects/DC-1", 403),
        ("/projects/NOPE", 404),
        ("/projects/DC-1/report", 403),
        ("/review/", 200),
        ("/accounts/", 403),
    ],
)
def test_a_county_office_reaches_its_own_counties_only(chain, login, path, status):
    client = login("nanhu")
    assert client.get(path).status_code == status


@pytest.mark.parametrize("role", ["office", "leader", "owner", "inspector", "department"])
def test_only_a_county_office_reviews(chain, login, make_user, role):
    if role != "owner":
        make_user(role, role, department="市发展改革委")
    client = login(chain[3].username if role == "owner" else role)
    assert client.get("/review/").status_code == 403
    assert post(client, f"/review/NH-1/{WEEK}", {"decision": "accept", "version": 0}).status_code == 403


def test_the_project_list_of_a_county_office_holds_its_counties_only(chain, login):
    page = login("nanhu").get("/projects/").get_data(as_text=True)
    assert "NH-1" in page and "DC-1" not in page


def test_the_api_reviews_and_the_report_json_carries_review_and_late(chain, call, token_for):
    config, projects, county, owner = chain
    report = filed(config, projects["reviewed"], owner, now=dt.datetime(2026, 5, 16, 9, 0, tzinfo=ZONE))
    county_token, owner_token = token_for(county), token_for(owner)
    path = f"/projects/NH-1/reports/{WEEK}/review"
    assert call(owner_token, "POST", path, json={"decision": "accept"}).status_code == 403
    assert (
        call(county_token, "POST", f"/projects/DC-1/reports/{WEEK}/review", json={"decision": "accept"}).status_code
        == 403
    )
    refused = call(county_token, "POST", path, json={"decision": "send_back"})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "reason"
    stale = call(county_token, "POST", path, json={"decision": "accept", "version": report.version + 5})
    assert stale.status_code == 409
    body = call(county_token, "POST", path, json={"decision": "send_back", "reason": "数据需核实"}).get_json()
    assert body["review"]["state"] == "sent_back" and body["review"]["reason"] == "数据需核实"
    assert body["review"]["reviewed_by"] == "nanhu" and body["late"] is True
    assert call(county_token, "POST", path, json={"decision": "accept"}).status_code == 409  # no longer submitted
    [listed] = call(owner_token, "GET", "/projects/NH-1/reports").get_json()["items"]
    assert listed["review"]["state"] == "sent_back" and listed["version"] == body["version"]
    stats_body = call(county_token, "GET", "/stats").get_json()
    assert stats_body["reports_awaiting_review"] == 0 and stats_body["projects"] == 1


def test_the_office_gives_a_county_account_its_counties(app, office_session, make_project):
    with app.app_context():
        from tracker.core.db import db

        with db.connection_context():
            ListEntry.append("county", ["南湖县", "北山县"])  # the counties an account may answer for: the list's
    data = {"username": "county2", "display_name": "县区", "role": "county", "lead_official": "", "department": ""}
    data.update({"email": "", "phone": "", "password": ""})
    refused = post(office_session, "/accounts/new", data)
    assert refused.status_code == 422 and "须选择所辖县区" in refused.get_data(as_text=True)
    response = office_session.post(
        "/accounts/new",
        data={**data, "counties": ["南湖县", "北山县"], "csrf_token": csrf_token(refused.get_data(as_text=True))},
    )
    assert response.status_code == 302
    with app.app_context():
        from tracker.core.db import db

        with db.connection_context():
            assert User.get(username="county2").counties == ["北山县", "南湖县"]
