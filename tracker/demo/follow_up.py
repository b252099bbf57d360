"""A month of follow-up in the demo city: supervision orders, a published notice, the problem ledger's stories,
last quarter's published 红旗 and 蜗牛 lists, and the decisions of an earlier consultation with their follow-through."""

import datetime as dt

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.core.periods import first_working_day, just_ended, next_period, period_of, period_start, previous_period
from tracker.cycles.consultations import agenda_items, record_decision, record_outcome, replace_agenda
from tracker.cycles.figures import figures
from tracker.cycles.runs import CycleRun, to_json
from tracker.cycles.snapshots import Snapshot
from tracker.demo.city import HEADLINE, PROBLEMS
from tracker.honours.drafting import draft_honours, publish_honours
from tracker.honours.models import HonourEntry
from tracker.lagging.rules import lagging_list, lagging_rules
from tracker.notices.drafting import NoticeError, draft_notice, publish_notice, remove_entry
from tracker.problems.ledger import change_problem, raise_problem
from tracker.projects.models import Project
from tracker.supervision.orders import issue_order, reply_to_order


def write_follow_up(config, today):
    """A month of follow-up on the lagging list: three supervision orders and a published notice.

    One order was replied on time, one late, one not at all; last month's
    notice lists the projects lagging four weeks ago.
    """
    month_ago = today - dt.timedelta(days=28)
    lagging = lagging_list(month_ago, lagging_rules(config)).projects
    if not lagging:
        return
    with db.atomic():
        inspector = User.get(username="inspector")
        issued = dt.datetime.combine(month_ago, dt.time(9))
        replies = (dt.timedelta(days=5), dt.timedelta(days=16), None)  # on time, late, never
        for project, reply_after in zip(lagging, replies, strict=False):  # fewer lagging: fewer orders
            order = issue_order(
                Project.get_by_id(project.project_id),
                inspector,
                f"列入 {month_ago:%Y-%m-%d} 滞后项目名单：{project.reasons[0].label}",
                "说明原因，报送整改措施和赶工计划",
                month_ago + dt.timedelta(days=10),
                month_ago,
                now=issued,
            )
            if reply_after:
                reply_to_order(
                    order, User.get(username="office"), "已召开专题会，报送整改措施和赶工计划", now=issued + reply_after
                )
        office = User.get(username="office")
        notice = draft_notice(month_ago, config, office)
        publish_notice(notice, office, config, month_ago + dt.timedelta(days=2), now=issued + dt.timedelta(days=2))


# The ledger's stories (问题台账): (raised days ago, days given to solve it, the answers after it was
# raised as (days later, words, status)). Open and overdue, in progress, resolved, closed by the office.
LEDGER_STORIES = (
    (60, 30, ()),
    (45, 20, ()),
    (40, 30, ()),
    (20, 30, ()),
    (50, 30, ((7, "已召开协调会，正在办理", "in_progress"),)),
    (30, 45, ((5, "已对接省厅，预计下月批复", "in_progress"),)),
    (25, 40, ((3, "已列入专题会议研究", "in_progress"), (15, "资金已申请，待财政审核", None))),
    (55, 30, ((10, "正在办理", "in_progress"), (25, "手续已办结", "resolved"))),
    (35, 30, ((12, "已协调解决", "resolved"),)),
    (70, 30, ((8, "正在办理", "in_progress"), (20, "已解决", "resolved"), (22, "销号", "closed"))),
    (90, 30, ((14, "已解决", "resolved"), (16, "销号", "closed"))),
    (15, 30, ()),
)


