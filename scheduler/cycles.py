"""The three cycles as plain functions: weekly dispatch, monthly consultation, quarterly analysis.

``run_cycle`` claims (cycle, period) in the database and runs it at most once;
each cycle writes what it found and queues its emails in the outbox, and the
outbox delivers them. Every step is idempotent (snapshots are rewritten, the
agenda replaced, an email already queued is not queued again), so a run taken
over from a dead process simply does the steps again.
"""

import datetime as dt
import logging

from peewee import fn

from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import db
from tracker.core.periods import period_start
from tracker.core.weeks import cutoff_text, local_now, reminder_at, report_cutoff, week_of
from tracker.cycles.analysis import quarterly_analysis
from tracker.cycles.analysis_exports import analysis_charts
from tracker.cycles.consultations import OUTCOMES, agenda_items, decisions_due, replace_agenda
from tracker.cycles.figures import figures, figures_by, schedule_progress_by, schedule_progress_total
from tracker.cycles.runs import CycleRun
from tracker.cycles.snapshots import (
    HISTORY_CHARTS,
    ProjectSnapshot,
    Snapshot,
    WeekTotals,
    history_chart,
    official_chart_weeks,
    official_restart_rate_chart,
    snapshot_rows,
    take_snapshot,
    week_end,
)
from tracker.honours.drafting import draft_honours
from tracker.honours.models import HonourList
from tracker.lagging.rules import RANKED_BY, lagging_list, lagging_rules, ranking, store_week_list
from tracker.letters.models import LETTER_LEVELS, overdue_letters_as_of
from tracker.mail.channels import ROBOT_CHANNELS, robots_for, sms_enabled
from tracker.mail.compose import make_message, make_text
from tracker.mail.outbox import Outbox, enqueue, enqueue_text
from tracker.problems.models import UNRESOLVED, Problem, ProblemEvent, problems_as_of
from tracker.projects import lights
from tracker.projects.completeness import skip_notes
from tracker.projects.models import ProgressReport, Project
from tracker.promotion.figures import monthly_follow_up
from tracker.scores.points import quarter_scores

log = logging.getLogger("scheduler")


# A leader's summary covers the projects they contract: one without a leader goes in none.
LEADER_MAIL_SKIPS = {"lead_official": "未纳入领导周报"}


def run_cycle(cycle, period, config, now=None):
    """Run ``cycle`` for ``period`` unless it has been claimed already; return the run or None."""
    lease = dt.timedelta(minutes=config["scheduler"]["lease_minutes"])
    with db.atomic():
        run = CycleRun.claim(cycle, period, lease, now=now)
    if run is None:
        log.info("%s %s: already claimed elsewhere, nothing to do", cycle, period)
        return None
    log.info("%s %s: claimed by %s (attempt %d)", cycle, period, run.claimed_by, run.attempts)
    try:
        summary = RUNNERS[cycle](run, period, config)
    except Exception as e:
        # Record the failure on the run for the office to see, then let it propagate to the log.
        run.finish("failed", error=f"{type(e).__name__}: {e}")
        raise
    run.finish("sending", summary)
    log.info("%s %s: done, %d email(s) queued", cycle, period, Outbox.select().where(Outbox.run == run).count())
    return run


def refresh_states():
    """Mark runs whose mail is all out as sent, and those with mail given up as failed."""
    for run in CycleRun.select().where(CycleRun.state == "sending"):
        states = {state for (state,) in Outbox.select(Outbox.state).where(Outbox.run == run).distinct().tuples()}
        if "failed" in states:
            run.finish("failed", error="部分邮件发送失败，可在邮件页面重新发送")
        elif not states & {"queued", "sending"}:
            run.finish("sent")


# Weekly dispatch ---------------------------------------------------------------


