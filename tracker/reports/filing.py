"""Filing the weekly progress report (周报): until when, and what is plausible."""

import datetime as dt

from tracker.accounts.models import AccountCounty
from tracker.audit.log import Actor, record
from tracker.core.db import db
from tracker.core.money import CENTS_MESSAGE, amount_text, in_cents, is_amount, money_sum
from tracker.core.weeks import late_from, local_now, report_cutoff, utc_now, week_monday, week_of
from tracker.problems.ledger import change_problem, raise_problem
from tracker.problems.models import Problem
from tracker.projects.lights import refresh_next_milestones
from tracker.projects.models import (
    FUNDING_SOURCES,
    MILESTONES,
    STATUSES,
    UNDER_WAY,
    Change,
    FundsSecured,
    ProgressReport,
    Project,
    ReportFunds,
)

# 万元 (10 万亿元): far above any real project, and low enough that a project's
# amounts, and the sums of thousands of them, fit the money columns' NUMERIC(15,2).
MAX_AMOUNT = 1_000_000_000


REPORT_FIELDS = ("status", "investment_completed", "physical_progress", "problems", "next_week_plan", "explanation")


class ReportError(ValueError):
    """The report cannot be saved as given; ``errors`` maps field -> message."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("；".join(errors.values()))


class ReportLocked(ReportError):
    """The week's cut-off has passed and the office has not reopened the report."""

    def __init__(self, week):
        super().__init__({"week": f"{week} 的周报已过截止时间并锁定，如需修改请联系领导小组办公室重新开放"})


class ReportAccepted(ReportError):
    """The county office has accepted the report: it stands unless the office reopens it."""

    def __init__(self, week):
        super().__init__({"week": f"{week} 的周报已经县区审核通过，如需修改请联系领导小组办公室重新开放"})


class ReportConflict(ReportError):
    """The report changed (corrected, or reviewed) since the version the writer started from."""

    def __init__(self, week):
        super().__init__({"week": f"{week} 的周报刚刚已被修改或审核，请刷新页面查看后再提交"})


def current_week(config):
    """The ISO week being reported now, in the city's timezone."""
    return week_of(local_now(config["city"]["timezone"]).date())


def is_locked(week, config, report=None, now=None):
    """Whether owners can no longer file or correct the report of ``week``."""
    if report is not None and report.reopened:
        return False
    now = now or local_now(config["city"]["timezone"])
    return now >= report_cutoff(week, config["reporting"]["cutoff"], config["city"]["timezone"])


def is_late(week, config, now):
    """Whether a report of ``week`` filed at ``now`` is late (迟报): after the week's reporting day ([reporting] day)."""
    return now >= late_from(week, config["reporting"]["day"], config["city"]["timezone"])


def is_accepted_by_review(report):
    """Whether ``report`` (or None) was accepted by its county office and not reopened since: it then stands."""
    return bool(report and report.reviewed_at and report.review_state == "accepted" and not report.reopened)


def needs_review(project, config):
    """Whether ``project``'s reports wait for its county office (县区审核): review on, and the county has an account."""
    if not config["review"]["enabled"] or not project.county:
        return False
    return AccountCounty.reviewed().where(AccountCounty.county == project.county).exists()


def form_start(project, week):
    """What the form starts from: this week's report if filed, else last week's figures."""
    report, previous = ProgressReport.of_week_and_before(project, week)
    return _start(project, report, previous, _funds_of(report), list(project.milestones))


def _start(project, report, previous, funds, milestones):
    if report is None:
        values = {
            "status": project.status,
            "investment_completed": previous.investment_completed if previous else project.investment_completed,
            "physical_progress": previous.physical_progress if previous else project.physical_progress,
            "problems": previous.problems if previous else "",
            "next_week_plan": "",
            "explanation": "",
            "funds": {},
        }
    else:
        values = {f: getattr(report, f) for f in REPORT_FIELDS}
        values["funds"] = dict(funds)
        values["version"] = report.version
    values["milestones"] = {m.kind: m.actual_on for m in milestones}
    return values


