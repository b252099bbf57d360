"""Creating, updating and archiving projects: one path for the form, the import and the API."""

import datetime as dt

from .db import db
from .models import KINDS, MILESTONES, PROCEDURES, Change, LeadOfficial, Milestone, Project, User
from .weeks import utc_now

# The project-list columns, in the order the office keeps them.
PROJECT_FIELDS = (
    "code",
    "name",
    "county",
    "industry_chain",
    "kind",
    "project_unit",
    "responsible_person",
    "responsible_phone",
    "responsible_email",
    "lead_official",
    "lead_department",
    "total_investment",
    "annual_plan_investment",
    "start_deadline",
)
REQUIRED = (
    "code",
    "name",
    "county",
    "industry_chain",
    "project_unit",
    "responsible_person",
    "lead_official",
    "lead_department",
    "total_investment",
    "annual_plan_investment",
    "start_deadline",
)
FIELD_LABELS = {
    "code": "项目编号",
    "name": "项目名称",
    "county": "县区",
    "industry_chain": "产业链",
    "kind": "建设性质",
    "project_unit": "项目单位",
    "responsible_person": "责任人",
    "responsible_phone": "联系电话",
    "responsible_email": "电子邮箱",
    "lead_official": "市级包抓领导",
    "lead_department": "包抓部门",
    "total_investment": "总投资",
    "annual_plan_investment": "年度计划投资",
    "start_deadline": "开工时限",
}


class ProjectError(ValueError):
    """The values do not make a valid project; ``errors`` maps field -> message."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("；".join(f"{FIELD_LABELS.get(f, f)}：{m}" for f, m in errors.items()))


def check_project(values):
    """Return {field: message} for every rule the values break (empty when valid).

    ``values`` holds parsed Python values: ints for money, a date for the
    deadline, the lead official's name. Parsing text is the caller's job.
    """
    errors = {}
    for field in REQUIRED:
        if values.get(field) in (None, ""):
            errors[field] = "不能为空"
    if values.get("kind", "new") not in KINDS:
        errors["kind"] = "应为 新建 或 续建"
    for field in ("total_investment", "annual_plan_investment"):
        amount = values.get(field)
        if amount is not None and field not in errors:
            if not isinstance(amount, int) or isinstance(amount, bool):
                errors[field] = "应为数字（万元）"
            elif amount < 0:
                errors[field] = "不能为负数"
    total, plan = values.get("total_investment"), values.get("annual_plan_investment")
    money_valid = not errors.keys() & {"total_investment", "annual_plan_investment"}
    if money_valid and None not in (total, plan) and plan > total:
        errors["annual_plan_investment"] = "年度计划投资不能大于总投资"
    deadline = values.get("start_deadline")
    if deadline is not None and not isinstance(deadline, dt.date):
        errors["start_deadline"] = "应为日期"
    name = values.get("lead_official")
    if name and "lead_official" not in errors and not LeadOfficial.get_or_none(LeadOfficial.name == name):
        errors["lead_official"] = f"未登记的包抓领导“{name}”"
    return errors


def save_project(values, user, milestone_offsets, project=None, planned=None):
    """Create a project, or update ``project``, from parsed values; return it.

    ``planned`` maps milestone kind -> planned date where the office gave one;
    the procedures it leaves out are planned backwards from the start deadline
    by ``milestone_offsets`` (days). Raises ProjectError, writing nothing.
    """
    errors = check_project(values)
    duplicate = Project.get_or_none(Project.code == values.get("code"))
    if duplicate and duplicate != project:
        errors["code"] = f"项目编号 {values['code']} 已存在"
    if errors:
        raise ProjectError(errors)
    with db.atomic():
        fields = _model_values(values)
        if project is None:
            project = Project.create(**fields)
            Change.record(project, user, {}, _loggable(fields))
        else:
            old = _loggable({f: getattr(project, f) for f in fields})
            for field, value in fields.items():
                setattr(project, field, value)
            project.updated_at = utc_now()
            project.save()
            Change.record(project, user, old, _loggable(fields))
        plan_milestones(project, milestone_offsets, planned or {})
    return project


def _model_values(values):
    fields = {f: values.get(f) for f in PROJECT_FIELDS if f in values}
    fields.setdefault("kind", "new")
    for field in ("responsible_phone", "responsible_email"):
        fields[field] = (fields.get(field) or "").strip()
    fields["lead_official"] = LeadOfficial.get(LeadOfficial.name == values["lead_official"])
    fields["owner"] = owner_account(
        fields["responsible_person"], fields["responsible_phone"], fields["responsible_email"]
    )
    return fields


def _loggable(fields):
    return {
        f: (v.name if isinstance(v, LeadOfficial) else v.username if isinstance(v, User) else v)
        for f, v in fields.items()
    }


def owner_account(name, phone, email):
    """The owner account of a responsible person, keyed by phone number.

    A person met for the first time gets an account whose login name is their
    phone and which has no password until the office sets one. Without a phone
    there is no way to know who they are, so no account is linked.
    """
    if not phone:
        return None
    user = User.get_or_none(User.username == phone)
    if user is None:
        return User.create(username=phone, display_name=name, role="owner", phone=phone, email=email or "")
    if user.role != "owner":
        return None
    if user.display_name != name or (email and user.email != email):
        user.display_name, user.email = name, email or user.email
        user.save()
    return user


def default_plan(start_deadline, offsets):
    """Planned dates derived from the start deadline: the procedures before it, the start on it."""
    plan = {kind: start_deadline - dt.timedelta(days=offsets[kind]) for kind in PROCEDURES}
    plan["start"] = start_deadline
    return plan


def plan_milestones(project, offsets, planned):
    """Write every milestone's planned date: given ones as given, the rest by default_plan."""
    plan = {**default_plan(project.start_deadline, offsets), **{k: v for k, v in planned.items() if v}}
    existing = {m.kind: m for m in project.milestones}
    for kind in MILESTONES:
        milestone = existing.get(kind)
        if milestone is None:
            Milestone.create(project=project, kind=kind, planned_on=plan.get(kind))
        elif plan.get(kind) is not None and milestone.planned_on != plan[kind]:
            milestone.planned_on = plan[kind]
            milestone.save()


def archive_project(project, user):
    """Take a project off the active list; its history stays."""
    with db.atomic():
        Change.record(project, user, {"archived": False}, {"archived": True})
        project.archived = True
        project.updated_at = utc_now()
        project.save()
