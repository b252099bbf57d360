"""Supervision orders (督办) over the API: issued with their mail, answered, reminded and closed, per role."""

import datetime as dt

import pytest

from tracker.audit.models import AuditEntry
from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.mail.outbox import Outbox
from tracker.supervision.models import OrderReminder, SupervisionOrder

TODAY = local_now(DEFAULTS["city"]["timezone"]).date()
LATER = (TODAY + dt.timedelta(days=7)).isoformat()


@pytest.fixture
def people(make_user, make_project, token_for):
    project = make_project(code="DB-1", responsible_email="unit@example.com")
    users = {
        "inspector": make_user("inspector", "inspector"),
        "office": make_user("office", "office"),
        "leader": make_user("leader", "leader"),
        "department": make_user("fgw", "department", department="市发展改革委"),
        "other": make_user("zjj", "department", department="市住建局"),
        "owner": project.owner,
    }
    return {role: token_for(user) for role, user in users.items()}


def issue(call, token, **changes):
    body = {"project": "DB-1", "reason": "未按期开工", "demand": "说明原因", "reply_deadline": LATER, **changes}
    return call(token, "POST", "/orders", json=body)


def counts():
    with db.connection_context():
        return tuple(m.select().count() for m in (SupervisionOrder, OrderReminder, Outbox, AuditEntry))


def test_the_inspector_issues_an_order_that_is_mailed_audited_answered_and_closed(call, people, recorded):
    issued = issue(call, people["inspector"])
    assert issued.status_code == 201, issued.get_json()
    order = issued.get_json()
    assert order["number"].startswith("督办〔") and order["status"] == "issued"
    assert order["department"] == "市发展改革委" and order["project"]["code"] == "DB-1"
    with db.connection_context():
        assert {row.recipient for row in Outbox.select()} >= {"unit@example.com"}
    assert [detail["order"] for _, _, detail in recorded("order_issued")] == [order["number"]]
    replied = call(people["department"], "POST", f"/orders/{order['id']}/reply", json={"reply": "已报送计划"})
    assert replied.status_code == 200 and replied.get_json()["status"] == "replied"
    assert replied.get_json()["late"] is False
    closed = call(people["office"], "POST", f"/orders/{order['id']}/closure")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert len(recorded("order_closed")) == 1


def test_the_list_shows_each_their_reach_and_filters_by_state(call, people):
    first = issue(call, people["inspector"]).get_json()
    call(people["owner"], "POST", f"/orders/{first['id']}/reply", json={"reply": "已开工"})
    issue(call, people["inspector"])
    replied = call(people["leader"], "GET", "/orders", query_string={"status": "replied"}).get_json()
    assert [o["id"] for o in replied["items"]] == [first["id"]] and replied["total"] == 1
    assert call(people["other"], "GET", "/orders").get_json()["total"] == 0
    assert call(people["other"], "GET", f"/orders/{first['id']}").status_code == 403
    assert call(people["department"], "GET", "/orders").get_json()["total"] == 2


def test_an_overdue_order_is_reminded_once_a_day(call, people, recorded):
    order = issue(call, people["inspector"]).get_json()
    with db.connection_context():
        SupervisionOrder.update(reply_deadline=TODAY - dt.timedelta(days=2)).execute()
    assert call(people["inspector"], "GET", "/orders", query_string={"overdue": "true"}).get_json()["total"] == 1
    reminded = call(people["office"], "POST", f"/orders/{order['id']}/reminders")
    assert reminded.status_code == 201 and [r["seq"] for r in reminded.get_json()["reminders"]] == [1]
    before = counts()
    again = call(people["office"], "POST", f"/orders/{order['id']}/reminders")
    assert again.status_code == 409 and "催办" in again.get_json()["error"]["message"]
    assert counts() == before and len(recorded("order_reminded")) == 1


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("leader", "issue"),
        ("department", "issue"),
        ("owner", "issue"),
        ("leader", "reply"),
        ("inspector", "reply"),
        ("other", "reply"),
        ("department", "close"),
        ("owner", "close"),
        ("leader", "remind"),
    ],
)
def test_each_role_is_refused_what_the_page_refuses_it(call, people, role, action):
    order = issue(call, people["inspector"]).get_json()
    if action == "close":
        call(people["owner"], "POST", f"/orders/{order['id']}/reply", json={"reply": "已开工"})
    before = counts()
    requests = {
        "issue": ("/orders", {"project": "DB-1", "reason": "x", "reply_deadline": LATER}),
        "reply": (f"/orders/{order['id']}/reply", {"reply": "x"}),
        "close": (f"/orders/{order['id']}/closure", None),
        "remind": (f"/orders/{order['id']}/reminders", None),
    }
    path, body = requests[action]
    response = call(people[role], "POST", path, json=body)
    assert response.status_code == 403 and response.get_json()["error"]["status"] == 403
    # The refusal itself is audited (permission_refused); nothing else changes.
    assert counts()[:3] == before[:3]


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/orders", {"project": "DB-1", "reason": " ", "reply_deadline": LATER}, 422, "reason"),
        ("/orders", {"project": "DB-1", "reason": "x", "reply_deadline": TODAY.isoformat()}, 422, "reply_deadline"),
        ("/orders", {"project": "DB-1", "reason": "x", "reply_deadline": LATER, "problem": 99999}, 404, "problem"),
        ("/orders", {"project": "DB-1", "reason": "x", "reply_deadline": LATER, "extra": 1}, 422, "extra"),
        ("/orders", {"project": "NOSUCH", "reason": "x", "reply_deadline": LATER}, 404, None),
        ("/orders/{id}/reply", {"reply": ""}, 422, "reply"),
        ("/orders/{id}/closure", None, 409, None),
        ("/orders/{id}/reminders", None, 409, None),
    ],
)
def test_bad_input_is_refused_in_json_and_changes_nothing(call, people, path, body, status, field):
    order = issue(call, people["office"]).get_json()
    before = counts()
    response = call(people["office"], "POST", path.format(id=order["id"]), json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"] and error.get("field") == field
    assert counts() == before
