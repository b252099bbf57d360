"""The demo city's promotion figures are the seed report's, read through the API as a script would."""

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.demo.loading import load_demo_city
from tracker.promotion.models import Lead
from tracker.promotion.periods import quarter_of


def test_the_demo_quarter_has_the_seeds_35_batches_341_enterprises_56_visits_30_intentions(
    app, config, call, token_for
):
    with db.connection_context():
        load_demo_city(config)
        office = User.get(username="office")
        linked = Lead.select().where(Lead.project.is_null(False)).get()
    token = token_for(office)
    this_quarter = quarter_of(local_now(config["city"]["timezone"]).date())

    now = call(token, "GET", f"/promotion?period={this_quarter}").get_json()
    assert {k: now[k] for k in ("batches", "enterprises_contacted", "visits", "intentions")} == {
        "batches": 35,
        "enterprises_contacted": 341,
        "visits": 56,
        "intentions": 30,
    }
    assert now["signed"] == 6 and now["landed"] == 2
    assert now["funds_in_place"] == 14520
    # A year before: 12,000 万元 in place, so this quarter's target is 13,800 and it is met.
    assert now["funds_last_year"] == 12000 and now["funds_target"] == 13800 and now["funds_percent"] == 105.2
    assert call(token, "GET", "/promotion").get_json() == now  # the current quarter is the default

    year_before = f"{int(this_quarter[:4]) - 1}{this_quarter[4:]}"
    before = call(token, "GET", f"/promotion?period={year_before}").get_json()
    assert before["batches"] == 28 and before["funds_in_place"] == 12000

    landed = call(token, "GET", "/promotion/leads?stage=landed").get_json()["items"]
    assert len(landed) == 2 and {lead["project"] for lead in landed} == {None, linked.project.code}