def _funds_of(report):
    """{source: 万元} a report (or None) secured."""
    return {row.source: row.amount for row in report.funds} if report is not None else {}


def check_report(project, week, values, today, previous):
    """Return {field: message} for what is wrong or implausible in ``values``.

    ``previous`` is the project's last report before ``week`` (or None): the figures may not fall below it unexplained.
    """
    errors = {}
    if values.get("status") not in STATUSES:
        errors["status"] = "请选择项目状态"
    amount = values.get("investment_completed")
    if not is_amount(amount):
        errors["investment_completed"] = "累计完成投资应为数字（万元）"
    elif not in_cents(amount):
        errors["investment_completed"] = f"累计完成投资{CENTS_MESSAGE}"
    elif amount < 0:
        errors["investment_completed"] = "累计完成投资不能为负数"
    elif amount > MAX_AMOUNT:
        errors["investment_completed"] = f"累计完成投资不能超过 {MAX_AMOUNT} 万元"
    else:
        explained = bool((values.get("explanation") or "").strip())
        if amount > project.total_investment and not explained:
            errors["explanation"] = (
                f"累计完成投资 {amount_text(amount)} 万元超过总投资 {amount_text(project.total_investment)} 万元，请填写说明"
            )
        elif previous and amount < previous.investment_completed and not explained:
            errors["explanation"] = (
                f"累计完成投资 {amount_text(amount)} 万元低于上周的 {amount_text(previous.investment_completed)} 万元，"
                "请填写说明"
            )
    funds = values.get("funds") or {}
    earlier = _funds_of_other_weeks(project, week) if funds else {}
    for source, value in funds.items():
        if source not in FUNDING_SOURCES:
            errors[f"funds.{source}"] = f"未知的资金来源 {source}"
        elif not is_amount(value):
            errors[f"funds.{source}"] = f"{FUNDING_SOURCES[source]}到位资金应为数字（万元）"
        elif not in_cents(value):
            errors[f"funds.{source}"] = f"{FUNDING_SOURCES[source]}到位资金{CENTS_MESSAGE}"
        elif value < 0:
            errors[f"funds.{source}"] = f"{FUNDING_SOURCES[source]}到位资金不能为负数"
        elif value + earlier.get(source, 0) > MAX_AMOUNT:
            errors[f"funds.{source}"] = f"{FUNDING_SOURCES[source]}累计到位资金不能超过 {MAX_AMOUNT} 万元"
    for kind, date in (values.get("milestones") or {}).items():
        if kind not in MILESTONES:
            errors[f"milestones.{kind}"] = f"未知的节点 {kind}"
        elif date is not None and date > today:
            errors[f"milestones.{kind}"] = f"{MILESTONES[kind]}完成日期不能晚于今天"
    return errors


def _funds_of_other_weeks(project, week):
    """{source: 万元} the project's other reports have secured, in one query."""
    return dict(
        ReportFunds.select(ReportFunds.source, money_sum(ReportFunds.amount))
        .join(ProgressReport)
        .where((ProgressReport.project == project) & (ProgressReport.week != week))
        .group_by(ReportFunds.source)
        .tuples()
    )


