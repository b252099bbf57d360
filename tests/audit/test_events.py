"""Each security-relevant act is in the audit log, recorded by doing it for real through a page, the API or the
command line; an act that failed leaves no entry."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from conftest import PASSWORD, csrf_token
from pages import account_form, post
from sheets import office_book, row, xlsx
from test_cli import run
from test_sheet_pages import confirm, upload

from tracker.accounts.models import User
from tracker.audit.models import AuditEntry
from tracker.core.config import PROJECT_ROOT
from tracker.core.db import db
from tracker.core.weeks import shift_week, week_of
from tracker.notices.models import CriticismNotice, NoticeEntry
from tracker.projects.models import ProgressReport
from tracker.supervision.models import SupervisionOrder

WRONG = "not the password 1"


def log_in_with(client, username, password):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


# Logins ----------------------------------------------------------------------


def test_a_login_and_a_logout_are_recorded_with_the_address(client, make_user, login, recorded):
    make_user("office", "office", display_name="王主任")
    login("office")
    post(client, "/logout")

    assert [(event, actor) for event, actor, _ in recorded()] == [("login", "王主任"), ("logout", "王主任")]
    with db.connection_context():
        assert {entry.address for entry in AuditEntry.select()} == {"127.0.0.1"}


def test_a_wrong_password_is_recorded_with_the_name_tried_never_the_password(client, make_user, recorded):
    make_user("office", "office")
    log_in_with(client, "office", WRONG)
    log_in_with(client, "nobody", WRONG)

    failures = recorded("login_failed")
    assert [detail for _, _, detail in failures] == [
        {"username": "office", "reason": "password", "backoff": False},
        {"username": "nobody", "reason": "password", "backoff": False},
    ]
    assert all(actor == "未登录" for _, actor, _ in failures)
    assert WRONG not in str(recorded())


def test_a_login_refused_during_the_back_off_says_so(app, make_user, recorded):
    make_user("office", "office")
    app.config["TRACKER"]["web"]["login_rate_limit"] = "100 per minute"
    client = app.test_client()
    statuses = [log_in_with(client, "office", WRONG).status_code for _ in range(6)]

    assert statuses == [401] * 5 + [429]
    details = [detail for _, _, detail in recorded("login_failed")]
    assert details[4] == {"username": "office", "reason": "password", "backoff": True}
    assert details[5] == {"username": "office", "reason": "backoff", "backoff": True}


def test_changing_ones_own_password_is_recorded(client, make_user, login, recorded):
    make_user("leader", "leader")
    login("leader")
    response = post(
        client,
        "/password",
        {"old_password": PASSWORD, "password": "a much newer one 7", "confirm": "a much newer one 7"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [event for event, _, _ in recorded("password_changed")] == ["password_changed"]


# Permission refusals -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "action"),
    [("/accounts/", "manage_accounts"), ("/audit/", "see_audit"), ("/projects/import", "manage_projects")],
)
def test_a_page_refused_is_recorded_with_path_and_action(client, make_user, login, recorded, path, action):
    make_user("owner", "owner")
    login("owner")
    assert client.get(path).status_code == 403

    [(_, actor, detail)] = recorded("permission_refused")
    assert (actor, detail) == ("owner", {"path": path, "method": "GET", "action": action})


def test_another_owners_project_refused_is_recorded(client, make_project, make_user, login, recorded):
    project = make_project()
    make_user("13800000000", "owner")
    login("13800000000")
    assert client.get(f"/projects/{project.code}").status_code == 403
    assert recorded("permission_refused")[0][2]["action"] == "see"


def test_an_api_refusal_is_recorded_and_a_401_or_404_is_not(call, make_user, token_for, recorded):
    token = token_for(make_user("owner", "owner"))
    assert call(token, "GET", "/lagging/ranking").status_code == 403
    assert call(token, "GET", "/audit").status_code == 403
    assert call("wrong", "GET", "/audit").status_code == 401
    assert call(token, "GET", "/projects/NOPE").status_code == 404

    actions = [detail["action"] for _, _, detail in recorded("permission_refused")]
    assert actions == ["see_lagging", "see_audit"]
    assert [event for event, _, _ in recorded() if event != "token_created"] == ["permission_refused"] * 2


# Accounts -----------------------------------------------------------------------


def test_the_office_creating_changing_and_deactivating_an_account_is_recorded(
    client, office_session, recorded, official
):
    post(client, "/accounts/new", account_form(username="zhao", role="leader", password=""))
    with db.connection_context():
        zhao = User.get(username="zhao")
    post(client, f"/accounts/{zhao.id}/edit", account_form(role="inspector", display_name="赵"))
    post(client, f"/accounts/{zhao.id}/password", {"password": "brand new secret 9", "confirm": "brand new secret 9"})
    post(client, f"/accounts/{zhao.id}/deactivate")
    post(client, f"/accounts/{zhao.id}/activate")

    events = [(event, detail) for event, _, detail in recorded() if event != "login"]
    assert events == [
        (
            "account_created",
            {"username": "zhao", "role": "leader", "department": "", "lead_official": "", "channels": "邮件"},
        ),
        ("account_changed", {"username": "zhao", "role": ["leader", "inspector"], "display_name": ["王建国", "赵"]}),
        ("password_set", {"username": "zhao"}),
        ("account_deactivated", {"username": "zhao"}),
        ("account_activated", {"username": "zhao"}),
    ]


def test_a_login_name_taken_creates_nothing_and_records_nothing(client, office_session, recorded):
    response = post(client, "/accounts/new", account_form(username="office", role="leader", password=""))
    assert response.status_code == 422
    assert recorded("account_created") == []


def test_create_user_from_the_shell_is_recorded_as_the_command_line(app, database_url, tmp_path, recorded):
    assert (
        run(database_url, tmp_path, "create-user", "li", "--role", "office", "--password", "s3cret-pass").returncode
        == 0
    )
    again = run(database_url, tmp_path, "create-user", "li", "--role", "inspector", "--password", "an0ther-pass")
    assert again.returncode == 0, again.stderr

    assert [(e, a, d) for e, a, d in recorded()] == [
        ("account_created", "命令行", {"username": "li", "role": "office"}),
        ("password_set", "命令行", {"username": "li"}),
        ("account_changed", "命令行", {"username": "li", "role": ["office", "inspector"]}),
    ]


# Imports, reports ------------------------------------------------------------------


def test_an_import_confirmed_on_the_page_is_recorded_and_a_preview_is_not(client, office_session, recorded):
    preview = upload(client, xlsx(office_book({"一、化工产业链": [row("A-1"), row("A-2")]})).getvalue(), "清单.xlsx")
    assert recorded()[1:] == []
    confirm(client, preview)

    [(_, actor, detail)] = recorded("import_confirmed")
    assert actor == "office"
    assert detail == {"filename": "清单.xlsx", "rows": 2, "created": 2, "updated": 0, "unchanged": 0}


def test_an_import_from_the_shell_is_recorded_and_a_dry_run_is_not(app, database_url, tmp_path, recorded):
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx(office_book({"一、化工产业链": [row("A-1")]})).getvalue())
    assert run(database_url, tmp_path, "import-projects", str(path), "--dry-run").returncode == 0
    assert recorded() == []
    assert run(database_url, tmp_path, "import-projects", str(path)).returncode == 0

    [(_, actor, detail)] = recorded("import_confirmed")
    assert actor == "命令行" and detail["created"] == 1


def test_reopening_and_locking_a_report_is_recorded(client, office_session, make_project, config, recorded):
    from reporting import file

    project = make_project()
    week = shift_week(week_of(dt.date.today()), -2)
    with db.connection_context():
        file(config, project, week)
    for action in ("reopen", "lock"):
        assert post(client, f"/projects/{project.code}/report/{week}/{action}").status_code == 302

    assert [(e, d) for e, _, d in recorded() if e.startswith("report_") and e != "report_corrected_late"] == [
        ("report_reopened", {"project": project.code, "week": week}),
        ("report_locked", {"project": project.code, "week": week}),
    ]


def test_the_office_correcting_a_locked_week_over_the_api_is_recorded(
    call, make_project, make_user, token_for, recorded
):
    project = make_project()
    week = shift_week(week_of(dt.date.today()), -2)
    token = token_for(make_user("office", "office"))
    body = {"week": week, "status": "started", "investment_completed": 10, "physical_progress": "施工"}
    assert call(token, "POST", f"/projects/{project.code}/reports", json=body).status_code == 201
    current = {**body, "week": week_of(dt.date.today())}
    assert call(token, "POST", f"/projects/{project.code}/reports", json=current).status_code == 201

    assert [d for _, _, d in recorded("report_corrected_late")] == [{"project": project.code, "week": week}]


# Notices ---------------------------------------------------------------------------


@pytest.fixture
def notice(app, make_project):
    """A draft notice of two entries."""
    projects = [make_project(), make_project()]
    with db.connection_context():
        draft = CriticismNotice.create(title="关于X市重点项目推进不力的通报", as_of=dt.date.today(), week="2026-W47")
        for position, project in enumerate(projects):
            NoticeEntry.create(
                notice=draft,
                position=position,
                project=project,
                code=project.code,
                name=project.name,
                project_unit=project.project_unit,
                lead_official="王建国",
                lead_department="市发展改革委",
                county="东城区",
                reasons_data="[]",
            )
    return draft


def test_removing_restoring_and_publishing_on_the_pages_is_recorded(client, office_session, notice, recorded):
    entry = notice.entries.order_by(NoticeEntry.position).first()
    path = f"/notices/{notice.id}"
    assert post(client, f"{path}/entries/{entry.id}/remove", {"reason": "已于本周开工，核实无误"}).status_code == 302
    assert post(client, f"{path}/entries/{entry.id}/restore").status_code == 302
    assert post(client, f"{path}/publish").status_code == 302
    assert post(client, f"{path}/publish").status_code == 409  # already published: nothing more recorded

    events = [(e, d) for e, _, d in recorded() if e != "login"]
    assert events[:2] == [
        ("notice_entry_removed", {"notice": notice.id, "project": entry.code, "reason": "已于本周开工，核实无误"}),
        ("notice_entry_restored", {"notice": notice.id, "project": entry.code, "reason": ""}),
    ]
    assert [e for e, _ in events[2:]] == ["notice_published"]
    assert events[2][1]["number"].endswith("1号")


def test_removing_and_publishing_over_the_api_is_recorded(call, make_user, token_for, notice, recorded):
    token = token_for(make_user("office", "office"))
    entry = notice.entries.order_by(NoticeEntry.position).first()
    removal = f"/notices/{notice.id}/entries/{entry.id}/removal"
    assert call(token, "POST", removal, json={"reason": "x"}).status_code == 422  # too short: refused, unrecorded
    assert call(token, "POST", removal, json={"reason": "项目已开工，核实无误"}).status_code == 200
    assert call(token, "POST", f"/notices/{notice.id}/publication").status_code == 200

    assert [e for e, _, _ in recorded()] == ["token_created", "notice_entry_removed", "notice_published"]


# Supervision ---------------------------------------------------------------------


def test_issuing_reminding_and_closing_an_order_is_recorded(client, make_user, login, make_project, recorded):
    project = make_project(code="DB-1")
    make_user("inspector", "inspector", display_name="纪委李")
    login("inspector")
    refused = post(client, "/supervision/new?project=DB-1", {"reason": "未开工", "reply_deadline": "2020-01-01"})
    assert refused.status_code == 422
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    post(
        client, "/supervision/new?project=DB-1", {"reason": "未按期开工", "demand": "说明", "reply_deadline": deadline}
    )
    with db.connection_context():
        order = SupervisionOrder.get()
        SupervisionOrder.update(reply_deadline=dt.date.today() - dt.timedelta(days=1)).execute()
    assert post(client, f"/supervision/{order.id}/remind").status_code == 302
    with db.connection_context():
        SupervisionOrder.update(status="replied", reply="已开工").execute()
    assert post(client, f"/supervision/{order.id}/close").status_code == 302

    events = [(e, a, d) for e, a, d in recorded() if e != "login"]
    detail = {"order": order.number, "project": project.code}
    assert events == [
        ("order_issued", "纪委李", detail),
        ("order_reminded", "纪委李", detail),
        ("order_closed", "纪委李", detail),
    ]


# The command line and the scheduler --------------------------------------------------


def test_a_backup_and_a_restore_are_recorded(app, database_url, tmp_path, recorded):
    if not database_url.startswith("sqlite"):
        pytest.skip("restoring needs an empty database of its own: tests/core/test_backup.py covers PostgreSQL")
    backup = tmp_path / "tracker.backup"
    made = run(database_url, tmp_path, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    [(_, actor, detail)] = recorded("backup_made")
    assert actor == "命令行" and detail["file"] == str(backup) and detail["last_hash"] in made.stdout

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    assert run(restored_url, tmp_path, "restore", str(backup)).returncode == 0
    db.close()
    from tracker.audit.log import verify
    from tracker.audit.models import AuditEntry
    from tracker.core.db import bind_database

    bind_database(restored_url)
    with db.connection_context():
        assert [e.event for e in AuditEntry.select().order_by(AuditEntry.id)] == ["backup_restored"]
        assert verify() is None


def test_a_forced_run_is_recorded(config, tmp_path, recorded):
    env = {**os.environ, "TRACKER_DATABASE_URL": config["database"]["url"], "TRACKER_MAIL_OUTBOX_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "scheduler", "run", "weekly", "--period", "2030-W01", "--force"]
    result = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert recorded("run_forced") == [("run_forced", "命令行", {"cycle": "weekly", "period": "2030-W01"})]


def test_the_schedulers_daily_job_prunes_and_checks_the_chain(conn, config, recorded):
    from scheduler.schedule import jobs, keep_audit_log
    from tracker.audit.log import Actor, record
    from tracker.core.weeks import utc_now

    record("login", Actor("王主任", 7), now=utc_now() - dt.timedelta(days=400))
    record("login", Actor("王主任", 7))
    assert "audit" in {job_id for job_id, _, _ in jobs(config)}
    keep_audit_log(config, lambda: False)

    assert [(e, a) for e, a, _ in recorded()][-2:] == [("audit_pruned", "调度程序"), ("audit_verified", "调度程序")]
    assert recorded("audit_pruned")[0][2]["removed"] == 1
    assert recorded("audit_verified")[0][2]["broken"] is None


def test_nothing_is_recorded_for_a_report_refused(call, make_project, make_user, token_for, recorded):
    project = make_project()
    token = token_for(make_user("office", "office"))
    week = shift_week(week_of(dt.date.today()), -2)
    body = {"week": week, "status": "bogus", "investment_completed": 10}
    assert call(token, "POST", f"/projects/{project.code}/reports", json=body).status_code in (400, 422)
    assert [event for event, _, _ in recorded()] == ["token_created"]
    with db.connection_context():
        assert ProgressReport.select().count() == 0
