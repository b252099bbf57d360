"""Importing a key-project list as offices and governments publish it: read, plan, preview, apply.

sheet_reading reads any published layout into rows. plan_import then works
out, writing nothing, what importing them would do: each row is matched to a
listed project (by code, else national project code, else its normalised
name, and the county where names repeat), checked with
registry.check_project, and becomes a new project (numbered in the city's
sequence when the list has none), a change field by field, or nothing; the
lead officials the list names and nobody registered are added, and so are
the counties, industry chains and departments not on their managed lists
(a name only a 县/区/市 or a space away from a listed one takes the listed
one instead, list_names). The preview shows that plan, with a warning for
every name added or mapped; apply_import writes it.

A plan is checked whole before its first write: one bad row and nothing is
written. The write goes in short transactions of CHUNK projects, so owners
filing reports meanwhile wait a fraction of a second, not the whole import.
An import cut short (the server stopped mid-way) leaves its ProjectImport
"applying"; importing the same file again completes it, since a re-import
matches every project already written and changes nothing twice. No Flask
here: the web view, the command line and the tests share these functions."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from peewee import IntegrityError, chunked

from tracker.accounts.models import LeadOfficial
from tracker.audit.events import COMMAND_LINE
from tracker.audit.log import Actor, record
from tracker.core.db import db, let_writers_in
from tracker.core.weeks import utc_now
from tracker.projects.list_names import ListResolver
from tracker.projects.models import (
    COMPLETION_FIELDS,
    LIST_KINDS,
    LISTED_FIELDS,
    Change,
    ListEntry,
    Project,
    ProjectImport,
)
from tracker.projects.registry import FIELD_LABELS, PROJECT_FIELDS, Entry, check_project, code_sequence, save_projects
from tracker.projects.sheet_reading import SheetError, name_key, read_project_list
from tracker.projects.sheet_values import AMOUNT_FIELDS

# Fields read from numbers, dates or words: sheet_reading reports a cell it could not read.
TYPED_FIELDS = (
    "kind",
    "stage",
    "level",
    "national_code",
    *AMOUNT_FIELDS,
    "start_deadline",
    "latitude",
    "longitude",
    "planned_start",
    "planned_completion",
)


# Projects written per transaction: a few tenths of a second of the write lock each.
CHUNK = 500


@dataclass
class Planned:
    """What importing one row does: the values it sets, on the listed project it matched or a new one."""

    row: object  # sheet_reading.SheetRow
    values: dict
    project: Project | None = None
    current: dict = field(default_factory=dict)  # the project's values before, as check_project takes them
    changes: dict = field(default_factory=dict)  # field -> (old text, new text)
    numbered: bool = False  # the code is the city's next, the list having none

    @property
    def missing_fields(self):
        """What the project will still lack (待完善), in Project.missing_fields' terms."""
        merged = {**self.current, **self.values}
        return [name for name in COMPLETION_FIELDS if merged.get(name) in (None, "")]


@dataclass
class ImportPlan:
    """Everything an import would do, for the preview and then the write."""

    reading: object  # sheet_reading.ListReading
    projects: list
    new_officials: list
    warnings: list
    new_entries: dict = field(default_factory=dict)  # list kind -> names the import adds to the managed list

    @property
    def created(self):
        return [p for p in self.projects if p.project is None]

    @property
    def changed(self):
        return [p for p in self.projects if p.project is not None and p.changes]

    @property
    def unchanged(self):
        return [p for p in self.projects if p.project is not None and not p.changes]

    @property
    def incomplete(self):
        """{field: how many projects of the list will lack it}, in COMPLETION_FIELDS order."""
        counts = {}
        for planned in self.projects:
            for name in planned.missing_fields:
                counts[name] = counts.get(name, 0) + 1
        return counts

    @property
    def fingerprint(self):
        """A digest of what the plan writes: the confirmation applies the plan the office saw, or none."""
        digest = hashlib.sha256()
        for planned in self.projects:
            target = planned.project.id if planned.project else planned.values["code"]
            digest.update(
                repr((planned.row.sheet, planned.row.number, target, sorted(planned.changes.items()))).encode()
            )
        digest.update(repr((self.new_officials, sorted(self.new_entries.items()))).encode())
        return digest.hexdigest()[:32]


