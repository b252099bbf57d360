"""Creating, updating and archiving projects: one path for the form, the import and the API.

save_projects is the one writer: any number of projects in one transaction,
some hundreds of rows per query. save_project, the form's way in, checks one
project's values and writes them through it."""

import datetime as dt
import re
from dataclasses import dataclass, field

from peewee import JOIN, chunked

from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import bulk_create, bulk_insert, bulk_update, db
from tracker.core.limits import MAX_CODE
from tracker.core.money import CENTS_MESSAGE, in_cents, is_amount
from tracker.core.partial_dates import PARTIAL_DATE_MESSAGE, is_partial_date
from tracker.core.weeks import utc_now
from tracker.projects.lights import refresh_next_milestones
from tracker.projects.models import (
    KINDS,
    LEVELS,
    MILESTONES,
    MONTHLY_PLAN_COLUMNS,
    PROCEDURES,
    STAGES,
    Change,
    Milestone,
    Project,
)
from tracker.projects.monthly_plan import MONTH_LABELS, MonthlyPlanError
from tracker.projects.monthly_plan import check as check_monthly_plan

# The project-list columns, in the order the office keeps them.
PROJECT_FIELDS = (
    "code",
    "national_code",
    "name",
    "category",
    "county",
    "industry_chain",
    "kind",
    "stage",
    "level",
    "location",
    "latitude",
    "longitude",
    "scale_and_content",
    "annual_target",
    "project_unit",
    "responsible_person",
    "responsible_phone",
    "responsible_email",
    "lead_official",
    "lead_department",
    "total_investment",
    "annual_plan_investment",
    "start_deadline",
    "planned_start",
    "planned_completion",
    "statistics_included",
    "statistics_included_on",
    "statistics_reason",
    *MONTHLY_PLAN_COLUMNS,
)


# What a row must have to be a project at all. The rest a published list often lacks: the
# project is saved all the same, and stays 待完善 (models.COMPLETION_FIELDS) until supplied.
# The importer gives a project listed without a code one of its own.
REQUIRED = ("code", "name", "total_investment")


# Fields that store NULL, not "", when not stated: a unique column or a number.
NULLABLE = (
    "national_code",
    "latitude",
    "longitude",
    "lead_official",
    "annual_plan_investment",
    "start_deadline",
    "statistics_included_on",
    *MONTHLY_PLAN_COLUMNS,
)


# Where a coordinate may lie: (least, greatest) degrees.
COORDINATES = {"latitude": (-90, 90), "longitude": (-180, 180)}


# 项目代码 (全国投资项目在线审批监管平台): year, region, industry, type, serial number.
NATIONAL_CODE = re.compile(r"(\d{4})-?(\d{6})-?(\d{2})-?(\d{2})-?(\d{6})")


NATIONAL_CODE_MESSAGE = "应为 24 位项目代码，如 2023-610100-48-01-012345（也可只写 20 位数字）"


FIELD_LABELS = {
    "code": "项目编号",
    "national_code": "项目代码",
    "name": "项目名称",
    "category": "项目分类",
    "county": "县区",
    "industry_chain": "产业链",
    "kind": "建设性质",
    # 建设性质 is the kind's column in the office's own list; a published list's 新开工 / 续建 …
    # column is the stage, named by the glossary's other word so the two headers stay apart.
    "stage": "建设阶段",
    "level": "项目级别",
    "location": "建设地点",
    "latitude": "纬度",
    "longitude": "经度",
    "scale_and_content": "建设规模及内容",
    "annual_target": "年度目标",
    "project_unit": "项目单位",
    "responsible_person": "责任人",
    "responsible_phone": "联系电话",
    "responsible_email": "电子邮箱",
    "lead_official": "市级包抓领导",
    "lead_department": "包抓部门",
    "total_investment": "总投资",
    "annual_plan_investment": "年度计划投资",
    "start_deadline": "开工时限",
    "planned_start": "计划开工",
    "planned_completion": "计划竣工",
    "statistics_included": "是否入库",
    "statistics_included_on": "入库时间",
    "statistics_reason": "未入库原因",
    **{name: f"{label}计划（累计）" for name, label in zip(MONTHLY_PLAN_COLUMNS, MONTH_LABELS, strict=True)},
}


