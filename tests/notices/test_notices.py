"""Notices of public criticism: drafted from the lagging list, reviewed, published for good, readable in public."""

import datetime as dt
import io
import re

import docx
import openpyxl
import pytest
from conftest import csrf_token
from reporting import file

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.cycles.snapshots import take_snapshot
from tracker.notices.drafting import draft_notice, publish_notice
from tracker.notices.models import CriticismNotice, NoticeEntry
from tracker.projects.models import PROCEDURES, Milestone, Project

DAY = dt.date(2026, 11, 25)
WEEK = "2026-W47"
PHONE, EMAIL = "13912345678", "late-owner@example.gov.cn"


@pytest.fixture
def city(app, config, make_project, make_user):
    """Two projects past their start deadline, one on track; the week closed; accounts for each reader."""
    with db.connection_context():
        for role in ("office", "inspector", "leader"):
            make_user(role, role)
        late = [
            make_project(
                code=f"LATE-{n}", name=f"迟缓项目{n}", responsible_phone=f"1391234567{n}", responsible_email=EMAIL
            )
            for n in (1, 2)
        ]
        fine = make_project(code="FINE", name="顺利项目", start_deadline=dt.date(2027, 6, 1))
        for project in late:
            Project.update(start_deadline=dt.date(2026, 11, 1)).where(Project.id == project.id).execute()
            Milestone.update(actual_on=dt.date(2026, 10, 1)).where(
                (Milestone.project == project) & Milestone.kind.in_(tuple(PROCEDURES))
            ).execute()
            file(config, project, WEEK, status="not_started")
        file(config, fine, WEEK, investment_completed=4_500)
        take_snapshot(WEEK, config["warnings"])
    return {"late": late, "fine": fine}


@pytest.fixture
def draft(city, config):
    with db.connection_context():
        return draft_notice(DAY, config, None)


def post(client, path, page, **data):
    return client.post(path, data={"csrf_token": csrf_token(client.get(page).get_data(as_text=True)), **data})


def entries_of(notice_id, removed=False):
    with db.connection_context():
        query = NoticeEntry.select().where((NoticeEntry.notice == notice_id) & (NoticeEntry.removed == removed))
        return sorted(entry.code for entry in query)


def test_a_draft_lists_the_lagging_projects_with_their_reasons(client, login, draft):
    login("office")
    page = client.get(f"/notices/{draft.id}").get_data(as_text=True)
    assert "LATE-1" in page and "LATE-2" in page and "FINE" not in page
    assert "开工时限已过未开复工" in page and "2026-11-01" in page and "超期 24 天" in page
    assert "（草稿，发布时编号）" in page


def test_an_entry_leaves_the_draft_only_with_a_written_reason_the_inspector_reads(client, login, draft):
    login("office")
    page = f"/notices/{draft.id}"
    entry = NoticeEntry.get((NoticeEntry.notice == draft.id) & (NoticeEntry.code == "LATE-2"))
    path = f"/notices/{draft.id}/entries/{entry.id}/remove"
    response = post(client, path, page, reason="不妥")
    assert response.status_code == 422 and "须写明理由" in response.get_data(as_text=True)
    assert entries_of(draft.id, removed=True) == []
    assert post(client, path, page, reason="已于11月20日开工，周报漏报，经核实").status_code == 302
    assert entries_of(draft.id) == ["LATE-1"] and entries_of(draft.id, removed=True) == ["LATE-2"]
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login("inspector")
    seen = client.get(page).get_data(as_text=True)
    assert "已于11月20日开工，周报漏报，经核实" in seen and "已移出的项目" in seen


def test_publishing_numbers_the_notices_of_a_year_in_turn(city, config, draft):
    with db.connection_context():
        first = publish_notice(draft, None, config, DAY)
        second = publish_notice(draft_notice(DAY, config, None), None, config, DAY)
        next_year = publish_notice(draft_notice(DAY, config, None), None, config, dt.date(2027, 1, 4))
    assert (first.number, second.number, next_year.number) == (
        "X重项办〔2026〕1号",
        "X重项办〔2026〕2号",
        "X重项办〔2027〕1号",
    )
    assert first.published_on == DAY


def test_a_published_notice_cannot_be_changed_in_the_ui(client, login, draft, config):
    with db.connection_context():
        publish_notice(draft, None, config, DAY)
    login("office")
    page = f"/notices/{draft.id}"
    entry = NoticeEntry.get((NoticeEntry.notice == draft.id) & (NoticeEntry.code == "LATE-1"))
    attempts = [
        (f"/notices/{draft.id}/entries/{entry.id}/remove", {"reason": "发布后想撤下这个项目"}),
        (f"/notices/{draft.id}/edit", {"title": "改过的标题", "preamble": ""}),
        (f"/notices/{draft.id}/publish", {}),
        (f"/notices/{draft.id}/delete", {}),
    ]
    for path, data in attempts:
        response = post(client, path, page, **data)
        assert response.status_code == 409, path
        assert "通报已发布，不能再修改" in response.get_data(as_text=True)
    with db.connection_context():
        notice = CriticismNotice.get_by_id(draft.id)
        assert (notice.title, notice.number) == (draft.title, "X重项办〔2026〕1号")
    assert entries_of(draft.id) == ["LATE-1", "LATE-2"]
    assert "移出名单" not in client.get(page).get_data(as_text=True)