def import_project_list(fileobj, user, config, filename="", today=None, actor=None):
    """Read, plan and apply the list in ``fileobj`` at once; return the ProjectImport. Raises SheetError."""
    return apply_import(plan_import(read_project_list(fileobj), today), user, config, filename, actor)


def plan_import(reading, today=None):
    """The ImportPlan of a ListReading against the projects listed now; raises SheetError naming every bad row."""
    if not reading.rows:
        raise SheetError(["表中没有项目行"])
    listed = _Listed()
    officials = {name for (name,) in LeadOfficial.select(LeadOfficial.name).tuples()}
    next_code = code_sequence(today or dt.date.today())
    lists = {kind: ListResolver(kind) for kind in LIST_KINDS}
    projects, problems, seen, new_officials = [], [], {}, {}
    for row in reading.rows:
        values = _values(row)
        for name, kind in LISTED_FIELDS.items():
            if values.get(name):
                values[name] = lists[kind].resolve(values[name])
        project, ambiguous = listed.match(values)
        key = (
            project.id if project else (values.get("code") or (name_key(values.get("name", "")), values.get("county")))
        )
        messages = list(row.problems)
        if ambiguous:
            codes = "、".join(p.code for p in ambiguous)
            messages.append(f"与已登记的多个同名项目（编号 {codes}）无法区分，请在表中写明项目编号")
        elif key in seen:
            messages.append(f"与《{seen[key].sheet}》第{seen[key].number}行是同一个项目")
        seen.setdefault(key, row)
        name = values.get("lead_official")
        if name and name not in officials:
            new_officials.setdefault(name, row)
        planned = Planned(row, values, project, listed.values_of(project) if project else {})
        if project is None and not values.get("code"):
            values["code"], planned.numbered = next_code(), True
        errors = check_project({**planned.current, **values}, officials | new_officials.keys())
        unread = {f for f in TYPED_FIELDS if isinstance(values.get(f), str) and f in errors}
        messages += [_message(f, errors[f]) for f in sorted(errors.keys() - unread, key=_field_order)]
        problems += [f"{_where(reading, row)}{m}" for m in messages]
        if project is not None:
            planned.changes = listed.changes(project, values)
        projects.append(planned)
    if problems:
        raise SheetError(problems)
    warnings = list(reading.warnings)
    if new_officials:
        names = "、".join(new_officials)
        warnings.append(
            f"将新建 {len(new_officials)} 位包抓领导：{names}（未登记邮箱，收不到领导周报，请到账号页补充）"
        )
    resolved = [resolver.result for resolver in lists.values()]
    warnings += [line for result in resolved for line in result.warnings()]
    new_entries = {result.kind: list(result.new) for result in resolved if result.new}
    return ImportPlan(reading, projects, list(new_officials), warnings, new_entries)


def apply_import(plan, user, config, filename="", actor=None):
    """Write ``plan``: officials first, then the new and changed projects CHUNK at a time; return the ProjectImport.

    Raises SheetError when the list changed under the import (a code taken,
    a leader removed) after some chunks were written; the ProjectImport then
    says so, and importing the file again completes it. A completed import is
    recorded in the audit log as done by ``actor`` (default: ``user``, else the command line).
    """
    run = ProjectImport.create(
        user=user, filename=filename[:200], rows=len(plan.projects), unchanged=len(plan.unchanged), state="applying"
    )
    with db.atomic():
        for name in plan.new_officials:
            LeadOfficial.get_or_create(name=name, defaults={"title": "", "email": ""})
        for kind, names in plan.new_entries.items():
            ListEntry.append(kind, names)
    work = plan.created + plan.changed
    for chunk in chunked(work, CHUNK):
        entries = [
            Entry(p.values, p.row.planned, p.project, restore=bool(p.project and p.project.archived)) for p in chunk
        ]
        try:
            result = save_projects(entries, user, config["milestones"], by_code=False)
        except IntegrityError as e:
            run.state = "interrupted"
            run.finished_at = utc_now()
            run.save()
            raise SheetError(
                [
                    f"导入期间清单被他人同时修改，已写入 {run.created + run.updated} 个项目后停止；"
                    "请重新导入同一文件以完成（已写入的项目不会重复）"
                ]
            ) from e
        run.created += result.created
        run.updated += result.updated
        ProjectImport.update(created=run.created, updated=run.updated).where(ProjectImport.id == run.id).execute()
        let_writers_in()
    run.state = "done"
    run.finished_at = utc_now()
    with db.atomic():
        run.save()
        summary = {"filename": run.filename, "rows": run.rows, "created": run.created, "updated": run.updated}
        record("import_confirmed", actor or _importer(user), unchanged=run.unchanged, **summary)
    return run


