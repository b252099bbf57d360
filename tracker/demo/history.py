"""The demo city's weekly history: every project's reports up to this week, and the funds they secured."""

import datetime as dt
from decimal import Decimal

from tracker.core.money import to_money
from tracker.core.weeks import week_monday
from tracker.demo.city import BATCH, HEADLINE, PROBLEMS, building_status, chunks, in_wan
from tracker.projects.models import FundsSecured, ProgressReport, ReportFunds

FUND_WEIGHTS = {
    "central_budget": 15,
    "provincial": 10,
    "special_bonds": 30,
    "bank_loans": 20,
    "self_raised": 20,
    "other": 5,
}


def write_history(city, ids):
    """Every week's report, with investment growing from the start week to today's figure.

    Written a batch of projects at a time, so a province with years of
    history never sits in memory whole. The funds are shared out over the
    projects first, so each batch knows its part of the exact total.
    """
    cents = round(HEADLINE["funds"] * 100 * city.count / HEADLINE["projects"])
    funds_of = _split(cents, [city.rng.random() for _ in city.plan])
    per_batch = max(1, BATCH // len(city.weeks))
    for start in range(0, len(city.plan), per_batch):
        batch = list(zip(city.plan[start : start + per_batch], funds_of[start : start + per_batch], strict=True))
        reports = [r for p, _ in batch for r in _reports(city, p, ids[p["code"]])]
        for chunk in chunks(reports):
            ProgressReport.insert_many(chunk).execute()
        project_ids = [ids[p["code"]] for p, _ in batch]
        report_ids = {}
        for rid, project in (
            ProgressReport.select(ProgressReport.id, ProgressReport.project)
            .where(ProgressReport.project.in_(project_ids))
            .tuples()
        ):
            report_ids.setdefault(project, []).append(rid)
        lines = [line for p, cents in batch for line in _funds(city, report_ids[ids[p["code"]]], cents)]
        for chunk in chunks(lines):
            ReportFunds.insert_many(chunk).execute()
        _write_funds_secured(lines, report_ids)


def _reports(city, p, project_id):
    """The rows of one project's weekly reports, less the weeks it did not report.

    Its last report carries the figures the project row shows (city.write_projects), so a
    project's page and its newest report say the same.
    """
    last = city.last_reported(p)
    for index, week in enumerate(city.weeks[: last + 1]):
        # Before the last report a few weeks were missed (never the first, so every project
        # has a report to carry its funds).
        if 0 < index < last and city.rng.random() < 0.03:
            continue
        yield _report(city, p, project_id, index, week, last)


def _write_funds_secured(lines, report_ids):
    """Each project's cumulative funds by source (争取到位资金), summed from its report lines in memory."""
    project_of = {rid: project for project, rids in report_ids.items() for rid in rids}
    totals = {}
    for line in lines:
        key = (project_of[line["report"]], line["source"])
        totals[key] = totals.get(key, 0) + line["amount"]
    rows = [{"project": p, "source": s, "amount": a} for (p, s), a in totals.items()]
    for chunk in chunks(rows):
        FundsSecured.insert_many(chunk).execute()


def _report(city, p, project_id, index, week, last):
    started = p["start_week"] is not None and index >= p["start_week"]
    if started:
        # Investment keeps the project's pace with the year, reaching today's figure in its last report.
        elapsed = (
            Decimal(_report_day(city, week).timetuple().tm_yday)
            / _report_day(city, city.weeks[last]).timetuple().tm_yday
        )
        invested = min(p["investment_completed"], to_money(p["investment_completed"] * elapsed))
        # Completed only in the last report; before that it was being built.
        status = p["status"] if index == last else building_status(p)
    else:
        invested, status = 0, p["status"] if p["start_week"] is None else "not_started"
    # Filed on the week's Friday morning, or just now when that Friday has not come yet.
    submitted = min(dt.datetime.combine(week_monday(week) + dt.timedelta(days=4), dt.time(8, 30)), city.now)
    return {
        "project": project_id,
        "week": week,
        "status": status,
        "investment_completed": invested,
        "physical_progress": city.progress(p, index),
        "problems": city.rng.choice(PROBLEMS),
        "next_week_plan": "继续推进主体施工" if started else "加快办理前期手续",
        "submitted_at": submitted,
        "updated_at": submitted,
    }


def _report_day(city, week):
    """The day a week's figures stand for: its Sunday, or today for the week under way."""
    return min(week_monday(week) + dt.timedelta(days=6), city.today)


def _funds(city, report_ids, cents):
    """A project's share of the funds (in cents of 万元), spread over about a third of its reports."""
    chosen = [rid for rid in sorted(report_ids) if city.rng.random() < 0.35] or [min(report_ids)]
    sources, source_weights = list(FUND_WEIGHTS), list(FUND_WEIGHTS.values())
    lines = {}
    for rid, part in zip(chosen, _split(cents, [city.rng.random() for _ in chosen]), strict=True):
        if part:
            source = city.rng.choices(sources, source_weights)[0]
            lines[(rid, source)] = lines.get((rid, source), 0) + part
    return [{"report": rid, "source": source, "amount": in_wan(part)} for (rid, source), part in lines.items()]


def _split(total, weights):
    """Integers proportional to ``weights`` that add up to exactly ``total``."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts
