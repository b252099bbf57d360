"""一屏统览 (/screen): the office's big screen, display links that open it without a login, its state."""

import re

import pytest
from conftest import csrf_token
from reporting import file

from tracker.core.db import db
from tracker.honours.models import HonourEntry, HonourList
from tracker.reports.filing import current_week
from tracker.screen.models import DisplayLink


@pytest.fixture
def office(make_user, login):
    make_user("office", "office")
    return login("office")


def make_link(client, name="三楼会议室"):
    """Create a display link on the office's page; return the address it shows once."""
    page = client.get("/screen/links/").get_data(as_text=True)
    answer = client.post("/screen/links/", data={"name": name, "csrf_token": csrf_token(page)})
    assert answer.status_code == 200
    return re.search(
        r'<code id="new-link" class="secret">http://[^/]+(/screen/[^<]+)</code>', answer.get_data(as_text=True)
    ).group(1)


def revoke(client, name):
    with db.connection_context():
        link = DisplayLink.get(DisplayLink.name == name)
    page = client.get("/screen/links/").get_data(as_text=True)
    return client.post(f"/screen/links/{link.id}/revoke", data={"csrf_token": csrf_token(page)})


def test_the_office_sees_the_city_on_the_big_screen(office, make_project):
    make_project(latitude=34.1, longitude=108.8)
    make_project()
    html = office.get("/screen").get_data(as_text=True)
    assert 'data-figure="projects">2<' in html
    assert "另有 1 个项目未标注坐标" in html
    assert "尚未发布红旗榜" in html and "尚无周调度快照" in html


@pytest.mark.parametrize("role", ["leader", "owner", "inspector", "department", "county"])
def test_only_the_office_opens_the_screen_and_manages_display_links(make_user, login, client, role):
    make_user("someone", role)
    login("someone")
    for path in ("/screen", "/screen/state", "/screen/links/"):
        assert client.get(path).status_code == 403


def test_a_display_link_shows_the_screen_without_login_and_links_nowhere(office, app, make_project):
    project = make_project(latitude=34.1, longitude=108.8)
    address = make_link(office)
    stranger = app.test_client()
    response = stranger.get(address)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "三楼会议室" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert f'"code": "{project.code}"' in html and f"/projects/{project.code}" not in html
    assert "<form" not in html and 'href="/' not in html.replace('href="/static/', "")


def test_the_office_names_its_displays_and_the_token_is_kept_hashed(office, recorded):
    address = make_link(office, "三楼会议室")
    token = address.rsplit("/", 1)[1]
    with db.connection_context():
        link = DisplayLink.get(DisplayLink.name == "三楼会议室")
    assert token.startswith(link.prefix) and token not in link.token_hash
    listed = office.get("/screen/links/").get_data(as_text=True)
    assert "三楼会议室" in listed and token not in listed
    assert [(e, d["name"]) for e, _, d in recorded("display_link_created")] == [("display_link_created", "三楼会议室")]


def test_a_display_link_needs_a_name(office):
    page = office.get("/screen/links/").get_data(as_text=True)
    answer = office.post("/screen/links/", data={"name": "  ", "csrf_token": csrf_token(page)})
    assert answer.status_code == 422 and "请写明这块屏在哪里" in answer.get_data(as_text=True)
    with db.connection_context():
        assert DisplayLink.select().count() == 0


def test_a_revoked_link_answers_404_and_the_revocation_is_audited(office, app, recorded):
    address = make_link(office)
    stranger = app.test_client()
    assert stranger.get(address + "/state").status_code == 200
    assert revoke(office, "三楼会议室").status_code == 302
    assert stranger.get(address).status_code == 404
    assert stranger.get(address + "/state").status_code == 404
    assert [d["name"] for _, _, d in recorded("display_link_revoked")] == ["三楼会议室"]
    revoke(office, "三楼会议室")  # a second revocation changes nothing and records nothing
    assert len(recorded("display_link_revoked")) == 1


def test_an_unknown_link_answers_404(client):
    assert client.get("/screen/not-a-display-link").status_code == 404
    assert client.get("/screen/not-a-display-link/state").status_code == 404


def test_the_state_changes_when_a_report_is_filed(office, app, make_project, config):
    project = make_project()
    address = make_link(office)
    stranger = app.test_client()
    before = stranger.get(address + "/state").get_json()["version"]
    assert stranger.get(address + "/state").get_json()["version"] == before  # nothing new, no reload
    assert f'data-version="{before}"' in stranger.get(address).get_data(as_text=True)
    with db.connection_context():
        file(config, project, current_week(config), investment_completed=800)
    after = stranger.get(address + "/state").get_json()["version"]
    assert after != before
    assert office.get("/screen/state").get_json()["version"] == after


def test_the_screen_shows_the_latest_published_red_flags(office, make_project):
    project = make_project()
    with db.connection_context():
        for quarter, state in (("2026-Q2", "published"), ("2026-Q3", "published"), ("2026-Q4", "draft")):
            honours = HonourList.create(quarter=quarter, week="2026-W39", state=state)
            HonourEntry.create(
                honour_list=honours,
                kind="red_flag",
                project=project,
                position=1,
                code=project.code,
                name=f"{quarter}的红旗项目",
                project_unit="",
                lead_official="",
                lead_department="市发展改革委",
                county="东城区",
                reasons_data="[]",
                score=3,
            )
    html = office.get("/screen").get_data(as_text=True)
    red_flags = html[html.index('id="red-flags"') :]
    assert "2026-Q3的红旗项目" in red_flags
    assert "2026-Q2的红旗项目" not in red_flags and "2026-Q4的红旗项目" not in red_flags
