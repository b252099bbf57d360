"""Raising and moving on ledger problems (问题台账), each change kept as a dated event."""

from peewee import JOIN, Case, fn

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.core.weeks import utc_now
from tracker.problems.models import PROBLEM_COUNTY, PROBLEM_STATES, UNRESOLVED, Problem, ProblemEvent
from tracker.projects.models import Project

# The ledger's filters: the page's filter bar and the API's query string.
FILTERS = ("status", "department", "county", "q", "overdue")


class ProblemError(ValueError):
    """A problem cannot change as asked; the message says why (in Chinese)."""


def raise_problem(
    project, description, department, deadline, user, source="report", report=None, now=None, subject="", county=None
):
    """Open a ledger entry and its first event: on ``project``, or (project None) on the unit or enterprise ``subject``."""
    description = (description or "").strip()
    subject = (subject or "").strip()
    if not description:
        raise ProblemError("请填写问题描述")
    if project is None and not subject:
        raise ProblemError("请指定问题所在的项目或单位")
    if not department:
        raise ProblemError("请指定负责解决的部门")
    now = now or utc_now()
    with db.atomic():
        problem = Problem.create(
            project=project,
            subject="" if project else subject,
            county=None if project else county,
            report=report,
            source=source,
            description=description,
            department=department,
            deadline=deadline,
            raised_by=user,
            raised_at=now,
        )
        _event(problem, "raised", user, description, now)
    return problem


def change_problem(problem, user, kind, text="", status=None, deadline=None, now=None):
    """Reply to, move on, or re-date a problem; each change is kept as an event.

    Only a resolved problem is closed (销号); who may close it is tracker.web.access's rule.
    """
    if status == "closed" and problem.status != "resolved":
        raise ProblemError("只有已解决的问题可以销号")
    if status is not None and status not in PROBLEM_STATES:
        raise ProblemError(f"未知的问题状态 {status}")
    if problem.status == "closed":
        raise ProblemError("问题已销号，不能再修改")
    with db.atomic():
        problem.status = status or problem.status
        problem.deadline = deadline or problem.deadline
        problem.save()
        _event(problem, kind, user, text, now or utc_now())
    return problem


def _event(problem, kind, user, text, at):
    ProblemEvent.create(
        problem=problem, kind=kind, user=user, text=text, status=problem.status, deadline=problem.deadline, at=at
    )


def overdue(day):
    """Unresolved and past its deadline on ``day``."""
    return Problem.status.in_(UNRESOLVED) & (Problem.deadline < day)


def ledger(visible, args, day):
    """``visible`` (a query over Problem, LEFT OUTER joined to Project) cut down by the FILTERS in ``args``.

    Unresolved problems come first, soonest due first; each row has ``last_at``, its latest event's time.
    """
    condition = Problem.id.is_null(False)
    if "status" in args:
        condition &= Problem.status == args["status"]
    if "department" in args:
        condition &= Problem.department == args["department"]
    if "county" in args:
        condition &= args["county"] == PROBLEM_COUNTY
    if "q" in args:
        q = args["q"]
        condition &= Project.code.contains(q) | Project.name.contains(q) | Problem.subject.contains(q)
    if args.get("overdue") in ("1", True):
        condition &= overdue(day)
    unresolved_first = Case(None, [(Problem.status.in_(UNRESOLVED), 0)], 1)
    return (
        visible.select_extend(fn.MAX(ProblemEvent.at).alias("last_at"))
        .switch(Problem)
        .join(ProblemEvent)
        .where(condition)
        .group_by(Problem, Project)
        .order_by(unresolved_first, Problem.deadline, Problem.id)
    )


def overdue_counts(visible, column, day):
    """[(value of ``column``, overdue count)] over ``visible``, worst first, in one GROUP BY."""
    count = fn.COUNT(Problem.id)
    query = visible.select(column, count).where(overdue(day)).group_by(column).order_by(count.desc(), column)
    return list(query.tuples())


def events_of(problem):
    """The problem's events, oldest first, with their users."""
    return (
        ProblemEvent.select(ProblemEvent, User)
        .join(User, JOIN.LEFT_OUTER)
        .where(ProblemEvent.problem == problem)
        .order_by(ProblemEvent.at, ProblemEvent.id)
    )
