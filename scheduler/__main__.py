"""python -m scheduler: run the scheduler, or one cycle by hand.

python -m scheduler                          run until SIGTERM / Ctrl-C
python -m scheduler run weekly [--period 2026-W47]
python -m scheduler run monthly [--period 2026-11]
python -m scheduler run quarterly [--period 2026-Q4]

A period that has not ended yet is refused: running it would send half a
period's reminders and claim the period, so its real run would send nothing.
``--force`` runs it all the same, and says so in the log and on the run.
"""

import logging
import signal
import sys
import threading

import click

from tracker.audit.events import COMMAND_LINE
from tracker.audit.log import Actor, record
from tracker.core.config import ConfigError, load_config
from tracker.core.db import bind_database, db
from tracker.core.periods import PeriodError, just_ended, next_period, period_start
from tracker.core.weeks import local_now
from tracker.cycles import fonts
from tracker.cycles.runs import CYCLES, CycleRun, to_json
from tracker.mail.outbox import deliver_due
from tracker.schema import create_tables

log = logging.getLogger("scheduler")


def _config(config_path):
    try:
        config = load_config(config_path)
        fonts.configure(config)  # the emails' charts: no Chinese font is an error now, not boxes later
    except ConfigError as e:
        raise click.ClickException(f"配置错误: {e}") from e
    bind_database(config["database"]["url"])
    create_tables(config["api"]["token_days"])
    return config


@click.group(invoke_without_command=True)
@click.option("--config", "config_path", envvar="TRACKER_CONFIG", help="config.toml to use")
@click.pass_context
def cli(ctx, config_path):
    """Run the weekly, monthly and quarterly cycles on their schedule (until SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = config_path
    if ctx.invoked_subcommand is None:
        serve(_config(config_path))


def serve(config):
    """Run the jobs until SIGTERM or SIGINT, then let the running job finish and stop."""
    from .schedule import build_scheduler, reconcile

    stopping = threading.Event()
    scheduler = build_scheduler(config, stopping.is_set)

    def stop(signum, frame):
        # Not stopping.set() here: the handler runs on the main thread, which may hold the Event's
        # (non-reentrant) lock inside stopping.wait() just then; set it from a thread of its own.
        threading.Thread(target=stopped_by, args=(signum,)).start()

    def stopped_by(signum):
        log.info("signal %s: finishing the running job, then stopping", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Catch up once at start (run whatever is due), then leave it to the triggers.
    scheduler.add_job(reconcile, args=(config, stopping.is_set), id="start", misfire_grace_time=None)
    scheduler.start()
    log.info("scheduler started")
    # The main thread only waits: a signal can arrive at any moment without racing start().
    stopping.wait()
    scheduler.shutdown(wait=True)
    log.info("scheduler stopped")


@cli.command()
@click.argument("cycle", type=click.Choice(list(CYCLES)))
@click.option("--period", default=None, help="2026-W47 | 2026-11 | 2026-Q4 (default: the period just ended)")
@click.option("--force", is_flag=True, help="run a period that has not ended yet (logged, and recorded on the run)")
@click.pass_obj
def run(config_path, cycle, period, force):
    """Run one cycle for one period by hand; a period already run sends nothing."""
    from scheduler.cycles import refresh_states, run_cycle

    config = _config(config_path)
    today = local_now(config["city"]["timezone"]).date()
    period = period or just_ended(cycle, today)
    try:
        period_start(cycle, period)
    except PeriodError as e:
        raise click.BadParameter(str(e), param_hint="--period") from e
    forced = None
    if not has_ended(cycle, period, today):
        if not force:
            raise click.ClickException(
                f"{cycle} {period} 尚未结束（今天是 {today}）：现在运行会提前发送提醒并占用该周期，"
                "到期时的正式运行将不再发送。确需提前运行请加 --force"
            )
        forced = f"--force: {cycle} {period} run by hand on {today}, before the period ended"
        log.warning(forced)
    with db.connection_context():
        result = run_cycle(cycle, period, config)
        if result is not None and forced:
            result.summary = to_json({**result.data, "forced": forced})
            with db.atomic():
                result.save()
                record("run_forced", Actor(COMMAND_LINE), cycle=cycle, period=period)
    if result is None:
        with db.connection_context():
            existing = CycleRun.get(cycle=cycle, period=period)
        click.echo(f"{cycle} {period} was run already ({existing.state}): nothing sent again")
    with db.connection_context():
        counts = deliver_due(config)
        refresh_states()
        state = CycleRun.get(cycle=cycle, period=period).state
    click.echo(f"{cycle} {period}: {state}; delivered {counts}")


def has_ended(cycle, period, today):
    """Whether ``period`` is over on ``today``: the next period has begun."""
    return period_start(cycle, next_period(cycle, period)) <= today


if __name__ == "__main__":
    sys.exit(cli(prog_name="python -m scheduler"))
