"""The resumption rate (复工复产率) as of any date, and the factor problems reaching the ledger."""

import datetime as dt

import pytest
from enterprise_city import LISTED, MIIT, TODAY
from enterprise_city import enterprises as enterprises  # noqa: F401 (the fixture, by its name)

from tracker.enterprises.models import Enterprise, EnterpriseProblem
from tracker.enterprises.resumption import ResumptionError, raise_factor_problem, record_status, resumption_rate
from tracker.problems.ledger import ProblemError
from tracker.problems.models import Problem

EVERY = Enterprise.id.is_null(False)


def test_the_rate_as_of_a_date_stays_what_it_was(conn, enterprises):
    chem, food = enterprises["chem"], enterprises["food"]
    record_status(chem, "resumed", TODAY - dt.timedelta(days=10), None)
    record_status(food, "resumed", TODAY - dt.timedelta(days=2), None)
    record_status(chem, "not_resumed", TODAY - dt.timedelta(days=1), None, "停电停产")
    assert resumption_rate(EVERY, TODAY - dt.timedelta(days=5)) == {"numerator": 1, "denominator": 3, "percent": 33.3}
    assert resumption_rate(EVERY, TODAY - dt.timedelta(days=2)) == {"numerator": 2, "denominator": 3, "percent": 66.7}
    assert resumption_rate(EVERY, TODAY) == {"numerator": 1, "denominator": 3, "percent": 33.3}
    # Recorded late, for a date before: the past rate answers as it should have.
    record_status(enterprises["build"], "resumed", TODAY - dt.timedelta(days=6), None)
    assert resumption_rate(EVERY, TODAY - dt.timedelta(days=5))["numerator"] == 2
    assert chem.status_on(TODAY) == "not_resumed" and chem.status_on(TODAY - dt.timedelta(days=3)) == "resumed"


def test_an_enterprise_counts_from_the_day_it_was_listed(conn, enterprises):
    assert resumption_rate(EVERY, LISTED - dt.timedelta(days=1)) == {"numerator": 0, "denominator": 0, "percent": None}
    assert resumption_rate(EVERY, LISTED)["denominator"] == 3


@pytest.mark.parametrize(
    ("status", "on", "message"),
    [
        ("resumed", TODAY + dt.timedelta(days=1), "不能晚于今天"),
        ("resumed", LISTED - dt.timedelta(days=1), "不能早于"),
        ("partly", TODAY, "未知"),
    ],
)
def test_a_status_change_is_refused_in_words(conn, enterprises, status, on, message):
    with pytest.raises(ResumptionError, match=message):
        record_status(enterprises["chem"], status, on, None, today=TODAY)


def test_a_factor_problem_goes_to_the_ledger_for_the_department_in_charge_in_the_county(conn, enterprises):
    problem = raise_factor_problem(enterprises["chem"], "labour", "缺工 60 人", TODAY + dt.timedelta(days=10), None)
    stored = Problem.get_by_id(problem.id)
    assert (stored.project_id, stored.subject, stored.county) == (None, "东城化工有限公司", "东城区")
    assert (stored.department, stored.source) == (MIIT, "enterprise")
    assert [p.factor for p in EnterpriseProblem.of(enterprises["chem"])] == ["labour"]
    assert EnterpriseProblem.factor_counts(EVERY) == {"labour": (1, 1)}


def test_a_factor_problem_needs_a_known_factor(conn, enterprises):
    with pytest.raises(ProblemError, match="生产要素"):
        raise_factor_problem(enterprises["chem"], "weather", "下雨", TODAY, None)
    assert Problem.select().count() == 0
