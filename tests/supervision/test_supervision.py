"""Supervision orders (督办): numbered, mailed once to the unit and the department, replied on time or late."""

import datetime as dt

import pytest
from conftest import PASSWORD_HASH, csrf_token
from smtp_server import smtp_config, smtp_server  # noqa: F401 (fixture)

from tracker.accounts.models import User
from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.cycles.runs import CycleRun
from tracker.mail.outbox import Outbox, deliver_due
from tracker.supervision.models import SupervisionOrder, overdue_orders_as_of
from tracker.supervision.orders import (
    SupervisionError,
    close_order,
    issue_order,
    queue_order_mail,
    remind_order,
    reply_to_order,
)

ISSUED = dt.datetime(2026, 11, 2, 9, 0)
DEADLINE = dt.date(2026, 11, 20)
UNIT_EMAIL, DEPARTMENT_EMAIL, OFFICE_EMAIL = "unit@example.com", "fgw@example.gov.cn", "office@example.gov.cn"


@pytest.fixture
def people(app, make_user, make_project):
    """The inspector, the office, the project's owner, a user of its department and one of another."""
    with db.connection_context():
        users = {
            "inspector": make_user("inspector", "inspector"),
            "office": make_user("office", "office", email=OFFICE_EMAIL),
            "leader": make_user("leader", "leader"),
            "department": make_user("fgw", "department", department="市发展改革委", email=DEPARTMENT_EMAIL),
            "other": make_user("zjj", "department", department="市住建局", email="zjj@example.gov.cn"),
        }
    project = make_project(code="DB-1", responsible_email=UNIT_EMAIL)
    with db.connection_context():
        User.update(password_hash=PASSWORD_HASH).where(User.id == project.owner_id).execute()
        users["owner"] = User.get_by_id(project.owner_id)
    return {**users, "project": project}


def issue(people, deadline=DEADLINE, now=ISSUED):
    with db.connection_context():
        return issue_order(
            people["project"], people["inspector"], "未按期开工", "说明原因并报送计划", deadline, now.date(), now=now
        )


def test_orders_are_numbered_in_turn_and_afresh_each_year(people):
    numbers = [issue(people).number for _ in range(3)]
    next_year = issue(people, dt.date(2027, 1, 20), dt.datetime(2027, 1, 4, 9)).number
    assert numbers == ["督办〔2026〕1号", "督办〔2026〕2号", "督办〔2026〕3号"]
    assert next_year == "督办〔2027〕1号"


def test_a_reply_after_the_deadline_is_on_record_as_late(people):
    on_time, late = issue(people), issue(people)
    with db.connection_context():
        assert not reply_to_order(on_time, people["department"], "已协调", now=dt.datetime(2026, 11, 20, 9)).late
        assert reply_to_order(late, people["owner"], "已开工", now=dt.datetime(2026, 11, 21, 9)).late


def test_whether_an_order_was_overdue_on_a_past_day_stays_the_same_after_a_reply(people):
    order = issue(people)
    day = dt.date(2026, 11, 25)
    with db.connection_context():
        assert [o.id for o in overdue_orders_as_of(day)] == [order.id]
        reply_to_order(order, people["owner"], "已开工", now=dt.datetime(2026, 11, 26, 9))
        assert [o.id for o in overdue_orders_as_of(day)] == [order.id]
        assert list(overdue_orders_as_of(dt.date(2026, 11, 27))) == []
        assert [o.id for o in overdue_orders_as_of(day, grace_days=4)] == [order.id]
        assert list(overdue_orders_as_of(day, grace_days=5)) == []


def test_a_closed_order_takes_no_more_replies(people):
    order = issue(people)
    with db.connection_context():
        reply_to_order(order, people["owner"], "已开工", now=dt.datetime(2026, 11, 3, 9))
        close_order(order, people["inspector"])
        with pytest.raises(SupervisionError, match="已回复或已办结"):
            reply_to_order(order, people["office"], "补充说明")
        assert SupervisionOrder.get_by_id(order.id).status == "closed"


