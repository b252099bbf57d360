"""API tokens over the API: one's own made (shown once), listed and revoked; the office sees and revokes anyone's."""

import pytest

from tracker.accounts.models import ApiToken
from tracker.core.db import db


@pytest.fixture
def people(make_user, token_for):
    office, owner = make_user("office", "office"), make_user("zhang", "owner")
    return {"office": token_for(office, "办公室脚本"), "owner": token_for(owner, "周报同步脚本")}


def tokens():
    with db.connection_context():
        return sorted((t.name, t.revoked_at is None) for t in ApiToken.select())


def test_a_token_made_over_the_api_is_shown_once_and_works(call, people, recorded):
    made = call(people["owner"], "POST", "/tokens", json={"name": "报表导出", "days": 30})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["user"], body["state"], body["token"][:6]) == ("zhang", "active", body["prefix"])
    assert call(body["token"], "GET", "/tokens").status_code == 200
    assert all("token" not in t for t in call(people["owner"], "GET", "/tokens").get_json()["items"])
    assert [d["name"] for _, _, d in recorded("token_created")][-1] == "报表导出"


def test_each_sees_their_own_tokens_and_the_office_everyones(call, people):
    assert [t["name"] for t in call(people["owner"], "GET", "/tokens").get_json()["items"]] == ["周报同步脚本"]
    assert {t["user"] for t in call(people["office"], "GET", "/tokens").get_json()["items"]} == {"office", "zhang"}


def test_a_revoked_token_stops_working_and_is_listed_as_revoked(call, people, recorded):
    with db.connection_context():
        owners = ApiToken.get(ApiToken.name == "周报同步脚本").id
    revoked = call(people["office"], "POST", f"/tokens/{owners}/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    assert call(people["owner"], "GET", "/tokens").status_code == 401
    assert len(recorded("token_revoked")) == 1
    before = tokens()
    assert call(people["office"], "POST", f"/tokens/{owners}/revoke").status_code == 409
    assert tokens() == before


def test_one_cannot_revoke_or_see_another_accounts_token(call, people):
    with db.connection_context():
        offices = ApiToken.get(ApiToken.name == "办公室脚本").id
    before = tokens()
    response = call(people["owner"], "POST", f"/tokens/{offices}/revoke")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404
    assert tokens() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "x", "days": 7}, "days"),
        ({"name": "x", "days": "30"}, "days"),
        ({}, "name"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_a_token_without_a_purpose_or_with_a_validity_not_offered_is_refused(call, people, body, field):
    before = tokens()
    response = call(people["owner"], "POST", "/tokens", json=body)
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field
    assert tokens() == before
