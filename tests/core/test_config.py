"""config.toml: defaults, overrides, and errors that name the key at fault."""

import os
import subprocess
import sys

import pytest

from tracker import load_secret_key
from tracker.core.config import PROJECT_ROOT, ConfigError, load_config


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_is_valid_and_embedded():
    config = load_config(PROJECT_ROOT / "config.toml")
    assert config["database"]["url"] == f"sqlite:///{PROJECT_ROOT / 'data' / 'tracker.db'}"
    assert config["city"]["timezone"] == "Asia/Shanghai"
    assert config["mail"]["backend"] == "outbox"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[web]\nprot = 5000\n", "[web] prot"),
        ("[mail]\nport = 'twenty-five'\n", "[mail] port"),
        ("[reporting]\ncutoff = 'someday'\n", "[reporting] cutoff"),
        ("[city]\ntimezone = 'Mars/Olympus'\n", "[city] timezone"),
        ("[databse]\nurl = 'sqlite:///x.db'\n", "[databse]"),
        ("[database]\nurl = 'mysql://x'\n", "[database] url"),
    ],
)
def test_a_bad_key_stops_start_up_with_a_message_naming_it(tmp_path, text, named):
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_config(write(tmp_path, text))


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    config = load_config(write(tmp_path, "[database]\nurl = 'sqlite:///db/t.db'\n"))
    assert config["database"]["url"] == f"sqlite:///{tmp_path / 'db' / 't.db'}"


def test_environment_overrides_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_WEB_PORT", "8080")
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql://tracker@db/tracker")
    config = load_config(write(tmp_path, "[web]\nport = 5000\n"))
    assert config["web"]["port"] == 8080
    assert config["database"]["url"] == "postgresql://tracker@db/tracker"


def test_tracker_config_names_another_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CONFIG", str(write(tmp_path, "[city]\nname = 'Y市'\n")))
    assert load_config()["city"]["name"] == "Y市"
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="missing.toml"):
        load_config()


def test_the_generated_secret_key_is_kept_across_starts(tmp_path):
    first = load_secret_key(tmp_path / "secret_key")
    assert len(first) >= 64
    assert load_secret_key(tmp_path / "secret_key") == first
    assert oct(os.stat(tmp_path / "secret_key").st_mode)[-3:] == "600"


def test_the_command_line_reports_a_config_error_by_key(tmp_path):
    env = {**os.environ, "TRACKER_CONFIG": str(write(tmp_path, "[web]\nworkers = 0\n"))}
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "init-db"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "[web] workers" in result.stderr
