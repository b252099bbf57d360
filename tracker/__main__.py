"""The command line: python -m tracker --help."""

import json
import os
import sys
import time
from pathlib import Path

import click

from tracker.accounts.models import ROLES, LeadOfficial, User
from tracker.audit.events import COMMAND_LINE
from tracker.audit.log import Actor, check_all, last_hash, record
from tracker.core.config import PROJECT_ROOT, ConfigError, load_config
from tracker.core.db import bind_database, db
from tracker.schema import create_tables


def _open(config_path=None, tables=False):
    """The configuration, with its database bound and connected; ``tables``: created or brought up to date first."""
    try:
        config = load_config(config_path)
    except ConfigError as e:
        raise click.ClickException(f"配置错误: {e}") from e
    bind_database(config["database"]["url"])
    db.connect(reuse_if_open=True)
    if tables:
        create_tables(config["api"]["token_days"])
    return config


@click.group()
@click.option("--config", "config_path", envvar="TRACKER_CONFIG", help="config.toml to use")
@click.pass_context
def cli(ctx, config_path):
    """重点项目调度系统 (key-project tracker)."""
    ctx.obj = config_path


@cli.command()
@click.option("--host", default=None, help="address to listen on (config: [web] host)")
@click.option("--port", type=int, default=None, help="port (config: [web] port)")
@click.pass_obj
def serve(config_path, host, port):
    """Serve the web app with gunicorn (the workers of [web] workers)."""
    from tracker import create_app
    from tracker.web.serving import gunicorn_settings, run_gunicorn

    config = _open(config_path, tables=True)
    db.close()
    bind = f"{host or config['web']['host']}:{port or config['web']['port']}"
    click.echo(f"serving on http://{bind}")
    run_gunicorn(lambda: create_app(config_path=config_path, pooled=True), gunicorn_settings(config["web"], bind))


@cli.command("init-db")
@click.pass_obj
def init_db(config_path):
    """Create the tables (safe to run again)."""
    _open(config_path, tables=True)
    click.echo("database ready")


@cli.command("load-demo")
@click.option("--projects", "count", type=int, default=127, show_default=True, help="number of projects")
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--weeks", type=int, default=16, show_default=True, help="weeks of report history")
@click.option("--if-empty", is_flag=True, help="do nothing when projects exist already")
@click.option(
    "--accounts-file",
    type=click.Path(dir_okay=False),
    default=str(PROJECT_ROOT / "data" / "demo-accounts.txt"),
    show_default=True,
    help="where the demo accounts and passwords are kept",
)
@click.pass_obj
def load_demo(config_path, count, seed, weeks, if_empty, accounts_file):
    """Load the demo city into an empty database and print its accounts."""
    from .demo.loading import DemoError, load_demo_city

    config = _open(config_path, tables=True)
    started = time.perf_counter()
    try:
        accounts = load_demo_city(config, count=count, seed=seed, weeks=weeks, if_empty=if_empty)
    except DemoError as e:
        raise click.ClickException(str(e)) from e
    if accounts is None:
        click.echo("projects exist already: demo not loaded")
        return
    lines = [f"{ROLES[role]:<10} user: {username:<12} password: {password}" for role, username, password in accounts]
    Path(accounts_file).parent.mkdir(parents=True, exist_ok=True)
    Path(accounts_file).write_text("\n".join(lines) + "\n")
    os.chmod(accounts_file, 0o600)
    seconds = time.perf_counter() - started
    click.echo(f"demo city loaded: {count} projects, {weeks} weeks of reports in {seconds:.1f} s. Accounts:")
    click.echo("\n".join(lines))


