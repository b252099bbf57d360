"""A database made by an older version gains the columns a newer one added, takes cents in its money columns, and keeps its rows."""

import datetime as dt
import hashlib
import threading
from decimal import Decimal

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField
from playhouse.migrate import SchemaMigrator, migrate
from reporting import file

from tracker.accounts.credentials import user_for_token
from tracker.accounts.models import AccountCounty, ApiToken, User
from tracker.core.cache import DataVersion
from tracker.core.db import BaseModel, bind_database, db
from tracker.core.money import MoneyField
from tracker.core.weeks import utc_now
from tracker.cycles.snapshots import ProjectSnapshot, WeekTotals, take_snapshot
from tracker.projects.models import MILESTONES, FundsSecured, Milestone, ProgressReport, Project
from tracker.schema import MODELS, OLD_TOKEN_NAME, _foreign_keys_off, create_tables

# A deployment's restart: the web server, two schedulers and an import.
STARTING = 4


def test_starting_on_an_older_database_adds_the_new_columns_and_keeps_the_rows(conn, config, make_project):
    project = make_project()
    take_snapshot("2026-W47", config["warnings"])
    migrator = SchemaMigrator.from_database(db.obj)
    with db.atomic():
        migrate(
            migrator.drop_column("project_snapshot", "milestone_due"),
            migrator.drop_column("project_snapshot", "project_unit"),
            migrator.drop_column("project", "milestone"),
            migrator.drop_column("project", "milestone_due"),
        )
    assert "milestone_due" not in {c.name for c in db.get_columns("project_snapshot")}
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    row = ProjectSnapshot.get(ProjectSnapshot.week == "2026-W47")
    assert (row.project_unit, row.milestone_due) == ("", None)
    # The projects' next milestones, which the lights read, are filled in at once.
    first = Milestone.get((Milestone.project == project.id) & (Milestone.kind == "approval"))
    assert Project.get_by_id(project.id).milestone_due == first.planned_on


def test_an_index_on_a_column_new_to_an_older_database_is_made_after_the_column(conn):
    migrator = SchemaMigrator.from_database(db.obj)
    index = next(i.name for i in db.get_indexes("project") if i.columns == ["category"])
    with _foreign_keys_off(), db.atomic():
        migrate(migrator.drop_index("project", index), migrator.drop_column("project", "category"))
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    assert "category" in {c.name for c in db.get_columns("project")}
    assert ["category"] in [i.columns for i in db.get_indexes("project")]


def test_fields_a_newer_version_made_optional_accept_null_and_no_row_is_lost(conn, config, make_project):
    project = make_project()
    file(config, project, "2026-W47", investment_completed=300)
    migrator = SchemaMigrator.from_database(db.obj)
    # As an older version made them: the leader and the deadline required.
    with _foreign_keys_off(), db.atomic():
        migrate(
            migrator.add_not_null("project", "lead_official_id"),
            migrator.add_not_null("project", "start_deadline"),
        )
    assert not {c.name: c.null for c in db.get_columns("project")}["start_deadline"]
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    # Rebuilding the table took none of the rows that refer to it.
    assert ProgressReport.select().where(ProgressReport.project == project.id).count() == 1
    assert Milestone.select().where(Milestone.project == project.id).count() == len(MILESTONES)
    Project.update(lead_official=None, start_deadline=None).where(Project.id == project.id).execute()
    assert Project.get_by_id(project.id).missing_fields == ["lead_official", "start_deadline"]


def test_integer_money_columns_of_an_older_database_keep_their_rows_and_take_cents(conn, config, make_project):
    project = make_project(total_investment=12_000, annual_plan_investment=5_000)
    file(config, project, "2026-W47", investment_completed=300, funds={"bank_loans": 200})
    take_snapshot("2026-W47", config["warnings"])
    money_columns = {
        model._meta.table_name: [f.column_name for f in model._meta.sorted_fields if isinstance(f, MoneyField)]
        for model in MODELS
    }
    migrator = SchemaMigrator.from_database(db.obj)
    # As an older version made them: whole 万元 in integer columns.
    with _foreign_keys_off(), db.atomic():
        migrate(
            *(
                migrator.alter_column_type(table, column, IntegerField(null=True))
                for table, columns in money_columns.items()
                for column in columns
            )
        )
    assert {c.name: c.data_type.lower() for c in db.get_columns("project")}["total_investment"] in ("integer", "int")
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    assert Project.get_by_id(project.id).total_investment == Decimal("12000")
    assert FundsSecured.get(FundsSecured.project == project.id).amount == Decimal("200")
    assert WeekTotals.get_by_id("2026-W47").investment_completed == Decimal("300")
    file(config, project, "2026-W48", investment_completed=Decimal("300.01"), funds={"bank_loans": Decimal("0.01")})
    saved = Project.get_by_id(project.id)
    assert (saved.investment_completed, saved.funds_secured) == (Decimal("300.01"), {"bank_loans": Decimal("200.01")})
    assert ProgressReport.select().where(ProgressReport.project == project.id).count() == 2


