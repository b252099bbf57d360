"""Backing up the database while the service runs, and restoring a backup into an empty database.

SQLite: the online backup API copies every page in one step inside one read
transaction, so the copy is the database as of one moment, whatever writers do
meanwhile (under WAL they are not even held up). PostgreSQL: ``pg_dump -Fc``,
which reads in one repeatable-read snapshot, and ``pg_restore``.

A restore only goes into an empty database: overwriting live data is a
decision for a person with ``rm`` or ``dropdb``, not for this command.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


class BackupError(Exception):
    """A backup or restore could not be made; the message says why, for the operator."""


def backup(url, path):
    """Write a consistent backup of the database at ``url`` to ``path`` (replaced only when complete)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"目录不存在: {path.parent}")
    # Written beside the target, then renamed: an existing backup is only replaced by a whole one.
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        if _is_sqlite(url):
            _sqlite_backup(sqlite_path(url), partial)
        else:
            _pg_dump(url, partial)
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)


def restore(url, path):
    """Restore the backup at ``path`` into the database at ``url``, which must be empty (no tables)."""
    if not Path(path).is_file():
        raise BackupError(f"备份文件不存在: {path}")
    if _is_sqlite(url):
        _sqlite_restore(path, sqlite_path(url))
    else:
        _pg_restore(url, path)


def sqlite_path(url):
    """The file of a sqlite:/// URL, as the app opens it."""
    path = url[len("sqlite:///") :]
    if path in ("", ":memory:"):
        raise BackupError("内存数据库无法备份或恢复")
    return Path(path)


def _is_sqlite(url):
    return url.startswith("sqlite:///")


# SQLite ----------------------------------------------------------------------


def _sqlite_backup(source_path, target_path):
    if not source_path.is_file():
        raise BackupError(f"数据库文件不存在: {source_path}")
    # Read-only: a backup never creates or changes the database it copies.
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(target_path)
    try:
        # pages=-1 (the default): every page in one step, one read transaction, one moment.
        source.backup(target)
        # One self-contained file: no -wal beside it to forget when copying it elsewhere.
        target.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(target, target_path)
    finally:
        target.close()
        source.close()


def _sqlite_restore(backup_path, target_path):
    try:
        backup = sqlite3.connect(f"{Path(backup_path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            _check_sqlite(backup, backup_path)
        finally:
            backup.close()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{backup_path} 不是 SQLite 备份文件: {e}") from e
    target_path.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        # The write lock first, so no one creates a table between the check and the copy.
        target.execute("BEGIN IMMEDIATE")
        tables = _sqlite_tables(target)
        target.execute("ROLLBACK")
        if tables:
            raise BackupError(
                f"目标数据库 {target_path} 不是空的（已有 {len(tables)} 张表）：只能恢复到空数据库。"
                "请换一个新文件，或确认后移走该文件"
            )
        source = sqlite3.connect(backup_path)
        try:
            source.backup(target)
        finally:
            source.close()
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()


def _sqlite_tables(connection):
    return [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


def _check_sqlite(connection, path):
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} 校验失败: {result}")
    if not _sqlite_tables(connection):
        raise BackupError(f"{path} 中没有任何表")


# PostgreSQL ------------------------------------------------------------------

# What a URL's query may hold besides libpq's own keys: peewee's pool options.
_POOL_OPTIONS = {"max_connections", "stale_timeout", "timeout"}


def libpq_params(url):
    """The connection keywords of a postgresql:// URL (peewee's pool options left out)."""
    parts = urlsplit(url)
    params = {
        "host": parts.hostname,
        "port": parts.port,
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "dbname": unquote(parts.path.lstrip("/")) or None,
    }
    params.update((key, value) for key, value in parse_qsl(parts.query) if key not in _POOL_OPTIONS)
    return {key: str(value) for key, value in params.items() if value is not None}


# The libpq environment variables of the keywords a URL holds: the password stays out of `ps`.
_PG_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "options": "PGOPTIONS",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}


def _pg_env(url):
    params = libpq_params(url)
    unknown = set(params) - set(_PG_ENV)
    if unknown:
        raise BackupError(f"数据库地址中的参数无法传给 pg_dump/pg_restore: {', '.join(sorted(unknown))}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({_PG_ENV[key]: value for key, value in params.items()})
    return env


def _pg_tool(name, args, url):
    if shutil.which(name) is None:
        raise BackupError(f"找不到 {name}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端")
    result = subprocess.run([name, *args], env=_pg_env(url), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{name} 失败: {result.stderr.strip()}")


def _pg_dump(url, path):
    _pg_tool("pg_dump", ["--format=custom", f"--file={path}"], url)


def _pg_restore(url, path):
    import psycopg2

    params = libpq_params(url)
    try:
        with psycopg2.connect(**params) as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            )
            (tables,) = cursor.fetchone()
        connection.close()
    except psycopg2.Error as e:
        raise BackupError(f"无法连接目标数据库: {e}") from e
    if tables:
        raise BackupError(
            f"目标数据库 {params.get('dbname', '')} 不是空的（已有 {tables} 张表）：只能恢复到空数据库。"
            "请先 createdb 一个新库并在配置中指向它"
        )
    # One transaction: a restore that fails leaves the database empty, to be tried again.
    if "dbname" not in params:
        raise BackupError("数据库地址中没有库名")
    # --dbname takes a connection string: the name is given as one, so no name is read as such.
    target = "dbname='{}'".format(params["dbname"].replace("\\", "\\\\").replace("'", "\\'"))
    _pg_tool(
        "pg_restore", ["--exit-on-error", "--single-transaction", "--no-owner", f"--dbname={target}", str(path)], url
    )
