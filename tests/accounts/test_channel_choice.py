"""Who gets what: the office chooses, per lead official and per account, the channels (email, SMS) their
reminders and summaries travel by; each change is in the audit log."""

from pages import account_form, field_errors, post

from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import db


def test_the_office_has_a_lead_official_texted_beside_emailed_and_the_change_is_recorded(
    client, office_session, official, recorded
):
    assert 'name="channels" type="checkbox" value="sms"' in client.get(
        f"/accounts/officials/{official.id}/edit"
    ).get_data(as_text=True)
    data = {"name": official.name, "title": official.title, "email": official.email, "phone": "13800001234"}
    response = post(client, f"/accounts/officials/{official.id}/edit", {**data, "channels": ["email", "sms"]})
    assert response.status_code == 302
    with db.connection_context():
        saved = LeadOfficial.get_by_id(official.id)
    assert (saved.channels, saved.phone) == (["email", "sms"], "13800001234")
    page = client.get("/accounts/officials").get_data(as_text=True)
    assert "邮件、短信" in page and "13800001234" in page
    [(_, _, detail)] = recorded("official_changed")
    assert detail == {"official": official.name, "phone": ["", "13800001234"], "channels": ["邮件", "邮件、短信"]}


def test_sms_without_a_phone_is_a_clear_message_and_changes_nothing(client, office_session, official, recorded):
    data = {"name": official.name, "title": "", "email": official.email, "phone": "", "channels": ["sms"]}
    response = post(client, f"/accounts/officials/{official.id}/edit", data)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "channels") == ["选择短信须填写手机号"]
    with db.connection_context():
        assert LeadOfficial.get_by_id(official.id).channels == ["email"]
    assert recorded("official_changed") == []


def test_a_new_lead_official_is_recorded_with_their_channels(client, office_session, recorded):
    data = {"name": "李明", "title": "副市长", "email": "", "phone": "13800005678", "channels": "sms"}
    assert post(client, "/accounts/officials/new", data).status_code == 302
    [(_, _, detail)] = recorded("official_created")
    assert detail["official"] == "李明" and detail["channels"] == "短信"


def test_an_account_chooses_sms_only_and_the_audit_log_says_so(client, office_session, make_user, recorded):
    owner = make_user("13900001111", "owner", display_name="张三", phone="13900001111")
    form = account_form(role="owner", display_name="张三", phone="13900001111", channels="sms")
    assert post(client, f"/accounts/{owner.id}/edit", form).status_code == 302
    with db.connection_context():
        assert User.get_by_id(owner.id).channels == ["sms"]
    [(_, _, detail)] = recorded("account_changed")
    assert detail["channels"] == ["邮件", "短信"]
