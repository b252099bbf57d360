"""Loading the demo city into an empty database, in the order its parts depend on.

127 key projects, 69 started or restarted (54.3 %), 4.7 亿元 (47,000 万元) of funds
secured, about 20 lead officials, 6 counties, 4 industry chains, and weekly report
history for the weeks before today, closed by weekly snapshots. ``count`` scales the same shape to a larger
city; everything is drawn from one seeded random generator, so a seed gives the
same city (relative to today) every time. Rows are written in bulk: a province
of 10,000 projects and years of history loads in minutes, not hours.
"""

import random

from tracker.core.db import db
from tracker.core.weeks import local_now
from tracker.cycles.snapshots import ProjectSnapshot, judge_snapshot
from tracker.demo.bonds import write_bonds
from tracker.demo.bulk import indexes_after, versioned_once
from tracker.demo.city import HEADLINE, City
from tracker.demo.enterprises import write_enterprises
from tracker.demo.follow_up import write_decisions, write_follow_up, write_honours, write_ledger
from tracker.demo.history import HISTORY_TABLES, write_history
from tracker.demo.inspections import write_inspections
from tracker.demo.letters import write_letters
from tracker.demo.photos import write_photos
from tracker.demo.promotion import write_promotion
from tracker.demo.review import write_review
from tracker.projects.lights import light_thresholds, refresh_next_milestones
from tracker.projects.models import Project


class DemoError(Exception):
    """The database is not in a state the demo can load into."""


def load_demo_city(config, count=HEADLINE["projects"], seed=2026, weeks=16, if_empty=False):
    """Fill an empty database with the demo city and return its demo accounts.

    Returns [(role, username, password)], or None when ``if_empty`` and projects
    exist already. Raises DemoError when projects exist and ``if_empty`` is off.
    """
    if count < 1 or weeks < 1:
        raise DemoError("--projects and --weeks must be at least 1")
    if Project.select().exists():
        if if_empty:
            return None
        raise DemoError("the database has projects already: load the demo into an empty database")
    today = local_now(config["city"]["timezone"]).date()
    city = City(random.Random(seed), count, today, weeks, config["milestones"])
    with db.atomic(), versioned_once(HISTORY_TABLES):
        city.write_lists()
        officials = city.write_officials()
        owners = city.write_owners()
        projects = city.write_projects(officials, owners)
        # Past weeks closed as the weekly dispatch would have; the week just ended is
        # left for the scheduler, so a newcomer sees it run on first start.
        write_history(city, projects)
        refresh_next_milestones()
        accounts = city.write_accounts(officials, owners)
        accounts += write_review(city, today)
        # Each week's judging rewrites rows of it: the snapshots' indexes other than their key,
        # which finds the week's rows, are built once after.
        with indexes_after([ProjectSnapshot]):
            for week in city.weeks[:-2]:
                judge_snapshot(week, light_thresholds(config))
    with db.atomic():
        write_bonds(today)
    write_follow_up(config, today)
    write_ledger(today)
    write_honours(config, today)
    write_decisions(config, today)
    write_letters(config, today)
    write_inspections(config, today)
    write_promotion(today)
    write_enterprises(today)
    write_photos(config, next(username for role, username, _ in accounts if role == "owner"))
    # The planner's statistics of the tables just written in bulk: without them PostgreSQL plans an
    # owner's report as if over empty tables (measured: three times slower at 1,000 projects).
    db.execute_sql("ANALYZE")
    return accounts
