"""The benchmark's data set: a province-sized demo city, loaded once and reused while its marker matches.

The marker records what was loaded (projects, weeks, seed) and how long it took: on SQLite a
JSON file beside the database file, on PostgreSQL the database's comment. A database with
projects and no matching marker is never overwritten, except the benchmark's own SQLite
files under data/, which are loaded again.
"""

import dataclasses
import json
import secrets
import time
from pathlib import Path

from peewee import SqliteDatabase

from tracker.accounts.credentials import hash_password, new_api_token
from tracker.accounts.models import AccountCounty, User
from tracker.audit.log import Actor
from tracker.core.config import PROJECT_ROOT
from tracker.core.db import bind_database, db
from tracker.core.weeks import utc_now
from tracker.demo.loading import load_demo_city
from tracker.projects.models import ProgressReport, Project
from tracker.reports.filing import current_week
from tracker.schema import create_tables

BENCH_USER = "bench-office"
# Who makes the benchmark's tokens, in the audit log; they live a day, each run makes fresh ones.
BENCH_ACTOR = Actor("性能测试")
# The owners' projects the report operation files for: enough that no two connections share one.
REPORT_TARGETS = 2000
# Raised whenever the demo city changes shape, so that a data set loaded before is loaded again.
DATASET_VERSION = 2


class DatasetError(Exception):
    """The database holds something else than the data set asked for."""


@dataclasses.dataclass
class Dataset:
    """What the benchmark needs to know of its database to drive the service."""

    url: str
    marker: dict
    loaded_now: bool
    password: str
    office_token: str
    # A project of the city and its county, for the filtered and single-project requests.
    sample_code: str
    sample_county: str
    # (project code, owner's API token, status, investment completed) of projects an owner may report on.
    report_targets: list
    counts: dict


def default_url(projects, weeks):
    """The benchmark's own SQLite file for ``projects`` × ``weeks``."""
    return f"sqlite:///{PROJECT_ROOT / 'data' / f'bench-{projects}x{weeks}.db'}"


def prepare(config, url, projects, weeks, seed=2026, log=print):
    """Load the data set into ``url`` unless its marker says it is there already; return a Dataset.

    ``config`` is the loaded config.toml (its city, warnings and milestones shape the demo).
    """
    wanted = {"projects": projects, "weeks": weeks, "seed": seed, "version": DATASET_VERSION}
    database = bind_database(url)
    db.connect(reuse_if_open=True)
    try:
        create_tables()
        marker = _read_marker(database, url)
        loaded_now = not marker or {k: marker.get(k) for k in wanted} != wanted
        if loaded_now:
            if Project.select().exists():
                if url != default_url(projects, weeks):
                    raise DatasetError(f"{url} holds other data (marker: {marker}); give an empty database")
                db.close()
                _remove_sqlite_file(url)
                database = bind_database(url)
                db.connect()
                create_tables()
            log(f"loading the data set: {projects} projects × {weeks} weeks into {url} …")
            start, cpu = time.perf_counter(), time.process_time()
            load_demo_city(config, count=projects, seed=seed, weeks=weeks)
            marker = {**wanted, "loaded_at": utc_now().isoformat(timespec="seconds")}
            marker["load_seconds"] = round(time.perf_counter() - start, 1)
            # The loader's own CPU time (SQLite's work included, PostgreSQL's not): what a shared machine does not stretch.
            marker["load_cpu_seconds"] = round(time.process_time() - cpu, 1)
            _write_marker(database, url, marker)
            log(f"loaded in {marker['load_seconds']} s ({marker['load_cpu_seconds']} s of CPU)")
        else:
            log(f"reusing the data set in {url} (loaded {marker['loaded_at']} in {marker['load_seconds']} s)")
        return _accounts(url, marker, loaded_now, config)
    finally:
        db.close()


def _accounts(url, marker, loaded_now, config):
    """The benchmark's office account (a fresh password), its API token, and owners' tokens for reports."""
    password = secrets.token_urlsafe(12)
    with db.atomic():
        user, _ = User.get_or_create(username=BENCH_USER, defaults={"role": "office", "display_name": "性能测试"})
        user.password_hash = hash_password(password)
        user.save()
        office_token, _ = new_api_token(user, "性能测试", 1, BENCH_ACTOR)
        sample = Project.select(Project.code, Project.county).order_by(Project.id.desc()).first()
        targets, tokens = [], {}
        query = (
            Project.select(Project.code, Project.owner, Project.status, Project.investment_completed)
            # Not a county under review: an owner may not change a report its county office accepted.
            .where(
                Project.owner.is_null(False)
                & (Project.archived == False)  # noqa: E712
                & Project.county.not_in(AccountCounty.reviewed())
            )
            .order_by(Project.id)
            .limit(REPORT_TARGETS)
        )
        for code, owner, status, invested in query.tuples():
            if owner not in tokens:
                tokens[owner], _ = new_api_token(User.get_by_id(owner), "性能测试", 1, BENCH_ACTOR)
            targets.append((code, tokens[owner], status, str(invested)))
    counts = {
        "projects": Project.select().count(),
        "reports": ProgressReport.select().count(),
        "week": current_week(config),
    }
    return Dataset(url, marker, loaded_now, password, office_token, sample.code, sample.county, targets, counts)


def count_reports(url, week, bodies):
    """How many of the reports of ``week`` hold one of the ``bodies``' physical_progress texts."""
    texts = [json.loads(body)["physical_progress"] for body in bodies]
    bind_database(url)
    with db.connection_context():
        found = 0
        for start in range(0, len(texts), 500):
            chunk = texts[start : start + 500]
            found += (
                ProgressReport.select()
                .where((ProgressReport.week == week) & ProgressReport.physical_progress.in_(chunk))
                .count()
            )
        return found


def _sqlite_path(url):
    return Path(url[len("sqlite:///") :])


def _marker_file(url):
    return _sqlite_path(url).with_name(_sqlite_path(url).name + ".bench.json")


def _read_marker(database, url):
    if isinstance(database, SqliteDatabase):
        path = _marker_file(url)
        return json.loads(path.read_text()) if path.exists() else None
    comment = database.execute_sql(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
    ).fetchone()[0]
    try:
        return json.loads(comment) if comment else None
    except ValueError:
        return None


def _write_marker(database, url, marker):
    text = json.dumps(marker)
    if isinstance(database, SqliteDatabase):
        _marker_file(url).write_text(text + "\n")
        return
    name = database.execute_sql("SELECT current_database()").fetchone()[0]
    literal = text.replace("'", "''")
    database.execute_sql(f"COMMENT ON DATABASE \"{name}\" IS '{literal}'")


def _remove_sqlite_file(url):
    path = _sqlite_path(url)
    for suffix in ("", "-wal", "-shm", ".bench.json"):
        Path(str(path) + suffix).unlink(missing_ok=True)