def weekly_dispatch(run, week, config):
    """Close the week, snapshot it, and brief each leader and the office (reminders went before the cut-off)."""
    ProgressReport.update(reopened=False).where(ProgressReport.week == week).execute()
    # The week's lagging list is stored with the snapshot it reads, so no page sees one without the other.
    with db.atomic():
        take_snapshot(week, lights.light_thresholds(config))
        store_week_list(week, lagging_rules(config))
    # 序时进度 at the week's close beside each set of figures: the city's, and each leader's own projects'.
    progress = schedule_progress_by(Snapshot(week), ProjectSnapshot.lead_official, None, week_end(week))
    city = {
        **figures(Snapshot(week)),
        "schedule_progress": schedule_progress_total(Snapshot(week), None, week_end(week)),
    }
    context = {"week": week, "city": city, "base_url": config["web"]["base_url"]}
    images = weekly_charts(week, config)
    flagged = _flagged(week)
    missing = list(Project.with_owner(snapshot_rows(week, ProjectSnapshot.reported == False)))  # noqa: E712
    by_official = {
        official: {**own, "schedule_progress": progress.get(official)}
        for official, own in figures_by(Snapshot(week), ProjectSnapshot.lead_official).items()
    }
    officials = list(LeadOfficial.select().where(LeadOfficial.id.in_(list(by_official))).order_by(LeadOfficial.name))
    city_weeks, official_weeks = official_chart_weeks(week)
    target = config["charts"]["restart_rate_target"]
    reachable = {o.id for o in officials if _Recipient.of(o).reachable(config)}
    for official in officials:
        if official.id in reachable:
            own = [p for p in flagged if p["lead_official"] == official.name]
            mine = by_official[official.id]
            # Their own projects' line beside the city's, over the weeks of the city's chart.
            chart = official_restart_rate_chart(official_weeks.get(official.id, []), city_weeks, target)
            leader_images = {**images, "own_restart_rate": chart}
            _queue(
                run,
                "leader_summary",
                "weekly-leader",
                _Recipient.of(official),
                context,
                config,
                leader_images,
                figures=mine,
                flagged=own,
            )
    summary = {
        **context,
        "flagged": len(flagged),
        # Reminders went before the cut-off (send_reminders); the dispatch runs when the week is locked.
        "reminded": _reminded(week),
        "briefed": [o.name for o in officials if o.id in reachable],
        "unbriefed": [o.name for o in officials if o.id not in reachable],
        "unreachable": [row.project.code for row in missing if not _owner_targets(row.project, config)],
        # What the week's rules left out for lack of a field (待完善), in the words the office reads.
        "skipped": skip_notes({**LEADER_MAIL_SKIPS, **lights.SKIPS}, ProjectSnapshot, ProjectSnapshot.week == week),
    }
    leaders = [{"name": o.name, **by_official[o.id]} for o in officials]
    office = {"flagged": flagged, "missing": missing, "leaders": leaders, "summary": summary}
    for user in _office_users():
        _queue(run, "office_summary", "weekly-office", user, context, config, images, **office)
    _queue_robots(run, "office_summary", "weekly-office", context, config, **office)
    del summary["base_url"]
    return summary


def weekly_charts(week, config):
    """The charts every weekly email carries inline, drawn from the stored snapshots."""
    target = config["charts"]["restart_rate_target"]
    return {name: history_chart(name, week, target) for name in HISTORY_CHARTS}


def _flagged(week):
    """Red then yellow projects at the week's close, with the reason in words."""
    end = week_end(week)
    rows = snapshot_rows(week, ProjectSnapshot.warning_rule.is_null(False))
    flagged = [
        {
            "code": row.project.code,
            "name": row.project.name,
            "project_unit": row.project.project_unit,
            "lead_official": row.lead_official.name if row.lead_official else "",
            "level": lights.level_of(row.warning_rule),
            "reason": lights.describe(row.warning_rule, row, end),
        }
        for row in rows
    ]
    return sorted(flagged, key=lambda p: (p["level"] != "red", p["code"]))


# Reminders ---------------------------------------------------------------------


def send_reminders(config, now=None):
    """Remind owners who have not filed this week's report; return the run, or None when none is due.

    The latest ``[reporting] reminders`` time passed this week is due, once (a run per week and
    time, claimed like a cycle); nothing goes once the week's reports have locked, since a
    reminder then would ask for a report that can no longer be filed.
    """
    tz = config["city"]["timezone"]
    now = now or local_now(tz)
    week = week_of(now.date())
    passed = [r for r in config["reporting"]["reminders"] if reminder_at(week, r, tz) <= now]
    if not passed:
        return None
    if now >= report_cutoff(week, config["reporting"]["cutoff"], tz):
        log.info("reminders %s: the week is past its cut-off, none sent", week)
        return None
    latest = max(passed, key=lambda r: reminder_at(week, r, tz))
    with db.connection_context():
        return run_cycle("reminder", f"{week} {latest}", config)


