"""The 督查通报: drafted from the round's findings, published by the inspector, then read-only; its .docx."""

import io

import pytest
from conftest import csrf_token
from docx import Document
from inspected import inspection as inspection  # noqa: F401 (the fixture, by its name)

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.inspections.bulletins import bulletin_docx, draft_bulletin, edit_bulletin, publish_bulletin
from tracker.inspections.models import InspectionBulletin
from tracker.inspections.rounds import InspectionError
from tracker.notices.drafting import NoticePublished


@pytest.fixture
def drafted(conn, config, inspection):
    return draft_bulletin(inspection["round"], config, User.get(User.username == "office"))


def test_a_draft_carries_the_rounds_findings_and_the_seeds_opening(drafted):
    assert [f["unit"] for f in drafted.findings] == ["东城区城建局", "XM-P 东城物流园", "西城区行政审批局"]
    assert "2个督查组深入到3个单位" in drafted.preamble and "发现具体问题3条" in drafted.preamble
    assert "《关于开展“三抓三促”行动督查工作的通知》" in drafted.preamble
    assert not drafted.is_published and drafted.number is None


def test_one_bulletin_a_round(drafted, config, inspection):
    with pytest.raises(InspectionError, match="已有督查通报"):
        draft_bulletin(inspection["round"], config, None)


def test_publishing_numbers_dates_and_freezes_the_bulletin(drafted, config):
    inspector = User.get(User.username == "inspector")
    day = drafted.created_at.date()
    published = publish_bulletin(drafted, inspector, config, day)
    assert published.number == f"X重项办督〔{day.year}〕1号" and published.published_by_id == inspector.id
    assert published.published_at is not None and published.published_on == day
    with pytest.raises(NoticePublished, match="督查通报已发布"):
        edit_bulletin(published, "新标题", "")
    with pytest.raises(NoticePublished):
        publish_bulletin(published, inspector, config, day)
    assert InspectionBulletin.get_by_id(drafted.id).title == drafted.title


def test_the_docx_is_a_red_head_document_listing_every_finding(drafted, config):
    document = Document(io.BytesIO(bulletin_docx(drafted, config["notices"])))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.startswith("X市重点项目建设领导小组办公室") and "（草稿，未编号）" in text
    assert "一、督查发现的问题" in text and "三、整改要求" in text and "回头看" in text
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert cells[0] == ["序号", "被督查单位", "县区", "发现问题", "责任部门", "整改期限"]
    assert cells[1][1:4] == ["东城区城建局", "东城区", "项目审批超时限"] and len(cells) == 4
    assert "（一）市发展改革委：2条。" in text


def test_the_office_drafts_the_inspector_publishes_and_then_no_one_edits(client, login, inspection):
    login("office")
    round_page = client.get(f"/inspections/{inspection['round'].id}").get_data(as_text=True)
    token = csrf_token(round_page)
    drafted = client.post(f"/inspections/{inspection['round'].id}/bulletin", data={"csrf_token": token})
    assert drafted.status_code == 302
    url = drafted.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "审核通过并发布" not in page and "纪委监委审核后发布" in page
    assert client.post(f"{url}/publish", data={"csrf_token": token}).status_code == 403
    login("inspector")
    token = csrf_token(client.get(url).get_data(as_text=True))
    assert client.post(f"{url}/publish", data={"csrf_token": token}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "已发布" in page and "修改标题和导语" not in page and "inspector 于" in page
    refused = client.post(f"{url}/edit", data={"csrf_token": token, "title": "改过的标题", "preamble": ""})
    assert refused.status_code == 409 and "督查通报已发布，不能再修改" in refused.get_data(as_text=True)
    with db.connection_context():
        bulletin = InspectionBulletin.get()
    assert bulletin.title != "改过的标题"
    public = client.get(f"/public/inspections/{bulletin.id}")
    assert public.status_code == 200 and bulletin.number in public.get_data(as_text=True)
    docx = client.get(f"/public/inspections/{bulletin.id}.docx")
    assert docx.status_code == 200 and bulletin.number in "".join(
        p.text for p in Document(io.BytesIO(docx.data)).paragraphs
    )
