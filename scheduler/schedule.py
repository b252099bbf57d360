"""The job table (data) and the scheduler built from it.

Correctness lives in the database, not in APScheduler: job stores are memory
only (never shared between schedulers), and a job re-added at start forgets
missed runs, so the reconcile job asks the database what is due and runs it.
The cron jobs only make a cycle start on the dot instead of at the next
reconcile tick.
"""

import datetime as dt
import logging
import zoneinfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.cycles import refresh_states, run_cycle, send_reminders
from tracker.audit.events import SCHEDULER
from tracker.audit.log import Actor, check_all, prune
from tracker.core.db import db
from tracker.core.periods import due_at, latest_due
from tracker.cycles.runs import CYCLES, CycleRun
from tracker.mail.outbox import deliver_due

log = logging.getLogger("scheduler")

DAY_ABBREVIATIONS = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}


def jobs(config):
    """The recurring jobs as data: (id, function, trigger)."""
    sched, tz = config["scheduler"], config["city"]["timezone"]
    day, time_text = sched["weekly"].split()
    hour, minute = time_text.split(":")
    monthly_hour, monthly_minute = sched["monthly"].split(":")
    quarterly_hour, quarterly_minute = sched["quarterly"].split(":")
    return [
        (
            "weekly",
            _cycle_job("weekly"),
            CronTrigger(day_of_week=DAY_ABBREVIATIONS[day], hour=hour, minute=minute, timezone=tz),
        ),
        # The first working day falls within the first ten days whatever the holidays;
        # run_due decides whether today is the day.
        (
            "monthly",
            _cycle_job("monthly"),
            CronTrigger(day="1-10", hour=monthly_hour, minute=monthly_minute, timezone=tz),
        ),
        (
            "quarterly",
            _cycle_job("quarterly"),
            CronTrigger(month="1,4,7,10", day="1-10", hour=quarterly_hour, minute=quarterly_minute, timezone=tz),
        ),
        *[(f"reminder {slot}", _reminder_job, _weekly_trigger(slot, tz)) for slot in config["reporting"]["reminders"]],
        ("reconcile", reconcile, IntervalTrigger(minutes=sched["reconcile_minutes"], timezone=tz)),
        ("audit", keep_audit_log, CronTrigger(hour=AUDIT_HOUR, minute=0, timezone=tz)),
    ]


# The audit log's daily care runs at night, in the city's timezone, away from the 09:00 cycles.
AUDIT_HOUR = 3


def keep_audit_log(config, stop):
    """Once a day: remove the entries older than [audit] keep_days, then check the whole chain (both recorded)."""
    actor = Actor(SCHEDULER)
    with db.connection_context():
        prune(config["audit"]["keep_days"], actor)
        broken = check_all(actor)
    if broken is not None:
        log.error("audit log broken at entry %s: it, or an entry before it, was changed or removed", broken)


def _weekly_trigger(slot, tz):
    """A cron trigger at ``slot`` ("friday 09:00") every week, in the city's timezone."""
    day, time_text = slot.split()
    hour, minute = time_text.split(":")
    return CronTrigger(day_of_week=DAY_ABBREVIATIONS[day], hour=hour, minute=minute, timezone=tz)


def _reminder_job(config, stop):
    send_reminders(config)
    with db.connection_context():
        deliver_due(config, stop=stop)
        refresh_states()


def _cycle_job(cycle):
    def job(config, stop):
        run_due(cycle, config)
        with db.connection_context():
            deliver_due(config, stop=stop)
            refresh_states()

    job.__name__ = f"run_{cycle}"
    return job


def run_due(cycle, config, now=None):
    """Run the latest due period of ``cycle`` if it has no run yet; return the run or None.

    Only the latest period is considered, so a scheduler that was down for
    three weeks runs one weekly dispatch on its return, not three. With
    ``catch_up`` off, a period more than the misfire grace past due is skipped.
    """
    tz = config["city"]["timezone"]
    now = now or dt.datetime.now(zoneinfo.ZoneInfo(tz))
    period = latest_due(cycle, now, config["scheduler"], tz)
    with db.connection_context():
        run = CycleRun.get_or_none(cycle=cycle, period=period)
        if run is not None and run.state != "running":
            return None
        late = now - due_at(cycle, period, config["scheduler"], tz)
        if run is None and not config["scheduler"]["catch_up"] and late > _grace(config):
            log.info("%s %s: missed by %s and catch_up is off: skipped", cycle, period, late)
            return None
        return run_cycle(cycle, period, config)


def reconcile(config, stop):
    """Run whatever is due and has no run (or a dead one), then deliver queued mail."""
    for cycle in CYCLES:
        if stop():
            return
        run_due(cycle, config)
    # A reminder missed while the scheduler was down still goes, if the week is not locked yet.
    send_reminders(config)
    with db.connection_context():
        deliver_due(config, stop=stop)
        refresh_states()


def _grace(config):
    return dt.timedelta(minutes=config["scheduler"]["misfire_grace_minutes"])


def build_scheduler(config, stop):
    """A scheduler with every job of ``jobs``; nothing is built at import time.

    A BackgroundScheduler, so that the main thread is free to wait for SIGTERM.
    """
    scheduler = BackgroundScheduler(timezone=zoneinfo.ZoneInfo(config["city"]["timezone"]))
    grace = int(_grace(config).total_seconds())
    for job_id, func, trigger in jobs(config):
        scheduler.add_job(
            func,
            trigger,
            id=job_id,
            name=job_id,
            args=(config, stop),
            # A tick missed by a short outage still runs once; several missed ticks run once.
            misfire_grace_time=grace,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
    return scheduler