@cli.command("import-projects")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", default=None, help="account recorded as the author of the changes")
@click.option("--dry-run", is_flag=True, help="show what the import would do, write nothing")
@click.pass_obj
def import_projects(config_path, path, username, dry_run):
    """Import a project list (.xlsx) as governments publish it: the preview, then all rows or nothing."""
    from tracker.core.weeks import local_now
    from tracker.projects.sheet_import import SheetError, apply_import, plan_import, read_project_list

    config = _open(config_path, tables=True)
    user = User.get_or_none(User.username == username) if username else None
    try:
        with open(path, "rb") as f:
            plan = plan_import(read_project_list(f), local_now(config["city"]["timezone"]).date())
        click.echo(_preview(plan))
        if dry_run:
            click.echo("dry run: nothing written")
            return
        run = apply_import(plan, user, config, Path(path).name, Actor(COMMAND_LINE))
    except SheetError as e:
        for problem in e.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"nothing imported: {len(e.problems)} problem(s)") from e
    click.echo(f"imported {run.created} new and {run.updated} updated project(s), {run.unchanged} unchanged")


def _preview(plan):
    """The import's plan as the web preview shows it, as text."""
    from tracker.projects.registry import FIELD_LABELS

    lines = []
    for sheet in plan.reading.sheets:
        lines.append(f"《{sheet.name}》 header rows {sheet.header_rows[0]}-{sheet.header_rows[1]}, unit {sheet.unit}")
        lines += [f"  {FIELD_LABELS.get(key, key)} <- {header}" for key, header in sheet.columns.items()]
        for assumed, rows in sheet.monthly_plan.items():
            lines.append(
                f"  分月计划: {rows} rows read as {'cumulative' if assumed == '累计' else 'monthly amounts, added up'}"
            )
        if sheet.ignored_columns:
            lines.append(f"  ignored: {'、'.join(sheet.ignored_columns)}")
        for category, stated, found in sheet.sections:
            lines.append(
                f"  section {category}: {found}" + (f" (stated {stated})" if stated not in (None, found) else "")
            )
    lines += [f"skipped sheet {reason}" for reason in plan.reading.skipped_sheets]
    lines.append(f"new {len(plan.created)}, changed {len(plan.changed)}, unchanged {len(plan.unchanged)}")
    for planned in plan.changed:
        lines.append(f"  changed {planned.project.code} {planned.project.name}")
        lines += [f"    {FIELD_LABELS.get(n, n)}: {old} -> {new}" for n, (old, new) in planned.changes.items()]
    lines += [f"  new {p.values['code']} {p.values['name']}" for p in plan.created]
    incomplete = "，".join(f"{FIELD_LABELS[name]} {count}" for name, count in plan.incomplete.items())
    if incomplete:
        lines.append(f"incomplete after import (missing): {incomplete}")
    lines += [f"warning: {warning}" for warning in plan.warnings]
    return "\n".join(lines)


@cli.command("export-projects")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.pass_obj
def export_projects(config_path, path):
    """Write the active project list to an .xlsx file."""
    from tracker.projects.models import Project
    from tracker.projects.sheet_export import export_project_list

    _open(config_path)
    content = export_project_list(Project.active())
    with open(path, "wb") as f:
        f.write(content)
    click.echo(f"wrote {path}")


@cli.command("export-oc4ids")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.pass_obj
def export_oc4ids(config_path, path):
    """Write the active projects as an OC4IDS 0.9.5 project package (JSON) to FILE, or to stdout for -."""
    from tracker.core.weeks import local_now
    from tracker.oc4ids.package import NothingToPublish, build_package, package_json

    config = _open(config_path)
    try:
        package = build_package(config, local_now(config["city"]["timezone"]).date())
    except NothingToPublish as e:
        raise click.ClickException(str(e)) from e
    text = package_json(package, indent=2) + "\n"
    if path == "-":
        click.echo(text, nl=False)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"cannot write {path}: {e.strerror}") from e
    click.echo(f"wrote {len(package['projects'])} project(s) to {path}")


