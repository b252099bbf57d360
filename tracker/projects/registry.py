"""Creating, updating and archiving projects: one path for the form, the import and the API.

save_projects is the one writer: any number of projects in one transaction,
some hundreds of rows per query. save_project, the form's way in, checks one
project's values and writes them through it."""

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN, chunked

from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import db
from tracker.core.money import CENTS_MESSAGE, in_cents, is_amount
from tracker.core.weeks import utc_now
from tracker.projects.lights import refresh_next_milestones
from tracker.projects.models import KINDS, MILESTONES, PROCEDURES, Change, Milestone, Project

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


@dataclass(frozen=True)
class SaveResult:
    """How many projects a save created, changed, and found already as given; the saved projects, in order."""

    created: int
    updated: int
    unchanged: int
    projects: list = field(default_factory=list, repr=False)


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
    for name in ("total_investment", "annual_plan_investment"):
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
    deadline = values.get("start_deadline")
    if deadline is not None and not isinstance(deadline, dt.date):
        errors["start_deadline"] = "应为日期"
    name = values.get("lead_official")
    if name and "lead_official" not in errors and not _registered(name, officials):
        errors["lead_official"] = f"未登记的包抓领导“{name}”"
    return errors


def _registered(name, officials):
    if officials is None:
        return LeadOfficial.select().where(LeadOfficial.name == name).exists()
    return name in officials


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
        projects, new, changes, changed = [], [], [], set()
        for entry, values in zip(entries, fields, strict=True):
            values["owner"] = accounts.get(values["responsible_phone"])
            project = entry.project or listed.get(values["code"])
            if project is None:
                project = Project(**values)  # inserted below with the other new ones
                new.append((project, values))
            elif rows := _update(project, values, user, now, restore=entry.project is None):
                changes += rows
                changed.add(project.id)
            projects.append(project)
        changes += _create(new, user, now)
        created = {project.id for project, _ in new}
        changed |= _plan_milestones(projects, [entry.planned for entry in entries], milestone_offsets, created)
        refresh_next_milestones([project.id for project in projects])
        Change.insert_rows(changes)
    updated = len(changed - created)
    return SaveResult(len(created), updated, len(entries) - len(created) - updated, projects)


def _model_fields(values, officials):
    """The values as Project takes them: kind and contacts filled in, the official's row (owner comes later)."""
    fields = {name: values[name] for name in PROJECT_FIELDS if name in values}
    fields.setdefault("kind", "new")
    for name in ("responsible_phone", "responsible_email"):
        fields[name] = (fields.get(name) or "").strip()
    # A missing official (deleted since the check) leaves NULL, which the database refuses.
    fields["lead_official"] = officials.get(values["lead_official"])
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
        name, phone, email = values["responsible_person"], values["responsible_phone"], values["responsible_email"]
        if phone:
            people[phone] = (name, email or people.get(phone, ("", ""))[1])
    users = _users(people)
    fresh = [
        {"username": phone, "display_name": name, "role": "owner", "phone": phone, "email": email}
        for phone, (name, email) in people.items()
        if phone not in users
    ]
    for chunk in chunked(fresh, 200):
        User.insert_many(chunk).execute()
    for phone, user in users.items():
        name, email = people[phone]
        if user.role == "owner" and (user.display_name != name or (email and user.email != email)):
            user.display_name, user.email = name, email or user.email
            User.update(display_name=user.display_name, email=user.email).where(User.id == user.id).execute()
    users.update(_users([person["username"] for person in fresh]))
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
            .join(LeadOfficial)
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
        Project.update(**values, updated_at=now).where(Project.id == project.id).execute()
    return rows


def _create(new, user, now):
    """Insert the (project, values) pairs' projects, giving them their ids; return their change rows."""
    for chunk in chunked(new, 200):
        Project.insert_many([project.__data__ for project, _ in chunk]).execute()
    ids = {}
    for chunk in chunked([project.code for project, _ in new], 500):
        ids.update(Project.select(Project.code, Project.id).where(Project.code.in_(chunk)).tuples())
    rows = []
    for project, values in new:
        project.id = ids[project.code]
        rows += Change.diff(project.id, user, {}, _logged(project, values), at=now)
    return rows


def default_plan(start_deadline, offsets):
    """Planned dates derived from the start deadline: the procedures before it, the start on it."""
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
        plan = {**default_plan(project.start_deadline, offsets), **{k: v for k, v in given.items() if v}}
        have = known.get(project.id, {})
        absent = [(project.id, kind, plan.get(kind)) for kind in MILESTONES if kind not in have]
        moved = [(i, plan[kind]) for kind, (i, day) in have.items() if plan.get(kind) is not None and day != plan[kind]]
        missing += absent
        for milestone_id, day in moved:
            moves.setdefault(day, []).append(milestone_id)
        if absent or moved:
            replanned.add(project.id)
    for chunk in chunked(missing, 500):
        Milestone.insert_many(chunk, fields=(Milestone.project, Milestone.kind, Milestone.planned_on)).execute()
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
