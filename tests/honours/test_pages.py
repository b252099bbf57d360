"""The 红旗/蜗牛 pages, their review and publication, the public pages, the scores page and the API, per role."""

import datetime as dt

import pytest
from conftest import csrf_token
from quarter import quarter_city_fixture  # noqa: F401 (the fixture quarter_city)

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.honours.drafting import draft_honours, publish_honours
from tracker.honours.models import HonourEntry, HonourList

QUARTER = "2026-Q3"


@pytest.fixture
def drafted(quarter_city, config):
    config["honours"] = {**config["honours"], "red_flag_min_points": 1.0}
    honour_list = draft_honours(QUARTER, config, None)
    db.close()
    return honour_list


def post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client.get("/honours/").get_data(as_text=True)), **data})


def entry(code):
    with db.connection_context():
        return HonourEntry.get(HonourEntry.code == code)


def test_the_office_drafts_a_quarter_and_sees_both_lists_with_their_evidence(client, login, quarter_city):
    db.close()
    login("office")
    response = post(client, "/honours/", quarter=QUARTER)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/honours/{QUARTER}")
    page = client.get(f"/honours/{QUARTER}").get_data(as_text=True)
    red, snail = page.split('id="red_flag-entries"')[1].split('id="snail-entries"')
    assert "AHEAD-2" in red and "SLOW" not in red and "SLOW" in snail
    assert "高于序时进度 2.0 个百分点" in red and "缺报 1 周：2026-W39" in snail
    assert "移出名单" in page and "发布名单" in page


def test_an_entry_leaves_only_with_a_reason_which_the_inspector_reads(client, login, make_user, drafted):
    login("office")
    slow = entry("SLOW")
    path = f"/honours/{QUARTER}/entries/{slow.id}/remove"
    assert post(client, path, reason="不妥").status_code == 422
    assert post(client, path, reason="该项目已列入省级调度，另行通报").status_code == 302
    inspector = client.application.test_client()
    login("inspector", c=inspector)
    page = inspector.get(f"/honours/{QUARTER}").get_data(as_text=True)
    assert "该项目已列入省级调度，另行通报" in page.split('id="removed-entries"')[1]
    assert "SLOW" not in page.split('id="snail-entries"')[1].split('id="removed-entries"')[0]
    assert post(client, f"/honours/{QUARTER}/entries/{slow.id}/restore").status_code == 302
    assert not entry("SLOW").removed


def test_published_lists_are_frozen_and_public_with_only_the_listed_entries(client, login, drafted):
    login("office")
    assert client.get(f"/public/honours/{QUARTER}").status_code == 404  # a draft is not public
    post(client, f"/honours/{QUARTER}/entries/{entry('SLOW').id}/remove", reason="该项目已列入省级调度，另行通报")
    assert post(client, f"/honours/{QUARTER}/publish").status_code == 302
    assert (
        post(client, f"/honours/{QUARTER}/entries/{entry('TIE-A').id}/remove", reason="发布后不能再移出").status_code
        == 409
    )
    public = client.application.test_client()  # nobody logged in
    page = public.get(f"/public/honours/{QUARTER}").get_data(as_text=True)
    assert "AHEAD-2" in page and "TIE-A" in page
    assert "SLOW" not in page and "另行通报" not in page and "1390000" not in page
    assert QUARTER in public.get("/public/honours/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("office", "/honours/", 200),
        ("inspector", "/honours/2026-Q3", 200),  # a draft, for its reviewers
        ("leader", "/honours/2026-Q3", 404),
        ("department", "/honours/", 200),
        ("owner", "/honours/", 403),
        ("office", "/scores/?quarter=2026-Q3", 200),
        ("leader", "/scores/", 200),
        ("inspector", "/scores/?quarter=2026-Q3", 200),
        ("department", "/scores/?quarter=2026-Q3", 200),
        ("owner", "/scores/", 403),
        ("office", "/scores/?quarter=2026-Q5", 400),
    ],
)
def test_each_role_reaches_what_its_rules_allow(client, login, drafted, quarter_city, role, path, status):
    username = quarter_city["AHEAD-1"].owner.username if role == "owner" else {"department": "dept"}.get(role, role)
    login(username)
    assert client.get(path).status_code == status


def test_only_the_office_drafts_reviews_and_publishes(client, login, drafted):
    login("inspector")
    assert post(client, f"/honours/{QUARTER}/publish").status_code == 403
    assert (
        post(client, f"/honours/{QUARTER}/entries/{entry('SLOW').id}/remove", reason="纪委认为不应列入").status_code
        == 403
    )


def test_a_department_sees_every_score_and_only_its_own_breakdown(client, login, config, drafted):
    with db.connection_context():
        publish_honours(HonourList.get(HonourList.quarter == QUARTER), None, dt.date(2026, 10, 9))
    login("dept")
    page = client.get(f"/scores/?quarter={QUARTER}").get_data(as_text=True)
    departments = page.split('id="department-scores"')[1].split('id="county-scores"')[0]
    own = departments.split('data-name="市交通局"')[1].split("</tr>")[0]
    other = departments.split('data-name="市发展改革委"')[1].split("</tr>")[0]
    assert "<details>" in own and "蜗牛项目：TIE-A 项目TIE-A" in own
    assert "<details>" not in other and "项" in other


def test_the_api_gives_a_quarters_lists_and_scores(call, make_user, token_for, drafted):
    office = token_for(User.get(username="office"))
    leader = token_for(User.get(username="leader"))
    body = call(office, "GET", f"/honours?quarter={QUARTER}").get_json()
    assert body["quarter"] == QUARTER and body["published_at"] is None
    assert [p["code"] for p in body["red_flag"]] == ["AHEAD-2", "AHEAD-1"]
    first = body["red_flag"][0]
    assert set(first) == {
        "code",
        "name",
        "project_unit",
        "lead_official",
        "lead_department",
        "county",
        "score",
        "reasons",
    }
    assert first["score"] == 2.0 and {r["rule"] for r in first["reasons"]} >= {"ahead_of_plan", "reports_on_time"}
    assert call(leader, "GET", f"/honours?quarter={QUARTER}").status_code == 404  # not yet published
    with db.connection_context():
        publish_honours(HonourList.get(HonourList.quarter == QUARTER), None, dt.date(2026, 10, 9))
    assert call(leader, "GET", f"/honours?quarter={QUARTER}").get_json()["published_at"] is not None
    assert call(leader, "GET", "/honours?quarter=2026-Q9").status_code == 400
    scores = call(leader, "GET", f"/scores?quarter={QUARTER}").get_json()
    assert scores["quarter"] == QUARTER
    for unit in scores["units"]:
        assert set(unit) == {"kind", "name", "score", "breakdown"} and unit["kind"] in ("department", "county")
        assert round(sum(item["points"] for item in unit["breakdown"]), 2) == unit["score"]
        assert all(set(item) == {"reason", "points", "ref"} for item in unit["breakdown"])
    department = token_for(User.get(username="dept"))
    units = call(department, "GET", f"/scores?quarter={QUARTER}").get_json()["units"]
    assert {u["name"] for u in units if u["breakdown"] is not None} == {"市交通局"}
