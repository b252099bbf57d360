"""API tokens as their users see them: named, shown once, expiring, revocable; each account its own, the office all."""

import datetime as dt
import hashlib
import json
import re

import pytest
import test_browser
from conftest import PASSWORD_HASH
from pages import post

from tracker.accounts.models import ApiToken, User
from tracker.audit.models import AuditEntry
from tracker.core.db import db
from tracker.core.weeks import utc_now

server = test_browser.server  # the app, served for real


def make_token(client, name="周报同步脚本", days="90"):
    """Make a token on the page as its user would; return the page's answer and the token it shows."""
    response = post(client, "/tokens/", {"name": name, "days": days})
    match = re.search(r'<code id="new-token" class="secret">([^<]+)</code>', response.get_data(as_text=True))
    return response, match.group(1) if match else None


def token_row(**where):
    with db.connection_context():
        return ApiToken.get(*(getattr(ApiToken, key) == value for key, value in where.items()))


def audit_events(event):
    with db.connection_context():
        entries = AuditEntry.select().where(AuditEntry.event == event).order_by(AuditEntry.id)
        return [(e.actor, json.loads(e.detail)) for e in entries]


def age(token_name, **fields):
    """Move a token's dates, as time passing would."""
    with db.connection_context():
        ApiToken.update(**fields).where(ApiToken.name == token_name).execute()


def test_a_token_made_on_the_page_works_and_is_shown_once_and_never_stored(client, make_user, login, call):
    make_user("leader", "leader", display_name="李四")
    login("leader")

    response, token = make_token(client, days="30")

    assert response.status_code == 200 and token
    assert "只显示这一次" in response.get_data(as_text=True)
    assert call(token, "GET", "/stats").status_code == 200
    row = token_row(name="周报同步脚本")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and row.prefix == token[:6]
    assert abs(row.expires_at - utc_now() - dt.timedelta(days=30)) < dt.timedelta(minutes=5)
    listing = client.get("/tokens/").get_data(as_text=True)
    assert token not in listing and row.prefix in listing and "30 天后过期" in listing
    with db.connection_context():
        stored = db.execute_sql("SELECT * FROM api_token").fetchall()
    assert token not in repr(stored)
    assert audit_events("token_created") == [
        (
            "李四",
            {
                "token_id": row.id,
                "prefix": row.prefix,
                "name": "周报同步脚本",
                "account": "leader",
                "expires_at": str(row.expires_at),
            },
        )
    ]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "   ", "days": "90"}, "请写明令牌的用途"),
        ({"name": "长" * 101, "days": "90"}, "用途不超过 100 个字"),
        ({"name": "脚本", "days": "366"}, "请选择列出的有效期"),
        ({"name": "脚本", "days": "abc"}, "请选择列出的有效期"),
    ],
    ids=["blank name", "long name", "beyond the maximum", "not a number"],
)
def test_bad_input_makes_no_token_and_says_why(client, make_user, login, form, message):
    make_user("owner", "owner")
    login("owner")

    response = post(client, "/tokens/", form)

    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with db.connection_context():
        assert ApiToken.select().count() == 0
        assert not AuditEntry.select().where(AuditEntry.event.startswith("token_")).exists()


def test_an_expired_token_gets_401_saying_it_expired(client, make_user, token_for, call):
    token = token_for(make_user("owner", "owner"), name="老脚本")
    age("老脚本", expires_at=utc_now() - dt.timedelta(minutes=1))

    response = call(token, "GET", "/projects")

    assert response.status_code == 401
    assert "API 令牌“老脚本”已于" in response.get_json()["error"]["message"]
    assert "过期" in response.get_json()["error"]["message"]


def test_a_revoked_token_gets_401_saying_it_was_revoked_and_stays_listed(client, make_user, login, token_for, call):
    token = token_for(make_user("owner", "owner"), name="旧脚本")
    login("owner")
    row = token_row(name="旧脚本")

    assert post(client, f"/tokens/{row.id}/revoke").status_code == 302

    response = call(token, "GET", "/projects")
    assert response.status_code == 401 and "被吊销" in response.get_json()["error"]["message"]
    listing = client.get("/tokens/").get_data(as_text=True)
    assert f'data-token="{row.id}" data-prefix="{row.prefix}" data-state="revoked"' in listing
    assert [detail["token_id"] for _, detail in audit_events("token_revoked")] == [row.id]


