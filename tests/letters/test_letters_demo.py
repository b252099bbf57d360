"""The demo city's letters reproduce the seed: 15 transferred, 2 provincial, 12 city, 1 local, 4 replied and closed."""

from tracker.accounts.models import User
from tracker.core.weeks import local_now
from tracker.demo.loading import load_demo_city
from tracker.letters.models import letter_counts
from tracker.web.access import visible_letters


def test_demo_city_has_the_seeds_fifteen_letters_some_overdue(conn, config):
    load_demo_city(config)
    day = local_now(config["city"]["timezone"]).date()
    counts = letter_counts(day)
    assert (counts["total"], counts["by_level"], counts["closed"]) == (
        15,
        {"provincial": 2, "city": 12, "local": 1},
        4,
    )
    assert counts["overdue"] > 0
    # The demo's department and county accounts each have letters of their own to answer.
    for username in ("department", "county"):
        assert 0 < letter_counts(day, visible_letters(User.get(username=username)))["total"] < 15
