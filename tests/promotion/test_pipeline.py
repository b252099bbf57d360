"""Leads move through their stages on dated events; a period's counts are those events' in it; a landed
lead becomes a key project once, linked both ways."""

import datetime as dt
from decimal import Decimal

import pytest
from promotion_city import FGW, TODAY, ZJJ, lead_values, leads_fixture, people_fixture, trip_values  # noqa: F401 (fixtures)

from tracker.core.config import DEFAULTS
from tracker.core.periods import PeriodError
from tracker.promotion.figures import department_figures, period_figures, signed_not_landed
from tracker.promotion.models import Lead
from tracker.promotion.periods import period_days, period_title, year_before
from tracker.promotion.pipeline import (
    PromotionError,
    land_lead,
    move_lead,
    record_funds,
    record_visit,
    save_lead,
    save_trip,
)

MILESTONES = DEFAULTS["milestones"]


@pytest.mark.parametrize(
    ("label", "first", "last"),
    [
        ("2026-11", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        ("2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("9999-Q4", dt.date(9999, 10, 1), dt.date(9999, 12, 31)),
    ],
)
def test_a_period_label_names_its_first_and_last_day(label, first, last):
    assert period_days(label) == (first, last)


@pytest.mark.parametrize(
    "label", ["", "2026-Q5", "2026-H3", "2026-13", "26", "0000", "0000-Q1", "２０２６", "2026-q4", None]
)
def test_a_malformed_period_is_refused_saying_what_a_period_looks_like(label):
    with pytest.raises(PeriodError, match="2026-H1"):
        period_days(label)


def test_titles_and_the_same_period_a_year_before():
    assert [period_title(p) for p in ("2026-Q4", "2026-H1", "2026", "2026-11")] == [
        "2026年第4季度",
        "2026年上半年",
        "2026年",
        "2026年11月",
    ]
    assert year_before("2026-H1") == "2025-H1" and year_before("0001") is None


def test_stages_move_forward_only_and_not_before_the_last_one(conn, leads, people):
    signed = leads["signed"]
    with pytest.raises(PromotionError, match="签约"):
        move_lead(signed, "intention", TODAY, people["office"], TODAY)
    with pytest.raises(PromotionError, match="2026-11-20"):
        move_lead(signed, "landed", dt.date(2026, 11, 19), people["office"], TODAY)
    with pytest.raises(PromotionError, match="晚于今天"):
        move_lead(signed, "landed", TODAY + dt.timedelta(days=1), people["office"], TODAY)
    move_lead(signed, "landed", TODAY, people["office"], TODAY)
    assert Lead.get_by_id(signed.id).stage == "landed"


def test_a_periods_counts_are_the_events_dated_in_it_whatever_happened_after(conn, leads, people):
    office = people["office"]
    record_visit(leads["signed"], dt.date(2026, 10, 20), "考察园区", office, TODAY)
    record_funds(leads["signed"], dt.date(2026, 11, 25), Decimal("3000.25"), office, TODAY)
    # Moved on in December: November's figures stay as they were.
    move_lead(leads["signed"], "landed", dt.date(2026, 12, 1), office, TODAY)

    november = period_figures("2026-11", 15)
    assert {
        k: november[k] for k in ("batches", "enterprises_contacted", "visits", "intentions", "signed", "landed")
    } == {
        "batches": 0,
        "enterprises_contacted": 1,
        "visits": 0,
        "intentions": 1,
        "signed": 1,
        "landed": 0,
    }
    assert november["signed_investment"] == Decimal("12000.50") and november["funds_in_place"] == Decimal("3000.25")
    quarter = period_figures("2026-Q4", 15)
    assert (quarter["batches"], quarter["enterprises_contacted"], quarter["visits"], quarter["landed"]) == (1, 2, 1, 1)
    assert quarter["landed_investment"] == Decimal("12000.50")
    assert period_figures("2026-Q3", 15)["enterprises_contacted"] == 0


def test_funds_in_place_are_measured_against_last_years_plus_the_target(conn, leads, people):
    office = people["office"]
    old = save_lead(lead_values(name="去年签约项目"), office, dt.date(2025, 10, 1))
    move_lead(old, "signed", dt.date(2025, 10, 10), office, TODAY)
    record_funds(old, dt.date(2025, 11, 1), Decimal("1000"), office, TODAY)
    record_funds(leads["signed"], dt.date(2026, 11, 25), Decimal("1100"), office, TODAY)

    quarter = period_figures("2026-Q4", 15)
    assert quarter["funds_last_year"] == Decimal("1000.00") and quarter["funds_target"] == Decimal("1150.00")
    assert quarter["funds_percent"] == 95.7 and not quarter["funds_on_target"]
    assert period_figures("2026-Q4", 10)["funds_on_target"]
    assert period_figures("2028-Q4", 15)["funds_percent"] is None  # nothing a year before: no target to meet


def test_departments_are_ranked_by_landed_then_signed_investment(conn, leads, people):
    rows = department_figures("2026-Q4", 15)
    assert [(r["rank"], r["department"], r["signed"], r["enterprises_contacted"]) for r in rows] == [
        (1, FGW, 1, 1),
        (2, ZJJ, 0, 1),
    ]
    move_lead(leads["other"], "landed", dt.date(2026, 12, 2), people["office"], TODAY)
    assert [r["department"] for r in department_figures("2026-Q4", 15)] == [ZJJ, FGW]


def test_funds_arrive_only_for_a_signed_lead(conn, leads, people):
    with pytest.raises(PromotionError, match="签约后"):
        record_funds(leads["other"], dt.date(2026, 11, 25), Decimal("10"), people["office"], TODAY)


def test_signed_leads_not_yet_landed_are_listed_for_the_monthly_follow_up(conn, leads, people):
    assert [lead.name for lead in signed_not_landed(dt.date(2026, 11, 30))] == ["新材料产业园项目"]
    assert list(signed_not_landed(dt.date(2026, 11, 19))) == []
    move_lead(leads["signed"], "landed", dt.date(2026, 12, 1), people["office"], TODAY)
    assert [lead.signed_on for lead in signed_not_landed(dt.date(2026, 11, 30))] == [dt.date(2026, 11, 20)]
    assert list(signed_not_landed(dt.date(2026, 12, 1))) == []


def test_landing_creates_the_project_from_the_lead_links_both_ways_and_refuses_twice(conn, leads, people):
    lead = leads["signed"]
    with pytest.raises(PromotionError, match="落地后"):
        land_lead(lead, people["office"], MILESTONES, TODAY)
    move_lead(lead, "landed", TODAY, people["office"], TODAY)
    project = land_lead(lead, people["office"], MILESTONES, TODAY)

    assert (project.name, project.industry_chain, project.lead_department, project.county) == (
        "新材料产业园项目",
        "化工产业链",
        FGW,
        "东城区",
    )
    assert (project.project_unit, project.total_investment, project.code) == (
        "上海新材料有限公司",
        Decimal("12000.50"),
        "2026-00001",
    )
    assert "lead_official" in project.missing_fields and "start_deadline" in project.missing_fields
    assert Lead.get_by_id(lead.id).project_id == project.id and Lead.of_project(project) == lead
    with pytest.raises(PromotionError, match="已转为重点项目"):
        land_lead(Lead.get_by_id(lead.id), people["office"], MILESTONES, TODAY)


def test_a_lead_without_planned_investment_cannot_become_a_project(conn, people):
    lead = save_lead(lead_values(planned_investment=None), people["office"], dt.date(2026, 11, 1))
    move_lead(lead, "landed", dt.date(2026, 11, 2), people["office"], TODAY)
    with pytest.raises(PromotionError, match="总投资不能为空"):
        land_lead(lead, people["office"], MILESTONES, TODAY)
    assert Lead.get_by_id(lead.id).project_id is None


def test_a_trip_counts_in_the_period_of_its_date(conn, people):
    save_trip(trip_values(trip_date=dt.date(2026, 6, 30)), people["office"])
    save_trip(trip_values(trip_date=dt.date(2026, 7, 1), department=ZJJ), people["office"])
    assert [period_figures(p, 15)["batches"] for p in ("2026-H1", "2026-H2", "2026", "2026-Q3")] == [1, 1, 2, 1]
