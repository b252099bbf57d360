"""The letters' pages: who sees which letters and does what on them, the complainant kept from the units,
the ledger's counts and filters, and its export."""

import datetime as dt
import io
import re

import pytest
from letters_city import COMPLAINANT, COUNTY, NDRC, TODAY, town_fixture  # noqa: F401 (fixture)
from pages import post

from tracker.core.db import db
from tracker.letters.models import Letter, LetterEvent

ROLES = ("office", "leader", "inspector", "department", "other_department", "county", "other_county", "owner")
ROUTES = {
    # (method, path): the roles let through (to the NDRC letter); everyone else gets 403.
    ("GET", "/letters/"): ("office", "inspector", "department", "other_department", "county", "other_county"),
    ("GET", "/letters/export.xlsx"): (
        "office",
        "inspector",
        "department",
        "other_department",
        "county",
        "other_county",
    ),
    ("GET", "/letters/{id}"): ("office", "inspector", "department"),
    ("GET", "/letters/new"): ("office",),
    ("POST", "/letters/{id}/reply"): ("department",),
    ("POST", "/letters/{id}/transfer"): ("office",),
    ("POST", "/letters/{id}/remind"): ("inspector",),
}


def login_as(login, town, role):
    user = town[role]
    return login(user.username)


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what_on_the_letters(client, login, town, role, method, path):
    login_as(login, town, role)
    url = path.format(id=town["letters"]["mine"].id)
    data = {"text": "已答复", "unit": "市住建局", "person_in_charge": "", "deadline": ""}
    response = client.get(url) if method == "GET" else post(client, url, data)
    allowed = 200 if method == "GET" else 302
    assert response.status_code == (allowed if role in ROUTES[(method, path)] else 403)


def listed(html):
    return {int(n) for n in re.findall(r'data-letter="(\d+)"', html)}


@pytest.mark.parametrize(
    ("role", "seen"),
    [("office", {"mine", "housing", "county"}), ("department", {"mine"}), ("county", {"county"})],
)
def test_each_sees_the_letters_of_their_reach(client, login, town, role, seen):
    login_as(login, town, role)
    page = client.get("/letters/").get_data(as_text=True)
    assert listed(page) == {town["letters"][name].id for name in seen}
    assert f'data-count="total">{len(seen)}<' in page


def test_a_unit_never_sees_who_wrote_but_the_office_and_the_inspector_do(client, login, town):
    letter = town["letters"]["mine"]
    for role, shown in (("department", False), ("inspector", True), ("office", True)):
        login_as(login, town, role)
        page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
        export = client.get("/letters/export.xlsx").get_data()
        assert (COMPLAINANT[0] in page) is shown and (COMPLAINANT[1] in page) is shown
        assert (COMPLAINANT[0] in cells(export)) is shown and (COMPLAINANT[1] in cells(export)) is shown
        assert letter.summary in cells(export)


def cells(content):
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}


def test_the_ledger_counts_and_filters_overdue_letters(client, login, town):
    login_as(login, town, "inspector")
    page = client.get("/letters/").get_data(as_text=True)
    assert 'data-count="overdue"><a href="/letters/?overdue=1">1<' in page
    assert 'data-count="provincial"><a href="/letters/?level=provincial">1<' in page
    overdue = client.get("/letters/?overdue=1").get_data(as_text=True)
    assert listed(overdue) == {town["letters"]["mine"].id} and "逾期" in overdue
    assert listed(client.get(f"/letters/?unit={COUNTY}").get_data(as_text=True)) == {town["letters"]["county"].id}
    assert client.get("/letters/?level=national").status_code == 400


def test_the_office_registers_a_letter_due_after_the_configured_days(client, login, town):
    login_as(login, town, "office")
    form = {
        "level": "provincial",
        "channel": "visit",
        "received_on": TODAY.isoformat(),
        "summary": "反映项目拆迁安置不到位",
        "complainant_name": "赵某",
        "complainant_phone": "13900000000",
        "unit": NDRC,
        "person_in_charge": "王专干",
        "transferred_on": "",
        "deadline": "",
    }
    response = post(client, "/letters/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    with db.connection_context():
        letter = Letter.select().order_by(Letter.id.desc()).get()
        assert (letter.unit_kind, (letter.deadline - TODAY).days) == ("department", 15)
    assert post(client, "/letters/new", {**form, "unit": "不存在的局"}).status_code == 422


def test_the_unit_replies_the_inspector_closes_and_reopens_it_on_a_second_look(client, login, town):
    letter = town["letters"]["mine"]
    login_as(login, town, "department")
    assert post(client, f"/letters/{letter.id}/reply", {"text": "已约谈施工单位，款项已结清"}).status_code == 302
    login_as(login, town, "inspector")
    assert post(client, f"/letters/{letter.id}/close").status_code == 302
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "回头看" in page
    response = post(client, f"/letters/{letter.id}/reopen", {"reason": "回访发现仍有欠款", "deadline": "2099-01-01"})
    assert response.status_code == 302
    with db.connection_context():
        kinds = [e.kind for e in LetterEvent.of(letter)]
        assert kinds == ["registered", "reply", "closed", "reopened"]
        assert Letter.get_by_id(letter.id).status == "transferred"


def test_the_counts_of_a_past_day_are_shown_for_that_day(client, login, town):
    login(town["office"].username)
    before = client.get(f"/letters/?date={(TODAY - dt.timedelta(days=10)).isoformat()}").get_data(as_text=True)
    assert 'data-count="total">1<' in before  # only the letter transferred a month ago was registered then
    assert client.get("/letters/?date=tomorrow").status_code == 400
