"""The demo city's special bonds: the first batch's 83 projects (the seed report's figure) and the second batch's applications.

The first batch was listed about half a year ago; most of its money has been issued and
partly spent, a few projects' money is not issued yet, and a few have had theirs for
months without spending it, so the lagging rule 专项债资金闲置 has projects to show.
"""

import datetime as dt
import random
from decimal import Decimal

from tracker.bonds.models import BondApplication, BondBatch, BondEntry, BondSpending
from tracker.projects.models import Project

FIRST_BATCH_PROJECTS = 83  # 已列入国家发改委第一批专项债券清单的83个项目
IDLE = 4  # issued four to six months ago, nothing spent
NOT_ISSUED = 6
APPLICATIONS = {"preparing": 6, "submitted": 10, "approved": 4, "rejected": 2}


def write_bonds(today, seed=2026):
    """The two batches of this year: the first with its entries and spending, the second with applications."""
    rng = random.Random(seed)
    projects = list(Project.select(Project.id).order_by(Project.code).tuples())
    chosen = sorted(rng.sample(projects, min(FIRST_BATCH_PROJECTS, len(projects))))
    first = BondBatch.create(year=today.year, number=1, listed_on=today - dt.timedelta(days=200))
    second = BondBatch.create(year=today.year, number=2)
    entries, spendings = [], []
    for n, (project_id,) in enumerate(chosen):
        amount = Decimal(rng.randrange(5, 120) * 100)
        issued_on = None if n < NOT_ISSUED else today - dt.timedelta(days=rng.randrange(30, 180))
        if NOT_ISSUED <= n < NOT_ISSUED + IDLE:
            issued_on = today - dt.timedelta(days=rng.randrange(120, 180))
        entries.append({"batch": first.id, "project": project_id, "amount": amount, "issued_on": issued_on})
    BondEntry.insert_many(entries).execute()
    for entry in BondEntry.select().where(BondEntry.batch == first).order_by(BondEntry.id)[NOT_ISSUED + IDLE :]:
        spendings += _spendings(rng, entry, today)
    if spendings:
        BondSpending.insert_many(spendings).execute()
    others = [p for p in projects if p not in chosen]
    # A small demo city has every project in the first batch: the second has no one left to apply.
    applicants = rng.sample(others, min(sum(APPLICATIONS.values()), len(others)))
    statuses = [status for status, count in APPLICATIONS.items() for _ in range(count)]
    applications = [
        _application(rng, second, project_id, status, today)
        for (project_id,), status in zip(applicants, statuses, strict=False)
    ]
    if applications:
        BondApplication.insert_many(applications).execute()


def _spendings(rng, entry, today):
    """Two or three spendings between the issue and today, together 30 % to 95 % of the money."""
    days = (today - entry.issued_on).days
    share = Decimal(rng.randrange(30, 96)) / 100
    parts = rng.randrange(2, 4)
    each = (entry.amount * share / parts).quantize(Decimal("0.01"))
    return [
        {
            "entry": entry.id,
            "spent_on": entry.issued_on + dt.timedelta(days=days * (k + 1) // (parts + 1)),
            "amount": each,
            "note": rng.choice(("工程款", "设备采购", "征地拆迁补偿", "材料款")),
        }
        for k in range(parts)
    ]


def _application(rng, batch, project_id, status, today):
    submitted = None if status == "preparing" else today - dt.timedelta(days=rng.randrange(20, 60))
    decided = today - dt.timedelta(days=rng.randrange(1, 15)) if status in ("approved", "rejected") else None
    amount = Decimal(rng.randrange(5, 150) * 100)
    return {
        "batch": batch.id,
        "project": project_id,
        "amount": amount,
        "status": status,
        "submitted_on": submitted,
        "decided_on": decided,
    }
