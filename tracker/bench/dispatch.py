"""The weekly dispatch timed on the benchmark's data set: its wall time and the peak memory of its process.

The issue wants it linear in projects (10,000 projects at most 12 × the time of 1,000) and under
500 MB. The demo leaves the week just ended for the scheduler, so the dispatch closes that week:
it locks its reports, snapshots it, stores its lagging list, draws the charts and queues every
email in the outbox (nothing is delivered). Each measurement first removes that week's run and its
queued mail, so it does the whole work again; the data set is the benchmark's own.

Run in a process of its own (``python -m tracker.bench.dispatch URL``, printing one JSON line), so
that the peak memory is the dispatch's and not the benchmark's.
"""

import json
import resource
import subprocess
import sys
import time

from scheduler.cycles import run_cycle
from tracker.core.config import PROJECT_ROOT, load_config
from tracker.core.db import bind_database, db
from tracker.core.weeks import local_now, shift_week, week_of
from tracker.cycles.runs import CycleRun
from tracker.mail.outbox import Outbox
from tracker.projects.models import Project


def measure(url, config_path=None):
    """Run the weekly dispatch once in a child process; return {"week", "projects", "seconds", "peak_rss_mb", "emails"}."""
    command = [sys.executable, "-m", "tracker.bench.dispatch", url]
    if config_path:
        command.append(config_path)
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(result):
    """The measurement in a line of the README's words."""
    return (
        f"weekly dispatch of {result['week']}: {result['projects']:,} projects in {result['seconds']:.1f} s "
        f"({result['cpu_seconds']:.1f} s of CPU), "
        f"peak memory (maxrss) {result['peak_rss_mb']:.0f} MB, {result['emails']} emails queued"
    )


def _dispatch_once(url, config_path=None):
    config = load_config(config_path)
    bind_database(url)
    with db.connection_context():
        week = shift_week(week_of(local_now(config["city"]["timezone"]).date()), -1)
        with db.atomic():
            runs = CycleRun.select(CycleRun.id).where((CycleRun.cycle == "weekly") & (CycleRun.period == week))
            Outbox.delete().where(Outbox.run.in_(runs)).execute()
            CycleRun.delete().where((CycleRun.cycle == "weekly") & (CycleRun.period == week)).execute()
        projects = Project.select().where(Project.archived == False).count()  # noqa: E712
        started, cpu = time.perf_counter(), time.process_time()
        run = run_cycle("weekly", week, config)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        emails = Outbox.select().where(Outbox.run == run).count()
    # Linux reports ru_maxrss in KiB.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "week": week,
        "projects": projects,
        "seconds": round(seconds, 2),
        # This process's own CPU time (with SQLite, the database's work too): on a machine shared
        # with other work the wall time stretches, this does not.
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mb": round(peak, 1),
        "emails": emails,
    }


if __name__ == "__main__":
    print(json.dumps(_dispatch_once(*sys.argv[1:])))