def file_report(
    project, week, values, user, config, now=None, past_cutoff=False, version=None, actor=None, partial=False
):
    """Save (or correct) the report of ``week`` and, once accepted, carry it onto the project's figures.

    The caller has checked that ``user`` may report for the project; ``past_cutoff``
    says they may also file a week locked by its cut-off, or one its county office has
    accepted (tracker.web.access); the audit log records filing a locked week as done by
    ``actor`` (default: ``user``). A report of a county under review is ``submitted`` and
    waits for the county office; any other is accepted at once. ``version``, when given, is
    the report's version the writer started from: if it changed meanwhile (corrected, or
    reviewed), nothing is written. ``partial``: ``values`` holds only what the writer changes
    (the API), the rest is what the form would start from (form_start). Raises ReportLocked,
    ReportAccepted, ReportConflict or ReportError and then writes nothing.
    """
    now = now or local_now(config["city"]["timezone"])
    if week_monday(week) > now.date():
        raise ReportError({"week": f"不能填报未来的周次 {week}"})
    # The rows filing compares with, read once: this week's report (a correction) and last week's.
    report, previous = ProgressReport.of_week_and_before(project, week)
    funds_before = _funds_of(report)
    milestones = list(project.milestones)
    if partial:
        values = {**_start(project, report, previous, funds_before, milestones), **values}
    locked = is_locked(week, config, report, now)
    if locked and not past_cutoff:
        raise ReportLocked(week)
    if report is not None and version is not None and report.version != version:
        raise ReportConflict(week)
    if not past_cutoff and is_accepted_by_review(report):
        raise ReportAccepted(week)
    errors = check_report(project, week, values, now.date(), previous)
    if errors:
        raise ReportError(errors)
    state = "submitted" if needs_review(project, config) else "accepted"
    # What the report adds to the project's funds totals, before and after: they are recomputed if it moved.
    counted_before = funds_before if report is not None and report.review_state == "accepted" else {}
    with db.atomic():
        report, funds = _save_report(
            project, week, report, funds_before, values, user, state, is_late(week, config, now)
        )
        reached = _record_milestones(project, milestones, values.get("milestones") or {}, user, report)
        carry_accepted(
            project,
            now.date(),
            filed=report if state == "accepted" else None,
            funds_moved=counted_before != (funds if state == "accepted" else {}),
            milestones=milestones,
            milestones_moved=reached,
        )
        _ledger_reported_problem(project, report, previous, user, config, now)
        if locked:
            record("report_corrected_late", actor or Actor(user.label, user.id), project=project.code, week=week)
    return report


def _save_report(project, week, report, old_funds, values, user, state, late):
    """Write the report in ``state``, a correction only if no one changed the report since it was read; return it and its funds.

    ``old_funds`` are the funds of ``report`` as read: rows are rewritten only if they differ.
    """
    fields = {f: values.get(f) if values.get(f) is not None else "" for f in REPORT_FIELDS}
    funds = {s: a for s, a in (values.get("funds") or {}).items() if a}
    if report is None:
        report = ProgressReport.create(
            project=project, week=week, submitted_by=user, review_state=state, late=late, **fields
        )
        old = {}
    else:
        old = {f: getattr(report, f) for f in fields}
        old["review_state"], fields["review_state"] = report.review_state, state
        _write_correction(report, {**fields, "submitted_by": user})
        if funds != old_funds:
            ReportFunds.delete().where(ReportFunds.report == report).execute()
    if funds and funds != old_funds:
        ReportFunds.insert_many([{"report": report, "source": s, "amount": a} for s, a in funds.items()]).execute()
    Change.record(project, user, old, fields, report=report)
    Change.record(
        project,
        user,
        {f"funds.{s}": a for s, a in old_funds.items()},
        {f"funds.{s}": funds.get(s) for s in old_funds.keys() | funds.keys()},
        report=report,
    )
    return report, funds


def _write_correction(report, fields):
    """UPDATE the report to ``fields`` on condition that its version is still the one read (ReportConflict otherwise).

    So a county office accepting the report and its owner correcting it at the same moment cannot
    overwrite one another: whichever writes second finds the version moved and changes nothing.
    """
    now = utc_now()
    fields = {**fields, "updated_at": now}
    if fields["review_state"] == "submitted":
        fields.update(reviewed_by=None, reviewed_at=None)
    changed = (
        ProgressReport.update(**fields, version=ProgressReport.version + 1)
        .where((ProgressReport.id == report.id) & (ProgressReport.version == report.version))
        .execute()
    )
    if changed != 1:
        raise ReportConflict(report.week)
    for name, value in fields.items():
        setattr(report, name, value)
    report.version += 1


