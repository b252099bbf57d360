"""待完善: the list of projects lacking what the rhythm needs, its count on the project list, and the
pages whose rules skip such a project saying so."""

import datetime as dt

import pytest
from reporting import file

from tracker.core.db import db
from tracker.cycles.snapshots import take_snapshot

LACKING_ALL = {"lead_official": "", "start_deadline": None, "annual_plan_investment": None}


@pytest.fixture
def projects(make_project):
    with db.connection_context():
        return {
            "complete": make_project(code="XM-1"),
            "no_leader": make_project(code="XM-2", name="缺领导项目", lead_official=""),
            "bare": make_project(code="XM-3", name="缺很多项目", responsible_phone="", **LACKING_ALL),
        }


def cards(html):
    return [part.split('"')[0] for part in html.split('<article class="card" data-code="')[1:]]


def test_the_office_sees_every_incomplete_project_with_what_it_lacks(client, office_session, projects):
    page = client.get("/projects/incomplete").get_data(as_text=True)
    assert cards(page) == ["XM-2", "XM-3"]
    bare = page.split('data-code="XM-3"')[1].split("</article>")[0]
    for label in ("市级包抓领导", "联系电话", "开工时限", "年度计划投资"):
        assert f'<span class="tag">{label}</span>' in bare
    assert 'href="/projects/XM-3/edit"' in bare
    assert "缺开工时限 <b>1</b>" in page and "缺市级包抓领导 <b>2</b>" in page


def test_the_list_can_be_narrowed_to_one_missing_field(client, office_session, projects):
    page = client.get("/projects/incomplete?missing=start_deadline").get_data(as_text=True)
    assert cards(page) == ["XM-3"]
    assert client.get("/projects/incomplete?missing=password").status_code == 400


def test_the_project_list_counts_the_incomplete_projects_and_links_there(client, office_session, projects):
    page = client.get("/projects/").get_data(as_text=True)
    assert '<a href="/projects/incomplete">待完善项目 2 个</a>' in page
    assert all(f'data-code="XM-{n}"' in page for n in (1, 2, 3))


def test_an_archived_project_is_no_longer_incomplete(client, office_session, projects):
    from tracker.projects.registry import archive_project

    with db.connection_context():
        archive_project(projects["bare"], None)
    assert cards(client.get("/projects/incomplete").get_data(as_text=True)) == ["XM-2"]


@pytest.mark.parametrize("role", ["owner", "leader", "inspector", "department"])
def test_only_the_office_sees_the_incomplete_list(client, login, make_user, projects, role):
    make_user("someone", role)
    login("someone")
    assert client.get("/projects/incomplete").status_code == 403
    assert "待完善项目" not in client.get("/projects/").get_data(as_text=True)


def test_the_battle_map_shows_an_incomplete_project_without_guessing(client, office_session, projects):
    page = client.get("/board").get_data(as_text=True)
    card = page.split('data-code="XM-3"')[1].split("</article>")[0]
    assert "未填开工时限，不判断开工时限预警" in card
    assert "年度计划投资未填，不判断投资进度预警" in card
    assert "包抓领导未确定" in card


def test_the_dashboard_says_which_lights_were_not_judged(client, office_session, projects):
    page = client.get("/").get_data(as_text=True)
    card = page.split('id="light-skips"')[1].split("</div>")[0]
    assert "1 个项目未填开工时限，不判断开工时限预警" in card
    assert "1 个项目未填年度计划投资，不判断投资进度预警" in card
    assert 'href="/projects/incomplete"' in card


def test_the_lagging_page_leaves_out_a_project_without_a_deadline_and_says_so(
    client, office_session, config, make_project
):
    with db.connection_context():
        late = make_project(code="XM-1", start_deadline=dt.date(2026, 10, 1))
        unknown = make_project(code="XM-2", **LACKING_ALL)
        for project in (late, unknown):
            file(config, project, "2026-W47", status="not_started", investment_completed=0)
        take_snapshot("2026-W47", config["warnings"])
    page = client.get("/lagging/?date=2026-11-25").get_data(as_text=True)
    listed = page.split('id="lagging"')[1]
    assert 'data-code="XM-1"' in listed and 'data-code="XM-2"' not in listed
    assert "1 个项目未填开工时限，未参与“开工时限已过未开复工”的判断" in page
    dashboard_card = client.get("/").get_data(as_text=True).split('id="lagging-counts"')[1].split("</section>")[0]
    assert "未填开工时限" in dashboard_card


def test_a_project_page_names_its_leader_or_says_none_is_decided(client, office_session, projects, official):
    no_leader = client.get("/projects/XM-2").get_data(as_text=True)
    assert "<dt>市级包抓领导</dt><dd>未确定</dd>" in no_leader
    with_leader = client.get(f"/projects/{projects['complete'].code}").get_data(as_text=True)
    assert f"<dt>市级包抓领导</dt><dd>{official.name}</dd>" in with_leader
