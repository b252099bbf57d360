"""Sessions that end: logout, a new password, deactivation, a new role, idle and absolute timeouts;
the way back after login (no open redirect)."""

import time

import pytest
from conftest import PASSWORD, csrf_token
from pages import post

from tracker.accounts.models import ApiToken, User
from tracker.core.db import db


def copy_of_cookie(client, app):
    """A second browser holding the same session cookie (what an attacker who copied it would hold)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def is_signed_in(client):
    response = client.get("/")
    return response.status_code == 200


def account_id(username):
    with db.connection_context():
        return User.get(User.username == username).id


def test_an_old_cookie_is_refused_after_logout(app, client, make_user, login):
    make_user("leader", "leader")
    login("leader")
    stolen = copy_of_cookie(client, app)
    assert is_signed_in(stolen)
    post(client, "/logout")
    response = stolen.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_old_cookie_is_refused_after_the_office_resets_the_password(app, client, make_user, login):
    make_user("office", "office")
    make_user("leader", "leader")
    leader = login("leader", c=app.test_client())
    login("office")
    new = "a-new-password-2026"
    assert (
        post(client, f"/accounts/{account_id('leader')}/password", {"password": new, "confirm": new}).status_code == 302
    )
    assert not is_signed_in(leader)


def test_a_reactivated_account_gets_neither_its_old_sessions_nor_its_old_tokens_back(
    app, client, make_user, login, token_for, call
):
    make_user("office", "office")
    leader = make_user("leader", "leader")
    token = token_for(leader)
    browser = login("leader", c=app.test_client())
    login("office")
    post(client, f"/accounts/{leader.id}/deactivate")
    post(client, f"/accounts/{leader.id}/activate")
    assert not is_signed_in(browser)
    assert call(token, "GET", "/projects").status_code == 401
    with db.connection_context():
        assert ApiToken.get(ApiToken.user == leader.id).revoke_reason == "账号停用"


def test_a_role_change_ends_the_sessions_of_the_account(app, client, make_user, login):
    make_user("office", "office")
    leader = make_user("leader", "leader")
    browser = login("leader", c=app.test_client())
    login("office")
    form = {"display_name": "李", "role": "inspector", "lead_official": "", "department": "", "email": "", "phone": ""}
    assert post(client, f"/accounts/{leader.id}/edit", form).status_code == 302
    assert not is_signed_in(browser)


@pytest.mark.parametrize(("key", "age"), [("seen_at", 121 * 60), ("started_at", 12 * 3600 + 60)])
def test_a_session_ends_when_idle_too_long_and_at_its_absolute_limit(client, make_user, login, key, age):
    make_user("leader", "leader")
    login("leader")
    with client.session_transaction() as session:
        session[key] = time.time() - age
        if key == "started_at":
            session["seen_at"] = time.time()  # in use all along
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_session_in_use_stays_signed_in(client, make_user, login):
    make_user("leader", "leader")
    login("leader")
    with client.session_transaction() as session:
        session["seen_at"] = time.time() - 119 * 60
        session["started_at"] = time.time() - 11 * 3600
    assert is_signed_in(client) and is_signed_in(client)


def test_login_starts_a_new_session_with_a_new_csrf_token(client, make_user):
    make_user("leader", "leader")
    before = csrf_token(client.get("/login").get_data(as_text=True))
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/login", data={"username": "leader", "password": PASSWORD, "csrf_token": before})
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("csrf_token") is None
    after = csrf_token(client.get("/password").get_data(as_text=True))
    assert after != before


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example/phish",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "/\r\n/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_login_never_sends_the_browser_to_another_site(client, make_user, target):
    make_user("leader", "leader")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", query_string={"next": target}, data={"username": "leader", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_returns_to_the_page_asked_for(client, make_user):
    make_user("leader", "leader")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"username": "leader", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", query_string={"next": "/projects/?q=路"}, data=data)
    assert response.headers["Location"] == "/projects/?q=%E8%B7%AF"