def test_each_account_sees_and_revokes_only_its_own_tokens(client, make_user, login, token_for, call):
    mine = token_for(make_user("owner", "owner"), name="我的脚本")
    theirs = token_for(make_user("leader", "leader"), name="别人的脚本")
    login("owner")

    listing = client.get("/tokens/").get_data(as_text=True)
    assert "我的脚本" in listing and "别人的脚本" not in listing
    assert (
        client.get(f"/tokens/?user={token_row(name='别人的脚本').user_id}").get_data(as_text=True).count("data-token=")
        == 1
    )  # the filter is the office's: nobody else reaches another account through it

    assert post(client, f"/tokens/{token_row(name='别人的脚本').id}/revoke").status_code == 404
    assert call(theirs, "GET", "/projects").status_code == 200 and call(mine, "GET", "/projects").status_code == 200
    assert audit_events("token_revoked") == []


def test_the_office_sees_every_account_filters_by_account_and_revokes_any(client, make_user, login, token_for, call):
    office = make_user("office", "office", display_name="王主任")
    owner = make_user("owner", "owner")
    token = token_for(owner, name="责任人的脚本")
    token_for(make_user("leader", "leader"), name="领导的脚本")
    login("office")

    everything = client.get("/tokens/").get_data(as_text=True)
    assert "责任人的脚本" in everything and "领导的脚本" in everything
    filtered = client.get(f"/tokens/?user={owner.id}").get_data(as_text=True)
    assert "责任人的脚本" in filtered and "领导的脚本" not in filtered

    row = token_row(name="责任人的脚本")
    assert post(client, f"/tokens/{row.id}/revoke?user={owner.id}").headers["Location"] == f"/tokens/?user={owner.id}"
    assert call(token, "GET", "/projects").status_code == 401
    assert token_row(name="责任人的脚本").revoked_by_id == office.id
    assert audit_events("token_revoked")[0][0] == "王主任"


def test_the_office_makes_tokens_for_itself_only(client, make_user, login):
    office = make_user("office", "office")
    make_user("owner", "owner")
    login("office")

    page = client.get("/tokens/").get_data(as_text=True)
    assert "不能为其他账号新建令牌" in page
    make_token(client, name="办公室脚本")
    assert token_row(name="办公室脚本").user_id == office.id


def test_deactivating_an_account_revokes_its_tokens_and_reactivating_revives_none(
    client, make_user, login, token_for, call
):
    make_user("office", "office")
    leader = make_user("leader", "leader")
    token = token_for(leader, name="领导的脚本")
    login("office")

    post(client, f"/accounts/{leader.id}/deactivate")
    post(client, f"/accounts/{leader.id}/activate")

    assert call(token, "GET", "/projects").status_code == 401
    row = token_row(name="领导的脚本")
    assert row.revoked_at is not None and row.revoke_reason == "账号停用"
    assert "账号停用" in client.get(f"/tokens/?user={leader.id}").get_data(as_text=True)
    assert [detail["reason"] for _, detail in audit_events("token_revoked")] == ["账号停用"]


def test_last_use_is_recorded_with_its_address_at_most_once_a_minute(client, make_user, token_for, call):
    token = token_for(make_user("owner", "owner"), name="脚本")

    call(token, "GET", "/projects")
    first = token_row(name="脚本")
    call(token, "GET", "/projects")

    assert first.last_used_at is not None and first.last_used_from == "127.0.0.1"
    assert token_row(name="脚本").last_used_at == first.last_used_at
    two_minutes_ago = first.last_used_at - dt.timedelta(minutes=2)
    with db.connection_context():
        ApiToken.update(last_used_at=two_minutes_ago).where(ApiToken.id == first.id).execute()
    call(token, "GET", "/projects")
    assert token_row(name="脚本").last_used_at > first.last_used_at


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1366])
def test_the_new_token_wraps_on_a_phone_and_is_selected_by_a_tap(server, width):
    with db.connection_context():
        User.create(username="owner", role="owner", display_name="赵强", password_hash=PASSWORD_HASH)
    with test_browser.browser_page(width) as page:
        test_browser.log_in(page, server, "owner")
        page.goto(f"{server}/tokens/")
        page.fill("#name", "西安至延安高速铁路配套工程黄河特大桥周报同步脚本")
        page.select_option("#days", "30")
        page.click("button.primary")
        page.wait_for_load_state()
        page.screenshot(path=test_browser.ARTIFACTS / f"token-created-{width}.png", full_page=True)
        token = page.inner_text("#new-token")
        box = page.locator("#new-token").bounding_box()
        assert box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.click("#new-token")
        assert page.evaluate("String(window.getSelection())").strip() == token
        page.click("text=返回令牌列表")
        page.screenshot(path=test_browser.ARTIFACTS / f"tokens-{width}.png", full_page=True)
        assert token not in page.content()
