"""Recording enterprises' resumption (复工复产), counting its rate, and raising their production-factor problems.

The rate is the restart rate's shape (tracker.cycles.figures.rate): 73 / 78 = 93.5 %. A factor
problem goes onto the one problem ledger, named by the enterprise, in its county, for the department
in charge of it; this package keeps only which factor it is about."""

from peewee import Value, fn

from tracker.core.db import db
from tracker.core.weeks import utc_now
from tracker.cycles.figures import rate
from tracker.enterprises.models import (
    FACTORS,
    RESUMPTION_STATES,
    Enterprise,
    EnterpriseProblem,
    EnterpriseStatus,
    resumed_counts,
    status_as_of,
)
from tracker.problems.ledger import ProblemError, raise_problem
from tracker.problems.models import UNRESOLVED, Problem

# The enterprise list's filters: the page's filter bar and the API's query string.
FILTERS = ("county", "status", "department", "factor", "q")


class ResumptionError(ValueError):
    """A status change cannot be recorded as asked; the message says why (in Chinese)."""


def record_status(enterprise, status, on, user, note="", today=None):
    """Record that ``enterprise`` had ``status`` from ``on`` (not after ``today``); return the change."""
    if status not in RESUMPTION_STATES:
        raise ResumptionError(f"未知的复工状态 {status}")
    if today and on > today:
        raise ResumptionError("复工日期不能晚于今天")
    if on < enterprise.listed_on:
        raise ResumptionError(f"复工日期不能早于企业列入名单的日期 {enterprise.listed_on}")
    with db.atomic():
        return EnterpriseStatus.create(
            enterprise=enterprise, status=status, on=on, note=(note or "").strip(), user=user, at=utc_now()
        )


def resumption_rate(condition, day):
    """{"numerator", "denominator", "percent"}: resumed / listed enterprises of ``condition`` as of ``day``."""
    return rate(*resumed_counts(condition, day))


def raise_factor_problem(enterprise, factor, description, deadline, user, now=None):
    """Put the enterprise's ``factor`` problem on the ledger, for the department in charge; return the Problem."""
    if factor not in FACTORS:
        raise ProblemError("请选择问题涉及的生产要素")
    with db.atomic():
        problem = raise_problem(
            None,
            description,
            enterprise.department,
            deadline,
            user,
            "enterprise",
            now=now,
            subject=enterprise.name,
            county=enterprise.county,
        )
        EnterpriseProblem.create(enterprise=enterprise, problem=problem, factor=factor)
    return problem


def enterprise_list(visible, args, day):
    """``visible`` (a query over Enterprise) cut down by the FILTERS in ``args``, each row with ``status`` on ``day``."""
    status = status_as_of(day)
    condition = Value(True)
    if "county" in args:
        condition &= Enterprise.county == args["county"]
    if "department" in args:
        condition &= Enterprise.department == args["department"]
    if "status" in args:
        condition &= fn.COALESCE(status, "not_resumed") == args["status"]
    if "factor" in args:
        open_problems = (
            EnterpriseProblem.select(EnterpriseProblem.enterprise)
            .join(Problem)
            .where((EnterpriseProblem.factor == args["factor"]) & Problem.status.in_(UNRESOLVED))
        )
        condition &= Enterprise.id.in_(open_problems)
    if "q" in args:
        condition &= Enterprise.name.contains(args["q"]) | Enterprise.credit_code.contains(args["q"])
    return visible.where(condition).order_by(Enterprise.county, Enterprise.name)
