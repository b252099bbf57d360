"""The project list's import and export as the office uses them: the upload form, the download, the command line."""

import io
import os
import re
import subprocess
import sys
from decimal import Decimal
from urllib.parse import quote, unquote

import pytest
from conftest import csrf_token
from openpyxl import load_workbook
from real_lists import prefecture_list
from sheets import office_book, row, xlsx

from tracker.core.config import PROJECT_ROOT
from tracker.core.db import db
from tracker.projects.models import Project

# The web pages -----------------------------------------------------------------


def upload(client, data, filename="重点项目清单.xlsx"):
    token = csrf_token(client.get("/projects/import").get_data(as_text=True))
    form = {"csrf_token": token, "file": (io.BytesIO(data), filename)}
    return client.post("/projects/import", data=form, content_type="multipart/form-data")


def sheet_bytes(rows):
    return xlsx(office_book({"一、化工产业链": rows})).getvalue()


def confirm(client, preview):
    """Press 确认导入 on a preview page."""
    page = preview.get_data(as_text=True)
    action = re.search(r'action="(/projects/import/[0-9a-f]+)"', page)[1]
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', page)[1]
    return client.post(action, data={"csrf_token": csrf_token(page), "fingerprint": fingerprint})


def test_the_office_sees_a_preview_then_confirms_and_the_list_is_written(client, login, make_user, official):
    make_user("office", "office")
    login("office")
    preview = upload(client, xlsx(prefecture_list()).getvalue(), filename="2024年重大项目清单.xlsx")

    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "共 4 个项目，尚未写入" in page and "新增 <strong>4</strong> 个" in page
    assert "其中 4 个表中无项目编号，按本市顺序自动编号" in page
    assert "基础设施 / 交通 / 铁路：2 个项目" in page
    assert '产业发展：1 个项目 <strong class="error">（表中写 3 个）</strong>' in page
    assert "合计的总投资 115283.85 万元与各行之和 115283.86 万元不符" in page
    assert "<dt>项目单位</dt><dd>建设单位</dd>" in page
    with db.connection_context():
        assert Project.select().count() == 0

    done = confirm(client, preview)
    assert done.status_code == 302 and done.headers["Location"].endswith("/projects/incomplete")
    landing = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "导入完成：新增 4 个，更新 0 个，0 个无变化；4 个项目待完善" in landing
    with db.connection_context():
        assert Project.select().count() == 4
    history = client.get("/projects/import").get_data(as_text=True)
    assert "2024年重大项目清单.xlsx" in history and "新增 4，更新 0，无变化 0" in history


def test_a_preview_shows_each_change_field_by_field(client, login, make_user, official):
    make_user("office", "office")
    login("office")
    confirm(client, upload(client, xlsx(prefecture_list()).getvalue()))
    book = prefecture_list()
    book.active["F10"] = 150.4
    page = upload(client, xlsx(book).getvalue()).get_data(as_text=True)
    assert "更新 <strong>1</strong> 个" in page and "无变化 <strong>3</strong> 个" in page
    assert "总投资：148.35 → 150.4" in page


def test_a_list_changed_after_its_preview_is_previewed_again_not_written(client, login, make_user, make_project):
    make_user("office", "office")
    login("office")
    preview = upload(client, xlsx(prefecture_list()).getvalue())
    make_project(
        code="X-1", name="新材料产业园", annual_plan_investment=None
    )  # someone lists one of its projects meanwhile
    again = confirm(client, preview)
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "预览之后项目清单已被他人修改" in page and "新增 <strong>3</strong> 个" in page
    with db.connection_context():
        assert Project.select().count() == 1
    assert confirm(client, again).status_code == 302
    with db.connection_context():
        assert Project.select().count() == 4


def test_a_preview_that_is_gone_asks_for_the_list_again(client, login, make_user):
    make_user("office", "office")
    login("office")
    token = csrf_token(client.get("/projects/import").get_data(as_text=True))
    response = client.post("/projects/import/" + "0" * 32, data={"csrf_token": token, "fingerprint": "ab"})
    assert response.status_code == 302
    assert "预览已失效，请重新上传清单" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_bad_upload_lists_every_problem_and_writes_nothing(client, login, make_user, official):
    make_user("office", "office")
    login("office")
    response = upload(
        client, sheet_bytes([row("HG-001", total_investment=None), row("HG-002", annual_plan_investment=20_000)])
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "第6行：总投资不能为空" in page
    assert "第7行：年度计划投资不能大于总投资" in page
    with db.connection_context():
        assert Project.select().count() == 0


def test_an_upload_that_is_not_xlsx_is_refused_with_422(client, login, make_user):
    make_user("office", "office")
    login("office")
    response = upload(client, b"code,name\nHG-001,x\n", filename="清单.csv")
    assert response.status_code == 422
    assert "只接受 .xlsx 文件" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["owner", "leader", "inspector"])
def test_only_the_office_may_import(client, login, make_user, role):
    make_user("someone", role)
    login("someone")
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.get("/projects/import").status_code == 403
    assert client.post("/projects/import", data={"csrf_token": token}).status_code == 403


