"""The one module that names every table: creating them, and adding the columns a newer version brought."""

from tracker.accounts.models import ApiToken, LeadOfficial, User
from tracker.core.db import db
from tracker.cycles.consultations import AgendaItem, Decision
from tracker.cycles.runs import CycleRun
from tracker.cycles.snapshots import ProjectSnapshot, WeekFunds, WeekTotals
from tracker.mail.outbox import Outbox
from tracker.notices.models import CriticismNotice, NoticeEntry
from tracker.problems.models import Problem, ProblemEvent
from tracker.projects.lights import refresh_next_milestones
from tracker.projects.models import Change, FundsSecured, Milestone, ProgressReport, Project, ReportFunds
from tracker.supervision.models import SupervisionOrder

# Every table of the app, in an order that satisfies foreign keys.
MODELS = (
    LeadOfficial,
    User,
    ApiToken,
    Project,
    Milestone,
    ProgressReport,
    ReportFunds,
    FundsSecured,
    Change,
    CycleRun,
    Outbox,
    ProjectSnapshot,
    WeekTotals,
    WeekFunds,
    AgendaItem,
    Decision,
    Problem,
    ProblemEvent,
    SupervisionOrder,
    CriticismNotice,
    NoticeEntry,
)


def create_tables():
    """Create every table that does not exist yet, and every column a newer version added (safe to run again)."""

    with db.connection_context():
        db.create_tables(MODELS, safe=True)
        if ("project", "milestone_due") in add_missing_columns(MODELS):
            refresh_next_milestones()


def add_missing_columns(models):
    """Add the columns a table lacks: a database made by an older version keeps its rows and gains the new fields.

    New fields are nullable or have a default, so existing rows get a value.
    Returns the (table, column) pairs added.
    """
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db.obj)
    added = []
    for model in models:
        table = model._meta.table_name
        present = {column.name for column in db.get_columns(table)}
        missing = [field for field in model._meta.sorted_fields if field.column_name not in present]
        if missing:
            with db.atomic():
                migrate(*(migrator.add_column(table, field.column_name, field) for field in missing))
            added += [(table, field.column_name) for field in missing]
    return added
