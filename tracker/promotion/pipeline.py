"""Recording the pipeline: trips, leads and their stage moves, visits, funds in place, and landing a lead
as a key project. The callers (pages, demo, tests) check access first; these check the facts."""

from tracker.core.db import db
from tracker.projects.registry import FIELD_LABELS, ProjectError, code_sequence, save_project
from tracker.promotion.models import STAGES, FundsArrival, Lead, StageEvent, Trip, Visit

LEAD_FIELDS = (
    "enterprise",
    "name",
    "industry_chain",
    "department",
    "county",
    "planned_investment",
    "contact",
    "note",
    "trip",
)
TRIP_FIELDS = ("trip_date", "industry_chain", "destination", "members", "department", "note")


class PromotionError(ValueError):
    """A move the pipeline refuses, with the Chinese reason."""


def save_trip(values, user, trip=None):
    """Create a trip, or update ``trip``, from the form's values."""
    with db.atomic():
        trip = trip or Trip(created_by=user)
        for name in TRIP_FIELDS:
            setattr(trip, name, values[name])
        trip.save()
    return trip


def save_lead(values, user, contacted_on=None, lead=None):
    """Create a lead contacted on ``contacted_on`` (its first stage event), or update ``lead``."""
    with db.atomic():
        new = lead is None
        lead = lead or Lead(created_by=user)
        for name in LEAD_FIELDS:
            setattr(lead, name, values[name])
        lead.save()
        if new:
            StageEvent.create(lead=lead, stage="contacted", reached_on=contacted_on, recorded_by=user)
    return lead


def move_lead(lead, stage, day, user, today):
    """Move ``lead`` on to ``stage``, reached on ``day``: forward only, not before its last stage, not in the future.

    Stages skipped on the way (a lead signed straight after a first contact) get no event: the
    counts count what happened.
    """
    order = list(STAGES)
    if stage not in STAGES or order.index(stage) <= order.index(lead.stage):
        raise PromotionError(f"只能推进到“{STAGES[lead.stage]}”之后的阶段")
    if day > today:
        raise PromotionError("日期不能晚于今天")
    with db.atomic():
        reached = (
            StageEvent.select(StageEvent.reached_on)
            .where(StageEvent.lead == lead)
            .order_by(StageEvent.reached_on.desc())
            .scalar()
        )
        if reached and day < reached:
            raise PromotionError(f"日期不能早于上一阶段的日期 {reached}")
        StageEvent.create(lead=lead, stage=stage, reached_on=day, recorded_by=user)
        lead.stage = stage
        lead.save(only=[Lead.stage])


def record_visit(lead, day, note, user, today):
    """邀请来考察: the lead's enterprise visited on ``day``."""
    if day > today:
        raise PromotionError("考察日期不能晚于今天")
    with db.atomic():
        return Visit.create(lead=lead, visited_on=day, note=note, recorded_by=user)


def record_funds(lead, day, amount, user, today):
    """到位资金: ``amount`` 万元 of a signed or landed lead's investment arrived on ``day``."""
    if lead.stage not in ("signed", "landed"):
        raise PromotionError("签约后才能登记到位资金")
    if day > today:
        raise PromotionError("到位日期不能晚于今天")
    with db.atomic():
        return FundsArrival.create(lead=lead, arrived_on=day, amount=amount, recorded_by=user)


def land_lead(lead, user, milestone_offsets, today):
    """转为重点项目: create the key project of a landed lead, pre-filled from it, and link the two.

    What the lead does not know (包抓领导, 责任人, 开工时限, 年度计划 …) the office completes on the
    project form; the project waits on the 待完善 list meanwhile. Refused for a lead not landed, or
    one that has its project already (a second click, or two people at once).
    """
    if lead.stage != "landed":
        raise PromotionError("落地后才能转为重点项目")
    values = {
        "name": lead.name,
        "industry_chain": lead.industry_chain,
        "lead_department": lead.department,
        "county": lead.county,
        "project_unit": lead.enterprise,
        "total_investment": lead.planned_investment,
        "kind": "new",
        "scale_and_content": lead.note,
    }
    with db.atomic():
        if Lead.select(Lead.project).where(Lead.id == lead.id).scalar():
            raise PromotionError("该招商项目已转为重点项目")
        values["code"] = code_sequence(today)()
        try:
            project = save_project(values, user, milestone_offsets)
        except ProjectError as e:
            messages = (FIELD_LABELS.get(name, name) + message for name, message in e.errors.items())
            raise PromotionError("无法转为重点项目：" + "；".join(messages)) from e
        changed = Lead.update(project=project).where((Lead.id == lead.id) & Lead.project.is_null()).execute()
        if not changed:
            raise PromotionError("该招商项目已转为重点项目")
    lead.project = project
    return project
