"""Accounts, passwords and lead officials as the office keeps them; logging in."""

import pytest
from conftest import PASSWORD, csrf_token
from pages import account_form, field_errors, post, project_form

from tracker.accounts.models import LeadOfficial, User
from tracker.core.db import db

NEW_PASSWORD = "site-office-2026"


def log_in(client, username, password):
    """Try to log in; return the response (the login fixture insists on success)."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def account(username):
    with db.connection_context():
        return User.get_or_none(User.username == username)


@pytest.fixture
def people(make_user, make_project):
    """One account of each role besides the office, and the office's own."""
    make_user("office", "office")
    make_user("leader", "leader")
    make_user("inspector", "inspector")
    return {"owner": make_project().responsible_phone, "target": make_user("target", "leader").id}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/accounts/"),
        ("GET", "/accounts/new"),
        ("GET", "/accounts/{target}/edit"),
        ("GET", "/accounts/{target}/password"),
        ("POST", "/accounts/{target}/deactivate"),
        ("GET", "/accounts/officials"),
        ("GET", "/accounts/officials/new"),
    ],
)
@pytest.mark.parametrize("role", ["office", "leader", "inspector", "owner"])
def test_only_the_office_manages_accounts(client, login, people, role, method, path):
    login(people.get(role, role))
    path = path.format(target=people["target"])
    response = client.get(path) if method == "GET" else post(client, path)
    assert response.status_code == ((302 if method == "POST" else 200) if role == "office" else 403)


def test_visitors_who_are_not_logged_in_are_sent_to_the_login_page(client):
    response = client.get("/accounts/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deactivating_needs_a_post_with_the_csrf_token(client, office_session, make_user):
    target = make_user("target", "leader")
    assert client.get(f"/accounts/{target.id}/deactivate").status_code == 405
    assert client.post(f"/accounts/{target.id}/deactivate").status_code == 400
    assert account("target").active


def test_the_list_shows_role_lead_official_and_whether_a_password_is_set(client, office_session, make_project):
    phone = make_project().responsible_phone
    with db.connection_context():
        User.update(password_hash=None).where(User.username == phone).execute()
    page = client.get(f"/accounts/?q={phone}").get_data(as_text=True)
    row = page[page.index(f'data-username="{phone}"') :].split("</tr>")[0]
    assert "项目责任人" in row and "未设置" in row and "启用" in row


def test_the_office_creates_a_leader_account_linked_to_a_lead_official(client, office_session, official):
    data = account_form(username="wang", lead_official=str(official.id), password=NEW_PASSWORD)
    response = post(client, "/accounts/new", data)
    assert response.status_code == 302
    assert account("wang").lead_official_id == official.id
    assert log_in(client, "wang", NEW_PASSWORD).status_code == 302


def test_a_login_name_already_taken_is_a_clear_message(client, office_session):
    response = post(client, "/accounts/new", account_form(username="office"))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "username") == ["登录名 office 已被使用"]


def test_setting_a_password_lets_an_owner_log_in_and_reach_the_dashboard(client, office_session, official):
    post(client, "/projects/new", project_form(responsible_phone="13812345678"))
    owner = account("13812345678")
    assert log_in(client, "13812345678", NEW_PASSWORD).status_code == 401  # created without a password
    client.get("/")  # the failed attempt did not log the office out
    path = f"/accounts/{owner.id}/password"
    assert post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    post(client, "/logout")
    assert log_in(client, "13812345678", NEW_PASSWORD).status_code == 302
    dashboard = client.get("/").get_data(as_text=True)
    assert "开复工率" in dashboard and 'data-figure="numerator">0</a>' in dashboard


def test_a_password_shorter_than_10_characters_is_refused(client, office_session, make_user):
    target = make_user("target", "leader")
    response = post(client, f"/accounts/{target.id}/password", {"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "password") == ["密码至少 10 位"]
    assert log_in(client, "target", PASSWORD).status_code == 302  # the old one still works


def test_a_deactivated_account_can_no_longer_log_in(client, office_session, make_user):
    target = make_user("target", "leader")
    assert post(client, f"/accounts/{target.id}/deactivate").status_code == 302
    assert log_in(client, "target", PASSWORD).status_code == 401


def test_a_reactivated_account_can_log_in_again(client, office_session, make_user):
    target = make_user("target", "leader", active=False)
    post(client, f"/accounts/{target.id}/activate")
    assert log_in(client, "target", PASSWORD).status_code == 302


def test_the_office_cannot_deactivate_its_own_account(client, office_session):
    me = account("office")
    response = post(client, f"/accounts/{me.id}/deactivate")
    assert "不能停用自己的账号" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert account("office").active


def test_the_office_cannot_take_away_its_own_office_role(client, office_session):
    me = account("office")
    response = post(client, f"/accounts/{me.id}/edit", account_form(role="leader"))
    assert response.status_code == 422 and account("office").role == "office"
    assert field_errors(response.get_data(as_text=True), "role") == ["不能取消自己的办公室角色，否则将无法再管理账号"]


def test_editing_an_account_changes_its_role_and_lead_official(client, office_session, make_user, official):
    target = make_user("target", "inspector")
    data = account_form(display_name="李明", lead_official=str(official.id))
    assert post(client, f"/accounts/{target.id}/edit", data).status_code == 302
    saved = account("target")
    assert (saved.display_name, saved.role, saved.lead_official_id) == ("李明", "leader", official.id)


def test_repeated_failed_logins_get_429(client, make_user):
    make_user("target", "leader")
    statuses = [log_in(client, "target", "wrong password").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


def test_the_office_adds_a_lead_official(client, office_session):
    data = {"name": "李明", "title": "副市长", "email": "li@example.gov.cn"}
    assert post(client, "/accounts/officials/new", data).status_code == 302
    assert 'data-name="李明"' in client.get("/accounts/officials").get_data(as_text=True)
    with db.connection_context():
        assert LeadOfficial.get(LeadOfficial.name == "李明").email == "li@example.gov.cn"


def test_the_office_edits_a_lead_officials_email(client, office_session, official):
    data = {"name": official.name, "title": official.title, "email": "new@example.gov.cn"}
    assert post(client, f"/accounts/officials/{official.id}/edit", data).status_code == 302
    with db.connection_context():
        assert LeadOfficial.get_by_id(official.id).email == "new@example.gov.cn"


@pytest.mark.parametrize("path", ["/accounts/officials/new", "/accounts/officials/{other}/edit"])
def test_a_lead_official_name_already_listed_is_a_clear_message(client, office_session, official, path):
    with db.connection_context():
        other = LeadOfficial.create(name="李明")
    response = post(client, path.format(other=other.id), {"name": official.name, "title": "", "email": ""})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "name") == [f"包抓领导“{official.name}”已在名单中"]


def test_the_officials_list_counts_their_active_projects(client, office_session, make_project):
    make_project()
    make_project()
    page = client.get("/accounts/officials").get_data(as_text=True)
    assert ">2</a>" in page.split('data-name="王建国"')[1].split("</tr>")[0]


def test_a_lead_official_without_an_email_is_flagged_as_getting_no_summary(client, office_session, official):
    with db.connection_context():
        LeadOfficial.create(name="李明", title="副市长", email="")  # as an import creates them
    page = client.get("/accounts/officials").get_data(as_text=True)
    assert "无邮箱，收不到领导周报" in page.split('data-name="李明"')[1].split("</tr>")[0]
    assert "无邮箱" not in page.split('data-name="王建国"')[1].split("</tr>")[0]