@cli.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--password", default=None, help="prompted for when not given")
@click.option("--email", default="")
@click.option("--display-name", default="")
@click.option("--official", default=None, help="for a leader: the lead official's name")
@click.pass_obj
def create_user(config_path, name, role, password, email, display_name, official):
    """Create an account, or set the password and role of an existing one."""
    from tracker.accounts.credentials import hash_password

    _open(config_path, tables=True)
    if password is None:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("password must have at least 8 characters")
    lead_official = None
    if official:
        lead_official = LeadOfficial.get_or_none(LeadOfficial.name == official)
        if lead_official is None:
            raise click.ClickException(f"no lead official named {official}")
    with db.atomic():
        user, created = User.get_or_create(username=name, defaults={"role": role})
        old_role = user.role
        user.role, user.password_hash = role, hash_password(password)
        user.email = email or user.email
        user.display_name = display_name or user.display_name
        user.lead_official = lead_official or user.lead_official
        user.save()
        if created:
            record("account_created", Actor(COMMAND_LINE), username=name, role=role)
        else:
            User.end_sessions(user.id)  # a new password from the shell signs the account out everywhere
            record("password_set", Actor(COMMAND_LINE), username=name)
            if old_role != role:
                record("account_changed", Actor(COMMAND_LINE), username=name, role=[old_role, role])
    click.echo(f"{'created' if created else 'updated'} {role} account {name}")


# Who the audit log names for what the command line does.
SHELL = "命令行"


@cli.command("create-token")
@click.argument("username")
@click.option("--name", required=True, help="what the token is for (at most 100 characters), shown in lists")
@click.option(
    "--days", type=click.IntRange(min=1), default=None, help="valid this many days (config: [api] token_days)"
)
@click.pass_obj
def create_token(config_path, username, name, days):
    """Make an API token for the account USERNAME; the token is printed once, as the last line."""
    from tracker.accounts.credentials import new_api_token
    from tracker.accounts.models import ApiToken
    from tracker.audit.log import Actor

    api = _open(config_path)["api"]
    days = days or api["token_days"]
    name = name.strip()
    if not name or len(name) > ApiToken.name.max_length:
        raise click.ClickException(f"--name must have 1 to {ApiToken.name.max_length} characters")
    if days > api["token_max_days"]:
        raise click.ClickException(f"--days must be at most {api['token_max_days']} ([api] token_max_days)")
    user = User.get_or_none(User.username == username)
    if user is None:
        raise click.ClickException(f"no account named {username}")
    token, row = new_api_token(user, name, days, Actor(SHELL))
    click.echo(
        f"API token #{row.id} {row.prefix}… “{name}” for {username}, expires {row.expires_at:%Y-%m-%d %H:%M} UTC"
    )
    click.echo("shown this once only; the token is the next line")
    click.echo(token)


@cli.command("revoke-token")
@click.option(
    "--id",
    "token_id",
    type=click.IntRange(1, 2**31 - 1),
    default=None,
    help="the token's number, as create-token printed it (#12)",
)
@click.option("--prefix", default=None, help="the token's first characters, as the API 令牌 page shows them")
@click.option("--reason", default="命令行吊销", show_default=True, help="shown in the token list and the audit log")
@click.pass_obj
def revoke_token(config_path, token_id, prefix, reason):
    """Revoke an API token, named by --id or --prefix; it stops working at once."""
    from tracker.accounts.credentials import revoke_tokens
    from tracker.accounts.models import ApiToken
    from tracker.audit.log import Actor

    if (token_id is None) == (prefix is None):
        raise click.UsageError("name the token by --id or by --prefix")
    _open(config_path)
    condition = ApiToken.id == token_id if prefix is None else ApiToken.prefix == prefix.strip().rstrip("…")
    matches = list(ApiToken.listed().where(condition))
    if len(matches) != 1:
        found = "; ".join(f"#{t.id} “{t.name}” of {t.user.username}" for t in matches)
        raise click.ClickException(f"{len(matches)} tokens match" + (f": {found}; give --id" if found else ""))
    row = matches[0]
    if not revoke_tokens(ApiToken.id == row.id, Actor(SHELL), reason=reason.strip()):
        raise click.ClickException(f"API token #{row.id} was revoked already")
    click.echo(f"revoked API token #{row.id} {row.prefix}… “{row.name}” of {row.user.username}")


