"""A province's list of 30,000 projects imports while owners go on filing their reports.

The import writes in short transactions, so an owner's report waits a
fraction of a second for the write lock, never the whole import: the app
runs in a real threaded HTTP server and the owners file over the API."""

import io
import threading
import urllib.request
from decimal import Decimal

from openpyxl import Workbook
from werkzeug.serving import make_server

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.projects.models import Project
from tracker.projects.sheet_import import import_project_list

ROWS = 30_000


def province_list(rows):
    """A province's list as published: a title, the unit row, sections per city, no codes, no phones."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("重点项目")
    sheet.append(["附件1"])
    sheet.append(["2026年全省重点建设项目表"])
    sheet.append(["编制单位：省发展改革委", None, None, None, "单位：万元"])
    sheet.append(["序号", "项目名称", "建设单位", "建设性质", "总投资", "2026年计划投资", "建设起止年限"])
    for city in range(rows // 1000):
        sheet.append([f"{'一二三四五六七八九十'[city % 10]}、第{city + 1}市"])
        for n in range(1000):
            number = city * 1000 + n
            sheet.append(
                [
                    n + 1,
                    f"省重点项目{number}号",
                    f"建设公司{number}",
                    "续建",
                    f"{(number % 97 + 2) * 100 + 0.35}",
                    "120.5",
                    "2025-2027",
                ]
            )
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_a_30000_row_list_imports_while_owners_file_reports_and_no_request_fails(app, config, make_project, token_for):
    with db.connection_context():
        projects = [make_project() for _ in range(4)]
        tokens = [token_for(User.get_by_id(project.owner_id)) for project in projects]
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}/api/v1"
    importing, outcomes, last_sent = threading.Event(), [], {}

    def file_reports(project, token):
        # This week's report, corrected again and again: each correction must land.
        amounts = (Decimal("100.25") + n for n in range(10**6))
        while importing.is_set():
            amount = next(amounts)
            body = f'{{"status": "started", "investment_completed": {amount}}}'.encode()
            request = urllib.request.Request(
                f"{base}/projects/{project.code}/reports",
                data=body,
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    outcomes.append(response.status)
            except urllib.error.HTTPError as e:
                outcomes.append(e.code)
            last_sent[project.code] = amount

    owners = [threading.Thread(target=file_reports, args=pair) for pair in zip(projects, tokens, strict=True)]
    importing.set()
    for owner in owners:
        owner.start()
    try:
        with db.connection_context():
            run = import_project_list(province_list(ROWS), None, config, "全省重点项目.xlsx")
    finally:
        importing.clear()
        for owner in owners:
            owner.join()
        httpd.shutdown()
    assert (run.state, run.created) == ("done", ROWS)
    assert outcomes and set(outcomes) == {201}
    with db.connection_context():
        latest = {
            p.code: p.investment_completed for p in Project.select().where(Project.id.in_([p.id for p in projects]))
        }
        assert latest == last_sent
        assert Project.select().count() == ROWS + len(projects)
        imported = Project.get(Project.name == "省重点项目12345号")
        assert (imported.total_investment, imported.category, imported.kind) == (
            Decimal("2800.35"),
            "第13市",
            "continuing",
        )
