"""Measure the tracker at province scale and print the figures.

    .venv/bin/python scripts/benchmark.py                      # 10,000 projects, 5 years, temporary SQLite
    .venv/bin/python scripts/benchmark.py --projects 2000 --weeks 52
    .venv/bin/python scripts/benchmark.py --database-url postgresql://postgres@127.0.0.1:5432/bench
    .venv/bin/python scripts/benchmark.py --database-url sqlite:////tmp/big.db   # reuses a loaded database

Each page is requested through the real app (test client, logged in as the
office) several times; the median and the slowest are printed. Nothing here
asserts a limit: the numbers are for people to read and compare.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app  # noqa: E402
from tracker.accounts.credentials import hash_password  # noqa: E402
from tracker.accounts.models import User  # noqa: E402
from tracker.core.db import db  # noqa: E402
from tracker.core.weeks import shift_week, week_monday  # noqa: E402
from tracker.cycles.snapshots import take_snapshot  # noqa: E402
from tracker.demo.loading import load_demo_city  # noqa: E402
from tracker.projects.models import ProgressReport, Project  # noqa: E402
from tracker.reports.filing import current_week  # noqa: E402
from tracker.schema import create_tables  # noqa: E402

PASSWORD = "benchmark-password"


def timed(fn, repeat):
    """Run ``fn`` ``repeat`` times; return (median, slowest) in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def prepare(app, args):
    config = app.config["TRACKER"]
    create_tables()
    with db.connection_context():
        if not Project.select().exists():
            start = time.perf_counter()
            load_demo_city(config, count=args.projects, weeks=args.weeks)
            print(f"load-demo {args.projects} projects x {args.weeks} weeks: {time.perf_counter() - start:.1f} s")
        user, _ = User.get_or_create(username="benchmark", defaults={"role": "office"})
        user.password_hash = hash_password(PASSWORD)
        user.save()
        print(f"projects: {Project.select().count():,}  reports: {ProgressReport.select().count():,}")
        return Project.select(Project.code, Project.county).order_by(Project.id.desc()).first()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(
        overrides={"database": {"url": url}, "web": {"secret_key": "benchmark", "login_rate_limit": "1000 per minute"}}
    )
    sample = prepare(app, args)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"username": "benchmark", "password": PASSWORD, "csrf_token": token})
    week = current_week(app.config["TRACKER"])
    pages = {
        "dashboard /": "/",
        "dashboard, one county": f"/?county={sample.county}",
        "battle map /board": "/board",
        "battle map, red only": "/board?light=red",
        "project list /projects": "/projects/",
        "project list, page 100": "/projects/?page=100",
        "unreported this week": "/projects/?unreported=1",
        "project page": f"/projects/{sample.code}",
        "restart-rate chart": "/charts/restart_rate.png",
        "API stats": "/api/v1/stats",
        "lagging list /lagging": "/lagging/",
        "lagging list, a past day": f"/lagging/?date={week_monday(shift_week(week, -20))}",
        "problem ledger /problems": "/problems/",
    }
    print(f"\n{'request':<28}{'median ms':>12}{'slowest ms':>12}  status")
    for label, path in pages.items():
        status = client.get(path).status_code
        median, slowest = timed(lambda path=path: client.get(path), args.repeat)
        print(f"{label:<28}{median:>12.0f}{slowest:>12.0f}  {status}")
    with app.app_context(), db.connection_context():
        median, slowest = timed(lambda: take_snapshot(shift_week(week, -1), app.config["TRACKER"]["warnings"]), 2)
    print(f"{'weekly snapshot':<28}{median:>12.0f}{slowest:>12.0f}")


if __name__ == "__main__":
    main()
