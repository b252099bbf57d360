"""Fixtures: a fresh database per test (SQLite, and PostgreSQL when TRACKER_TEST_PG is set),
the app on it, clients logged in per role, and factories for projects and reports."""

import datetime as dt
import os
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from tracker import create_app
from tracker.accounts.credentials import hash_password, new_api_token
from tracker.accounts.models import LeadOfficial, User
from tracker.audit.log import Actor
from tracker.audit.models import AuditEntry
from tracker.core.config import DEFAULTS
from tracker.core.db import bind_database, db
from tracker.projects.models import ListEntry
from tracker.projects.registry import save_project
from tracker.schema import MODELS, guard_audit_log, version_writes

PG_URL = os.environ.get("TRACKER_TEST_PG")
SHELL = Actor("命令行")
# The managed lists of the test city, as a deployment has them: what the tests' forms choose from.
LISTS = {
    "county": ("东城区", "西城区", "南城区", "高新区"),
    "industry_chain": ("化工产业链", "文旅产业链", "商贸物流产业链"),
    "department": ("市发展改革委", "市工信局", "市住建局", "市财政局", "市文旅局", "市交通局"),
}
PASSWORD = "correct horse 42"
# One hash for every test user: scrypt is slow on purpose, tests need not pay it each time.
PASSWORD_HASH = hash_password(PASSWORD)

if os.environ.get("CI") == "true" and not PG_URL:
    raise pytest.UsageError("CI must test PostgreSQL too: set TRACKER_TEST_PG")


@pytest.fixture(scope="session")
def pg_schema():
    """A schema of our own in the PostgreSQL test database, dropped at the end."""
    if not PG_URL:
        pytest.skip("TRACKER_TEST_PG not set")
    schema = f"tracker_test_{uuid.uuid4().hex[:10]}"
    database = bind_database(PG_URL)
    database.execute_sql(f"CREATE SCHEMA {schema}")
    database.close()
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    bind_database(url)
    db.create_tables(MODELS)
    db.close()
    yield url
    database = bind_database(PG_URL)
    database.execute_sql(f"DROP SCHEMA {schema} CASCADE")
    database.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """Each test runs once on SQLite and once on PostgreSQL, on an empty database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    url = request.getfixturevalue("pg_schema")
    yield url
    bind_database(url)
    tables = ", ".join(f'"{m._meta.table_name}"' for m in MODELS)
    db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    db.close()


@pytest.fixture
def sqlite_url(tmp_path):
    """For tests that need only one database (browser, API schema fuzzing)."""
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def overrides_for(url, tmp_path):
    return {
        "database": {"url": url},
        "web": {"secret_key": "test-" + uuid.uuid4().hex, "login_rate_limit": "5 per minute"},
        "mail": {"outbox_dir": str(tmp_path / "outbox")},
        "imports": {"dir": str(tmp_path / "imports")},
        "photos": {"directory": str(tmp_path / "photos")},
    }


@pytest.fixture
def config(database_url, tmp_path):
    from tracker.core.config import load_config

    return load_config(overrides=overrides_for(database_url, tmp_path))


@pytest.fixture
def app(config, tmp_path):
    """The app on the test database, with its tables created."""
    app = create_app(overrides=overrides_for(config["database"]["url"], tmp_path))
    app.config.update(TESTING=True)
    with db.connection_context():
        db.create_tables(MODELS, safe=True)
        guard_audit_log()  # as create_tables() installs it: the database refuses to change the audit log
        version_writes()  # and the triggers that keep the cached figures true
        for kind, names in LISTS.items():
            ListEntry.append(kind, names)
    yield app
    db.close()


@pytest.fixture
def conn(app):
    """An open connection for tests that call the domain layer directly."""
    db.connect(reuse_if_open=True)
    yield db
    db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    def make(username, role, **fields):
        with db.connection_context():
            return User.create(username=username, role=role, password_hash=PASSWORD_HASH, **fields)

    return make


@pytest.fixture
def login(client):
    """Log the test client in as ``username`` (CSRF is on, so the form's token is used)."""

    def log_in(username, password=PASSWORD, c=None):
        c = c or client
        token = csrf_token(c.get("/login").get_data(as_text=True))
        response = c.post("/login", data={"username": username, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return c

    return log_in


@pytest.fixture
def token_for(app):
    """An API token for a user, as `python -m tracker create-token` prints it (valid ``days``, 90 by default)."""

    def make(user, name="测试脚本", days=90):
        with db.connection_context():
            return new_api_token(user, name, days, SHELL)[0]

    return make


@pytest.fixture
def call(client):
    """Call the API with a bearer token: ``call(token, "GET", "/projects", json=...)``."""

    def request(token, method, path, **kwargs):
        return client.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return request


@pytest.fixture
def office_session(make_user, login):
    """The test client logged in as the office."""
    make_user("office", "office")
    return login("office")


def csrf_token(html):
    """The CSRF token of the first form on a page."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def official(app):
    with db.connection_context():
        return LeadOfficial.create(name="王建国", title="副市长", email="wang@example.gov.cn")


@pytest.fixture
def make_project(app, official):
    """Create a project through the registry, as the office would."""
    counter = iter(range(1, 10_000))

    def make(**values):
        n = next(counter)
        fields = {
            "code": f"XM-{n:03d}",
            "name": f"测试项目{n}",
            "county": "东城区",
            "industry_chain": "化工产业链",
            "kind": "new",
            "project_unit": f"测试单位{n}",
            "responsible_person": f"责任人{n}",
            "responsible_phone": f"1390000{n:04d}",
            "responsible_email": "",
            "lead_official": official.name,
            "lead_department": "市发展改革委",
            # With cents, as real lists state them: every test sees that amounts stay exact.
            "total_investment": Decimal("10000.55"),
            "annual_plan_investment": Decimal("5000.25"),
            "start_deadline": dt.date.today() + dt.timedelta(days=200),
        }
        fields.update(values)
        with db.connection_context():
            project = save_project(fields, None, DEFAULTS["milestones"])
            if project.owner:
                project.owner.password_hash = PASSWORD_HASH
                project.owner.save()
        return project

    return make


@pytest.fixture
def recorded(app):
    """The entries of ``event`` (all when None) as (event, actor, detail), oldest first."""

    def entries(event=None):
        with db.connection_context():
            query = AuditEntry.select().order_by(AuditEntry.id)
            if event:
                query = query.where(AuditEntry.event == event)
            return [(e.event, e.actor, e.details) for e in query]

    return entries


@pytest.fixture
def superuser(app):
    """Drop the triggers that keep the audit log append-only, as the database's superuser could."""

    def drop_guards():
        with db.connection_context():
            if isinstance(db.obj, SqliteDatabase):
                db.execute_sql("DROP TRIGGER audit_entry_no_update")
                db.execute_sql("DROP TRIGGER audit_entry_no_early_delete")
            else:
                db.execute_sql("DROP TRIGGER audit_entry_guard ON audit_entry")

    return drop_guards


@pytest.fixture
def site_project(make_project):
    """A project at SITE (tests/pictures.py), for the photo checks to measure against."""
    from pictures import SITE

    return make_project(latitude=SITE[0], longitude=SITE[1])


@pytest.fixture
def report(config, site_project):
    """``site_project``'s report of WEEK (tests/pictures.py), filed by the office."""
    from pictures import WEEK
    from reporting import file

    with db.connection_context():
        return file(config, site_project, WEEK)


@pytest.fixture
def stored_files(config):
    """The files under [photos] directory now, relative to it."""

    def files():
        root = Path(config["photos"]["directory"])
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return files