def project_values(project):
    """``project``'s PROJECT_FIELDS as check_project takes them (the lead official by name): what an edit starts from."""
    values = {name: getattr(project, name) for name in PROJECT_FIELDS}
    values["lead_official"] = project.lead_official.name if project.lead_official else ""
    return values


# A mainland mobile (13812345678) or a landline with its area code (029-87654321), either after +86.
PHONE = re.compile(r"(?:\+86[ -]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})")
PHONE_MESSAGE = "应为手机号（如 13812345678）或带区号的固定电话（如 029-87654321），可加 +86"


def normalize_national_code(text):
    """The 24-character form of a 项目代码 written with or without its dashes (or with spaces); raises ValueError.

    "" stays "" (no code stated).
    """
    text = re.sub(r"\s", "", text or "")
    if not text:
        return ""
    match = NATIONAL_CODE.fullmatch(text)
    if not match:
        raise ValueError(NATIONAL_CODE_MESSAGE)
    return "-".join(match.groups())


class ProjectError(ValueError):
    """The values do not make a valid project; ``errors`` maps field -> message."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("；".join(f"{FIELD_LABELS.get(f, f)}：{m}" for f, m in errors.items()))


@dataclass(frozen=True)
class Entry:
    """One project to save: its values, the planned dates given, and the project it edits, if any.

    ``values`` are parsed as check_project expects them; ``planned`` maps
    milestone kind -> date, and the kinds it leaves out are planned from the
    start deadline.
    """

    values: dict
    planned: dict = field(default_factory=dict)
    project: Project | None = None
    restore: bool = False  # bring ``project`` back from the archive


@dataclass(frozen=True)
class SaveResult:
    """How many projects a save created, changed, and found already as given; the saved projects, in order."""

    created: int
    updated: int
    unchanged: int
    projects: list = field(default_factory=list, repr=False)


# A project's code is part of its address (/projects/<code>, the API's too): a "/" or "?"
# would make a project no page can reach. Letters (Chinese ones included), digits, and
# - _ . inside; it begins with a letter or digit, so no code is "." or "..".
PROJECT_CODE = re.compile(rf"[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._-]{{0,{MAX_CODE - 1}}}")
PROJECT_CODE_MESSAGE = f"项目编号只能由字母、汉字、数字和 - _ . 组成，以字母、汉字或数字开头，最多 {MAX_CODE} 个字符"


def check_project(values, officials=None):
    """Return {field: message} for every rule the values break (empty when valid).

    ``values`` holds parsed Python values: ints for money, a date for the
    deadline, the lead official's name. Parsing text is the caller's job.
    ``officials``, the names of the registered lead officials, saves a query
    per project when many are checked.
    """
    errors = {}
    for name in REQUIRED:
        if values.get(name) in (None, ""):
            errors[name] = "不能为空"
    if values.get("kind", "new") not in KINDS:
        errors["kind"] = "应为 新建 或 续建"
    for name in ("total_investment", "annual_plan_investment", *MONTHLY_PLAN_COLUMNS):
        amount = values.get(name)
        if amount is not None and name not in errors:
            if not is_amount(amount):
                errors[name] = "应为数字（万元）"
            elif not in_cents(amount):
                errors[name] = CENTS_MESSAGE
            elif amount < 0:
                errors[name] = "不能为负数"
    total, plan = values.get("total_investment"), values.get("annual_plan_investment")
    money_valid = not errors.keys() & {"total_investment", "annual_plan_investment"}
    if money_valid and None not in (total, plan) and plan > total:
        errors["annual_plan_investment"] = "年度计划投资不能大于总投资"
    if money_valid and not errors.keys() & set(MONTHLY_PLAN_COLUMNS):
        try:
            check_monthly_plan([values.get(name) for name in MONTHLY_PLAN_COLUMNS], plan)
        except MonthlyPlanError as e:
            errors[e.column] = str(e)
    deadline = values.get("start_deadline")
    if deadline is not None and not isinstance(deadline, dt.date):
        errors["start_deadline"] = "应为日期"
    code = values.get("code")
    if code and "code" not in errors and not (isinstance(code, str) and PROJECT_CODE.fullmatch(code)):
        errors["code"] = PROJECT_CODE_MESSAGE
    code = values.get("national_code")
    if code and not (isinstance(code, str) and len(code) == 24 and NATIONAL_CODE.fullmatch(code)):
        errors["national_code"] = NATIONAL_CODE_MESSAGE
    for name, choices in (("stage", STAGES), ("level", LEVELS)):
        if values.get(name) and values[name] not in choices:
            errors[name] = "应为 " + "、".join(choices.values()) + " 之一"
    phone = values.get("responsible_phone")
    if phone and not (isinstance(phone, str) and PHONE.fullmatch(phone)):
        errors["responsible_phone"] = PHONE_MESSAGE
    for name, (least, greatest) in COORDINATES.items():
        degrees = values.get(name)
        if degrees not in (None, "") and not (_number(degrees) and least <= degrees <= greatest):
            errors[name] = f"应为 {least} 到 {greatest} 之间的度数"
    for name in ("planned_start", "planned_completion"):
        if not is_partial_date(values.get(name) or ""):
            errors[name] = PARTIAL_DATE_MESSAGE
    errors.update(_inclusion_errors(values))
    name = values.get("lead_official")
    if name and "lead_official" not in errors and not _registered(name, officials):
        errors["lead_official"] = f"未登记的包抓领导“{name}”"
    return errors


def _inclusion_errors(values):
    """入库纳统: a yes or no; a date only for a project included; a reason only for one not included."""
    included, day = values.get("statistics_included", False), values.get("statistics_included_on")
    if not isinstance(included, bool):
        return {"statistics_included": "应为 是 或 否"}
    if day is not None and not isinstance(day, dt.date):
        return {"statistics_included_on": "应为日期"}
    if day is not None and not included:
        return {"statistics_included_on": "未入库的项目不填入库时间"}
    if included and (values.get("statistics_reason") or "").strip():
        return {"statistics_reason": "已入库的项目不填未入库原因"}
    return {}


def _number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _registered(name, officials):
    if officials is None:
        return LeadOfficial.select().where(LeadOfficial.name == name).exists()
    return name in officials


def code_sequence(today):
    """A function giving the next codes of the city's sequence (2026-00128, …) after the highest listed."""
    prefix = f"{today.year}-"
    pattern = re.compile(rf"{prefix}(\d{{5}})")
    taken = (int(m[1]) for (code,) in Project.select(Project.code).tuples() if (m := pattern.fullmatch(code)))
    counter = iter(range(max(taken, default=0) + 1, 10**9))
    return lambda: f"{prefix}{next(counter):05d}"


