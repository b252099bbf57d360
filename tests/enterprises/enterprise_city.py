"""What the enterprises' tests share: the city's date, the departments in charge, and a few enterprises."""

import datetime as dt

import pytest

from tracker.accounts.models import AccountCounty
from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.enterprises.models import Enterprise

TODAY = local_now(DEFAULTS["city"]["timezone"]).date()
LISTED = TODAY - dt.timedelta(days=30)
MIIT, NDRC = "市工信局", "市发展改革委"


@pytest.fixture
def enterprises(app, make_user):
    """东城化工 (工信, 东城区), 东城食品 (工信, 东城区), 西城建材 (发改, 西城区); a user per role."""
    with db.connection_context():
        for role in ("office", "leader", "inspector", "owner"):
            make_user(role, role)
        make_user("miit", "department", department=MIIT)
        make_user("ndrc", "department", department=NDRC)
        AccountCounty.set_counties(make_user("east", "county"), ["东城区"])
        AccountCounty.set_counties(make_user("west", "county"), ["西城区"])
        rows = (
            ("东城化工有限公司", "东城区", MIIT),
            ("东城食品有限公司", "东城区", MIIT),
            ("西城建材有限公司", "西城区", NDRC),
        )
        made = [
            Enterprise.create(name=name, county=county, department=dept, industry_chain="化工产业链", listed_on=LISTED)
            for name, county, dept in rows
        ]
        return dict(zip(("chem", "food", "build"), made, strict=True))
