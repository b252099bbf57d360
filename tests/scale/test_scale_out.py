"""Four web workers and two schedulers on one PostgreSQL database, while owners report and the office imports.

Afterwards every report answered 201 is in the database, no email went out twice, and no
request met a 5xx.
"""

import collections
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from sheets import office_book, row, xlsx
from smtp_server import free_port, smtp_server  # noqa: F401 (fixture)

from tracker.core.config import PROJECT_ROOT
from tracker.core.db import bind_database, db
from tracker.cycles.runs import CycleRun
from tracker.mail.outbox import Outbox
from tracker.projects.models import ProgressReport, Project
from tracker.reports.filing import current_week
from tracker.schema import MODELS

OWNERS = 24
IMPORTED = 30
# Each owner files, then corrects, the week's report: two writes to one row from two workers.
FILINGS = 2


@pytest.fixture
def database_url(pg_schema):
    """PostgreSQL only (skipped without TRACKER_TEST_PG): several processes write at once."""
    yield pg_schema
    bind_database(pg_schema)
    tables = ", ".join(f'"{m._meta.table_name}"' for m in MODELS)
    db.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    db.close()


def test_four_workers_and_two_schedulers_lose_nothing_and_send_nothing_twice(
    config,
    make_project,
    make_user,
    token_for,
    smtp_server,  # noqa: F811
    tmp_path,
):
    handler, smtp_port = smtp_server
    projects = [make_project(responsible_email=f"owner{n}@example.gov.cn") for n in range(OWNERS)]
    make_user("office", "office", email="office@example.gov.cn")
    tokens = {p.code: token_for(p.owner) for p in projects}
    sheet = tmp_path / "list.xlsx"
    sheet.write_bytes(xlsx(office_book({"一、工业": [row(f"NEW-{n:03d}") for n in range(IMPORTED)]})).read())
    port = free_port()
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": config["database"]["url"],
        "TRACKER_WEB_WORKERS": "4",
        "TRACKER_WEB_SECRET_KEY": "scale-test",
        "TRACKER_WEB_API_RATE_LIMIT": "100000 per minute",
        "TRACKER_MAIL_BACKEND": "smtp",
        "TRACKER_MAIL_HOST": "127.0.0.1",
        "TRACKER_MAIL_PORT": str(smtp_port),
    }
    db.close()
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = [_start(["tracker", "serve", "--host", "127.0.0.1", "--port", str(port)], env, logs / "web.log")]
    try:
        _wait_for(port)
        processes += [_start(["scheduler"], env, logs / f"scheduler{n}.log") for n in range(2)]
        importing = _start(["tracker", "import-projects", str(sheet)], env, logs / "import.log")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda job: _file(port, *job), _filings(projects, tokens)))
        assert importing.wait(timeout=120) == 0, (logs / "import.log").read_text()
        _wait_for_dispatch(config)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
    statuses = collections.Counter(status for status, _ in answers)
    assert statuses == {201: OWNERS * FILINGS}, (statuses, (logs / "web.log").read_text()[-3000:])
    week = current_week(config)
    with db.connection_context():
        filed = dict(
            ProgressReport.select(Project.code, ProgressReport.physical_progress)
            .join(Project)
            .where(ProgressReport.week == week)
            .tuples()
        )
        assert filed == {p.code: f"第{FILINGS}次填报" for p in projects}
        assert Project.select().where(Project.code.startswith("NEW-")).count() == IMPORTED
        sent = list(Outbox.select(Outbox.run, Outbox.kind, Outbox.recipient).where(Outbox.state == "sent").tuples())
    assert sent, "the schedulers sent nothing: the test proves nothing"
    assert len(sent) == len(set(sent))
    delivered = [(tuple(rcpts), m["Subject"]) for rcpts, m in handler.messages]
    assert len(delivered) == len(set(delivered)) == len(sent)


def _start(module_args, env, log):
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", *module_args], env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT
        )


def _wait_for(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5).close()
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the web workers did not answer on :{port}")


def _filings(projects, tokens):
    for n in range(1, FILINGS + 1):
        for project in projects:
            yield project.code, tokens[project.code], n


def _file(port, code, token, n):
    body = {"status": "started", "investment_completed": 100 * n, "physical_progress": f"第{n}次填报"}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/projects/{code}/reports",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, code
    except urllib.error.HTTPError as e:
        return e.code, code


def _wait_for_dispatch(config, seconds=180):
    """Until the schedulers' catch-up runs are done and their mail delivered."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with db.connection_context():
            runs = list(CycleRun.select(CycleRun.state).tuples())
            pending = Outbox.select().where(Outbox.state.not_in(["sent", "failed"])).count()
        if runs and all(state in ("sent", "failed") for (state,) in runs) and not pending:
            return
        time.sleep(1)
    raise TimeoutError(f"runs {runs}, {pending} emails not yet delivered")