def test_the_inspector_issues_an_order_mailed_once_to_the_unit_the_department_and_the_office(
    people,
    client,
    login,
    config,
    smtp_server,  # noqa: F811
):
    handler, port = smtp_server
    login("inspector")
    path = "/supervision/new?project=DB-1"
    deadline = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    data = {"reason": "开工时限已过未开工", "demand": "三日内说明原因", "reply_deadline": deadline}
    response = client.post(path, data={**data, "csrf_token": csrf_token(client.get(path).get_data(as_text=True))})
    assert response.status_code == 302
    cfg = smtp_config(config, port)
    with db.connection_context():
        assert deliver_due(cfg)["sent"] == 3
        assert deliver_due(cfg)["sent"] == 0
    for address in (UNIT_EMAIL, DEPARTMENT_EMAIL, OFFICE_EMAIL):
        [message] = handler.to(address)
        assert "督办〔" in message["Subject"] and deadline in message["Subject"]
        assert "开工时限已过未开工" in message.get_body(preferencelist=("plain",)).get_content()
    assert handler.to("zjj@example.gov.cn") == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "开工时限已过未开工" in page and "待回复" in page


def test_a_deadline_in_the_past_is_refused_and_nothing_is_issued(people, client, login):
    login("inspector")
    path = "/supervision/new?project=DB-1"
    data = {"reason": "开工时限已过未开工", "reply_deadline": "2020-01-01"}
    response = client.post(path, data={**data, "csrf_token": csrf_token(client.get(path).get_data(as_text=True))})
    assert response.status_code == 422 and "回复时限应晚于今天" in response.get_data(as_text=True)
    with db.connection_context():
        assert SupervisionOrder.select().count() == 0


@pytest.mark.parametrize("role", ["leader", "owner", "department"])
@pytest.mark.parametrize(
    "method, path", [("get", "/new?project=DB-1"), ("post", "/new?project=DB-1"), ("post", "/{order}/close")]
)
def test_only_the_inspector_and_the_office_issue_and_close_orders(people, client, login, role, method, path):
    order = issue(people)
    login(people[role].username)
    token = csrf_token(client.get("/supervision/").get_data(as_text=True))
    data = {"reason": "越权督办", "reply_deadline": "2099-01-01", "csrf_token": token}
    response = getattr(client, method)(
        "/supervision" + path.format(order=order.id), data=data if method == "post" else None
    )
    assert response.status_code == 403
    with db.connection_context():
        assert SupervisionOrder.select().count() == 1
        assert SupervisionOrder.get_by_id(order.id).status == "issued"


def test_a_reply_to_a_closed_order_is_refused_with_a_message(people, client, login):
    order = issue(people)
    with db.connection_context():
        reply_to_order(order, people["owner"], "已开工", now=dt.datetime(2026, 11, 3, 9))
        close_order(order, people["inspector"])
    login("office")
    page = f"/supervision/{order.id}"
    token = csrf_token(client.get(page).get_data(as_text=True))
    response = client.post(f"{page}/reply", data={"reply": "补充说明", "csrf_token": token})
    assert response.status_code == 409 and "该督办已回复或已办结" in response.get_data(as_text=True)
    with db.connection_context():
        assert SupervisionOrder.get_by_id(order.id).reply == "已开工"


def test_the_department_replies_another_department_cannot_see_it(people, app, client, login):
    order = issue(people, deadline=dt.date.today() + dt.timedelta(days=3), now=dt.datetime.now())
    page = f"/supervision/{order.id}"
    other = login("zjj", c=app.test_client())
    assert other.get(page).status_code == 403
    assert other.post(f"{page}/reply", data={"reply": "越权回复"}).status_code in (400, 403)
    login("fgw")
    assert client.post(f"{page}/reply", data={"reply": "没有令牌"}).status_code == 400  # CSRF
    token = csrf_token(client.get(page).get_data(as_text=True))
    assert client.post(f"{page}/reply", data={"reply": "已协调用地指标", "csrf_token": token}).status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "已协调用地指标" in shown and "逾期回复" not in shown and "已回复" in shown


def test_the_run_and_mail_pages_show_an_orders_mail(people, client, login, config):
    with db.connection_context():
        run = queue_order_mail(issue(people), config)
    login("office")
    assert "督办" in client.get("/cycles/").get_data(as_text=True)
    assert client.get(f"/cycles/{run.id}").status_code == 200
    assert UNIT_EMAIL in client.get(f"/deliveries/?run={run.id}").get_data(as_text=True)