def reminders(run, period, config):
    """The reminder run of ``period`` ("2026-W49 friday 09:00"): one email per responsible person."""
    week, slot = period.split(maxsplit=1)
    tz = config["city"]["timezone"]
    cutoff = report_cutoff(week, config["reporting"]["cutoff"], tz)
    # Time left as of the reminder's hour: the email says what it said when it was due.
    sent_at = reminder_at(week, slot, tz)
    reported = ProgressReport.select(ProgressReport.project).where(ProgressReport.week == week)
    missing = list(Project.with_owner(Project.active().where(Project.id.not_in(reported)).order_by(Project.code)))
    by_target = {}
    for project in missing:
        for channel, target in _owner_targets(project, config):
            by_target.setdefault((channel, target), []).append(project)
    context = {"week": week, "cutoff": cutoff_text(cutoff, sent_at), "base_url": config["web"]["base_url"]}
    for (channel, target), projects in by_target.items():
        name = projects[0].responsible_person
        person = (
            _Recipient(name, target, channels=[channel])
            if channel == "email"
            else _Recipient(name, "", target, ["sms"])
        )
        _queue(run, "reminder", "weekly-reminder", person, context, config, None, projects=projects)
    if missing:
        _queue_robots(run, "reminder", "weekly-reminder", context, config, projects=missing)
    return {
        "week": week,
        "reminded": len({projects[0].responsible_person for projects in by_target.values()}),
        "unreachable": [p.code for p in missing if not _owner_targets(p, config)],
    }


def _owner_targets(project, config):
    """[(channel, address or phone)] where a reminder reaches the project's responsible person.

    The channels their account chose (email alone without an account); the project's own
    address and phone first, their account's otherwise.
    """
    owner = project.owner if project.owner_id else None
    chosen = owner.channels if owner else ["email"]
    phone = project.responsible_phone or (owner.phone if owner else "")
    targets = []
    if "email" in chosen and project.contact_email:
        targets.append(("email", project.contact_email))
    if "sms" in chosen and phone and sms_enabled(config):
        targets.append(("sms", phone))
    return targets


def _reminded(week):
    """How many people the reminders of ``week`` reached (by email or SMS; a group robot is no person)."""
    runs = CycleRun.select(CycleRun.id).where((CycleRun.cycle == "reminder") & CycleRun.period.startswith(f"{week} "))
    people = Outbox.run.in_(runs) & Outbox.channel.not_in(ROBOT_CHANNELS)
    return Outbox.select(fn.COUNT(Outbox.recipient_name.distinct())).where(people).scalar()


# Monthly consultation ----------------------------------------------------------


def monthly_consultation(run, month, config):
    """The month's summary and the meeting's agenda: the lagging list of the month's last day and open problems."""
    first = period_start("monthly", month)
    month_end = _month_end(first)
    last_week = _last_snapshot_week(first, month_end)
    if last_week is None:
        return {"month": month, "closing_week": None}
    previous = _last_snapshot_week(None, first - dt.timedelta(days=1))
    city = figures(Snapshot(last_week))
    before = figures(Snapshot(previous)) if previous else None
    lagging = lagging_list(month_end, lagging_rules(config))
    problems = _open_problems(month_end)
    replace_agenda(run, agenda_items(lagging.projects, problems))
    context = {
        "month": month,
        "month_end": month_end,
        "city": city,
        "before": before,
        "closing_week": last_week,
        "lagging": lagging,
        "ranking": ranking(lagging, config["lagging"]["overdue_days"]),
        "ranked_by": RANKED_BY,
        "problems": problems,
        # 落实情况: the decisions of earlier consultations due by the month's end, as they stand now.
        "due_decisions": list(decisions_due(month)),
        "outcomes": OUTCOMES,
        "promotion": monthly_follow_up(month, config["promotion"]["funds_growth_target"]),
        "base_url": config["web"]["base_url"],
        "run": run,
    }
    images = {"restart_rate": history_chart("restart_rate", last_week, config["charts"]["restart_rate_target"])}
    for recipient in _official_recipients():
        _queue(run, "consultation", "monthly-consultation", recipient, context, config, images)
    # The overdue letters (来信来访) are the office's: leaders do not see letters.
    letters = {"overdue_letters": overdue_letters_as_of(month_end), "letter_levels": LETTER_LEVELS}
    for recipient in _office_users():
        _queue(run, "consultation", "monthly-consultation", recipient, context, config, images, **letters)
    _queue_robots(run, "consultation", "monthly-consultation", context, config)
    return {
        "month": month,
        "closing_week": last_week,
        "city": city,
        "before": before,
        "lagging": len(lagging.projects),
        "problems": len(problems),
        "decisions_due": len(context["due_decisions"]),
        "skipped": lagging.skipped,
    }