class OlderApiToken(BaseModel):
    """api_token as an older version made it: a hash, a creation time and a last use, nothing else."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    token_hash = CharField(unique=True)
    created_at = DateTimeField(default=utc_now)
    last_used_at = DateTimeField(null=True)

    class Meta:
        table_name = "api_token"


def test_api_tokens_of_an_older_database_get_a_name_and_an_expiry_and_keep_working(conn, make_user):
    user = make_user("robot", "inspector")
    db.drop_tables([ApiToken])
    db.create_tables([OlderApiToken])
    OlderApiToken.create(user=user, token_hash=hashlib.sha256(b"an-old-token").hexdigest())
    db.close()
    create_tables(token_days=30)
    db.connect(reuse_if_open=True)
    row = ApiToken.get()
    assert (row.name, row.prefix, row.revoked_at, row.revoke_reason) == (OLD_TOKEN_NAME, "", None, "")
    assert abs(row.expires_at - utc_now() - dt.timedelta(days=30)) < dt.timedelta(minutes=5)
    assert not {c.name: c.null for c in db.get_columns("api_token")}["expires_at"]
    assert user_for_token("an-old-token").username == "robot"


def test_an_older_database_gains_inclusion_and_review_its_reports_counting_as_accepted(conn, config, make_project):
    project = make_project()
    file(config, project, "2026-W47", investment_completed=300)
    migrator = SchemaMigrator.from_database(db.obj)
    with db.atomic():
        migrate(
            *(
                migrator.drop_column("project", c)
                for c in ("statistics_included", "statistics_included_on", "statistics_reason")
            ),
            *(migrator.drop_column("progress_report", c) for c in ("late", "review_reason", "version")),
            migrator.drop_column("project_snapshot", "statistics_included"),
        )
    db.drop_tables([AccountCounty])
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    report = ProgressReport.get(ProgressReport.project == project.id)
    assert (report.review_state, report.late, report.version, report.review_reason) == ("accepted", False, 0, "")
    assert (report.reviewed_by, report.reviewed_at) == (None, None)
    saved = Project.get_by_id(project.id)
    assert (saved.statistics_included, saved.statistics_included_on, saved.statistics_reason) == (False, None, "")
    assert "account_county" in db.get_tables()


def test_an_email_only_outbox_gains_its_channel_and_keeps_its_mail(conn):
    from tracker.cycles.runs import CycleRun
    from tracker.mail.outbox import Outbox

    run = CycleRun.claim("weekly", "2026-W47", dt.timedelta(minutes=10))
    Outbox.insert(run=run, kind="reminder", recipient="li@example.gov.cn", message=b"x").execute()
    migrator = SchemaMigrator.from_database(db.obj)
    with _foreign_keys_off(), db.atomic():
        migrate(
            migrator.drop_index("outbox", "outbox_run_id_kind_channel_recipient"),
            migrator.drop_column("outbox", "channel"),
            migrator.add_index("outbox", ("run_id", "kind", "recipient"), True),
        )
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    row = Outbox.get()
    assert (row.channel, row.recipient) == ("email", "li@example.gov.cn")
    # The same person by another channel is another message of the run.
    Outbox.insert(run=run, kind="reminder", channel="sms", recipient="li@example.gov.cn", message=b"y").execute()
    assert Outbox.select().count() == 2


def test_processes_starting_at_once_on_an_empty_database_all_set_it_up(database_url):
    """Two schedulers and an import start together (a deployment's restart): none fails on the other's setup."""
    bind_database(database_url)
    db.close()
    start = threading.Barrier(STARTING)
    failures = []

    def set_up():
        start.wait()
        try:
            create_tables()
        except Exception as error:  # noqa: BLE001 - the failure is what the test reports
            failures.append(repr(error))
        finally:
            db.close()

    threads = [threading.Thread(target=set_up) for _ in range(STARTING)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with db.connection_context():
        assert DataVersion.get_by_id(1).version >= 0
