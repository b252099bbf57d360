"""The command line that operators and scripts rely on: python -m tracker ..."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from tracker.accounts.credentials import TokenRefused, user_for_token
from tracker.accounts.models import ApiToken
from tracker.audit.models import AuditEntry
from tracker.core.config import PROJECT_ROOT
from tracker.core.db import db
from tracker.core.weeks import utc_now


def run(database_url, tmp_path, *args, input=None):
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_WEB_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
    }
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        input=input,
        timeout=60,
    )


def test_help_lists_every_command():
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    for command in (
        "serve",
        "init-db",
        "load-demo",
        "import-projects",
        "export-projects",
        "export-oc4ids",
        "create-user",
        "create-token",
        "revoke-token",
    ):
        assert command in result.stdout


def test_created_user_can_log_in(app, client, database_url, tmp_path, login):
    result = run(database_url, tmp_path, "create-user", "zhang", "--role", "office", "--password", "s3cret-pass")
    assert result.returncode == 0, result.stderr
    login("zhang", "s3cret-pass")
    assert client.get("/").status_code == 200


def test_create_user_prompts_for_the_password_when_none_is_given(app, client, database_url, tmp_path, login):
    result = run(database_url, tmp_path, "create-user", "li", "--role", "inspector", input="s3cret-pass\ns3cret-pass\n")
    assert result.returncode == 0, result.stderr
    login("li", "s3cret-pass")


def test_create_token_prints_a_working_token_as_its_last_line_and_its_expiry(app, database_url, tmp_path, make_user):
    make_user("robot", "inspector")
    result = run(database_url, tmp_path, "create-token", "robot", "--name", "周报同步", "--days", "30")
    assert result.returncode == 0, result.stderr
    token = result.stdout.splitlines()[-1]
    with db.connection_context():
        assert user_for_token(token).username == "robot"
        row = ApiToken.get(ApiToken.name == "周报同步")
    assert f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC" in result.stdout
    assert abs(row.expires_at - utc_now() - dt.timedelta(days=30)) < dt.timedelta(minutes=5)
    assert token.startswith(row.prefix) and token not in row.token_hash


def test_create_token_needs_a_name_and_a_validity_within_the_maximum(app, database_url, tmp_path, make_user):
    make_user("robot", "inspector")
    assert run(database_url, tmp_path, "create-token", "robot").returncode != 0
    result = run(database_url, tmp_path, "create-token", "robot", "--name", "x", "--days", "366")
    assert result.returncode != 0 and "at most 365" in result.stderr
    with db.connection_context():
        assert ApiToken.select().count() == 0


def test_revoke_token_by_prefix_or_id_stops_it_and_is_audited(app, database_url, tmp_path, make_user, token_for):
    robot = make_user("robot", "inspector")
    first, second = token_for(robot, "旧脚本"), token_for(robot, "新脚本")
    result = run(database_url, tmp_path, "revoke-token", "--prefix", first[:6])
    assert result.returncode == 0, result.stderr
    with db.connection_context():
        second_id = ApiToken.get(ApiToken.name == "新脚本").id
    assert run(database_url, tmp_path, "revoke-token", "--id", str(second_id)).returncode == 0
    again = run(database_url, tmp_path, "revoke-token", "--id", str(second_id))
    assert again.returncode != 0 and "revoked already" in again.stderr
    with db.connection_context():
        for token in (first, second):
            with pytest.raises(TokenRefused, match="命令行吊销"):
                user_for_token(token)
        revoked = AuditEntry.select().where(AuditEntry.event == "token_revoked").order_by(AuditEntry.id)
        assert [(e.actor, json.loads(e.detail)["name"]) for e in revoked] == [
            ("命令行", "旧脚本"),
            ("命令行", "新脚本"),
        ]


def test_create_token_for_an_unknown_account_fails_clearly(app, database_url, tmp_path):
    result = run(database_url, tmp_path, "create-token", "nobody", "--name", "x")
    assert result.returncode != 0
    assert "no account named nobody" in result.stderr


def test_load_demo_prints_an_account_per_role(app, database_url, tmp_path):
    result = run(database_url, tmp_path, "load-demo", "--accounts-file", str(tmp_path / "accounts.txt"))
    assert result.returncode == 0, result.stderr
    assert "127 projects" in result.stdout
    for role in ("领导小组办公室", "包抓领导", "项目责任人", "纪委监委"):
        assert role in (tmp_path / "accounts.txt").read_text()