def save_project(values, user, milestone_offsets, project=None, planned=None):
    """Create a project, or update ``project``, from parsed values; return it.

    ``planned`` maps milestone kind -> planned date where the office gave one;
    the procedures it leaves out are planned backwards from the start deadline
    by ``milestone_offsets`` (days). Raises ProjectError, writing nothing.
    """
    # Checked inside the transaction: on SQLite no one can take the code before the write;
    # on PostgreSQL the unique index refuses it (IntegrityError).
    with db.atomic():
        errors = check_project(values)
        duplicate = Project.get_or_none(Project.code == values.get("code"))
        if duplicate and duplicate != project:
            errors["code"] = f"项目编号 {values['code']} 已存在"
        national = values.get("national_code") and Project.get_or_none(Project.national_code == values["national_code"])
        if national and national != project:
            errors["national_code"] = f"项目代码 {values['national_code']} 已是项目 {national.code} 的代码"
        if errors:
            raise ProjectError(errors)
        result = save_projects([Entry(values, planned or {}, project)], user, milestone_offsets, by_code=False)
    return result.projects[0]


def save_projects(entries, user, milestone_offsets, by_code=True):
    """Write checked entries in one transaction and return a SaveResult.

    An entry updates the project it names. One naming none updates, when
    ``by_code``, the project listed under its code (bringing it back if it was
    archived); otherwise, or if the code is new, it creates a project. Every
    changed field is logged as ``user``'s, the responsible person's phone
    links the owner account, and milestones are planned as given or back from
    the start deadline (default_plan). Values must pass check_project and
    codes be distinct; the database refuses the rest (IntegrityError).
    Some hundreds of rows per query, whatever the number of entries.
    """
    now = utc_now()
    with db.atomic():
        officials = {official.name: official for official in LeadOfficial.select()}
        fields = [_model_fields(entry.values, officials) for entry in entries]
        accounts = _owner_accounts(fields)
        listed = _listed([values["code"] for values in fields]) if by_code else {}
        projects, new, updated = [], [], []
        for entry, values in zip(entries, fields, strict=True):
            if "responsible_phone" in values:
                values["owner"] = accounts.get(values["responsible_phone"])
            project = entry.project or listed.get(values["code"])
            if project is None:
                project = Project(**values)  # inserted below with the other new ones
                new.append((project, values))
            elif rows := _update(project, values, user, now, restore=entry.project is None or entry.restore):
                updated.append((project, rows))
            projects.append(project)
        _write_updates(updated)
        changes = [row for _, rows in updated for row in rows] + _create(new, user, now)
        changed = {project.id for project, _ in updated}
        created = {project.id for project, _ in new}
        changed |= _plan_milestones(projects, [entry.planned for entry in entries], milestone_offsets, created)
        refresh_next_milestones([project.id for project in projects])
        Change.insert_rows(changes)
    updated = len(changed - created)
    return SaveResult(len(created), updated, len(entries) - len(created) - updated, projects)


