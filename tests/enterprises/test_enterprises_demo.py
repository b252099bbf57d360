"""The demo city's enterprises reproduce the seed: 78 above designated size, 73 resumed.

The seed prints 93.5 %, 73 / 78 = 93.589… cut after one decimal; the service has one percentage,
rounded half up as the restart rate (core.money.percent), so the same count shows 93.6 %."""

from enterprise_city import TODAY

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.demo.loading import load_demo_city
from tracker.problems.models import Problem, overdue_as_of


def test_the_demo_gives_73_of_78_resumed_through_the_api(app, call, token_for):
    config = app.config["TRACKER"]
    with db.connection_context():
        load_demo_city(config, weeks=2)
        token = token_for(User.get(User.username == "office"))
        enterprise_problems = Problem.select().where(Problem.source == "enterprise")
        assert enterprise_problems.count() == 4
        assert overdue_as_of(TODAY).where(Problem.source == "enterprise").count() == 1
    stats = call(token, "GET", "/stats").get_json()
    assert stats["resumption_rate"] == {"numerator": 73, "denominator": 78, "percent": 93.6}