@cli.command("bench")
@click.option("--projects", type=int, default=10_000, show_default=True, help="projects of the demo city")
@click.option("--weeks", type=int, default=260, show_default=True, help="weeks of report history")
@click.option("--database-url", default=None, help="default: sqlite:///data/bench-<projects>x<weeks>.db")
@click.option("--workers", type=int, default=None, help="gunicorn workers (config: [web] workers)")
@click.option("--connections", type=int, default=8, show_default=True, help="concurrent connections")
@click.option("--seconds", type=float, default=10.0, show_default=True, help="length of each measurement")
@click.option("--only", default=None, help="operations to measure, comma-separated (default: all)")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="save the figures here")
@click.option("--dispatch", is_flag=True, help="time the weekly dispatch (and its peak memory) instead of the server")
@click.pass_obj
def bench(config_path, projects, weeks, database_url, workers, connections, seconds, only, json_path, dispatch):
    """Measure the service under gunicorn against a bare endpoint, on a province-sized data set (issue 13)."""
    from tracker.bench.dataset import DatasetError, default_url, prepare
    from tracker.bench.operations import NAMES
    from tracker.bench.run import Options, run, table

    try:
        config = load_config(config_path)
    except ConfigError as e:
        raise click.ClickException(f"配置错误: {e}") from e
    if dispatch:
        from tracker.bench import dispatch as dispatching

        url = database_url or default_url(projects, weeks)
        try:
            prepare(config, url, projects, weeks, log=click.echo)
        except DatasetError as e:
            raise click.ClickException(str(e)) from e
        result = dispatching.measure(url, config_path)
        if json_path:
            Path(json_path).write_text(json.dumps(result, indent=2) + "\n")
        click.echo(dispatching.table(result))
        return
    chosen = tuple(name.strip() for name in only.split(",")) if only else NAMES
    unknown = [name for name in chosen if name not in NAMES]
    if unknown:
        raise click.ClickException(f"unknown operation(s): {', '.join(unknown)}; known: {', '.join(NAMES)}")
    options = Options(projects, weeks, database_url, workers, connections, seconds, chosen, json_path=json_path)
    try:
        results = run(config, options, log=click.echo)
    except DatasetError as e:
        raise click.ClickException(str(e)) from e
    click.echo(table(results))


@cli.command("verify-audit")
@click.pass_obj
def verify_audit(config_path):
    """Check the whole audit log's hash chain; exit 1 naming the first entry that does not hold."""
    _open(config_path)
    create_tables()
    broken = check_all(Actor(COMMAND_LINE))
    if broken is not None:
        click.echo(f"audit log broken at entry {broken}: it, or an entry before it, was changed or removed", err=True)
        sys.exit(1)
    click.echo(f"audit log intact; last hash {last_hash()}")


def _database_url(config_path):
    """The configured database, without connecting to it (a restore must find it as it is)."""
    try:
        return load_config(config_path)["database"]["url"]
    except ConfigError as e:
        raise click.ClickException(f"配置错误: {e}") from e


@cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.pass_obj
def backup_command(config_path, path):
    """Back up the database to FILE while the service runs (SQLite: online backup; PostgreSQL: pg_dump -Fc)."""
    from tracker.core.backup import backup

    _open(config_path)
    chain_end = last_hash()  # the newest entry the backup is sure to hold
    db.close()
    _backup_step(backup, "备份", config_path, path)
    with db.connection_context():
        record("backup_made", Actor(COMMAND_LINE), file=str(Path(path).resolve()), last_hash=chain_end)
    click.echo(f"backed up to {path}")
    click.echo(f"audit log's last hash in the backup: {chain_end} (keep it apart from the database)")


@cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def restore_command(config_path, path):
    """Restore a backup FILE into the configured database, which must be empty."""
    from tracker.core.backup import restore

    _backup_step(restore, "恢复", config_path, path)
    _open(config_path)
    create_tables()  # a backup of an older version gets today's tables, the audit log's among them
    record("backup_restored", Actor(COMMAND_LINE), file=str(Path(path).resolve()))
    click.echo(f"restored {path}")


def _backup_step(step, name, config_path, path):
    """Run ``step`` (backup or restore) on the configured database, its refusal as the command's error."""
    from tracker.core.backup import BackupError

    try:
        step(_database_url(config_path), path)
    except BackupError as e:
        raise click.ClickException(f"{name}失败: {e}") from e


if __name__ == "__main__":
    sys.exit(cli(prog_name="python -m tracker"))
