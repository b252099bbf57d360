"""The office and the inspector read the audit log on its page and over the API: newest first, filtered, and
told whether the chain holds; every other role is refused."""

import datetime as dt
import re

import pytest
from pages import post
from test_cli import run

from tracker.audit.log import Actor, record
from tracker.audit.models import AuditEntry
from tracker.core.db import db
from tracker.core.weeks import utc_now

OTHER_ROLES = ("leader", "owner", "department")


@pytest.fixture
def log(app):
    """Entries of three days (local dates in Asia/Shanghai: two days ago, yesterday, today)."""
    now = utc_now()
    with db.connection_context():
        return [
            record("login", Actor("王主任", 1, "10.0.0.8"), now=now - dt.timedelta(days=2)),
            record("login_failed", Actor("未登录", None, "203.0.113.9"), now=now - dt.timedelta(days=1), username="x"),
            record(
                "account_changed", Actor("王主任", 1, "10.0.0.8"), now=now, username="zhao", role=["leader", "office"]
            ),
        ]


def entry_ids(html):
    return [int(n) for n in re.findall(r'data-entry="(\d+)"', html)]


@pytest.mark.parametrize("role", ["office", "inspector"])
def test_the_office_and_the_inspector_read_the_log_newest_first(client, make_user, login, log, role):
    make_user(role, role)
    login(role)
    html = client.get("/audit/").get_data(as_text=True)

    assert entry_ids(html)[-3:] == [log[2].id, log[1].id, log[0].id]
    assert "哈希链完整" in html and "审计日志" in html
    assert "角色：</span>leader → office" in html  # the detail as key: value, a change as old → new
    assert "修改账号" in html  # the event's label
    local = log[2].at.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f'title="UTC {log[2].at:%Y-%m-%d %H:%M:%S}">{local:%Y-%m-%d %H:%M:%S}' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("event=login_failed", [1]),
        ("actor=王主", [2, 0]),
        ("address=203.0", [1]),
        ("since={yesterday}&until={yesterday}", [1]),
        ("until={two_days_ago}", [0]),
    ],
)
def test_the_page_and_the_api_filter_alike(client, call, make_user, login, token_for, log, query, expected):
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    query = query.format(yesterday=today - dt.timedelta(days=1), two_days_ago=today - dt.timedelta(days=2))
    login(make_user("office", "office").username)
    token = token_for(make_user("inspector", "inspector"))

    wanted = [log[n].id for n in expected]
    on_page = [n for n in entry_ids(client.get(f"/audit/?{query}").get_data(as_text=True)) if n <= log[2].id]
    assert on_page == wanted
    body = call(token, "GET", f"/audit?{query}").get_json()
    assert [item["id"] for item in body["items"] if item["id"] <= log[2].id] == wanted


def test_the_api_gives_each_entry_in_utc_and_local_time_and_says_the_chain_holds(call, make_user, token_for, log):
    body = call(token_for(make_user("inspector", "inspector")), "GET", "/audit?event=account_changed").get_json()

    assert body["chain_ok"] is True and body["broken"] is None and body["total"] == 1
    [item] = body["items"]
    assert item["at"] == log[2].at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert item["at_local"].endswith("+08:00")
    assert (item["actor"], item["actor_id"], item["address"], item["event"]) == (
        "王主任",
        1,
        "10.0.0.8",
        "account_changed",
    )
    assert item["detail"] == {"username": "zhao", "role": ["leader", "office"]}


def test_the_api_pages_like_the_other_lists(call, make_user, token_for, log):
    body = call(token_for(make_user("office", "office")), "GET", "/audit?per_page=2&page=2&actor=王主任").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 2)
    assert body["items"] == []


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_the_page_and_the_api(client, call, make_user, login, token_for, role):
    user = make_user(role, role, department="市发展改革委" if role == "department" else "")
    login(role)
    assert client.get("/audit/").status_code == 403
    assert "审计日志" not in client.get("/").get_data(as_text=True)
    response = call(token_for(user), "GET", "/audit")
    assert response.status_code == 403 and response.get_json()["error"]["status"] == 403


def test_a_bad_date_is_a_400(client, call, make_user, login, token_for):
    login(make_user("office", "office").username)
    assert client.get("/audit/?since=2026-13-40").status_code == 400
    assert call(token_for(make_user("robot", "office")), "GET", "/audit?since=yesterday").status_code == 400


def test_tampering_shows_on_the_page_in_the_api_and_in_verify_audit(
    client, call, make_user, login, token_for, log, database_url, tmp_path, superuser
):
    token = token_for(make_user("inspector", "inspector"))
    login("inspector")
    superuser()
    with db.connection_context():
        AuditEntry.update(actor="别人").where(AuditEntry.id == log[1].id).execute()

    html = client.get("/audit/").get_data(as_text=True)
    assert "哈希链断裂" in html and f"第 {log[1].id} 条记录" in html
    assert call(token, "GET", "/audit").get_json()["broken"] == log[1].id
    result = run(database_url, tmp_path, "verify-audit")
    assert result.returncode == 1 and f"broken at entry {log[1].id}" in result.stderr


def test_verify_audit_passes_an_intact_log_and_prints_its_last_hash(app, log, database_url, tmp_path):
    result = run(database_url, tmp_path, "verify-audit")
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout and re.search(r"last hash [0-9a-f]{64}", result.stdout)


def test_the_full_check_button_checks_and_records_it(client, make_user, login, log, recorded):
    make_user("inspector", "inspector", display_name="纪委李")
    login("inspector")
    response = post(client, "/audit/verify")
    assert response.status_code == 302
    assert "全量校验通过" in client.get("/audit/").get_data(as_text=True)
    [(_, actor, detail)] = recorded("audit_verified")
    assert actor == "纪委李" and detail["broken"] is None


def test_no_page_or_api_call_edits_the_log(app):
    rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert {(rule.rule, tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))) for rule in rules} == {
        ("/audit/", ("GET",)),
        ("/audit/verify", ("POST",)),  # it only appends its result
        ("/api/v1/audit", ("GET",)),
    }