def _month_end(first):
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _last_snapshot_week(first_day, last_day):
    """The last snapshotted week whose Monday falls between two days (None: no bound)."""
    query = WeekTotals.select(WeekTotals.week).where(WeekTotals.week <= week_of(last_day))
    if first_day:
        query = query.where(WeekTotals.week >= week_of(first_day))
    row = query.order_by(WeekTotals.week.desc()).first()
    return row.week if row else None


def _open_problems(day):
    """The ledger's problems unresolved at the end of ``day``, the longest overdue first, with their projects."""
    problems = list(
        problems_as_of(day).where(ProblemEvent.status.in_(UNRESOLVED)).order_by(ProblemEvent.deadline, Problem.id)
    )
    projects = Project.select().where(Project.id.in_({p.project_id for p in problems}))
    by_id = {project.id: project for project in projects}
    for problem in problems:
        problem.project = by_id.get(problem.project_id)
    return problems


# Quarterly analysis ------------------------------------------------------------


def quarterly_analysis_cycle(run, quarter, config):
    """Figures by industry chain, county and funding source, quarter over quarter; the 加减分 of departments and
    counties; and a first draft of the quarter's 红旗 and 蜗牛 lists for the office to review (unless it has one)."""
    analysis = quarterly_analysis(quarter)
    if analysis["closing_week"]:
        if not HonourList.select().where(HonourList.quarter == quarter).exists():
            draft_honours(quarter, config, None)
        # The 红旗/蜗牛 points count once the office publishes the lists; the scores page has them from then on.
        analysis["scores"] = quarter_scores(quarter, config)
    context = {"quarter": quarter, "analysis": analysis, "base_url": config["web"]["base_url"], "run": run}
    images = {}
    if analysis["closing_week"]:
        target = config["charts"]["restart_rate_target"]
        images = {
            "restart_rate": history_chart("restart_rate", analysis["closing_week"], target),
            **analysis_charts(analysis),
        }
    for recipient in [*_official_recipients(), *_office_users()]:
        _queue(run, "analysis", "quarterly-analysis", recipient, context, config, images)
    _queue_robots(run, "analysis", "quarterly-analysis", context, config)
    return analysis


# Shared ------------------------------------------------------------------------


class _Recipient:
    """Anyone a message goes to: a name, an address, a phone, and the channels they chose."""

    def __init__(self, name, email, phone="", channels=("email",)):
        self.name, self.email, self.phone, self.channels = name, email, phone, channels

    @classmethod
    def of(cls, person):
        """A lead official or an account as a recipient."""
        name = person.label if isinstance(person, User) else person.name
        return cls(name, person.email, person.phone, person.channels)

    def reachable(self, config):
        return self.emailed() or self.texted(config)

    def emailed(self):
        return "email" in self.channels and bool(self.email)

    def texted(self, config):
        return "sms" in self.channels and bool(self.phone) and sms_enabled(config)


def _office_users():
    users = User.select().where((User.role == "office") & (User.active == True))  # noqa: E712
    return [_Recipient.of(u) for u in users]


def _official_recipients():
    return [_Recipient.of(o) for o in LeadOfficial.select()]


def _queue(run, kind, template, recipient, context, config, images, **extra):
    """Queue the email ``template`` to ``recipient``, and its SMS version, by the channels they chose."""
    data = {**context, **extra, "recipient": recipient}
    if recipient.emailed():
        message = make_message(template, (recipient.name, recipient.email), data, config, images=images)
        enqueue(run, kind, recipient.email, recipient.name, message)
    if recipient.texted(config):
        enqueue_text(run, kind, "sms", recipient.phone, recipient.name, *make_text(template, "sms", data))


def _queue_robots(run, kind, template, context, config, **extra):
    """Queue the markdown version of ``template`` to every group robot configured for ``kind``."""
    for channel, name in robots_for(kind, config):
        data = {**context, **extra, "recipient": _Recipient(name, "")}
        enqueue_text(run, kind, channel, name, name, *make_text(template, "robot", data))


RUNNERS = {
    "weekly": weekly_dispatch,
    "monthly": monthly_consultation,
    "quarterly": quarterly_analysis_cycle,
    "reminder": reminders,
}
