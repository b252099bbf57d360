"""Running a cycle by hand: a period that has not ended is refused unless forced."""

import datetime as dt
import os
import subprocess
import sys

import pytest

from tracker.core.config import PROJECT_ROOT
from tracker.core.db import db
from tracker.core.weeks import week_of
from tracker.cycles.runs import CycleRun
from tracker.mail.outbox import Outbox


def run_by_hand(config, tmp_path, *args):
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": config["database"]["url"],
        "TRACKER_MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    return subprocess.run(
        [sys.executable, "-m", "scheduler", "run", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def unreported(conn, make_project):
    """Projects whose owners would get a reminder if the week were dispatched."""
    for n in range(3):
        make_project(code=f"U-{n}", responsible_email=f"u{n}@example.gov.cn")


@pytest.mark.parametrize("period", ["2030-W01", week_of(dt.date.today())])
def test_a_week_that_has_not_ended_is_refused_and_sends_nothing(config, tmp_path, unreported, period):
    result = run_by_hand(config, tmp_path, "weekly", "--period", period)
    assert result.returncode != 0
    assert "尚未结束" in result.stderr and "--force" in result.stderr
    assert CycleRun.select().count() == 0
    assert Outbox.select().count() == 0


def test_a_month_that_has_not_ended_is_refused(config, tmp_path, unreported):
    result = run_by_hand(config, tmp_path, "monthly", "--period", "2030-01")
    assert result.returncode != 0 and "尚未结束" in result.stderr
    assert CycleRun.select().count() == 0


def test_forcing_a_future_week_runs_it_and_records_that_it_was_forced(config, tmp_path, unreported):
    result = run_by_hand(config, tmp_path, "weekly", "--period", "2030-W01", "--force")
    assert result.returncode == 0, result.stderr
    assert "--force" in result.stderr  # the scheduler's log
    db.close()
    with db.connection_context():
        run = CycleRun.get(cycle="weekly", period="2030-W01")
        assert "--force" in run.data["forced"]
        assert Outbox.select().where(Outbox.run == run).count() > 0


def test_a_week_that_has_ended_runs_without_force(config, tmp_path, unreported):
    result = run_by_hand(config, tmp_path, "weekly", "--period", "2026-W01")
    assert result.returncode == 0, result.stderr
    db.close()
    with db.connection_context():
        run = CycleRun.get(cycle="weekly", period="2026-W01")
        assert "forced" not in run.data