def _model_fields(values, officials):
    """The values as Project takes them: contacts trimmed, the official's row (owner comes later).

    Only the fields given: an import of a list without phones leaves the phones the office entered.
    """
    fields = {name: values[name] for name in PROJECT_FIELDS if name in values}
    for name in ("responsible_person", "responsible_phone", "responsible_email"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    for name in NULLABLE:
        if fields.get(name) == "":
            fields[name] = None
    if "lead_official" in fields:
        fields["lead_official"] = officials.get(fields["lead_official"])
    return fields


def _owner_accounts(fields):
    """{phone: owner account or None}: responsible persons' accounts, keyed by phone number.

    A person met for the first time gets an account whose login name is their
    phone and which has no password until the office sets one; a known owner's
    name and email follow the list. A phone that is another role's login links
    no account, and without a phone there is no way to know who someone is.
    """
    people = {}
    for values in fields:
        phone, name, email = (
            values.get(key, "") for key in ("responsible_phone", "responsible_person", "responsible_email")
        )
        if phone:
            people[phone] = (name, email or people.get(phone, ("", ""))[1])
    users = _users(people)
    fresh = [
        User(username=phone, display_name=name, role="owner", phone=phone, email=email)
        for phone, (name, email) in people.items()
        if phone not in users
    ]
    bulk_create(User, fresh)
    for phone, user in users.items():
        name, email = people[phone]
        if user.role == "owner" and (user.display_name != name or (email and user.email != email)):
            user.display_name, user.email = name, email or user.email
            User.update(display_name=user.display_name, email=user.email).where(User.id == user.id).execute()
    users.update(_users([person.username for person in fresh]))
    return {phone: user if user.role == "owner" else None for phone, user in users.items()}


def _users(usernames):
    found = {}
    for chunk in chunked(list(usernames), 500):
        found.update((user.username, user) for user in User.select().where(User.username.in_(chunk)))
    return found


def _listed(codes):
    """{code: project} for the codes already listed (archived ones too), official and owner joined."""
    found = {}
    for chunk in chunked(codes, 500):
        query = (
            Project.select(Project, LeadOfficial, User)
            .join(LeadOfficial, JOIN.LEFT_OUTER)
            .switch(Project)
            .join(User, JOIN.LEFT_OUTER)
            .where(Project.code.in_(chunk))
        )
        found.update((project.code, project) for project in query)
    return found


def _logged(project, names):
    """The project's fields ``names`` as the change log records them: the official and owner by name."""
    values = {name: getattr(project, name) for name in names}
    return {
        name: (v.name if isinstance(v, LeadOfficial) else v.username if isinstance(v, User) else v)
        for name, v in values.items()
    }


def _update(project, values, user, now, restore):
    """Bring a listed project to ``values`` (and back from the archive if ``restore``); return its change rows."""
    if restore:
        values = {**values, "archived": False}
    old = _logged(project, values)
    for name, value in values.items():
        setattr(project, name, value)
    rows = Change.diff(project.id, user, old, _logged(project, values), at=now)
    if rows:
        project.updated_at = now
    return rows


def _write_updates(updated):
    """Write the (project, change rows) pairs' changed fields, one batch per set of fields changed together."""
    batches = {}
    for project, rows in updated:
        names = tuple(sorted({row[4] for row in rows})) + ("updated_at",)
        batches.setdefault(names, []).append(project)
    for names, projects in batches.items():
        rows = [[*(getattr(project, name) for name in names), project.id] for project in projects]
        bulk_update(Project, [getattr(Project, name) for name in names], rows)


def _create(new, user, now):
    """Insert the (project, values) pairs' projects, giving them their ids; return their change rows."""
    bulk_create(Project, [project for project, _ in new])
    ids = {}
    for chunk in chunked([project.code for project, _ in new], 500):
        ids.update(Project.select(Project.code, Project.id).where(Project.code.in_(chunk)).tuples())
    rows = []
    for project, values in new:
        project.id = ids[project.code]
        # A field a new project leaves blank changed nothing: the form sends every field, a list only some.
        stated = {name: value for name, value in _logged(project, values).items() if value not in (None, "")}
        rows += Change.diff(project.id, user, {}, stated, at=now)
    return rows


def default_plan(start_deadline, offsets):
    """Planned dates derived from the start deadline: the procedures before it, the start on it.

    Without a deadline there is nothing to plan back from: no date is invented.
    """
    if start_deadline is None:
        return {}
    plan = {kind: start_deadline - dt.timedelta(days=offsets[kind]) for kind in PROCEDURES}
    plan["start"] = start_deadline
    return plan


def _plan_milestones(projects, planned, offsets, created):
    """Give every milestone its planned date: the one given, else by default_plan; return the ids replanned.

    ``planned`` holds each project's given dates; the ``created`` ids have no milestones yet.
    """
    known = _milestones_of([project.id for project in projects if project.id not in created])
    missing, moves, replanned = [], {}, set()
    for project, given in zip(projects, planned, strict=True):
        # Without a start deadline only the dates given are planned: none is invented.
        derived = default_plan(project.start_deadline, offsets) if project.start_deadline else {}
        plan = {**derived, **{k: v for k, v in given.items() if v}}
        have = known.get(project.id, {})
        absent = [(project.id, kind, plan.get(kind)) for kind in MILESTONES if kind not in have]
        moved = [(i, plan[kind]) for kind, (i, day) in have.items() if plan.get(kind) is not None and day != plan[kind]]
        missing += absent
        for milestone_id, day in moved:
            moves.setdefault(day, []).append(milestone_id)
        if absent or moved:
            replanned.add(project.id)
    bulk_insert(Milestone, (Milestone.project, Milestone.kind, Milestone.planned_on), missing)
    # One query per date moved to: a new deadline moves many projects' procedures to the same few days.
    for day, ids in moves.items():
        for chunk in chunked(ids, 500):
            Milestone.update(planned_on=day).where(Milestone.id.in_(chunk)).execute()
    return replanned


def _milestones_of(project_ids):
    """{project id: {kind: (milestone id, planned date)}}."""
    found = {}
    columns = (Milestone.id, Milestone.project, Milestone.kind, Milestone.planned_on)
    for chunk in chunked(project_ids, 500):
        for milestone_id, project_id, kind, day in (
            Milestone.select(*columns).where(Milestone.project.in_(chunk)).tuples()
        ):
            found.setdefault(project_id, {})[kind] = (milestone_id, day)
    return found


def archive_project(project, user):
    """Take a project off the active list; its history stays."""
    with db.atomic():
        Change.record(project, user, {"archived": False}, {"archived": True})
        project.archived = True
        project.updated_at = utc_now()
        project.save()