# 催办 ---------------------------------------------------------------------------


def overdue_order(people):
    """An order issued last month whose reply deadline passed yesterday, unanswered."""
    today = local_now(DEFAULTS["city"]["timezone"]).date()  # the city's, as the reminder counts the days
    now = dt.datetime.combine(today, dt.time(1)) - dt.timedelta(days=30)
    return issue(people, deadline=today - dt.timedelta(days=1), now=now)


def press(client, path):
    return client.post(path, data={"csrf_token": csrf_token(client.get("/supervision/").get_data(as_text=True))})


def test_an_overdue_order_is_reminded_once_a_day_by_mail_and_on_record(
    people,
    client,
    login,
    config,
    smtp_server,  # noqa: F811
):
    handler, port = smtp_server
    order = overdue_order(people)
    login("inspector")
    page = client.get(f"/supervision/{order.id}").get_data(as_text=True)
    assert "催办" in page and f"/supervision/{order.id}/remind" in page

    reminded = press(client, f"/supervision/{order.id}/remind")
    assert reminded.status_code == 302
    again = press(client, f"/supervision/{order.id}/remind")
    assert again.status_code == 409 and "后才能再次催办" in again.get_data(as_text=True)

    cfg = smtp_config(config, port)
    with db.connection_context():
        assert deliver_due(cfg)["sent"] == 3
        assert deliver_due(cfg)["sent"] == 0
    [message] = handler.to(UNIT_EMAIL)
    assert message["Subject"].startswith("【催办】督办〔") and "已逾期 1 天未回复" in message["Subject"]
    page = client.get(f"/supervision/{order.id}").get_data(as_text=True)
    assert "第 1 次催办" in page and "inspector" in page


def test_an_order_within_its_deadline_or_answered_is_not_reminded(people, client, login):
    within = issue(people, deadline=dt.date.today() + dt.timedelta(days=3), now=dt.datetime.now())
    answered = overdue_order(people)
    with db.connection_context():
        reply_to_order(answered, people["owner"], "已开工")
    login("office")
    assert f"/supervision/{within.id}/remind" not in client.get(f"/supervision/{within.id}").get_data(as_text=True)
    refused = press(client, f"/supervision/{within.id}/remind")
    assert refused.status_code == 409 and "尚未超过回复时限" in refused.get_data(as_text=True)
    assert "无需催办" in press(client, f"/supervision/{answered.id}/remind").get_data(as_text=True)
    with db.connection_context():
        assert not Outbox.select().where(Outbox.kind == "supervision_reminder").exists()


def test_a_reminder_can_follow_a_day_after_the_last(people, config):
    order = overdue_order(people)
    first_at = dt.datetime.now().replace(microsecond=0)
    with db.connection_context():
        first = remind_order(order, people["inspector"], config, now=first_at)
        with pytest.raises(SupervisionError, match="后才能再次催办"):
            remind_order(order, people["inspector"], config, now=first_at + dt.timedelta(hours=23))
        second = remind_order(order, people["office"], config, now=first_at + dt.timedelta(hours=24))
        assert (first.seq, second.seq) == (1, 2)
        periods = sorted(run.period for run in CycleRun.select().where(CycleRun.cycle == "supervision"))
        assert periods == [f"{order.period}-1", f"{order.period}-2"]


def test_an_order_is_overdue_from_midnight_in_the_city_not_in_utc(people, config):
    # 16:30 UTC on the deadline's day is 00:30 the next day in the city (Asia/Shanghai): overdue there, so
    # the inspector may remind it, though UTC's date still says the deadline's day.
    order = issue(people)
    with db.connection_context():
        with pytest.raises(SupervisionError, match="尚未超过回复时限"):
            remind_order(order, people["inspector"], config, now=dt.datetime.combine(DEADLINE, dt.time(15, 30)))
        reminder = remind_order(order, people["inspector"], config, now=dt.datetime.combine(DEADLINE, dt.time(16, 30)))
    assert reminder.seq == 1


@pytest.mark.parametrize("role", ["leader", "owner", "department"])
def test_only_the_inspector_and_the_office_remind(people, client, login, role):
    order = overdue_order(people)
    login(people[role].username)
    assert press(client, f"/supervision/{order.id}/remind").status_code == 403
