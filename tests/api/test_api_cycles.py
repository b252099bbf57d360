"""Cycle runs and the monthly consultation's decisions (会商决定, 落实情况) over the API."""

import datetime as dt

import pytest

from tracker.core.db import db
from tracker.cycles.consultations import AgendaItem, Decision, record_decision
from tracker.cycles.runs import CycleRun

DUE = dt.date(2026, 11, 20)


@pytest.fixture
def consultations(make_project, make_user, token_for):
    """October's consultation decided one thing, due in November; November's has one agenda item."""
    project = make_project(code="D-1", name="决定项目")
    office = make_user("office", "office")
    with db.connection_context():
        runs = {
            period: CycleRun.create(
                cycle="monthly", period=period, claimed_by="test", lease_until=dt.datetime(2026, 11, 2)
            )
            for period in ("2026-10", "2026-11")
        }
        CycleRun.create(cycle="weekly", period="2026-W47", claimed_by="test", lease_until=dt.datetime(2026, 11, 2))
        items = {
            period: AgendaItem.create(run=run, project=project, kind="lagging", title="D-1 决定项目", position=1)
            for period, run in runs.items()
        }
        decision = record_decision(
            items["2026-10"], "协调办理施工许可", "张三", DUE, office, DUE, department="市住建局"
        )
    return {"office": token_for(office), "runs": runs, "items": items, "decision": decision}


def decisions():
    with db.connection_context():
        return [(d.action, d.outcome, d.outcome_note) for d in Decision.select().order_by(Decision.id)]


def test_the_runs_are_listed_newest_first_and_filtered_by_cycle(call, consultations):
    body = call(consultations["office"], "GET", "/runs", query_string={"cycle": "monthly"}).get_json()
    assert sorted(r["period"] for r in body["items"]) == ["2026-10", "2026-11"] and body["total"] == 2
    assert call(consultations["office"], "GET", "/runs").get_json()["total"] == 3


def test_the_office_records_a_decision_and_its_follow_through_at_the_next_consultation(call, consultations):
    office, runs, items = consultations["office"], consultations["runs"], consultations["items"]
    november = runs["2026-11"].id
    body = {"action": "报送赶工计划", "assignee": "项目单位", "department": "市住建局", "due_on": "2026-12-10"}
    made = call(office, "POST", f"/runs/{november}/agenda/{items['2026-11'].id}/decisions", json=body)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["owner"] == "市住建局（项目单位）"
    listed = call(office, "GET", f"/runs/{november}/decisions").get_json()
    assert [d["action"] for d in listed["agenda"][0]["decisions"]] == ["报送赶工计划"]
    assert [d["action"] for d in listed["due"]] == ["协调办理施工许可"]
    outcome = {"outcome": "partial", "note": "已受理", "on": "2026-11-18"}
    recorded = call(
        office, "POST", f"/runs/{november}/decisions/{consultations['decision'].id}/follow-through", json=outcome
    )
    assert recorded.status_code == 200 and recorded.get_json()["outcome"] == "partial"
    run = call(office, "GET", f"/runs/{november}").get_json()
    assert run["cycle"] == "monthly" and run["due"][0]["outcome_note"] == "已受理"


@pytest.mark.parametrize("role", ["owner", "department", "county"])
def test_only_the_office_leaders_and_inspectors_see_runs(call, consultations, make_user, token_for, role):
    token = token_for(make_user(role, role))
    for path in ("/runs", f"/runs/{consultations['runs']['2026-11'].id}"):
        assert call(token, "GET", path).status_code == 403


@pytest.mark.parametrize("role", ["leader", "inspector", "department"])
def test_only_the_office_records_decisions_and_follow_through(call, consultations, make_user, token_for, role):
    token = token_for(make_user(role, role))
    november = consultations["runs"]["2026-11"].id
    before = decisions()
    body = {"action": "x", "assignee": "y", "due_on": "2026-12-10"}
    assert (
        call(
            token, "POST", f"/runs/{november}/agenda/{consultations['items']['2026-11'].id}/decisions", json=body
        ).status_code
        == 403
    )
    outcome = {"outcome": "done", "on": "2026-11-18"}
    path = f"/runs/{november}/decisions/{consultations['decision'].id}/follow-through"
    assert call(token, "POST", path, json=outcome).status_code == 403
    assert decisions() == before


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("agenda", {"action": " ", "assignee": "y", "due_on": "2026-12-10"}, 422, "action"),
        (
            "agenda",
            {"action": "x", "assignee": "y", "department": "不存在的局", "due_on": "2026-12-10"},
            422,
            "department",
        ),
        ("agenda", {"action": "x", "assignee": "y"}, 422, "due_on"),
        ("other-agenda", {"action": "x", "assignee": "y", "due_on": "2026-12-10"}, 404, None),
        ("follow", {"outcome": "maybe", "on": "2026-11-18"}, 422, "outcome"),
        ("follow-october", {"outcome": "done", "on": "2026-11-18"}, 404, None),
    ],
)
def test_bad_input_is_refused_in_json_and_changes_nothing(call, consultations, path, body, status, field):
    runs, items, decision = consultations["runs"], consultations["items"], consultations["decision"]
    paths = {
        "agenda": f"/runs/{runs['2026-11'].id}/agenda/{items['2026-11'].id}/decisions",
        "other-agenda": f"/runs/{runs['2026-11'].id}/agenda/{items['2026-10'].id}/decisions",
        "follow": f"/runs/{runs['2026-11'].id}/decisions/{decision.id}/follow-through",
        # October's consultation took the decision; it is asked after at later ones only.
        "follow-october": f"/runs/{runs['2026-10'].id}/decisions/{decision.id}/follow-through",
    }
    before = decisions()
    response = call(consultations["office"], "POST", paths[path], json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["status"] == status and error.get("field") == field
    assert decisions() == before