def write_ledger(today):
    """A dozen problems on the ledger for each 127 projects, half of them the demo department's, as their stories left them."""
    office, inspector, department = (User.get(username=name) for name in ("office", "inspector", "department"))
    rounds = max(1, Project.select().count() // HEADLINE["projects"])
    ours = Project.select().where(Project.lead_department == department.department).order_by(Project.id)
    others = Project.select().where(Project.lead_department != department.department).order_by(Project.id)
    half = len(LEDGER_STORIES) // 2 * rounds
    projects = [p for pair in zip(ours.limit(half), others.limit(half), strict=False) for p in pair]
    stories = LEDGER_STORIES * rounds
    with db.atomic():
        for n, (project, (ago, days, answers)) in enumerate(zip(projects, stories, strict=False)):
            raised = dt.datetime.combine(today - dt.timedelta(days=ago), dt.time(9))
            by_inspection = n % 3 == 2
            problem = raise_problem(
                project,
                PROBLEMS[n % 5],
                project.lead_department,
                raised.date() + dt.timedelta(days=days),
                inspector if by_inspection else office,
                source="inspection" if by_inspection else "office",
                now=raised,
            )
            answerer = department if project.lead_department == department.department else project.owner or office
            for later, words, status in answers:
                user = office if status == "closed" else answerer
                kind = "status" if status == "closed" else "reply"
                change_problem(problem, user, kind, words, status=status, now=raised + dt.timedelta(days=later))


def write_honours(config, today):
    """Last quarter's 红旗 and 蜗牛 lists, one snail taken off with a reason, published a few days after the quarter.

    Nothing when the demo's history does not reach back into last quarter.
    """
    quarter = just_ended("quarterly", today)
    office = User.get(username="office")
    published = first_working_day(
        period_start("quarterly", next_period("quarterly", quarter)) + dt.timedelta(days=7), []
    )
    with db.atomic():
        try:
            honour_list = draft_honours(quarter, config, office)
        except NoticeError:
            return
        spared = honour_list.entries.where(HonourEntry.kind == "snail").order_by(HonourEntry.position.desc()).first()
        published = min(published, today)
        at = dt.datetime.combine(published, dt.time(1))  # UTC: 09:00 in the city
        if spared is not None:
            reason = "项目已于季末完成设计变更审批，进度滞后事出有因，本期暂不列入"
            remove_entry(spared, office, reason, now=at - dt.timedelta(hours=1))
        publish_honours(honour_list, office, published, now=at)


# The decisions of the consultation before last: (days from today it was due, the office's follow-through as
# (outcome, days from today, note) or None, what was decided, the department that owns it or "").
DECISIONS = (
    (-20, ("done", -21, "已召开专题协调会，施工许可已办结"), "协调办理施工许可", "市住建局"),
    (-10, ("partial", -4, "临时用电已接入，正式用电仍在办理"), "落实施工用电接入", ""),
    (-6, None, "报送赶工计划并每周报告进度", ""),
    (14, None, "协调解决项目用地指标", "市自然资源局"),
)


def write_decisions(config, today):
    """The consultation of the month before last, as its run left it, and the decisions taken on its agenda.

    Last month's consultation is left for the scheduler, which asks after these decisions: one was carried
    out, one in part, one is overdue without a word, one is not yet due.
    """
    last_month = previous_period("monthly", period_of("monthly", today))
    month = previous_period("monthly", last_month)
    month_end = period_start("monthly", last_month) - dt.timedelta(days=1)
    lagging = lagging_list(month_end, lagging_rules(config))
    if lagging.week is None or not lagging.projects:
        return
    office = User.get(username="office")
    summary = {"month": month, "closing_week": lagging.week, "city": figures(Snapshot(lagging.week)), "before": None}
    with db.atomic():
        run = CycleRun.create(
            cycle="monthly",
            period=month,
            state="sent",
            claimed_by="demo",
            lease_until=dt.datetime.combine(month_end, dt.time(9)),
            finished_at=dt.datetime.combine(month_end + dt.timedelta(days=1), dt.time(9)),
            summary=to_json({**summary, "lagging": len(lagging.projects), "problems": 0, "skipped": lagging.skipped}),
        )
        replace_agenda(run, agenda_items(lagging.projects[: len(DECISIONS)], []))
        for item, (due, outcome, action, department) in zip(run.agenda, DECISIONS, strict=False):
            project = item.project
            decision = record_decision(
                item,
                action,
                project.responsible_person or project.project_unit,
                today + dt.timedelta(days=due),
                office,
                month_end + dt.timedelta(days=1),
                department=department,
            )
            if outcome:
                state, when, note = outcome
                record_outcome(decision, state, note, today + dt.timedelta(days=when), office)
