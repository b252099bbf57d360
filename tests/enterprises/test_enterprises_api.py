"""The enterprises' API: the list with its rate and counts, one enterprise, a status change; /stats' rate."""

import datetime as dt

import pytest
from enterprise_city import TODAY
from enterprise_city import enterprises as enterprises  # noqa: F401 (the fixture, by its name)

from tracker.accounts.models import User
from tracker.core.db import db


@pytest.fixture
def token(token_for, enterprises):
    def make(username):
        with db.connection_context():
            return token_for(User.get(User.username == username))

    return make


def test_the_list_gives_the_rate_and_the_reach(call, token, enterprises):
    body = call(token("miit"), "GET", "/enterprises").get_json()
    assert {e["name"] for e in body["items"]} == {"东城化工有限公司", "东城食品有限公司"}
    assert body["resumption_rate"] == {"numerator": 0, "denominator": 2, "percent": 0.0}
    assert {"factor": "labour", "problems": 0, "unresolved": 0} in body["factor_counts"]
    assert call(token("owner"), "GET", "/enterprises").status_code == 403


def test_a_status_change_through_the_api_moves_the_rate_in_stats(call, token, enterprises):
    chem = enterprises["chem"]
    on = (TODAY - dt.timedelta(days=1)).isoformat()
    response = call(token("east"), "POST", f"/enterprises/{chem.id}/status", json={"status": "resumed", "on": on})
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "resumed" and body["changes"][0]["on"] == on
    assert call(token("office"), "GET", "/stats").get_json()["resumption_rate"] == {
        "numerator": 1,
        "denominator": 3,
        "percent": 33.3,
    }
    assert call(token("east"), "GET", f"/enterprises/{chem.id}").get_json()["status"] == "resumed"


def test_the_api_refuses_out_of_reach_and_bad_dates(call, token, enterprises):
    build = enterprises["build"]
    assert call(token("east"), "GET", f"/enterprises/{build.id}").status_code == 403
    assert (
        call(
            token("leader"),
            "POST",
            f"/enterprises/{build.id}/status",
            json={"status": "resumed", "on": TODAY.isoformat()},
        ).status_code
        == 403
    )
    assert call(token("office"), "GET", "/enterprises/999999").status_code == 404
    late = call(
        token("office"),
        "POST",
        f"/enterprises/{build.id}/status",
        json={"status": "resumed", "on": (TODAY + dt.timedelta(days=2)).isoformat()},
    )
    assert late.status_code == 422 and "不能晚于今天" in late.get_json()["error"]["message"]
