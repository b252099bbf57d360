"""Overdue letters in the follow-up: the dashboard's overdue figures, the inspector's 督办 page, and the
monthly consultation's email to the office (not to the leaders, who do not see letters)."""

import datetime as dt
import email
import re

import pytest
from letters_city import NDRC, letter_values, town_fixture  # noqa: F401 (fixture)
from reporting import file

from scheduler.cycles import run_cycle
from tracker.cycles.snapshots import take_snapshot
from tracker.letters.handling import register_letter
from tracker.mail.outbox import Outbox


def overdue_on_dashboard(html):
    found = re.search(r'id="letters-overdue".*?overdue=1">(\d+)<', html, re.S)
    return int(found[1]) if found else None


@pytest.mark.parametrize(
    ("role", "shown"),
    [("office", 1), ("inspector", 1), ("department", 1), ("other_department", 0), ("county", 0), ("leader", None)],
)
def test_the_dashboard_counts_the_overdue_letters_within_reach(client, login, town, role, shown):
    login(town[role].username)
    assert overdue_on_dashboard(client.get("/").get_data(as_text=True)) == shown


def test_the_inspectors_follow_up_links_to_the_overdue_letters(client, login, town):
    login("inspector")
    page = client.get("/supervision/").get_data(as_text=True)
    assert "逾期未答复转办件 1 件" in page and "/letters/?overdue=1" in page
    login("office")
    assert "letters-follow-up" not in client.get("/supervision/").get_data(as_text=True)


def body(run, address):
    [row] = Outbox.select().where((Outbox.run == run) & (Outbox.recipient == address))
    message = email.message_from_bytes(bytes(row.message), policy=email.policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_consultation_email_lists_overdue_letters_for_the_office_only(conn, config, make_user, make_project):
    office = make_user("office", "office", email="office@example.gov.cn")
    project = make_project(code="L-1")
    received = {"received_on": dt.date(2026, 10, 20), "transferred_on": dt.date(2026, 10, 21)}
    register_letter(
        letter_values(NDRC, **received), office, 15, dt.date(2026, 10, 21), now=dt.datetime(2026, 10, 21, 2)
    )
    file(config, project, "2026-W47", investment_completed=100)
    take_snapshot("2026-W47", config["warnings"])
    run = run_cycle("monthly", "2026-11", config)
    office_text = body(run, "office@example.gov.cn")
    assert "逾期未答复转办件（截至 2026-11-30，1 件）" in office_text
    assert f"市级：反映{NDRC}承办项目拖欠工程款（{NDRC}，限 2026-11-05）" in office_text
    # The project's lead official (tests/conftest.py's 王建国) gets the consultation without the letters.
    assert "来信来访" not in body(run, "wang@example.gov.cn")