def test_a_published_notice_cannot_be_changed_through_the_api(call, token_for, draft, config):
    with db.connection_context():
        publish_notice(draft, None, config, DAY)
        token = token_for(User.get(username="office"))
        entry = NoticeEntry.get(NoticeEntry.notice == draft.id)
    patch = call(token, "PATCH", f"/notices/{draft.id}", json={"title": "改过的标题"})
    removal = call(
        token, "POST", f"/notices/{draft.id}/entries/{entry.id}/removal", json={"reason": "发布后想撤下这个项目"}
    )
    again = call(token, "POST", f"/notices/{draft.id}/publication")
    assert [r.status_code for r in (patch, removal, again)] == [409, 409, 409]
    assert patch.get_json()["error"]["message"] == "通报已发布，不能再修改"
    shown = call(token, "GET", f"/notices/{draft.id}").get_json()
    assert shown["title"] == draft.title and all(not e["removed"] for e in shown["entries"])


def test_the_office_drafts_reviews_and_publishes_through_the_api(call, token_for, city):
    with db.connection_context():
        office, leader = (token_for(User.get(username=name)) for name in ("office", "leader"))
    created = call(office, "POST", "/notices", json={"date": DAY.isoformat()})
    assert created.status_code == 201
    notice = created.get_json()
    assert [e["code"] for e in notice["entries"]] == ["LATE-1", "LATE-2"]
    assert call(leader, "GET", f"/notices/{notice['id']}").status_code == 404  # drafts are the reviewers'
    assert call(leader, "POST", "/notices", json={"date": DAY.isoformat()}).status_code == 403
    entry = notice["entries"][1]["id"]
    short = call(office, "POST", f"/notices/{notice['id']}/entries/{entry}/removal", json={"reason": "不妥"})
    assert short.status_code == 422 and short.get_json()["error"]["field"] == "reason"
    call(office, "POST", f"/notices/{notice['id']}/entries/{entry}/removal", json={"reason": "经核实已开工"})
    published = call(office, "POST", f"/notices/{notice['id']}/publication").get_json()
    assert published["number"] == "X重项办〔2026〕1号"
    public = call(leader, "GET", f"/notices/{notice['id']}").get_json()
    assert [e["code"] for e in public["entries"]] == ["LATE-1"] and "removal_reason" not in public["entries"][0]


def test_public_pages_show_only_published_notices_and_no_contact_data(client, draft, config):
    with db.connection_context():
        published = publish_notice(draft, None, config, DAY)
        unpublished = draft_notice(DAY, config, None, title="尚未发布的通报")
        NoticeEntry.update(removed=True, removal_reason="保密的移出理由").where(
            (NoticeEntry.notice == published.id) & (NoticeEntry.code == "LATE-2")
        ).execute()
    index = client.get("/public/notices/").get_data(as_text=True)
    assert published.number in index and "尚未发布的通报" not in index
    assert client.get(f"/public/notices/{unpublished.id}").status_code == 404
    assert client.get(f"/public/notices/{unpublished.id}.docx").status_code == 404
    pages = [
        client.get(f"/public/notices/{published.id}").get_data(as_text=True),
        client.get("/public/projects/LATE-1").get_data(as_text=True),
    ]
    assert "迟缓项目1" in pages[0] and "开工时限已过未开复工" in pages[0]
    assert "迟缓项目2" not in pages[0] and "保密的移出理由" not in pages[0]
    assert published.number in pages[1]
    assert client.get("/public/projects/LATE-2").status_code == 404  # its only entry was removed
    for page in pages:
        assert PHONE[:8] not in page and EMAIL not in page and "@" not in page
        assert "退出" not in page  # no session needed, none shown


def test_the_notice_downloads_as_a_workbook_and_a_government_document(client, login, draft, config):
    with db.connection_context():
        publish_notice(draft, None, config, DAY)
    for path in (f"/notices/{draft.id}", f"/public/notices/{draft.id}"):
        if path.startswith("/notices"):
            login("office")
        sheet = client.get(f"{path}.xlsx")
        document = client.get(f"{path}.docx")
        assert sheet.status_code == document.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(sheet.data))
        cells = " ".join(str(c.value) for row in book["通报"].iter_rows() for c in row if c.value)
        assert "迟缓项目1" in cells and "X重项办〔2026〕1号" in cells
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(document.data)).paragraphs)
        assert "X重项办〔2026〕1号" in text and draft.title in text.replace("\n", "")  # the title is set in two lines
        assert "抄送：市委办公室，市人大常委会办公室" in text


