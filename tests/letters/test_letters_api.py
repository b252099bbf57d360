"""Letters and visits (来信来访) over the API: the ledger's counts and reach, the complainant kept from units."""

import pytest
from letters_city import COMPLAINANT, town_fixture  # noqa: F401 (fixture)

from tracker.core.db import db
from tracker.letters.models import LetterEvent


@pytest.fixture
def tokens(town, token_for):
    return {role: token_for(town[role]) for role in ("office", "leader", "owner", "department", "county", "inspector")}


def test_the_ledger_counts_as_the_seed_does_within_reach(call, town, tokens):
    office = call(tokens["office"], "GET", "/letters").get_json()
    assert office["counts"] == {
        "total": 3,
        "by_level": {"provincial": 1, "city": 1, "local": 1},
        "closed": 0,
        "overdue": 1,
    }
    assert [x["complainant_name"] for x in office["items"]] == [COMPLAINANT[0]] * 3
    department = call(tokens["department"], "GET", "/letters").get_json()
    assert [x["id"] for x in department["items"]] == [town["letters"]["mine"].id]
    assert department["counts"]["total"] == 1
    assert "complainant_name" not in department["items"][0] and "complainant_phone" not in department["items"][0]
    overdue = call(tokens["inspector"], "GET", "/letters?overdue=true").get_json()
    assert [x["id"] for x in overdue["items"]] == [town["letters"]["mine"].id]


@pytest.mark.parametrize("role", ["leader", "owner"])
def test_leaders_and_owners_do_not_see_letters(call, town, tokens, role):
    letter = town["letters"]["mine"]
    for path in ("/letters", f"/letters/{letter.id}"):
        response = call(tokens[role], "GET", path)
        assert response.status_code == 403 and response.get_json()["error"]["message"]


def test_a_unit_reads_and_answers_only_its_own_letters_and_never_who_wrote(call, town, tokens):
    mine, county = town["letters"]["mine"], town["letters"]["county"]
    assert call(tokens["department"], "GET", f"/letters/{county.id}").status_code == 403
    assert call(tokens["department"], "GET", "/letters/999999").status_code == 404
    shown = call(tokens["department"], "GET", f"/letters/{mine.id}").get_json()
    assert COMPLAINANT[0] not in str(shown) and COMPLAINANT[1] not in str(shown)
    assert call(tokens["office"], "POST", f"/letters/{mine.id}/reply", json={"text": "代答"}).status_code == 403
    replied = call(tokens["department"], "POST", f"/letters/{mine.id}/reply", json={"text": "已结清工程款"})
    assert replied.status_code == 200 and replied.get_json()["status"] == "replied"
    assert [e["kind"] for e in replied.get_json()["events"]] == ["registered", "reply"]
    again = call(tokens["department"], "POST", f"/letters/{mine.id}/reply", json={"text": "再答"})
    assert again.status_code == 409
    with db.connection_context():
        assert LetterEvent.select().where(LetterEvent.letter == mine.id).count() == 2


def test_the_counts_are_for_the_day_asked(call, town, tokens):
    assert call(tokens["office"], "GET", "/letters?date=2020-01-01").get_json()["counts"]["total"] == 0
    assert call(tokens["office"], "GET", "/letters?date=1-1").status_code == 400
