"""Every kind of email reads on a phone: rendered in Chromium at 375 px, none scrolls sideways.

The mail is composed the way the service composes it: the demo city's shape at 40 projects, then
each cycle run for real (reminders, the weekly dispatch, the month, the quarter) and a supervision
order reminded; the HTML part of each queued message is shown with its inline images in place.
Each is kept as a screenshot in test-artifacts/email-<kind>-375.png.
"""

import base64
import datetime as dt
import email
from email import policy

import pytest
import test_browser
from playwright.sync_api import sync_playwright

from scheduler.cycles import run_cycle
from tracker.accounts.models import User
from tracker.core.periods import period_of, previous_period
from tracker.core.weeks import shift_week, week_of
from tracker.demo.loading import load_demo_city
from tracker.mail.outbox import Outbox
from tracker.supervision.models import SupervisionOrder
from tracker.supervision.orders import queue_order_mail, remind_order

pytestmark = pytest.mark.browser

ARTIFACTS, CHROMIUM_ARGS, PHONE = test_browser.ARTIFACTS, test_browser.CHROMIUM_ARGS, test_browser.PHONE
KINDS = (
    "reminder",
    "leader_summary",
    "office_summary",
    "consultation",
    "analysis",
    "supervision_order",
    "supervision_reminder",
)


@pytest.fixture
def mail(conn, config):
    """One queued message of each kind, as {kind: EmailMessage}."""
    load_demo_city(config, count=40, weeks=30)
    today = dt.date.today()
    this_week = week_of(today)
    run_cycle("reminder", f"{this_week} friday 09:00", config)
    run_cycle("weekly", shift_week(this_week, -1), config)
    run_cycle("monthly", previous_period("monthly", period_of("monthly", today)), config)
    run_cycle("quarterly", previous_period("quarterly", period_of("quarterly", today)), config)
    order = SupervisionOrder.select().where(SupervisionOrder.status == "issued").first()
    queue_order_mail(order, config)
    remind_order(order, User.get(username="inspector"), config)
    messages = {}
    for row in Outbox.select().order_by(Outbox.id):
        messages.setdefault(row.kind, email.message_from_bytes(bytes(row.message), policy=policy.default))
    return messages


def html_with_images(message):
    """The HTML part with each cid: image replaced by its PNG as a data: URL, as a mail client shows it."""
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in message.walk():
        if part.get_content_type() == "image/png":
            cid = part["Content-ID"].strip("<>")
            data = base64.b64encode(part.get_content()).decode()
            html = html.replace(f"cid:{cid}", f"data:image/png;base64,{data}")
    return html


def test_every_email_reads_on_a_phone_without_scrolling_sideways(mail):
    assert set(KINDS) <= set(mail)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**PHONE)
            page = context.new_page()
            for kind in KINDS:
                page.set_content(html_with_images(mail[kind]), wait_until="load")
                page.screenshot(path=ARTIFACTS / f"email-{kind.replace('_', '-')}-375.png", full_page=True)
                widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                assert widths[0] <= widths[1], f"the {kind} email scrolls sideways at 375 px: {widths}"
                assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)"), kind
        finally:
            browser.close()
