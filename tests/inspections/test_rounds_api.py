"""GET /api/v1/inspections and /api/v1/inspections/ID: the rounds with their counts, one round in full."""

import pytest
from inspected import inspection as inspection  # noqa: F401 (the fixture, by its name)

from tracker.accounts.models import User
from tracker.core.db import db


def token(token_for, username):
    with db.connection_context():
        return token_for(User.get(User.username == username))


def test_the_rounds_come_with_their_counts(call, token_for, inspection):
    body = call(token(token_for, "leader"), "GET", "/inspections").get_json()
    print(body)
    assert body["total"] == 1
    counts = body["items"][0]["counts"]
    assert counts == {"groups": 2, "units_visited": 3, "findings": 3, "rectified": 0, "pending": 3, "overdue": 2}


def test_a_round_has_its_groups_visits_and_findings(call, token_for, inspection):
    body = call(token(token_for, "inspector"), "GET", f"/inspections/{inspection['round'].id}").get_json()
    assert [g["name"] for g in body["groups"]] == ["第一督查组", "第二督查组"]
    assert [v["unit"] for v in body["visits"]] == ["东城区城建局", "东城物流园项目部", "西城区行政审批局"]
    assert body["visits"][1]["project"] == "XM-P" and body["visits"][0]["methods"] == ["实地走访", "查阅资料"]
    east = body["findings"][0]
    assert (east["about"], east["status"], east["recheck"]) == ("东城区城建局", "open", None)
    assert east["problem"] == inspection["findings"]["east"].problem_id and body["bulletin"] is None


@pytest.mark.parametrize("user", ["department", "east"])
def test_departments_and_counties_get_403_in_json(call, token_for, inspection, user):
    answer = call(token(token_for, user), "GET", "/inspections")
    assert answer.status_code == 403 and "纪委监委" in answer.get_json()["error"]["message"]


def test_an_unknown_round_is_404(call, token_for, inspection):
    assert call(token(token_for, "office"), "GET", "/inspections/999").status_code == 404
