"""Cents add up exactly wherever a figure is shown: 0.1 + 0.2 over many reports is 0.3 each time, never 0.30000000000000004."""

from decimal import Decimal

from reporting import file

from tracker.core.db import db
from tracker.cycles.analysis import quarterly_analysis
from tracker.cycles.figures import Live, figures
from tracker.cycles.snapshots import Snapshot, WeekTotals, take_snapshot

WEEKS = [f"2026-W{n}" for n in range(40, 50)]
# Per report: the funds of two sources, and investment completed growing by 0.1 a week from 100.1.
FUNDS = {"special_bonds": Decimal("0.10"), "bank_loans": Decimal("0.20")}
PROJECTS = 3
LAST = WEEKS[-1]


def file_many_reports(app, config, make_project):
    with db.connection_context():
        for project in [make_project() for _ in range(PROJECTS)]:
            for n, week in enumerate(WEEKS):
                file(config, project, week, investment_completed=Decimal("100.1") + Decimal("0.1") * n, funds=FUNDS)
        take_snapshot(LAST, config["warnings"])


# 3 projects × 10 weeks × (0.1 + 0.2); 3 × 101.0 completed; 3 × 5000.25 planned (make_project).
FUNDS_TOTAL, BONDS, COMPLETED, PLAN = Decimal("9.00"), Decimal("3.00"), Decimal("303.00"), Decimal("15000.75")


def test_the_live_figures_and_the_weeks_snapshot_add_cents_exactly(app, config, make_project):
    file_many_reports(app, config, make_project)
    with db.connection_context():
        for f in (figures(Live(LAST)), figures(Snapshot(LAST))):
            assert (f["funds_secured_total"], f["funds_secured"]["special_bonds"]) == (FUNDS_TOTAL, BONDS)
            assert (f["investment_completed"], f["annual_plan_investment"]) == (COMPLETED, PLAN)
            assert f["investment_percent"] == 2.0
        totals = WeekTotals.get_by_id(LAST)
        assert (totals.funds_secured, totals.investment_completed) == (FUNDS_TOTAL, COMPLETED)


def test_the_quarterly_analysis_adds_cents_exactly(app, config, make_project):
    file_many_reports(app, config, make_project)
    with db.connection_context():
        analysis = quarterly_analysis("2026-Q4")
    assert analysis["headline"]["current"]["funds_secured_total"] == FUNDS_TOTAL
    by_source = {row["source"]: row["current"] for row in analysis["by_funding_source"]}
    assert (by_source["special_bonds"], by_source["bank_loans"]) == (BONDS, Decimal("6.00"))


def test_the_dashboard_and_the_stats_api_show_the_exact_sums(app, config, make_project, office_session, token_for):
    file_many_reports(app, config, make_project)
    page = office_session.get("/").get_data(as_text=True)
    assert "9万元" in page and "303万元" in page and "1.5亿元" in page
    with db.connection_context():
        from tracker.accounts.models import User

        token = token_for(User.get(User.username == "office"))
    body = office_session.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (body["funds_secured_total"], body["investment_completed"], body["annual_plan_investment"]) == (
        9,
        303,
        15000.75,
    )
    assert body["funds_secured"]["special_bonds"] == 3
