"""The project list's import and export as the office uses them: the upload form, the download, the command line."""

import io
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from conftest import csrf_token
from openpyxl import load_workbook
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


def test_the_office_uploads_the_list_through_the_form(client, login, make_user, official):
    make_user("office", "office")
    login("office")
    response = upload(client, sheet_bytes([row("HG-001"), row("HG-002")]))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/projects/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入成功：新增 2 个，更新 0 个" in page
    assert 'data-code="HG-002"' in page


def test_a_bad_upload_lists_every_problem_and_writes_nothing(client, login, make_user, official):
    make_user("office", "office")
    login("office")
    response = upload(client, sheet_bytes([row("HG-001", total_investment=None), row("HG-002", lead_official="赵六")]))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "第6行：总投资不能为空" in page
    assert "第7行：未登记的包抓领导“赵六”" in page
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
    app.config["MAX_CONTENT_LENGTH"] = 4096
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
    assert "imported 2 new and 0 updated" in imported.stdout

    exported = run(database_url, tmp_path, "export-projects", str(tmp_path / "out.xlsx"))
    assert exported.returncode == 0, exported.stderr
    rows = load_workbook(tmp_path / "out.xlsx").active.iter_rows(min_row=3, values_only=True)
    assert [r[0] for r in rows] == ["HG-001", "HG-002"]


def test_the_command_line_prints_every_problem_and_imports_nothing(app, database_url, tmp_path, official):
    sheet = tmp_path / "清单.xlsx"
    sheet.write_bytes(sheet_bytes([row("HG-001", total_investment="很多")]))
    result = run(database_url, tmp_path, "import-projects", str(sheet))
    assert result.returncode != 0
    assert "第6行：总投资应为数字（万元），收到“很多”" in result.stderr
    assert "nothing imported: 1 problem(s)" in result.stderr
    with db.connection_context():
        assert Project.select().count() == 0
