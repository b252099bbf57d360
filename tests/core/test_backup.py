"""Backing up while owners file reports and the office saves projects, and restoring into an empty database."""

import datetime as dt
import os
import subprocess
import sys
import threading
import uuid
import zoneinfo
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import pytest
from peewee import JOIN

from tracker.accounts.models import LeadOfficial, User
from tracker.core.backup import BackupError, backup, restore
from tracker.core.config import DEFAULTS, PROJECT_ROOT, load_config
from tracker.core.db import bind_database, db
from tracker.core.money import money_sum
from tracker.cycles.figures import Live, figures
from tracker.projects.models import FundsSecured, ProgressReport, Project, ReportFunds
from tracker.projects.registry import save_project
from tracker.reports.filing import file_report
from tracker.schema import MODELS, create_tables

PG_URL = os.environ.get("TRACKER_TEST_PG")
FILED_AT = dt.datetime(2026, 12, 28, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
WEEKS = [f"2026-W{n:02d}" for n in range(1, 53)]


@pytest.fixture(params=["sqlite", "postgres"])
def new_database(request, tmp_path):
    """A factory of empty databases of one kind (SQLite files, or PostgreSQL databases made for the test)."""
    made = []

    def make():
        name = f"test_backup_{uuid.uuid4().hex[:10]}"
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / name}.db"
        if not PG_URL:
            pytest.skip("TRACKER_TEST_PG not set")
        _admin(f'CREATE DATABASE "{name}"')
        made.append(name)
        parts = urlsplit(PG_URL)
        return urlunsplit(parts._replace(path=f"/{name}", query=""))

    yield make
    db.close()
    for name in made:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(sql):
    import psycopg2

    connection = psycopg2.connect(PG_URL)
    connection.autocommit = True
    try:
        connection.cursor().execute(sql)
    finally:
        connection.close()


def project_values(code, official):
    return {
        "code": code,
        "name": f"项目{code}",
        "county": "东城区",
        "kind": "new",
        "project_unit": f"单位{code}",
        "responsible_person": f"责任人{code}",
        "lead_official": official,
        "lead_department": "市发展改革委",
        "total_investment": Decimal("10000.55"),
        "annual_plan_investment": Decimal("5000.25"),
        "start_deadline": dt.date(2027, 6, 30),
    }


def city(url):
    """A database at ``url`` with projects, an office account and a config for filing."""
    bind_database(url)
    create_tables()
    with db.connection_context():
        LeadOfficial.create(name="王建国", email="wang@example.gov.cn")
        User.create(username="office", role="office", password_hash="x")
        for n in range(12):
            save_project(project_values(f"XM-{n:03d}", "王建国"), None, DEFAULTS["milestones"])
    return load_config(overrides={"database": {"url": url}})


def file_weeks(config, codes, stop, errors):
    """An owner's weekly reports, one week after another, each with funds secured, until ``stop``."""
    try:
        with db.connection_context():
            office = User.get(User.username == "office")
            for n, week in enumerate(WEEKS, start=1):
                for code in codes:
                    if stop.is_set():
                        return
                    values = {
                        "status": "started",
                        "investment_completed": Decimal(n * 10) + Decimal("0.25"),
                        "funds": {"special_bonds": Decimal("1.25"), "bank_loans": Decimal(n)},
                        "physical_progress": f"第{n}周",
                        "explanation": "测试",
                    }
                    file_report(Project.get(Project.code == code), week, values, office, config, FILED_AT, True)
    except Exception as e:  # reported by the test, which fails on it
        errors.append(e)


def save_new_projects(stop, errors):
    try:
        with db.connection_context():
            for n in range(10_000):
                if stop.is_set():
                    return
                save_project(project_values(f"NEW-{n:04d}", "王建国"), None, DEFAULTS["milestones"])
    except Exception as e:
        errors.append(e)


def counts():
    with db.connection_context():
        return {model.__name__: model.select().count() for model in MODELS}


