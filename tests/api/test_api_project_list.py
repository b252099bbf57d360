"""The project list over the API: importing an .xlsx by preview and confirmation, and archiving a project."""

import io

import pytest
from real_lists import prefecture_list
from sheets import office_book, row, xlsx

from tracker.core.db import db
from tracker.projects.models import Change, ListEntry, Project, ProjectImport


@pytest.fixture
def office(make_user, token_for):
    return token_for(make_user("office", "office"))


def upload(call, token, data, filename="重点项目清单.xlsx"):
    return call(
        token,
        "POST",
        "/projects/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def counts():
    with db.connection_context():
        return tuple(m.select().count() for m in (Project, ProjectImport, ListEntry, Change))


def test_the_office_previews_a_list_then_confirms_it_and_the_projects_are_written(call, office, official, recorded):
    preview = upload(call, office, xlsx(prefecture_list()).getvalue(), filename="2024年重大项目清单.xlsx")
    assert preview.status_code == 201, preview.get_json()
    body = preview.get_json()
    assert (body["rows"], len(body["created"]), body["changed"], body["unchanged"]) == (4, 4, [], 0)
    assert all(p["numbered"] for p in body["created"])
    assert "合计的总投资 115283.85 万元与各行之和 115283.86 万元不符" in " ".join(body["warnings"])
    with db.connection_context():
        assert Project.select().count() == 0

    done = call(office, "POST", f"/projects/import/{body['preview']}", json={"fingerprint": body["fingerprint"]})
    assert done.status_code == 201, done.get_json()
    assert {k: done.get_json()[k] for k in ("state", "created", "updated", "incomplete")} == {
        "state": "done",
        "created": 4,
        "updated": 0,
        "incomplete": 4,
    }
    with db.connection_context():
        assert Project.select().count() == 4
    assert [d["filename"] for _, _, d in recorded("import_confirmed")] == ["2024年重大项目清单.xlsx"]
    # A preview is confirmed once.
    again = call(office, "POST", f"/projects/import/{body['preview']}", json={"fingerprint": body["fingerprint"]})
    assert again.status_code == 404


def test_a_preview_lists_each_change_field_by_field(call, office, official):
    first = upload(call, office, xlsx(prefecture_list()).getvalue()).get_json()
    call(office, "POST", f"/projects/import/{first['preview']}", json={"fingerprint": first["fingerprint"]})
    book = prefecture_list()
    book.active["F10"] = 150.4
    body = upload(call, office, xlsx(book).getvalue()).get_json()
    assert body["unchanged"] == 3
    [changed] = body["changed"]
    assert changed["changes"] == [{"field": "total_investment", "old": "148.35", "new": "150.4"}]


def test_a_list_changed_after_its_preview_is_refused_until_previewed_again(call, office, make_project):
    body = upload(call, office, xlsx(prefecture_list()).getvalue()).get_json()
    make_project(code="X-1", name="新材料产业园", annual_plan_investment=None)
    before = counts()
    refused = call(office, "POST", f"/projects/import/{body['preview']}", json={"fingerprint": body["fingerprint"]})
    assert refused.status_code == 409 and "预览之后项目清单已被他人修改" in refused.get_json()["error"]["message"]
    assert counts() == before
    fresh = call(office, "GET", f"/projects/import/{body['preview']}").get_json()
    assert len(fresh["created"]) == 3 and fresh["fingerprint"] != body["fingerprint"]
    done = call(office, "POST", f"/projects/import/{body['preview']}", json={"fingerprint": fresh["fingerprint"]})
    assert done.status_code == 201 and done.get_json()["created"] == 3


def test_a_bad_sheet_lists_every_problem_as_the_page_does_and_writes_nothing(call, office, official):
    book = office_book(
        {"一、化工产业链": [row("HG-001", total_investment=None), row("HG-002", annual_plan_investment=20_000)]}
    )
    before = counts()
    response = upload(call, office, xlsx(book).getvalue())
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert any("第6行：总投资不能为空" in p for p in error["problems"])
    assert any("第7行：年度计划投资不能大于总投资" in p for p in error["problems"])
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "filename", "status"),
    [(b"code,name\nHG-001,x\n", "清单.csv", 422), (b"not a zip at all", "清单.xlsx", 422)],
    ids=["csv", "garbage"],
)
def test_a_file_that_is_no_xlsx_is_refused_in_json(call, office, data, filename, status):
    before = counts()
    response = upload(call, office, data, filename)
    assert response.status_code == status and response.get_json()["error"]["message"]
    assert counts() == before


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/projects/import/" + "0" * 32, {"fingerprint": "ab"}, 404),
        ("/projects/import/not-a-token", {"fingerprint": "ab"}, 404),
        ("/projects/import/" + "0" * 32, {}, 422),
    ],
)
def test_a_confirmation_without_a_live_preview_changes_nothing(call, office, path, body, status):
    before = counts()
    response = call(office, "POST", path, json=body)
    assert response.status_code == status and response.get_json()["error"]["status"] == status
    assert counts() == before


@pytest.mark.parametrize("role", ["leader", "inspector", "owner", "department", "county"])
def test_only_the_office_imports_and_archives(call, make_user, make_project, token_for, role):
    project = make_project(code="XM-1")
    user = project.owner if role == "owner" else make_user(role, role)
    token = token_for(user)
    before = counts()
    assert upload(call, token, xlsx(prefecture_list()).getvalue()).status_code == 403
    assert call(token, "GET", "/projects/import/" + "0" * 32).status_code == 403
    assert call(token, "POST", "/projects/import/" + "0" * 32, json={"fingerprint": "ab"}).status_code == 403
    assert call(token, "POST", "/projects/XM-1/archive").status_code == 403
    assert counts() == before


def test_the_office_archives_a_project_once(call, office, make_project):
    make_project(code="XM-1")
    archived = call(office, "POST", "/projects/XM-1/archive")
    assert archived.status_code == 200 and archived.get_json()["archived"] is True
    assert [p["code"] for p in call(office, "GET", "/projects").get_json()["items"]] == []
    before = counts()
    again = call(office, "POST", "/projects/XM-1/archive")
    assert again.status_code == 409 and again.get_json()["error"]["status"] == 409
    assert counts() == before
