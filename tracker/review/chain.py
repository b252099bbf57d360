"""县区审核 (the county → city review chain): a county office accepts its projects' weekly reports or sends them back.

A report of a county under review (``reports.filing.needs_review``) is filed ``submitted``.
Its county office accepts it, and only then does it count in the city's figures, or sends
it back with a reason, which goes to the responsible person by email (through the outbox);
they correct it and it is submitted again. A decision is a conditional UPDATE on the
report's version and state, so a decision taken on a version the owner has corrected
meanwhile changes nothing, and neither write is lost. 迟报 (late reports) are counted here too."""

from peewee import SQL, fn

from tracker.core.db import db
from tracker.core.weeks import local_now, report_cutoff, utc_now
from tracker.projects.models import Change, ProgressReport, Project
from tracker.reports.filing import carry_accepted

DECISIONS = {"accept": "审核通过", "send_back": "退回修改"}


class ReviewError(ValueError):
    """The decision cannot be taken as given; ``errors`` maps field -> message, ``status`` the HTTP status it means."""

    status = 422

    def __init__(self, errors):
        self.errors = errors
        super().__init__("；".join(errors.values()))


class ReviewConflict(ReviewError):
    """The report is no longer the one the reviewer saw: corrected, or already decided."""

    status = 409

    def __init__(self, report):
        super().__init__(
            {"version": f"{report.project.name} {report.week} 的周报刚刚已被修改或审核，请查看最新内容后再审核"}
        )


def review_report(report, decision, reason, user, config, version=None, now=None):
    """Accept ``report`` or send it back with ``reason``; return the report as it now stands.

    ``version`` is the report's version the reviewer saw (default: the one read). The caller
    has checked that ``user`` reviews the report's county. Raises ReviewError (a bad decision,
    no reason to send back) or ReviewConflict (corrected or decided meanwhile), writing nothing.
    """
    reason = (reason or "").strip()
    if decision not in DECISIONS:
        raise ReviewError({"decision": "审核结论应为 accept（通过）或 send_back（退回）"})
    if decision == "send_back" and not reason:
        raise ReviewError({"reason": "退回须写明理由，责任人据此修改"})
    state = "accepted" if decision == "accept" else "sent_back"
    now = now or local_now(config["city"]["timezone"])
    seen = report.version if version is None else version
    with db.atomic():
        changed = (
            ProgressReport.update(
                review_state=state,
                review_reason=reason,
                reviewed_by=user,
                reviewed_at=utc_now(),
                version=ProgressReport.version + 1,
            )
            .where(
                (ProgressReport.id == report.id)
                & (ProgressReport.version == seen)
                & (ProgressReport.review_state == "submitted")
            )
            .execute()
        )
        if changed != 1:
            raise ReviewConflict(report)
        project = report.project
        Change.record(
            project,
            user,
            {"review_state": "submitted", "review_reason": report.review_reason},
            {"review_state": state, "review_reason": reason},
            report=report,
        )
        report = ProgressReport.get_by_id(report.id)
        if state == "accepted":
            carry_accepted(project, now.date())
        else:
            _queue_sent_back_mail(report, project, config, now)
    return report


def _queue_sent_back_mail(report, project, config, now):
    """Email the responsible person the reason, once per decision, through the outbox."""
    from tracker.cycles.runs import CycleRun, worker_id
    from tracker.mail.compose import make_message
    from tracker.mail.outbox import enqueue

    address = project.contact_email
    if not address:
        return None
    at = utc_now()
    run, _ = CycleRun.get_or_create(
        cycle="review",
        period=f"{project.code} {report.week} v{report.version}",
        defaults={"state": "sending", "claimed_by": worker_id(), "lease_until": at, "started_at": at},
    )
    cutoff = report_cutoff(report.week, config["reporting"]["cutoff"], config["city"]["timezone"])
    name = f"{project.project_unit} {project.responsible_person}".strip()
    context = {
        "project": project,
        "report": report,
        "reviewer": report.reviewed_by.label if report.reviewed_by_id else "县区办公室",
        "cutoff": f"{cutoff:%Y-%m-%d %H:%M}",
        "base_url": config["web"]["base_url"],
        "recipient": {"name": name or project.responsible_person},
    }
    enqueue(run, "report_sent_back", address, name, make_message("report-sent-back", (name, address), context, config))
    return run


def awaiting_review(condition):
    """The reports awaiting review (submitted) of the live projects ``condition`` selects, oldest week first."""
    return (
        ProgressReport.select(ProgressReport, Project)
        .join(Project)
        .where((ProgressReport.review_state == "submitted") & (Project.archived == False) & condition)  # noqa: E712
        .order_by(ProgressReport.week, Project.code)
    )


def sent_back(condition):
    """The reports sent back and not yet corrected, of the live projects ``condition`` selects."""
    return (
        ProgressReport.select(ProgressReport, Project)
        .join(Project)
        .where((ProgressReport.review_state == "sent_back") & (Project.archived == False) & condition)  # noqa: E712
        .order_by(ProgressReport.week.desc(), Project.code)
    )


def late_counts(column, week, condition):
    """{value of the Project ``column`` (county, lead_department): late reports of ``week``}, worst first."""
    rows = (
        Project.select(column, fn.COUNT(ProgressReport.id).alias("late"))
        .join(ProgressReport)
        .where((ProgressReport.week == week) & (ProgressReport.late == True) & condition)  # noqa: E712
        .group_by(column)
        .order_by(SQL("late").desc(), column)
        .tuples()
    )
    return dict(rows)