def preview_import(staging, fileobj, filename, today=None):
    """Read and plan the list in ``fileobj`` and keep the reading in ``staging`` for its confirmation.

    Return the ImportPlan and the Staged reading; nothing is written to the database. Raises SheetError.
    """
    reading = read_project_list(fileobj)
    plan = plan_import(reading, today)
    return plan, staging.keep(reading, filename)


class PlanChanged(Exception):
    """The projects changed since the preview: the import would no longer do what was shown. ``plan`` is the new one."""

    def __init__(self, plan):
        super().__init__("预览之后项目清单已被他人修改，请核对新的预览后再次确认")
        self.plan = plan


def confirm_staged(staging, staged, fingerprint, user, config, today=None, actor=None):
    """Apply the Staged reading if its plan still has ``fingerprint`` (what the preview showed); return the plan and
    the ProjectImport, the staged reading then discarded. Raises PlanChanged, or SheetError (apply_import)."""
    plan = plan_import(staged.reading, today)
    if plan.fingerprint != fingerprint:
        raise PlanChanged(plan)
    run = apply_import(plan, user, config, staged.filename, actor)
    staging.discard(staged)
    return plan, run


def _importer(user):
    return Actor(user.label, user.id) if user else Actor(COMMAND_LINE)


class _Listed:
    """The projects listed now (archived ones too), indexed the ways a row may name one."""

    def __init__(self):
        officials = dict(LeadOfficial.select(LeadOfficial.id, LeadOfficial.name).tuples())
        self.projects = list(Project.select())
        self.official_names = officials
        self.by_code = {p.code: p for p in self.projects}
        self.by_national_code = {p.national_code: p for p in self.projects if p.national_code}
        self.by_name = {}
        for project in self.projects:
            self.by_name.setdefault(name_key(project.name), []).append(project)

    def match(self, values):
        """(the listed project ``values`` names or None, the same-named projects it cannot choose between)."""
        if values.get("code"):
            return self.by_code.get(values["code"]), []
        if values.get("national_code") in self.by_national_code:
            return self.by_national_code[values["national_code"]], []
        same_name = self.by_name.get(name_key(values.get("name", "")), [])
        if len(same_name) > 1 and values.get("county"):
            same_name = [p for p in same_name if p.county == values["county"]]
        if len(same_name) > 1:
            return None, same_name
        return (same_name[0] if same_name else None), []

    def values_of(self, project):
        values = {name: getattr(project, name) for name in PROJECT_FIELDS if name != "lead_official"}
        values["lead_official"] = self.official_names.get(project.lead_official_id)
        return values

    def changes(self, project, values):
        """{field: (old text, new text)} for each value that differs from the project's, as the change log writes them."""
        rows = Change.diff(project.id, None, self.values_of(project), values)
        changes = {row[4]: (row[5], row[6]) for row in rows}
        if project.archived:
            changes["archived"] = ("已归档", "恢复")
        return changes


def _values(row):
    """What a row sets: the non-empty values it read. An empty cell never clears what the office entered."""
    values = {name: value for name, value in row.values.items() if value not in (None, "") and name in PROJECT_FIELDS}
    if row.leaders:
        values["lead_official"] = row.leaders[0]
    return values


def _where(reading, row):
    return f"《{row.sheet}》第{row.number}行：" if len(reading.sheets) > 1 else f"第{row.number}行："


def _field_order(name):
    return PROJECT_FIELDS.index(name) if name in PROJECT_FIELDS else len(PROJECT_FIELDS)


def _message(name, message):
    # check_project's short messages (“不能为空”) need the column as their subject.
    if message.startswith(("不能", "应为")):
        message = FIELD_LABELS.get(name, name) + message
    return message
