"""The problem ledger: who solves what by when, and what was overdue on any past day."""

import datetime as dt

import pytest

from tracker.accounts.models import User
from tracker.problems.ledger import ProblemError, change_problem, raise_problem
from tracker.problems.models import overdue_as_of, problems_as_of

DAY = dt.datetime(2026, 11, 2, 9, 0)


def user(role, name=None):
    return User.get_or_create(username=name or role, defaults={"role": role})[0]


def test_a_problem_is_overdue_only_after_its_deadline_while_unresolved(conn, make_project):
    project = make_project()
    raise_problem(project, "用地报批未办结", "市自然资源局", dt.date(2026, 11, 10), user("office"), now=DAY)
    assert list(overdue_as_of(dt.date(2026, 11, 10))) == []
    assert [p.description for p in overdue_as_of(dt.date(2026, 11, 11))] == ["用地报批未办结"]
    assert list(overdue_as_of(dt.date(2026, 11, 11), grace_days=3)) == []


def test_the_overdue_list_of_a_past_day_does_not_change_when_the_problem_moves_on(conn, make_project):
    problem = raise_problem(make_project(), "环评待批", "市生态环境局", dt.date(2026, 11, 5), user("office"), now=DAY)
    before = [p.id for p in overdue_as_of(dt.date(2026, 11, 8))]
    change_problem(problem, user("office"), "deadline", "延期", deadline=dt.date(2026, 12, 31), now=DAY.replace(day=20))
    change_problem(problem, user("office"), "status", "已批复", status="resolved", now=DAY.replace(day=21))
    assert [p.id for p in overdue_as_of(dt.date(2026, 11, 8))] == before == [problem.id]
    assert list(overdue_as_of(dt.date(2026, 11, 22))) == []
    [then] = problems_as_of(dt.date(2026, 11, 8))
    assert (then.state, then.due) == ("open", dt.date(2026, 11, 5))


def test_only_a_resolved_problem_is_closed(conn, make_project):
    problem = raise_problem(make_project(), "资金未拨付", "市财政局", dt.date(2026, 12, 1), user("office"), now=DAY)
    with pytest.raises(ProblemError, match="只有已解决的问题可以销号"):
        change_problem(problem, user("office"), "status", status="closed")
    change_problem(problem, user("inspector"), "status", status="resolved")
    change_problem(problem, user("office"), "status", "销号", status="closed")
    assert problem.status == "closed" and problem.events.count() == 3


def test_a_problem_needs_words_and_a_department(conn, make_project):
    with pytest.raises(ProblemError):
        raise_problem(make_project(), "  ", "市财政局", dt.date(2026, 12, 1), user("office"))
