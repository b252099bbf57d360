"""Planned start and completion as precise as a list states them: a year, a month or a day."""

import datetime as dt

import pytest

from tracker.core.partial_dates import PartialDateError, format_partial_date, format_span, parse_partial_date


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("2023", "2023"),
        ("2023年", "2023"),
        ("2024-10", "2024-10"),
        ("2024-1", "2024-01"),
        ("2024/10", "2024-10"),
        ("2024.10", "2024-10"),
        ("2024年10月", "2024-10"),
        (" 2024年3月 ", "2024-03"),
        ("2024-10-15", "2024-10-15"),
        ("2024年10月15日", "2024-10-15"),
        (dt.date(2024, 10, 15), "2024-10-15"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_date_written_as_lists_write_it_is_stored_as_partial_iso_text(written, stored):
    assert parse_partial_date(written) == stored


@pytest.mark.parametrize("written", ["明年", "2024-13", "2023-02-30", "24-10", "2024年10月下旬"])
def test_what_names_no_date_is_refused_in_chinese(written):
    with pytest.raises(PartialDateError, match="日期"):
        parse_partial_date(written)


@pytest.mark.parametrize(
    ("stored", "shown"), [("2023", "2023年"), ("2024-10", "2024年10月"), ("2024-10-05", "2024年10月5日"), ("", "")]
)
def test_a_stored_partial_date_reads_in_chinese(stored, shown):
    assert format_partial_date(stored) == shown


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [("2023", "2025-10", "2023年—2025年10月"), ("2023", "", "2023年起"), ("", "2025-10", "至2025年10月"), ("", "", "")],
)
def test_the_construction_span_reads_as_one_line(start, end, shown):
    assert format_span(start, end) == shown
