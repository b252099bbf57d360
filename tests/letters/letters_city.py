"""A city with letters for the pages' and the API's tests (a module, not a conftest: the suite has one conftest)."""

import datetime as dt

import pytest

from tracker.accounts.models import AccountCounty
from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.letters.handling import register_letter

TODAY = local_now(DEFAULTS["city"]["timezone"]).date()
NDRC, HOUSING, COUNTY = "市发展改革委", "市住建局", "东城区"
COMPLAINANT = ("李某某", "13800001234")
MONTH_AGO = TODAY - dt.timedelta(days=29)


def letter_values(unit, **changes):
    values = {
        "level": "city",
        "channel": "letter",
        "received_on": TODAY - dt.timedelta(days=30),
        "transferred_on": MONTH_AGO,
        "summary": f"反映{unit}承办项目拖欠工程款",
        "complainant_name": COMPLAINANT[0],
        "complainant_phone": COMPLAINANT[1],
        "unit": unit,
        "person_in_charge": "张专干",
    }
    return {**values, **changes}


@pytest.fixture(name="town")
def town_fixture(app, make_user, make_project):
    """Users of every role, and letters: to NDRC (overdue), to the housing bureau and to 东城区 (not yet due)."""
    with db.connection_context():
        users = {role: make_user(role, role) for role in ("office", "leader", "inspector")}
        users["department"] = make_user("department", "department", department=NDRC)
        users["other_department"] = make_user("other_department", "department", department=HOUSING)
        users["county"] = make_user("county", "county")
        AccountCounty.set_counties(users["county"], [COUNTY])
        users["other_county"] = make_user("other_county", "county")
        AccountCounty.set_counties(users["other_county"], ["西城区"])
    users["owner"] = make_project().owner
    recent = {"transferred_on": TODAY - dt.timedelta(days=2), "received_on": TODAY - dt.timedelta(days=3)}
    with db.connection_context():
        office = users["office"]
        made = {
            "mine": register_letter(
                letter_values(NDRC), office, 15, MONTH_AGO, now=dt.datetime.combine(MONTH_AGO, dt.time(2))
            ),
            "housing": register_letter(letter_values(HOUSING, level="provincial", **recent), office, 15, TODAY),
            "county": register_letter(letter_values(COUNTY, level="local", **recent), office, 15, TODAY),
        }
    return {**users, "letters": made}
