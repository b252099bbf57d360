"""Running a round: its groups, the units they visit, the findings put on the ledger, and the 回头看 on them."""

import datetime as dt

from tracker.core.db import db
from tracker.core.weeks import utc_now
from tracker.inspections.models import METHODS, Finding, InspectionGroup, InspectionRound, InspectionVisit
from tracker.problems.ledger import ProblemError, change_problem, raise_problem

# What the re-check writes on the ledger, so the problem's history says where its closing came from.
RECHECK = "回头看"


class InspectionError(ValueError):
    """The round cannot change as asked; the message says why, in Chinese, and ``field`` what is at fault."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def create_round(title, notice_title, starts_on, ends_on, user):
    """A new round; its groups, visits and findings are added to it afterwards."""
    title = (title or "").strip()
    if not title:
        raise InspectionError("请填写督查名称", "title")
    if ends_on < starts_on:
        raise InspectionError("结束日期不能早于开始日期", "ends_on")
    with db.atomic():
        return InspectionRound.create(
            title=title,
            notice_title=(notice_title or "").strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=user,
        )


def add_group(inspection_round, name, leader, members):
    """A 督查组 of the round; two groups of one round do not share a name."""
    name, leader = (name or "").strip(), (leader or "").strip()
    if not name or not leader:
        raise InspectionError("请填写督查组名称和组长", "name")
    if (
        InspectionGroup.select()
        .where((InspectionGroup.round == inspection_round) & (InspectionGroup.name == name))
        .exists()
    ):
        raise InspectionError(f"本轮已有“{name}”", "name")
    with db.atomic():
        return InspectionGroup.create(round=inspection_round, name=name, leader=leader, members=(members or "").strip())


def add_visit(group, unit, county, visited_on, methods, project=None):
    """A unit the group visited on ``visited_on`` (within its round's days), how, and the key project concerned."""
    unit = (unit or "").strip()
    if not unit or not county:
        raise InspectionError("请填写被督查单位及其县区", "unit")
    round_ = group.round
    if not round_.starts_on <= visited_on <= round_.ends_on:
        raise InspectionError(f"督查日期应在 {round_.starts_on} 至 {round_.ends_on} 之间", "visited_on")
    if not methods or set(methods) - set(METHODS):
        raise InspectionError(f"请选择督查方式（{'、'.join(METHODS)}）", "methods")
    with db.atomic():
        return InspectionVisit.create(
            group=group,
            unit=unit,
            county=county,
            visited_on=visited_on,
            methods="、".join(m for m in METHODS if m in methods),
            project=project,
        )


def add_finding(visit, description, department, deadline, user, now=None):
    """Put what the group found at ``visit`` on the ledger (source "inspection"), to be rectified by ``deadline``.

    The problem is the visit's key project's when it names one, else the visited unit's, in its county.
    """
    if deadline <= visit.visited_on:
        raise InspectionError("整改期限应晚于督查日期", "deadline")
    try:
        with db.atomic():
            problem = raise_problem(
                visit.project,
                description,
                department,
                deadline,
                user,
                "inspection",
                now=now,
                subject=visit.unit,
                county=visit.county,
            )
            return Finding.create(problem=problem, round=visit.group.round_id, group=visit.group_id, visit=visit)
    except ProblemError as e:
        raise InspectionError(str(e), "description") from e


def record_recheck(finding, user, day, rectified, note="", deadline=None, now=None):
    """回头看 on one finding past its deadline (``day`` is the city's today): rectified closes (销号) its problem; not rectified keeps it open
    with a new deadline and the reason, reopening it if it was reported solved."""
    problem = finding.problem
    note = (note or "").strip()
    now = now or utc_now()
    if problem.status == "closed":
        raise InspectionError("问题已销号，无需回头看", "rectified")
    if day <= problem.deadline:
        raise InspectionError(f"整改期限 {problem.deadline} 未到，到期后再回头看", "rectified")
    if not rectified and (not note or deadline is None):
        raise InspectionError("未整改到位的，请写明原因并重新限定整改期限", "note")
    if deadline is not None and deadline <= day:
        raise InspectionError("新的整改期限应晚于今天", "deadline")
    text = f"{RECHECK}：{'已整改到位，予以销号' if rectified else '未整改到位'}" + (f"。{note}" if note else "")
    with db.atomic():
        if rectified:
            if problem.status != "resolved":
                change_problem(problem, user, "status", text, status="resolved", now=now)
            change_problem(problem, user, "status", text, status="closed", now=now + dt.timedelta(microseconds=1))
        else:
            change_problem(problem, user, "deadline", text, status="open", deadline=deadline, now=now)
        finding.recheck = "rectified" if rectified else "not_rectified"
        finding.recheck_note = note
        finding.rechecked_at = now
        finding.rechecked_by = user
        finding.save()
    return finding
