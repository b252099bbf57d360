"""落实情况: a consultation's decisions have an owner and a due date; the next consultations ask after the due
ones, the office records what became of them, and a decision not carried out by its date is overdue."""

import datetime as dt
import email

import pytest
from conftest import csrf_token
from peewee import SqliteDatabase
from playhouse.migrate import SchemaMigrator, migrate
from reporting import file

from scheduler.cycles import run_cycle
from tracker.accounts.models import User
from tracker.core.db import db
from tracker.cycles.consultations import (
    AgendaItem,
    Decision,
    decisions_due,
    overdue_decisions_as_of,
    record_decision,
    record_outcome,
)
from tracker.cycles.runs import CycleRun
from tracker.cycles.snapshots import take_snapshot
from tracker.mail.outbox import Outbox
from tracker.schema import create_tables

DUE = dt.date(2026, 11, 20)


@pytest.fixture
def decisions(conn, make_project, make_user):
    """October's consultation decided three things on one project, all due 20 November."""
    make_user("office", "office", email="office@example.gov.cn")
    make_user("leader", "leader")
    project = make_project(code="D-1", name="决定项目")
    run = CycleRun.create(cycle="monthly", period="2026-10", claimed_by="test", lease_until=dt.datetime(2026, 11, 2))
    item = AgendaItem.create(run=run, project=project, kind="lagging", title="D-1 决定项目", position=1)
    office = User.get(username="office")
    made = {
        name: record_decision(item, action, "张三", DUE, office, DUE, department=department)
        for name, action, department in (
            ("open", "协调办理施工许可", "市住建局"),
            ("done", "报送赶工计划", ""),
            ("partial", "落实施工用电", "国网供电公司"),
        )
    }
    record_outcome(made["done"], "done", "已报送", DUE, office)  # on the due date itself: in time
    record_outcome(made["partial"], "partial", "临时用电已接入", dt.date(2026, 11, 18), office)
    return {"project": project, "run": run, **made}


def ids(query):
    return sorted(d.id for d in query)


def test_a_decision_is_overdue_the_day_after_its_date_unless_carried_out_by_then(decisions):
    assert ids(overdue_decisions_as_of(DUE)) == []  # due today is not yet overdue
    after = dt.date(2026, 11, 21)
    # Carried out on time ends it; a part carried out does not.
    assert ids(overdue_decisions_as_of(after)) == sorted([decisions["open"].id, decisions["partial"].id])
    assert decisions["open"].owner == "市住建局（张三）" and decisions["done"].owner == "张三"


def test_a_decision_carried_out_late_was_overdue_until_that_day(decisions):
    record_outcome(decisions["open"], "done", "已办结", dt.date(2026, 11, 25), None)
    assert decisions["open"].id in ids(overdue_decisions_as_of(dt.date(2026, 11, 24)))
    assert decisions["open"].id not in ids(overdue_decisions_as_of(dt.date(2026, 11, 25)))


def test_the_next_consultations_ask_after_the_due_decisions_until_carried_out(decisions):
    assert ids(decisions_due("2026-10")) == []  # not its own meeting's
    november = {d.id for d in decisions_due("2026-11")}
    assert november == {decisions[n].id for n in ("open", "done", "partial")}
    # In December the one carried out in November is settled; the others are asked after again.
    assert {d.id for d in decisions_due("2026-12")} == {decisions["open"].id, decisions["partial"].id}


def test_the_office_records_the_follow_through_on_the_consultation_page(client, login, decisions):
    run = CycleRun.create(cycle="monthly", period="2026-11", claimed_by="test", lease_until=dt.datetime(2026, 12, 1))
    db.close()
    login("office")
    page = client.get(f"/cycles/{run.id}").get_data(as_text=True)
    section = page.split('id="follow-through"')[1].split("</section>")[0]
    assert "前次会商决定落实情况（3 项）" in section and "协调办理施工许可" in section and "尚未报告" in section
    path = f"/cycles/{run.id}/decisions/{decisions['open'].id}/follow-through"
    token = csrf_token(page)
    assert client.post(path, data={"csrf_token": token, "note": "无日期"}).status_code == 422
    data = {"csrf_token": token, "outcome": "not_done", "note": "施工许可待补充材料", "on": "2026-12-01"}
    assert client.post(path, data=data).status_code == 302
    with db.connection_context():
        assert Decision.get_by_id(decisions["open"].id).outcome == "not_done"
    assert "施工许可待补充材料" in client.get(f"/cycles/{run.id}").get_data(as_text=True)
    leader = client.application.test_client()
    login("leader", c=leader)
    assert (
        leader.post(path, data={**data, "csrf_token": csrf_token(leader.get("/").get_data(as_text=True))}).status_code
        == 403
    )


def test_the_consultation_email_lists_the_due_decisions_with_their_follow_through(config, decisions):
    file(config, decisions["project"], "2026-W47", investment_completed=100)
    take_snapshot("2026-W47", config["warnings"])
    run = run_cycle("monthly", "2026-11", config)
    assert run.data["decisions_due"] == 3
    [row] = Outbox.select().where((Outbox.run == run) & (Outbox.recipient == "office@example.gov.cn"))
    message = email.message_from_bytes(bytes(row.message), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    listed = text.split("前次会商决定落实情况（3 项）")[1]
    assert "协调办理施工许可（2026-10 月会商，D-1 决定项目；市住建局（张三）；限 2026-11-20）：逾期未报告" in listed
    assert "报送赶工计划" in listed and "已落实（2026-11-20） 已报送" in listed
    assert "部分落实（2026-11-18，已逾期） 临时用电已接入" in listed  # a part carried out is still overdue
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "前次会商决定落实情况（3 项）" in html and "逾期未报告" in html


def test_an_older_database_gains_the_follow_through_columns_and_keeps_its_decisions(decisions):
    migrator = SchemaMigrator.from_database(db.obj)
    columns = ("department", "outcome", "outcome_note", "outcome_on")
    if not isinstance(db.obj, SqliteDatabase):  # SQLite cannot drop a column with a foreign key
        columns += ("outcome_by_id",)
    with db.atomic():
        migrate(*(migrator.drop_column("decision", column) for column in columns))
    assert not set(columns) & {c.name for c in db.get_columns("decision")}
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    rows = list(Decision.select().order_by(Decision.id))
    assert len(rows) == 3 and all(d.department == "" and d.outcome is None for d in rows)
    assert rows[0].due_on == DUE and rows[0].owner == "张三"
