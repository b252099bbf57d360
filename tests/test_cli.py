"""The command line that operators and scripts rely on: python -m tracker ..."""

import os
import subprocess
import sys

from tracker.accounts.credentials import user_for_token
from tracker.core.config import PROJECT_ROOT
from tracker.core.db import db


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
        "create-user",
        "create-token",
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


def test_create_token_prints_a_working_token_as_its_last_word(app, database_url, tmp_path, make_user):
    make_user("robot", "inspector")
    result = run(database_url, tmp_path, "create-token", "robot")
    assert result.returncode == 0, result.stderr
    token = result.stdout.split()[-1]
    with db.connection_context():
        assert user_for_token(token).username == "robot"


def test_create_token_for_an_unknown_account_fails_clearly(app, database_url, tmp_path):
    result = run(database_url, tmp_path, "create-token", "nobody")
    assert result.returncode != 0
    assert "no account named nobody" in result.stderr


def test_load_demo_prints_an_account_per_role(app, database_url, tmp_path):
    result = run(database_url, tmp_path, "load-demo", "--accounts-file", str(tmp_path / "accounts.txt"))
    assert result.returncode == 0, result.stderr
    assert "127 projects" in result.stdout
    for role in ("领导小组办公室", "包抓领导", "项目责任人", "纪委监委"):
        assert role in (tmp_path / "accounts.txt").read_text()
