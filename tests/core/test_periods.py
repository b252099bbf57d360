"""When each cycle falls due, and which period a run takes by default."""

import datetime as dt
import zoneinfo

import pytest

from tracker.core.config import DEFAULTS
from tracker.core.periods import (
    PeriodError,
    due_at,
    just_ended,
    latest_due,
    next_period,
    period_of,
    period_start,
    previous_period,
)
from tracker.core.weeks import cutoff_text, report_cutoff, week_label

TZ = "Asia/Shanghai"
SCHEDULE = DEFAULTS["scheduler"]


def at(*args):
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(TZ))


@pytest.mark.parametrize(
    ("cycle", "period", "due"),
    [
        ("weekly", "2026-W47", at(2026, 11, 23, 9, 0)),
        # 1 August 2026 is a Saturday: the first working day is Monday 3 August.
        ("monthly", "2026-07", at(2026, 8, 3, 9, 0)),
        ("monthly", "2026-12", at(2027, 1, 1, 9, 0)),
        ("quarterly", "2026-Q3", at(2026, 10, 1, 9, 0)),
    ],
)
def test_each_cycle_falls_due_after_its_period(cycle, period, due):
    assert due_at(cycle, period, SCHEDULE, TZ) == due


def test_holidays_push_the_monthly_meeting_to_the_next_working_day():
    schedule = {**SCHEDULE, "holidays": ["2027-01-01"]}
    assert due_at("monthly", "2026-12", schedule, TZ) == at(2027, 1, 4, 9, 0)


def test_the_latest_due_week_waits_for_monday_nine_oclock():
    assert latest_due("weekly", at(2026, 11, 23, 8, 59), SCHEDULE, TZ) == "2026-W46"
    assert latest_due("weekly", at(2026, 11, 23, 9, 0), SCHEDULE, TZ) == "2026-W47"


def test_the_latest_due_quarter_after_a_long_outage_is_only_the_last_one():
    assert latest_due("quarterly", at(2026, 11, 23, 12, 0), SCHEDULE, TZ) == "2026-Q3"
    assert latest_due("monthly", at(2026, 11, 23, 12, 0), SCHEDULE, TZ) == "2026-10"


def test_a_manual_run_takes_the_period_just_ended_by_default():
    today = dt.date(2026, 11, 23)
    assert [just_ended(c, today) for c in ("weekly", "monthly", "quarterly")] == ["2026-W47", "2026-10", "2026-Q3"]


def test_a_date_falls_in_its_quarter():
    assert period_of("quarterly", dt.date(2026, 11, 23)) == "2026-Q4"
    assert period_of("quarterly", dt.date(2026, 1, 1)) == "2026-Q1"
    assert period_of("quarterly", dt.date(2026, 9, 30)) == "2026-Q3"


def test_periods_step_across_year_ends():
    assert next_period("weekly", "2026-W53") == "2027-W01"
    assert next_period("monthly", "2026-12") == "2027-01"
    assert previous_period("quarterly", "2027-Q1") == "2026-Q4"


@pytest.mark.parametrize(("cycle", "period"), [("weekly", "2026-47"), ("monthly", "2026-13"), ("quarterly", "2026-Q5")])
def test_a_malformed_period_is_refused_with_the_expected_form(cycle, period):
    with pytest.raises(PeriodError):
        period_start(cycle, period)


@pytest.mark.parametrize("week", ["2026-W10\n", "２０２６-W10", "2026-W1", "2026-W54"])
def test_a_week_label_must_be_exactly_ascii_year_w_two_digits(week):
    from tracker.core.weeks import WeekError, week_monday

    with pytest.raises(WeekError):
        week_monday(week)


def test_a_week_reads_as_its_number_and_its_days():
    assert week_label("2026-W49") == "第49周（11月30日—12月6日）"
    assert week_label("2026-W53") == "第53周（12月28日—1月3日）"
    assert week_label("") == ""


def test_owners_read_the_cutoff_and_the_time_left():
    cutoff = report_cutoff("2026-W49", "monday 09:00", "Asia/Shanghai")
    friday = cutoff - dt.timedelta(days=2, hours=21, minutes=30)
    assert cutoff_text(cutoff, friday) == "填报截止：12月7日（周一）09:00，还剩 2天21小时"
    assert cutoff_text(cutoff, cutoff - dt.timedelta(minutes=40)) == "填报截止：12月7日（周一）09:00，还剩 40分钟"
    assert cutoff_text(cutoff, cutoff) == "填报截止：12月7日（周一）09:00，已截止"
