"""Special bonds (专项债券): figures by batch, the idle rule, the batch import, access, the API and the pages."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from conftest import PASSWORD_HASH
from pages import field_errors, post

from tracker.accounts.models import AccountCounty, User
from tracker.bonds.models import BondBatch, BondEntry, batch_figures, entries_as_of
from tracker.bonds.records import BondError, record_spending, save_application
from tracker.bonds.sheets import BondImportError, import_entries
from tracker.core import xlsx
from tracker.core.config import DEFAULTS
from tracker.core.db import db

DAY = dt.date(2026, 11, 25)
IDLE_DAYS, IDLE_SHARE = DEFAULTS["bonds"]["idle_days"], DEFAULTS["bonds"]["idle_share"]


@pytest.fixture
def batch(conn):
    return BondBatch.create(year=2026, number=1, listed_on=dt.date(2026, 5, 1))


def entry(batch, project, amount, issued_on=None):
    return BondEntry.create(batch=batch, project=project, amount=Decimal(amount), issued_on=issued_on)


def test_figures_by_batch_count_what_was_issued_and_spent_by_the_day(batch, make_project):
    a, b, c = make_project(), make_project(), make_project()
    old = entry(batch, a, "1000.50", DAY - dt.timedelta(days=100))
    record_spending(old, DAY - dt.timedelta(days=50), Decimal("100.25"))
    record_spending(old, DAY + dt.timedelta(days=1), Decimal("200"))  # after the day: not spent by then
    entry(batch, b, "500", DAY - dt.timedelta(days=10))  # issued ten days ago: not idle yet
    entry(batch, c, "300")  # not issued
    BondBatch.create(year=2026, number=2)  # an empty batch still shows, with zeros
    first, empty = reversed(batch_figures(DAY, IDLE_DAYS, IDLE_SHARE))
    assert first["batch"].name == "2026年第一批专项债券" and empty["batch"].name == "2026年第二批专项债券"
    assert first["projects"] == 3
    assert (first["amount"], first["issued"], first["spent"]) == (
        Decimal("1800.50"),
        Decimal("1500.50"),
        Decimal("100.25"),
    )
    assert first["spend_rate"] == 6.7
    assert (first["idle"], first["idle_projects"]) == (Decimal("900.25"), 1)
    assert (empty["projects"], empty["amount"], empty["spend_rate"]) == (0, 0, 0.0)
    later = batch_figures(DAY + dt.timedelta(days=1), IDLE_DAYS, IDLE_SHARE, batch=batch)[0]
    assert later["spent"] == Decimal("300.25")


@pytest.mark.parametrize(("days", "idle"), [(IDLE_DAYS - 1, False), (IDLE_DAYS, True)])
def test_bond_money_is_idle_from_the_nth_day_after_issue(batch, make_project, days, idle):
    entry(batch, make_project(), "1200", DAY - dt.timedelta(days=days))
    assert bool(list(entries_as_of(DAY, IDLE_DAYS, IDLE_SHARE, idle_only=True))) is idle


@pytest.mark.parametrize(("spent", "idle"), [("240", True), ("240.01", False)])
def test_money_mostly_spent_is_not_idle(batch, make_project, spent, idle):
    """Idle while 80 % (idle_share) or more of it is unspent: 960 of 1200 unspent is still idle."""
    issued = entry(batch, make_project(), "1200", DAY - dt.timedelta(days=200))
    record_spending(issued, DAY - dt.timedelta(days=150), Decimal(spent))
    assert bool(list(entries_as_of(DAY, IDLE_DAYS, IDLE_SHARE, idle_only=True))) is idle


def test_spending_stays_within_the_issued_money(batch, make_project):
    pending = entry(batch, make_project(), "100")
    with pytest.raises(BondError, match="尚未发行"):
        record_spending(pending, DAY, Decimal("1"))
    issued = entry(batch, make_project(), "100", DAY - dt.timedelta(days=5))
    with pytest.raises(BondError, match="早于发行日期"):
        record_spending(issued, DAY - dt.timedelta(days=6), Decimal("1"))
    record_spending(issued, DAY, Decimal("60"))
    with pytest.raises(BondError, match="剩余 40万元"):
        record_spending(issued, DAY, Decimal("40.01"))


def test_an_application_dates_agree_with_its_status(batch, make_project):
    project = make_project()
    with pytest.raises(BondError, match="申报日期"):
        save_application(None, batch, project, Decimal("800"), "submitted", None, None)
    saved = save_application(None, batch, project, Decimal("800"), "approved", DAY - dt.timedelta(days=9), DAY)
    assert (saved.status_label, saved.decided_on) == ("已入选", DAY)


def workbook(*rows):
    book = xlsx.new_workbook()
    for row in rows:
        book.active.append(list(row))
    return io.BytesIO(xlsx.to_bytes(book))


HEADER = ("序号", "项目名称", "项目代码", "金额（万元）", "发行日期")


def test_a_batch_list_imports_by_code_or_name(batch, make_project):
    make_project(code="XM-A", name="东城物流园")
    make_project(code="XM-B", name="西城文旅街", national_code="2026-610100-48-01-000001")
    kept = make_project(code="XM-C", name="南城污水厂")
    entry(batch, kept, "10")
    sheet = workbook(
        ("2026年第一批专项债券项目清单",),
        HEADER,
        (1, "东城物流园", None, 1200, dt.datetime(2026, 3, 15)),
        (2, "西城文旅街（名称可与系统不同）", "2026-610100-48-01-000001", "3,500.5", None),
        (3, "南城污水厂", "XM-C", 800, "2026-04-01"),
    )
    with db.atomic():
        assert import_entries(batch, sheet) == 3
    amounts = {e.project.code: (e.amount, e.issued_on) for e in BondEntry.select()}
    assert amounts == {
        "XM-A": (Decimal("1200.00"), dt.date(2026, 3, 15)),
        "XM-B": (Decimal("3500.50"), None),
        "XM-C": (Decimal("800.00"), dt.date(2026, 4, 1)),  # already listed: updated, not added twice
    }


def test_a_batch_list_with_a_bad_row_imports_nothing_and_says_why(batch, make_project):
    make_project(code="XM-A", name="东城物流园")
    make_project(code="XM-B", name="同名项目")
    make_project(code="XM-C", name="同名项目")
    sheet = workbook(
        HEADER,
        (1, "东城物流园", None, 1200, None),
        (2, "不存在的项目", None, 100, None),
        (3, "同名项目", None, 100, None),
        (4, "东城物流园", "XM-A", "一千", "下个月"),
    )
    with pytest.raises(BondImportError) as refused, db.atomic():
        import_entries(batch, sheet)
    assert refused.value.messages == [
        "第 3 行：项目名称“不存在的项目”找不到该项目",
        "第 4 行：项目名称“同名项目”对应多个项目，请填写项目代码",
        "第 2 行：项目“东城物流园”在表中出现多次",
        "第 5 行：项目“东城物流园”在表中出现多次",
        "第 5 行：金额“一千”应为大于 0 的数（万元）",
        "第 5 行：发行日期“下个月”应为日期，如 2026-03-15",
    ]
    assert BondEntry.select().count() == 0


def test_a_file_that_is_no_workbook_is_refused_in_chinese(batch):
    with pytest.raises(BondImportError, match="请上传 Excel 的 .xlsx 文件"):
        import_entries(batch, io.BytesIO(b"not a zip"))
    with pytest.raises(BondImportError, match="找不到表头行"):
        import_entries(batch, workbook(("名称",), ("东城物流园",)))


@pytest.fixture
def city(app, make_user, make_project):
    """Two projects in two counties, each with an owner and a bond entry; an application; a user per role."""
    mine = make_project(code="XM-A", name="东城物流园", county="东城区")
    theirs = make_project(code="XM-B", name="西城文旅街", county="西城区")
    with db.connection_context():
        for role in ("office", "leader", "inspector", "department"):
            make_user(role, role, department="市发展改革委" if role == "department" else "")
        AccountCounty.set_counties(make_user("county", "county"), ["东城区"])
        User.update(password_hash=PASSWORD_HASH).execute()
        batch = BondBatch.create(year=2026, number=1, listed_on=dt.date(2026, 5, 1))
        second = BondBatch.create(year=2026, number=2)
        entries = {
            "mine": entry(batch, mine, "1200", dt.date(2026, 5, 20)),
            "theirs": entry(batch, theirs, "800", dt.date(2026, 6, 1)),
        }
        record_spending(entries["theirs"], dt.date(2026, 7, 1), Decimal("700"))
        application = save_application(None, second, theirs, Decimal("900"), "submitted", dt.date(2026, 10, 8), None)
    return {"batch": batch, "second": second, "entries": entries, "application": application, "owner": mine.owner}


def listed(html):
    return re.findall(r'data-entry="(\d+)"', html.split('id="entries"')[1].split("</table>")[0])


def test_the_overview_and_a_batch_page_show_the_figures(city, login):
    client = login("leader")
    page = client.get("/bonds/").get_data(as_text=True)
    assert "2026年第一批专项债券" in page and "2,000万元" in page and "已申报 1 个（900万元）" in page
    batch = client.get(f"/bonds/{city['batch'].id}").get_data(as_text=True)
    assert len(listed(batch)) == 2 and "西城文旅街" in batch
    filtered = client.get(f"/bonds/{city['batch'].id}?county=东城区").get_data(as_text=True)
    assert listed(filtered) == [str(city["entries"]["mine"].id)]


@pytest.mark.parametrize(
    ("role", "shown"), [("owner", ["mine"]), ("county", ["mine"]), ("department", ["mine", "theirs"])]
)
def test_owners_and_counties_see_their_own_entries_only(city, login, role, shown):
    client = login(city["owner"].username if role == "owner" else role)
    page = client.get(f"/bonds/{city['batch'].id}").get_data(as_text=True)
    assert listed(page) == [str(city["entries"][name].id) for name in shown]
    theirs = client.get(f"/bonds/entries/{city['entries']['theirs'].id}")
    assert theirs.status_code == (200 if "theirs" in shown else 403)
    # A batch none of whose projects they see is there, counting none.
    none_of_theirs = client.get(f"/bonds/{city['second'].id}").get_data(as_text=True)
    assert listed(none_of_theirs) == [] and 'data-figure="projects">0<' in none_of_theirs


MANAGING = [
    ("GET", "/bonds/batches/new"),
    ("GET", "/bonds/{batch}/edit"),
    ("GET", "/bonds/{batch}/entries/new"),
    ("GET", "/bonds/entries/{entry}/edit"),
    ("POST", "/bonds/entries/{entry}/spending"),
    ("GET", "/bonds/{batch}/applications/new"),
    ("GET", "/bonds/applications/{application}/edit"),
    ("GET", "/bonds/{batch}/import"),
]


@pytest.mark.parametrize(("method", "route"), MANAGING)
@pytest.mark.parametrize("role", ["office", "leader", "inspector", "department", "county", "owner"])
def test_only_the_office_keeps_the_bond_records(city, login, method, route, role):
    client = login(city["owner"].username if role == "owner" else role)
    path = route.format(batch=city["batch"].id, entry=city["entries"]["mine"].id, application=city["application"].id)
    response = client.get(path) if method == "GET" else post(client, path, {})
    assert (response.status_code != 403) is (role == "office")


def test_the_office_adds_an_entry_and_records_its_spending(city, login, make_project, recorded):
    make_project(code="XM-N", name="北城产业园")
    client = login("office")
    batch = city["batch"].id
    added = post(
        client, f"/bonds/{batch}/entries/new", {"project": "XM-N", "amount": "1,500", "issued_on": "2026-06-01"}
    )
    assert added.status_code == 302
    with db.connection_context():
        new = BondEntry.get(BondEntry.amount == Decimal("1500"))
    twice = post(client, f"/bonds/{batch}/entries/new", {"project": "XM-N", "amount": "1", "issued_on": ""})
    assert field_errors(twice.get_data(as_text=True), "project") == ["该项目已列入2026年第一批专项债券"]
    spent = post(
        client, f"/bonds/entries/{new.id}/spending", {"spent_on": "2026-07-01", "amount": "500", "note": "工程款"}
    )
    assert spent.status_code == 302
    too_much = post(client, f"/bonds/entries/{new.id}/spending", {"spent_on": "2026-07-02", "amount": "1000.01"})
    assert too_much.status_code == 422 and "剩余 1,000万元" in too_much.get_data(as_text=True)
    page = client.get(f"/bonds/entries/{new.id}").get_data(as_text=True)
    assert "500万元" in page and "支出率 33.3%" in page
    detail = {"batch": "2026年第一批专项债券", "project": "XM-N", "amount": "500", "spent_on": "2026-07-01"}
    assert recorded("bond_spending_recorded") == [("bond_spending_recorded", "office", detail)]


def test_the_import_page_lists_every_bad_row(city, login, make_project):
    client = login("office")
    sheet = workbook(HEADER, (1, "东城物流园", None, 1200, None), (2, "没有的项目", None, 5, None))
    token_page = client.get(f"/bonds/{city['batch'].id}/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page).group(1)
    response = client.post(
        f"/bonds/{city['batch'].id}/import",
        data={"csrf_token": token, "file": (sheet, "清单.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "第 3 行：项目名称“没有的项目”找不到该项目" in response.get_data(
        as_text=True
    )


def test_the_project_page_shows_its_bonds_and_applications(city, login):
    client = login("leader")
    page = client.get("/projects/XM-B").get_data(as_text=True)
    section = page.split('id="bonds"')[1].split("</section>")[0]
    assert "2026年第一批专项债券" in section and "700万元" in section
    assert "2026年第二批专项债券 900万元（已申报，2026-10-08 申报）" in section


def test_the_batch_export_is_a_workbook_of_its_projects(city, login):
    from openpyxl import load_workbook

    response = login("leader").get(f"/bonds/{city['batch'].id}/export")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [r[:2] for r in rows[:2]] == [["XM-A", "东城物流园"], ["XM-B", "西城文旅街"]]
    assert rows[-1][:4] == ["合计", "2 个项目", None, 2000]


def test_the_api_gives_figures_by_batch_within_reach(city, token_for, call):
    with db.connection_context():
        leader = User.get(User.username == "leader")
    body = call(token_for(leader), "GET", "/bonds?date=2026-11-25").get_json()
    first = next(b for b in body["batches"] if b["batch"]["number"] == 1)
    assert (first["projects"], first["amount"], first["spent"], first["spend_rate"]) == (2, 2000, 700, 35.0)
    assert (first["idle"], first["idle_projects"]) == (1200, 1)
    second = next(b for b in body["batches"] if b["batch"]["number"] == 2)
    assert second["applications_by_status"] == {"submitted": {"count": 1, "amount": 900}}
    owners = call(token_for(city["owner"]), "GET", f"/bonds/{city['batch'].id}?date=2026-11-25").get_json()
    assert [e["project"]["code"] for e in owners["entries"]] == ["XM-A"] and owners["amount"] == 1200
    assert owners["entries"][0]["idle"] is True
    missing = call(token_for(leader), "GET", "/bonds/999")
    assert missing.status_code == 404 and missing.get_json()["error"]["message"] == "专项债券批次不存在"


@pytest.mark.parametrize(("key", "value"), [("idle_days", 0), ("idle_share", 0.0), ("idle_share", 1.5)])
def test_the_idle_rule_refuses_a_threshold_that_means_nothing(key, value):
    from tracker.core.config import ConfigError, load_config

    with pytest.raises(ConfigError, match=f"\\[bonds\\] {key}"):
        load_config(overrides={"bonds": {key: value}})