def _ledger_reported_problem(project, report, previous, user, config, now):
    """Put new problem text of a report on the ledger (问题台账), once.

    The form starts from last week's text, so text carried over unchanged is the
    problem already on the ledger, not a new one. Correcting the week's report
    re-words the entry it raised, with an event, rather than raising a second one.
    """
    text = (report.problems or "").strip()
    if not text:
        return  # nothing to raise, and an entry the report raised before stays as it was worded
    at = now.astimezone(dt.UTC).replace(tzinfo=None) if now.tzinfo else now
    raised = (
        Problem.select()
        .where((Problem.report == report) & (Problem.source == "report") & (Problem.status != "closed"))
        .order_by(Problem.id.desc())
        .first()
    )
    if raised is not None:
        if text and text != raised.description:
            raised.description = text
            change_problem(raised, user, "reply", f"周报更正问题描述：{text}", now=at)
        return
    if text and text != (previous.problems.strip() if previous else ""):
        deadline = week_monday(report.week) + dt.timedelta(days=config["problems"]["default_days"])
        raise_problem(project, text, project.lead_department, deadline, user, report=report, now=at)


def _record_milestones(project, milestones, reached, user, report):
    """Write the completion dates ``reached`` that differ from ``milestones``' (the project's, as read); return whether any did."""
    moved = False
    for milestone in milestones:
        if milestone.kind in reached and reached[milestone.kind] != milestone.actual_on:
            Change.record(
                project,
                user,
                {f"milestone.{milestone.kind}": milestone.actual_on},
                {f"milestone.{milestone.kind}": reached[milestone.kind]},
                report=report,
            )
            milestone.actual_on = reached[milestone.kind]
            milestone.save()
            moved = True
    return moved


def carry_accepted(project, today, filed=None, funds_moved=True, milestones=None, milestones_moved=False):
    """Carry the newest accepted report's figures and funds onto the project row the dashboard reads.

    A report awaiting its county office's review (or sent back) is not carried: the city's figures
    stay those of the last report accepted. The project's next milestone follows its status and
    milestones (``milestones_moved``). What filing knows saves the statements: ``filed``, the
    report it has just accepted, is the newest unless a later week's is carried already; with
    ``funds_moved`` False no accepted report's funds changed; ``milestones`` are the project's, as read.
    """
    if funds_moved:
        FundsSecured.recompute(project)
    status = project.status
    if filed is None or not _update_project(project, filed, today, milestones, newest_only=True):
        newest = (
            ProgressReport.select()
            .where((ProgressReport.project == project) & ProgressReport.accepted())
            .order_by(ProgressReport.week.desc())
            .first()
        )
        if newest is not None:
            _update_project(project, newest, today, milestones)
    if milestones_moved or project.status != status:
        refresh_next_milestones([project.id])


def _update_project(project, report, today, milestones=None, newest_only=False):
    """Carry ``report``'s figures onto the project row; return whether it was.

    ``newest_only``: not if the row carries a later week already. The UPDATE checks it on the row
    as committed, not as read at the start of the request: a later week filed meanwhile stands.
    """
    started_on = project.started_on
    if report.status in UNDER_WAY and started_on is None:
        milestones = project.milestones if milestones is None else milestones
        start = next((m.actual_on for m in milestones if m.kind == "start" and m.actual_on), None)
        started_on = start or min(today, week_monday(report.week) + dt.timedelta(days=6))
    # Only the report's columns: the office may have edited the others since this row was read.
    columns = {
        "started_on": started_on,
        "status": report.status,
        "investment_completed": report.investment_completed,
        "physical_progress": report.physical_progress,
        "last_report_week": report.week,
        "updated_at": utc_now(),
    }
    condition = Project.id == project.id
    if newest_only:
        condition &= Project.last_report_week.is_null() | (Project.last_report_week <= report.week)
    if not Project.update(**columns).where(condition).execute():
        return False
    for name, value in columns.items():
        setattr(project, name, value)
    return True


def set_reopened(report, reopened, user):
    """The office reopens a locked report for correction, or locks it again."""
    with db.atomic():
        Change.record(report.project, user, {"reopened": report.reopened}, {"reopened": reopened}, report=report)
        report.reopened = reopened
        report.save()
