"""Reopening a locked weekly report over the API: the office opens it for its owner, then locks it again."""

import pytest

from tracker.core.db import db
from tracker.core.weeks import shift_week
from tracker.projects.models import Change
from tracker.reports.filing import current_week

REPORT = {"status": "started", "investment_completed": 1_200, "physical_progress": "基础施工"}


@pytest.fixture
def past(app, call, make_user, make_project, token_for):
    """A project, its owner's token, the office's, and a week past its cut-off that the office filed."""
    project = make_project(code="XM-1")
    office = token_for(make_user("office", "office"))
    week = shift_week(current_week(app.config["TRACKER"]), -2)
    assert call(office, "POST", "/projects/XM-1/reports", json={**REPORT, "week": week}).status_code == 201
    return {"office": office, "owner": token_for(project.owner), "week": week, "project": project}


def changes():
    with db.connection_context():
        return Change.select().count()


def test_a_reopened_week_is_corrected_by_its_owner_until_locked_again(call, past, recorded):
    path = f"/projects/XM-1/reports/{past['week']}"
    reopened = call(past["office"], "POST", f"{path}/reopen")
    assert reopened.status_code == 200 and reopened.get_json()["reopened"] is True
    corrected = call(past["owner"], "POST", "/projects/XM-1/reports", json={**REPORT, "week": past["week"]})
    assert corrected.status_code == 201, corrected.get_json()
    locked = call(past["office"], "POST", f"{path}/lock")
    assert locked.status_code == 200 and locked.get_json()["reopened"] is False
    refused = call(past["owner"], "POST", "/projects/XM-1/reports", json={**REPORT, "week": past["week"]})
    assert refused.status_code == 409
    assert [
        (event, detail["week"]) for event, _, detail in recorded() if event in ("report_reopened", "report_locked")
    ] == [
        ("report_reopened", past["week"]),
        ("report_locked", past["week"]),
    ]


@pytest.mark.parametrize("role", ["owner", "leader", "inspector", "department", "county"])
@pytest.mark.parametrize("action", ["reopen", "lock"])
def test_only_the_office_reopens_or_locks(call, past, make_user, token_for, role, action):
    token = past["owner"] if role == "owner" else token_for(make_user(role, role))
    before = changes()
    response = call(token, "POST", f"/projects/XM-1/reports/{past['week']}/{action}")
    assert response.status_code == 403 and response.get_json()["error"]["status"] == 403
    assert changes() == before


@pytest.mark.parametrize("week", ["2020-W01", "not-a-week", "2026-W99"])
def test_a_week_without_a_report_is_not_found(call, past, week):
    before = changes()
    response = call(past["office"], "POST", f"/projects/XM-1/reports/{week}/reopen")
    assert response.status_code == 404 and response.get_json()["error"]["message"]
    assert changes() == before
