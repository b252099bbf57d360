"""Importing the list of enterprises: a clean list, a real-shaped one, bad rows (nothing written), re-import."""

import io
import re

from conftest import csrf_token
from enterprise_city import MIIT
from openpyxl import Workbook

from tracker.core.db import db
from tracker.enterprises.models import Enterprise

HEADER = ["序号", "企业名称", "统一社会信用代码", "县区", "所属行业", "行业主管部门", "联系人", "联系电话"]


def book_bytes(rows, header=HEADER, title=None):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data):
    token = csrf_token(client.get("/enterprises/import").get_data(as_text=True))
    form = {"csrf_token": token, "file": (io.BytesIO(data), "规上企业名单.xlsx")}
    return client.post("/enterprises/import", data=form, content_type="multipart/form-data")


def confirm(client, preview):
    page = preview.get_data(as_text=True)
    action = re.search(r'action="(/enterprises/import/[0-9a-f]+)"', page)[1]
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', page)[1]
    return client.post(action, data={"csrf_token": csrf_token(page), "fingerprint": fingerprint})


def names():
    with db.connection_context():
        return {e.name: (e.county, e.department, e.credit_code) for e in Enterprise.select()}


GOOD = [
    [1, "东城化工有限公司", "91610100MA6TXXXX1A", "东城区", "化工", MIIT, "张伟", "13900000001"],
    [2, "西城食品有限公司", "", "西城区", "食品", "市发展改革委", "", ""],
]


def test_a_good_list_is_previewed_then_written(client, office_session):
    preview = upload(client, book_bytes(GOOD, title="全市规模以上工业企业名单"))
    assert preview.status_code == 200 and 'data-count="created">2<' in preview.get_data(as_text=True)
    assert names() == {}
    assert confirm(client, preview).status_code == 302
    assert names() == {
        "东城化工有限公司": ("东城区", MIIT, "91610100MA6TXXXX1A"),
        "西城食品有限公司": ("西城区", "市发展改革委", None),
    }


def test_a_real_shaped_list_with_sections_totals_and_no_codes_is_read(client, office_session):
    header = ["序号", "企业名称", "县区", "行业", "主管部门"]
    rows = [
        ["一、东城区（2户）", None, None, None, None],
        [1, "东城化工有限公司", None, "化工", MIIT],
        [2, "东城 食品有限公司", "", "食品", MIIT],
        ["二、南城（1户）", None, None, None, None],
        [3, "南城建材有限公司", None, "建材", "市住建局"],
        ["合计", "3户", None, None, None],
        ["填报单位：市工信局", None, None, None, None],
    ]
    preview = upload(client, book_bytes(rows, header=header, title="规上工业企业复工复产情况表"))
    assert preview.status_code == 200, preview.get_data(as_text=True)
    confirm(client, preview)
    read = names()
    assert read["东城化工有限公司"][:2] == ("东城区", MIIT)
    assert read["南城建材有限公司"][:2] == ("南城区", "市住建局")  # 南城 is the listed 南城区
    assert len(read) == 3


def test_a_list_with_bad_rows_writes_nothing_and_says_why(client, office_session):
    rows = [
        *GOOD,
        [3, "", "", "东城区", "", MIIT, "", ""],
        [4, "北山矿业有限公司", "123", "北山县", "", "市矿业局", "", ""],
    ]
    response = upload(client, book_bytes(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "未导入任何数据" in page
    assert "第4行：缺少企业名称" in page
    assert "统一社会信用代码应为 18 位" in page and "县区“北山县”不在名单中" in page
    assert "行业主管部门“市矿业局”不在名单中" in page
    assert names() == {}


def test_a_reimport_updates_by_credit_code_else_by_name(client, office_session):
    confirm(client, upload(client, book_bytes(GOOD)))
    again = [
        [1, "东城化工股份有限公司", "91610100MA6TXXXX1A", "东城区", "化工", MIIT, "李强", ""],
        [2, "西城食品有限公司", "", "西城区", "食品", MIIT, "", ""],
    ]
    preview = upload(client, book_bytes(again))
    assert 'data-count="changed">2<' in preview.get_data(as_text=True)
    confirm(client, preview)
    read = names()
    assert set(read) == {"东城化工股份有限公司", "西城食品有限公司"}
    assert read["西城食品有限公司"][1] == MIIT


def test_only_the_office_imports(client, login, make_user):
    make_user("miit", "department", department=MIIT)
    login("miit")
    assert client.get("/enterprises/import").status_code == 403
