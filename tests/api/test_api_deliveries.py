"""The outbox over the API: the office sees every message with its state and queues a failed one again, once."""

import datetime as dt

import pytest
from smtp_server import reminder

from tracker.core.db import db
from tracker.cycles.runs import CycleRun
from tracker.mail.outbox import Outbox, claim_one, enqueue


@pytest.fixture
def mailbox(app, config, make_user, token_for):
    """Two reminders of one run, one of them failed."""
    with db.connection_context():
        run = CycleRun.create(
            cycle="reminder", period="2026-W47 friday 09:00", claimed_by="test", lease_until=dt.datetime(2026, 11, 20)
        )
        for address in ("failed@example.gov.cn", "queued@example.gov.cn"):
            enqueue(run, "reminder", address, "收件人", reminder(config, address, "收件人"))
        Outbox.update(state="failed", attempts=5, last_error="SMTPDataError: (550, b'no such user')").where(
            Outbox.recipient == "failed@example.gov.cn"
        ).execute()
        rows = {row.recipient.partition("@")[0]: row.id for row in Outbox.select()}
    return {"office": token_for(make_user("office", "office")), "run": run, **rows}


def states():
    with db.connection_context():
        return sorted((row.recipient, row.state, row.attempts) for row in Outbox.select())


def test_the_office_lists_the_outbox_by_state_and_run(call, mailbox):
    failed = call(mailbox["office"], "GET", "/deliveries", query_string={"state": "failed"}).get_json()
    assert [(d["recipient"], d["last_error"][:13]) for d in failed["items"]] == [
        ("failed@example.gov.cn", "SMTPDataError")
    ]
    by_run = call(mailbox["office"], "GET", "/deliveries", query_string={"run": mailbox["run"].id}).get_json()
    assert by_run["total"] == 2 and by_run["items"][0]["run"]["cycle"] == "reminder"
    assert call(mailbox["office"], "GET", "/deliveries", query_string={"run": 999}).get_json()["total"] == 0


def test_a_failed_message_is_queued_again_once_and_claimed_once(call, mailbox, config):
    resent = call(mailbox["office"], "POST", f"/deliveries/{mailbox['failed']}/resend")
    assert resent.status_code == 200 and (resent.get_json()["state"], resent.get_json()["attempts"]) == ("queued", 0)
    before = states()
    again = call(mailbox["office"], "POST", f"/deliveries/{mailbox['failed']}/resend")
    assert again.status_code == 409 and "已在排队" in again.get_json()["error"]["message"]
    assert states() == before
    with db.connection_context():
        claimed = {claim_one(config, holder="a").recipient, claim_one(config, holder="b").recipient}
        assert claimed == {"failed@example.gov.cn", "queued@example.gov.cn"}
        assert claim_one(config, holder="c") is None


@pytest.mark.parametrize("role", ["leader", "inspector", "owner", "department", "county"])
def test_only_the_office_sees_and_resends_mail(call, mailbox, make_user, token_for, role):
    token = token_for(make_user(role, role))
    before = states()
    assert call(token, "GET", "/deliveries").status_code == 403
    assert call(token, "GET", f"/deliveries/{mailbox['failed']}").status_code == 403
    assert call(token, "POST", f"/deliveries/{mailbox['failed']}/resend").status_code == 403
    assert states() == before


@pytest.mark.parametrize(
    ("method", "path", "query", "status"),
    [
        ("GET", "/deliveries", {"state": "lost"}, 400),
        ("GET", "/deliveries", {"run": "x"}, 400),
        ("GET", "/deliveries/999999", None, 404),
        ("POST", "/deliveries/999999/resend", None, 404),
    ],
)
def test_bad_input_is_refused_in_json(call, mailbox, method, path, query, status):
    before = states()
    response = call(mailbox["office"], method, path, query_string=query)
    assert response.status_code == status and response.get_json()["error"]["status"] == status
    assert states() == before
