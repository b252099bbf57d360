"""Keeping the managed lists (县区, 产业链, 部门): adding, renaming, merging, reordering and retiring entries.

A list's names are used in several tables: a project's county, industry
chain and lead department, a problem's and a supervision order's
department, an account's department, and the weekly snapshots. Renaming an
entry, or merging it into another (南湖 into 南湖县), rewrites every use in
the same transaction, so no row is left under a name the list no longer
holds; each project's change is logged. Published criticism notices keep
the names they were published with: they are documents of their day.

The table itself (ListEntry) sits with the projects, whose form, import and
filters read it. No Flask here: the page and the tests call these functions.
"""

from peewee import IntegrityError, fn

from tracker.accounts.models import AccountCounty, User
from tracker.core.db import db
from tracker.core.weeks import utc_now
from tracker.cycles.snapshots import ProjectSnapshot
from tracker.problems.models import Problem
from tracker.projects.list_names import near_duplicate
from tracker.projects.models import LIST_KINDS, Change, ListEntry, Project
from tracker.supervision.models import SupervisionOrder

# Where each list's names are in use today: seeded from, counted on the page, rewritten by a rename or merge.
USES = {
    "county": (Project.county, Problem.county, AccountCounty.county),
    "industry_chain": (Project.industry_chain,),
    "department": (Project.lead_department, Problem.department, SupervisionOrder.department, User.department),
}


# The weekly snapshots keep the names of their week. A rename or merge rewrites them too, so that a
# quarter compares with the last under one name; the lists are not seeded from them (old spellings).
SNAPSHOT_USES = {
    "county": (ProjectSnapshot.county,),
    "industry_chain": (ProjectSnapshot.industry_chain,),
    "department": (ProjectSnapshot.lead_department,),
}


USE_LABELS = {Project: "项目", Problem: "问题", SupervisionOrder: "督办", User: "账号", AccountCounty: "县区账号"}


MAX_NAME = 100


class ListError(ValueError):
    """The list cannot change as asked; the message says why (in Chinese)."""


def seed_lists():
    """Add to each list the names in use and not listed yet, sorted: what an existing deployment had typed."""
    with db.atomic():
        for kind, columns in USES.items():
            names = set()
            for column in columns:
                query = column.model.select(fn.DISTINCT(column)).where(column != "")
                names.update(name for (name,) in query.tuples())
            ListEntry.append(kind, sorted(names))


def usage(kind):
    """{name: [(what, how many)]}: the rows using each name of list ``kind``, one GROUP BY per table."""
    found = {}
    for column in USES[kind]:
        count = fn.COUNT(column.model._meta.primary_key)
        for name, n in column.model.select(column, count).where(column != "").group_by(column).tuples():
            found.setdefault(name, []).append((USE_LABELS[column.model], n))
    return found


def add_entry(kind, name):
    """Add ``name`` at the end of list ``kind``; return the entry. Raises ListError for a name listed already."""
    name = _checked(kind, name)
    try:
        with db.atomic():
            ListEntry.append(kind, [name])
    except IntegrityError as e:  # added by someone else meanwhile (PostgreSQL)
        raise ListError(f"“{name}”已在{LIST_KINDS[kind]}名单中") from e
    return ListEntry.get((ListEntry.kind == kind) & (ListEntry.name == name))


def rename_entry(entry, name, user):
    """Give ``entry`` a new name, and every project, problem, order and account using the old one with it."""
    name = _checked(entry.kind, name, besides=entry)
    try:
        with db.atomic():
            _rewrite(entry.kind, entry.name, name, user)
            ListEntry.update(name=name).where(ListEntry.id == entry.id).execute()
    except IntegrityError as e:
        raise ListError(f"“{name}”已在{LIST_KINDS[entry.kind]}名单中") from e
    entry.name = name
    return entry


def merge_entries(entry, into, user):
    """Merge ``entry`` into ``into``: every use of its name takes ``into``'s, and ``entry`` leaves the list."""
    if into is None or into.kind != entry.kind:
        raise ListError(f"请选择要并入的{LIST_KINDS[entry.kind]}")
    if into.id == entry.id:
        raise ListError("不能并入自身，请选择另一项")
    if into.retired:
        raise ListError(f"“{into.name}”已停用，不能并入；请先启用它")
    with db.atomic():
        _rewrite(entry.kind, entry.name, into.name, user)
        ListEntry.delete().where(ListEntry.id == entry.id).execute()
    return into


def move_entry(entry, step):
    """Move ``entry`` ``step`` places down the list (up when negative); the ends stay the ends."""
    with db.atomic():
        ids = [i for (i,) in ListEntry.of_kind(entry.kind).select(ListEntry.id).tuples()]
        old = ids.index(entry.id)
        ids.insert(max(0, min(len(ids) - 1, old + step)), ids.pop(old))
        for position, entry_id in enumerate(ids):
            ListEntry.update(position=position).where(ListEntry.id == entry_id).execute()


def set_retired(entry, retired):
    """Retire an entry (offered no more for new choices; the rows using it keep it) or bring it back."""
    ListEntry.update(retired=retired).where(ListEntry.id == entry.id).execute()
    entry.retired = retired
    return entry


def _checked(kind, name, besides=None):
    """``name`` trimmed, if list ``kind`` may take it; else ListError saying why."""
    name = (name or "").strip()
    label = LIST_KINDS[kind]
    if not name:
        raise ListError(f"请填写{label}名称")
    if len(name) > MAX_NAME:
        raise ListError(f"{label}名称不能超过 {MAX_NAME} 个字")
    same = ListEntry.get_or_none((ListEntry.kind == kind) & (ListEntry.name == name))
    if same is not None and same.id != getattr(besides, "id", None):
        raise ListError(f"“{name}”已在{label}名单中")
    same = near_duplicate(kind, name, besides)
    if same is not None:
        raise ListError(
            f"已有“{same.name}”，与“{name}”只差县/区/市或空格；"
            f"如是同一{label}，请直接使用“{same.name}”，或把其中一项合并到另一项"
        )
    return name


def _rewrite(kind, old, new, user):
    """Every use of ``old`` in list ``kind`` becomes ``new``; each project's change is logged as ``user``'s."""
    now = utc_now()
    for column in USES[kind]:
        if column.model is Project:
            ids = [i for (i,) in Project.select(Project.id).where(column == old).tuples()]
            Change.insert_rows([(i, None, user, now, column.name, old, new) for i in ids])
            Project.update({column: new, Project.updated_at: now}).where(column == old).execute()
        elif column.model is AccountCounty:
            # A county office account holding both names keeps one row of the merged county.
            holding_new = AccountCounty.select(AccountCounty.user).where(AccountCounty.county == new)
            AccountCounty.delete().where((column == old) & AccountCounty.user.in_(holding_new)).execute()
            AccountCounty.update({column: new}).where(column == old).execute()
        else:
            column.model.update({column: new}).where(column == old).execute()
    for column in SNAPSHOT_USES[kind]:
        column.model.update({column: new}).where(column == old).execute()