def consistency_problems():
    """What would be wrong with a copy not taken at one moment: orphans, totals out of step with reports."""
    problems = []
    with db.connection_context():
        orphans = (
            ProgressReport.select()
            .join(Project, on=(ProgressReport.project == Project.id), join_type=JOIN.LEFT_OUTER)
            .where(Project.id.is_null())
            .count()
        )
        if orphans:
            problems.append(f"{orphans} report(s) of no project")
        reported = {
            (project, source): amount
            for project, source, amount in ReportFunds.select(
                ProgressReport.project, ReportFunds.source, money_sum(ReportFunds.amount)
            )
            .join(ProgressReport)
            .group_by(ProgressReport.project, ReportFunds.source)
            .tuples()
        }
        secured = {
            (project, source): amount
            for project, source, amount in FundsSecured.select(
                FundsSecured.project, FundsSecured.source, FundsSecured.amount
            ).tuples()
            if amount
        }
        if reported != secured:
            problems.append("funds secured differ from the sum of the reports")
    return problems


def live_figures():
    with db.connection_context():
        return figures(Live(WEEKS[-1]))


def test_a_backup_taken_during_writes_restores_a_consistent_database(new_database, tmp_path):
    source = new_database()
    config = city(source)
    stop, errors = threading.Event(), []
    writers = [
        threading.Thread(target=file_weeks, args=(config, [f"XM-{n:03d}" for n in range(k, 12, 3)], stop, errors))
        for k in range(3)
    ] + [threading.Thread(target=save_new_projects, args=(stop, errors))]
    for writer in writers:
        writer.start()
    snapshots = []
    try:
        while counts()["ProgressReport"] < 20:  # the writers are under way
            assert not errors, errors
        for n in range(3):
            before = counts()
            backup(source, tmp_path / f"during-{n}.backup")
            after = counts()
            snapshots.append((before, after, tmp_path / f"during-{n}.backup"))
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert not errors, errors
    assert snapshots[-1][1] != snapshots[0][0], "nothing was written while the backups ran"

    for before, after, path in snapshots:
        target = new_database()
        restore(target, path)
        bind_database(target)
        restored = counts()
        # One moment between the start and the end of the backup: every table between its counts then.
        for table, count in restored.items():
            assert before[table] <= count <= after[table], table
        assert consistency_problems() == []

    # Once the writers have stopped, the copy is the database exactly: every table, every figure.
    bind_database(source)
    expected_counts, expected_figures = counts(), live_figures()
    assert expected_figures["funds_secured_total"] > 0
    backup(source, tmp_path / "quiet.backup")
    target = new_database()
    restore(target, tmp_path / "quiet.backup")
    bind_database(target)
    assert counts() == expected_counts
    assert live_figures() == expected_figures
    assert consistency_problems() == []


def test_restore_refuses_a_database_that_is_not_empty(new_database, tmp_path):
    source = new_database()
    city(source)
    backup(source, tmp_path / "city.backup")
    bind_database(source)
    before = counts()
    with pytest.raises(BackupError, match="不是空的"):
        restore(source, tmp_path / "city.backup")
    bind_database(source)
    assert counts() == before


def test_the_command_line_backs_up_and_restores(new_database, tmp_path):
    source, target = new_database(), new_database()
    city(source)
    db.close()

    def run(url, *args):
        env = {**os.environ, "TRACKER_DATABASE_URL": url}
        command = [sys.executable, "-m", "tracker", *args]
        return subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)

    path = str(tmp_path / "city.backup")
    assert run(source, "backup", path).returncode == 0
    result = run(target, "restore", path)
    assert result.returncode == 0, result.stderr
    again = run(target, "restore", path)
    assert again.returncode != 0 and "只能恢复到空数据库" in again.stderr
    bind_database(target)
    assert counts()["Project"] == 12


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database")
    with pytest.raises(BackupError):
        restore(f"sqlite:///{tmp_path / 'new.db'}", tmp_path / "notes.txt")