def test_an_oversize_upload_is_refused_with_413(app, client, login, make_user):
    make_user("office", "office")
    login("office")
    app.config["MAX_UPLOAD_BYTES"] = 4096  # [web] max_upload_mb, in bytes
    response = upload(client, os.urandom(8192))
    assert response.status_code == 413


@pytest.mark.parametrize("role", ["office", "leader", "inspector"])
def test_export_downloads_the_projects_matching_the_filters(client, login, make_user, make_project, role):
    make_project(code="E-1", county="东城区")
    make_project(code="W-1", county="西城区")
    make_user("reader", role)
    login("reader")
    response = client.get("/projects/export?county=西城区")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('重点项目清单-')}" in disposition
    assert disposition.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["W-1"]


def test_an_owner_cannot_export_the_list(client, login, make_project):
    make_project(code="O-1", responsible_phone="13900000001")
    login("13900000001")
    assert client.get("/projects/export").status_code == 403


def test_the_navigation_offers_import_and_export_to_the_office(client, login, make_user):
    make_user("office", "office")
    login("office")
    page = client.get("/projects/").get_data(as_text=True)
    assert "导入清单" in page and "导出清单" in page


# The command line --------------------------------------------------------------


def run(database_url, tmp_path, *args):
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_WEB_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
    }
    command = [sys.executable, "-m", "tracker", *args]
    return subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_the_command_line_imports_and_exports_the_list(app, database_url, tmp_path, official):
    sheet = tmp_path / "清单.xlsx"
    sheet.write_bytes(sheet_bytes([row("HG-001"), row("HG-002")]))
    imported = run(database_url, tmp_path, "import-projects", str(sheet))
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 new and 0 updated project(s), 0 unchanged" in imported.stdout

    exported = run(database_url, tmp_path, "export-projects", str(tmp_path / "out.xlsx"))
    assert exported.returncode == 0, exported.stderr
    rows = load_workbook(tmp_path / "out.xlsx").active.iter_rows(min_row=3, values_only=True)
    assert [r[0] for r in rows] == ["HG-001", "HG-002"]


def test_a_dry_run_prints_the_preview_and_writes_nothing(app, database_url, tmp_path):
    sheet = tmp_path / "清单.xlsx"
    sheet.write_bytes(xlsx(prefecture_list()).getvalue())
    result = run(database_url, tmp_path, "import-projects", str(sheet), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "《附件1》 header rows 4-4, unit 万元" in result.stdout
    assert "section 基础设施 / 交通 / 铁路: 2" in result.stdout
    assert "new 4, changed 0, unchanged 0" in result.stdout
    assert "warning: 《附件1》第5行：合计的总投资 115283.85 万元与各行之和 115283.86 万元不符" in result.stdout
    assert "dry run: nothing written" in result.stdout
    with db.connection_context():
        assert Project.select().count() == 0


def test_the_command_line_prints_every_problem_and_imports_nothing(app, database_url, tmp_path, official):
    sheet = tmp_path / "清单.xlsx"
    sheet.write_bytes(sheet_bytes([row("HG-001", total_investment="很多")]))
    result = run(database_url, tmp_path, "import-projects", str(sheet))
    assert result.returncode != 0
    assert "第6行：总投资应为数字（万元），收到“很多”" in result.stderr
    assert "nothing imported: 1 problem(s)" in result.stderr
    with db.connection_context():
        assert Project.select().count() == 0


def test_the_dispatch_table_states_this_years_investment_against_the_plan_the_light_and_last_week(
    client, login, make_user, make_project, config
):
    from reporting import file

    with db.connection_context():
        reported = make_project(code="DT-1", annual_plan_investment=Decimal("5000.25"))
        file(config, reported, "2025-W50", investment_completed=Decimal("1000.25"))
        file(config, reported, "2026-W10", investment_completed=Decimal("3000.75"))
        make_project(code="DT-2", county="西城区")
    make_user("chief", "office")
    login("chief")
    response = client.get("/projects/export/dispatch?county=东城区")
    assert response.status_code == 200
    assert "重点项目调度表" in unquote(response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value.startswith("重点项目调度表（截至 ")
    header = [c.value for c in sheet[2]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert [r["项目编号"] for r in rows] == ["DT-1"]
    [row] = rows
    assert Decimal(repr(row["本年完成投资（万元）"])) == Decimal("2000.50")
    assert row["占年度计划（%）"] == 40.0
    assert Decimal(repr(row["累计完成投资（万元）"])) == Decimal("3000.75")
    assert (row["项目状态"], row["最近填报周"]) == ("已开工", "2026-W10")
    assert row["预警"] in ("红灯", "黄灯", "绿灯")


def test_an_owner_cannot_export_the_dispatch_table(client, login, make_project):
    make_project(code="O-1", responsible_phone="13900000001")
    login("13900000001")
    assert client.get("/projects/export/dispatch").status_code == 403