@pytest.mark.parametrize(("role", "status"), [("owner", 403), ("leader", 200), ("inspector", 200), ("office", 200)])
def test_the_lagging_list_is_for_readers_not_owners(client, login, make_user, city, role, status):
    if role == "owner":
        make_user("owner", "owner")
    login(role)
    response = client.get(f"/lagging/?date={DAY}")
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert "LATE-1" in page and "红黑榜" in page
        assert ("据此名单起草通报" in page) == (role == "office")


def test_the_api_lists_the_lagging_projects_of_a_day_with_reasons(call, token_for, city):
    with db.connection_context():
        token = token_for(User.get(username="inspector"))
    body = call(token, "GET", f"/lagging?date={DAY}").get_json()
    assert body["week"] == WEEK
    [first, second] = body["projects"]
    assert (first["code"], first["project_unit"], first["lead_department"]) == ("LATE-1", "测试单位1", "市发展改革委")
    assert first["reasons"][0]["rule"] == "deadline_passed" and "2026-11-01" in first["reasons"][0]["detail"]
    bad = call(token, "GET", "/lagging?date=2026-13-45")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "date"
    ranking = call(token, "GET", f"/lagging/ranking?date={DAY}").get_json()
    assert ranking["lead_department"][0] == {
        "name": "市发展改革委",
        "projects": 3,
        "lagging": 2,
        "overdue_problems": 0,
        "reports_missing": 0,
        # Filed in 2027 for a week of 2026: after its reporting day.
        "late_reports": 3,
    }


def test_the_dashboard_counts_the_lagging_projects_and_links_to_the_list(client, login, city):
    login("leader")
    page = client.get("/").get_data(as_text=True)
    assert 'data-figure="lagging">2</a>' in page and 'href="/lagging/"' in page


def test_the_ranking_of_a_notice_counts_only_the_projects_it_lists(client, draft, config, call, token_for):
    with db.connection_context():
        NoticeEntry.update(removed=True, removal_reason="经核实已开工，周报漏报").where(
            (NoticeEntry.notice == draft.id) & (NoticeEntry.code == "LATE-2")
        ).execute()
        publish_notice(draft, None, config, DAY)
    page = client.get(f"/public/notices/{draft.id}").get_data(as_text=True)
    listed = [int(n) for n in re.findall(r'<td data-label="滞后项目" class="num">(\d+)</td>', page)]
    # Two ranking tables (by department, by county), each adding up to the one project listed.
    assert sum(listed) == 2
    with db.connection_context():
        token = token_for(User.get(User.username == "office"))
    ranking = call(token, "GET", f"/notices/{draft.id}").get_json()["ranking"]
    assert [sum(row["lagging"] for row in rows) for rows in ranking.values()] == [1, 1]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/public/notices/{draft.id}.xlsx").data))["红黑榜"]
    assert sum(row[1] for row in sheet.iter_rows(values_only=True) if isinstance(row[1], int)) == 2


def test_an_anonymous_visitor_counting_through_codes_finds_only_the_projects_a_published_notice_lists(
    client, city, draft, config
):
    unknown = client.get("/public/projects/NO-SUCH-CODE")
    assert unknown.status_code == 404
    found = {code for code in ("LATE-1", "LATE-2", "FINE") if client.get(f"/public/projects/{code}").status_code == 200}
    assert found == set()  # a draft publishes nothing
    with db.connection_context():
        publish_notice(draft, None, config, DAY)
    pages = {code: client.get(f"/public/projects/{code}") for code in ("LATE-1", "LATE-2", "FINE", "NO-SUCH-CODE")}
    assert {code for code, page in pages.items() if page.status_code == 200} == {"LATE-1", "LATE-2"}
    assert pages["FINE"].status_code == 404 and pages["FINE"].data == unknown.data  # nothing tells them apart


def test_a_project_whose_entries_are_all_removed_leaves_the_public_pages(client, city, draft, config):
    with db.connection_context():
        NoticeEntry.update(removed=True, removal_reason="经核实已开工").where(
            (NoticeEntry.notice == draft.id) & (NoticeEntry.code == "LATE-2")
        ).execute()
        publish_notice(draft, None, config, DAY)
    assert client.get("/public/projects/LATE-1").status_code == 200
    assert client.get("/public/projects/LATE-2").data == client.get("/public/projects/NO-SUCH-CODE").data
    assert client.get("/public/projects/LATE-2").status_code == 404
