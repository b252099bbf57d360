"""The managed lists (县区, 产业链, 部门): the office keeps them, forms choose from them, the import adds to them."""

import datetime as dt
import io
import re

import pytest
from conftest import LISTS, csrf_token
from pages import account_form, field_errors, post, project_form
from sheets import office_book, row, xlsx

from tracker.accounts.models import AccountCounty, User
from tracker.core.db import db
from tracker.cycles.snapshots import ProjectSnapshot, take_snapshot
from tracker.problems.ledger import raise_problem
from tracker.problems.models import Problem
from tracker.projects.models import ListEntry, Project
from tracker.schema import create_tables

DEADLINE = dt.date(2027, 1, 15)


def names(kind):
    """The list ``kind`` as the office's page shows it, in order, retired ones marked."""
    with db.connection_context():
        return [entry.name + ("（停用）" if entry.retired else "") for entry in ListEntry.of_kind(kind)]


def entry(kind, name):
    with db.connection_context():
        return ListEntry.get((ListEntry.kind == kind) & (ListEntry.name == name))


def options(html, name):
    """The options of the <select> named ``name`` on a page, in order, "" for the blank one."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"', select)


def fresh(model, row_id):
    with db.connection_context():
        return model.get_by_id(row_id)


def test_merging_moves_every_project_problem_and_account_to_the_kept_name(client, office_session, make_project):
    with db.connection_context():
        ListEntry.append("county", ["南湖", "南湖县"])
        ListEntry.append("department", ["市发改委"])
    old = make_project(code="NH-1", county="南湖", lead_department="市发改委")
    kept = make_project(code="NH-2", county="南湖县")
    archived = make_project(code="NH-3", county="南湖")
    with db.connection_context():
        Project.update(archived=True).where(Project.id == archived.id).execute()
        office = User.get(User.username == "office")
        problem = raise_problem(old, "用地指标不足", "市发改委", DEADLINE, office, source="office")
        department = User.create(username="fgw", role="department", department="市发改委")

    merged = post(client, f"/lists/entries/{entry('county', '南湖').id}/merge", {"into": entry("county", "南湖县").id})
    assert merged.status_code == 302
    assert "已将“南湖”合并到“南湖县”" in client.get(merged.headers["Location"]).get_data(as_text=True)
    assert [fresh(Project, p.id).county for p in (old, kept, archived)] == ["南湖县"] * 3
    assert "南湖" not in names("county")
    page = client.get("/projects/NH-1").get_data(as_text=True)
    assert "南湖 → 南湖县" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('id="changes"')[1]))

    post(
        client,
        f"/lists/entries/{entry('department', '市发改委').id}/merge",
        {"into": entry("department", "市发展改革委").id},
    )
    assert fresh(Problem, problem.id).department == "市发展改革委"
    assert fresh(User, department.id).department == "市发展改革委"
    assert fresh(Project, old.id).lead_department == "市发展改革委"


def test_merging_counties_moves_a_county_office_account_and_keeps_one_row_where_it_held_both(client, office_session):
    with db.connection_context():
        ListEntry.append("county", ["南湖", "南湖县"])
        one = User.create(username="nanhu", role="county")
        both = User.create(username="both", role="county")
        AccountCounty.set_counties(one, ["南湖"])
        AccountCounty.set_counties(both, ["南湖", "南湖县"])

    post(client, f"/lists/entries/{entry('county', '南湖').id}/merge", {"into": entry("county", "南湖县").id})

    assert fresh(User, one.id).counties == ["南湖县"]
    assert fresh(User, both.id).counties == ["南湖县"]


def test_renaming_an_entry_renames_it_everywhere_and_a_department_still_sees_its_problems(
    client, office_session, make_user, login, make_project, config
):
    project = make_project(code="ZJ-1", lead_department="市住建局")
    with db.connection_context():
        office = User.get(User.username == "office")
        problem = raise_problem(project, "施工许可办理缓慢", "市住建局", DEADLINE, office, source="office")
        take_snapshot("2026-W47", config["warnings"])
    make_user("zjj", "department", department="市住建局")

    renamed = post(
        client, f"/lists/entries/{entry('department', '市住建局').id}/rename", {"name": "市住房和城乡建设局"}
    )
    assert renamed.status_code == 302
    assert fresh(Project, project.id).lead_department == "市住房和城乡建设局"
    with db.connection_context():
        assert ProjectSnapshot.get(ProjectSnapshot.project == project.id).lead_department == "市住房和城乡建设局"
    assert "市住房和城乡建设局" in names("department") and "市住建局" not in names("department")
    department = login("zjj", c=client.application.test_client())
    assert "施工许可办理缓慢" in department.get("/problems/").get_data(as_text=True)
    assert department.get(f"/problems/{problem.id}").status_code == 200


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("东城区", "“东城区”已在县区名单中"),
        (" 东城 ", "已有“东城区”，与“东城”只差县/区/市或空格"),
        ("", "请填写名称"),
    ],
)
def test_a_name_listed_already_or_nearly_is_refused_and_changes_nothing(client, office_session, name, message):
    response = post(client, "/lists/county", {"name": name})
    assert response.status_code == 422
    assert message in " ".join(field_errors(response.get_data(as_text=True), "name"))
    assert names("county") == list(LISTS["county"])


def test_renaming_to_a_listed_name_or_merging_into_itself_is_refused(client, office_session, make_project):
    east = entry("county", "东城区")
    project = make_project(county="东城区")
    response = post(client, f"/lists/entries/{east.id}/rename", {"name": "西城区"})
    assert response.status_code == 422 and "“西城区”已在县区名单中" in response.get_data(as_text=True)
    response = post(client, f"/lists/entries/{east.id}/merge", {"into": east.id})
    assert response.status_code == 422 and "请选择名单中的一项" in response.get_data(as_text=True)
    assert fresh(Project, project.id).county == "东城区" and names("county") == list(LISTS["county"])


def test_the_office_adds_and_reorders_and_forms_and_filters_follow_the_order(client, office_session, make_project):
    assert post(client, "/lists/county", {"name": "北山县"}).status_code == 302
    north = entry("county", "北山县")
    post(client, f"/lists/entries/{north.id}/up")
    assert names("county") == ["东城区", "西城区", "南城区", "北山县", "高新区"]
    assert options(client.get("/projects/new").get_data(as_text=True), "county") == ["", *names("county")]
    make_project(county="高新区")
    assert options(client.get("/projects/").get_data(as_text=True), "county") == ["", *names("county")]
    assert options(client.get("/problems/").get_data(as_text=True), "county") == ["", *names("county")]


def test_a_retired_entry_is_offered_no_more_but_a_project_using_it_keeps_it(client, office_session, make_project):
    project = make_project(code="GX-1", county="高新区")
    assert post(client, f"/lists/entries/{entry('county', '高新区').id}/retire").status_code == 302
    assert "高新区（停用）" in names("county")
    assert "高新区" not in options(client.get("/projects/new").get_data(as_text=True), "county")
    assert "高新区" in options(client.get("/projects/GX-1/edit").get_data(as_text=True), "county")
    edited = post(client, "/projects/GX-1/edit", project_form(code="GX-1", county="高新区", name="改名后的项目"))
    assert edited.status_code == 302
    assert (fresh(Project, project.id).county, fresh(Project, project.id).name) == ("高新区", "改名后的项目")
    refused = post(client, "/projects/new", project_form(county="高新区"))
    assert refused.status_code == 422 and field_errors(refused.get_data(as_text=True), "county")


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("county", "北山县", "县区"),
        ("industry_chain", "新能源产业链", "产业链"),
        ("lead_department", "市统计局", "部门"),
    ],
)
def test_the_project_form_refuses_a_name_not_on_its_list(client, office_session, official, field, value, label):
    response = post(client, "/projects/new", project_form(**{field: value}))
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), field) == [
        f"请从{label}名单中选择（名单由领导小组办公室在“县区·产业链·部门”页维护）"
    ]
    with db.connection_context():
        assert not Project.select().exists() and not ListEntry.select().where(ListEntry.name == value).exists()


def test_the_problem_and_account_forms_refuse_a_department_not_on_the_list(client, office_session, make_project):
    make_project(code="XM-P")
    response = post(
        client,
        "/problems/new?project=XM-P",
        {"description": "缺电", "department": "市统计局", "deadline": "2027-01-15"},
    )
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "department")
    response = post(client, "/accounts/new", account_form(username="tjj", role="department", department="市统计局"))
    assert response.status_code == 422 and field_errors(response.get_data(as_text=True), "department")
    with db.connection_context():
        assert not Problem.select().exists() and not User.select().where(User.username == "tjj").exists()


def test_the_api_accepts_listed_names_only_and_says_which_field(call, make_user, token_for, make_project, official):
    token = token_for(make_user("office", "office"))
    body = {"code": "API-1", "name": "接口项目", "total_investment": 100, "county": "北山县"}
    response = call(token, "POST", "/projects", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "county" and "北山县" in response.get_json()["error"]["message"]
    assert call(token, "POST", "/projects", json={**body, "county": "西城区"}).status_code == 201
    # A project's own name, even retired, may stay as it is while another field changes.
    make_project(code="OLD-1", county="高新区")
    with db.connection_context():
        ListEntry.update(retired=True).where(ListEntry.name == "高新区").execute()
    assert call(token, "PATCH", "/projects/OLD-1", json={"name": "新名称"}).status_code == 200
    response = call(token, "PATCH", "/projects/OLD-1", json={"lead_department": "市统计局"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "lead_department"


def upload(client, book):
    token = csrf_token(client.get("/projects/import").get_data(as_text=True))
    form = {"csrf_token": token, "file": (io.BytesIO(xlsx(book).getvalue()), "清单.xlsx")}
    return client.post("/projects/import", data=form, content_type="multipart/form-data")


def test_the_import_warns_of_new_names_adds_them_on_confirmation_and_maps_near_duplicates(
    client, office_session, official
):
    rows = [row(f"NH-{n}", county="南湖县") for n in range(1, 4)]
    rows += [row("DC-1", county="东城", lead_department="市住建局 "), row("DC-2", county="南湖")]
    preview = upload(client, office_book({"一、化工产业链": rows}))
    page = preview.get_data(as_text=True)
    assert "新增县区：南湖县（3 个项目）" in page
    assert "县区“东城”按已有的“东城区”导入（1 个项目）" in page
    assert "县区“南湖”按已有的“南湖县”导入（1 个项目）" in page
    assert "南湖县" not in names("county")  # nothing written before the confirmation

    form = re.search(r'action="(/projects/import/[0-9a-f]+)"', page)[1]
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', page)[1]
    assert client.post(form, data={"csrf_token": csrf_token(page), "fingerprint": fingerprint}).status_code == 302
    assert names("county") == [*LISTS["county"], "南湖县"]
    with db.connection_context():
        counties = dict(Project.select(Project.code, Project.county).tuples())
        assert Project.get(Project.code == "DC-1").lead_department == "市住建局"
    assert counties == {"NH-1": "南湖县", "NH-2": "南湖县", "NH-3": "南湖县", "DC-1": "东城区", "DC-2": "南湖县"}


def test_an_older_database_gets_its_lists_from_the_names_it_uses(conn, make_project, make_user):
    make_project(county="南湖", industry_chain="文旅产业链", lead_department="市发改委")
    make_project(county="南湖县", industry_chain="", lead_department="")
    office = make_user("office", "office")
    raise_problem(Project.get(Project.county == "南湖"), "缺电", "市电力公司", DEADLINE, office, source="office")
    make_user("tjj", "department", department="市统计局")
    # As a version before the lists made it: no list_entry table.
    db.execute_sql(f"DROP TABLE {ListEntry._meta.table_name}")
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    assert names("county") == ["南湖", "南湖县"]
    assert names("industry_chain") == ["文旅产业链"]
    assert names("department") == ["市发改委", "市电力公司", "市统计局"]
    # Started again, nothing is seeded twice.
    db.close()
    create_tables()
    db.connect(reuse_if_open=True)
    assert ListEntry.select().count() == 6


@pytest.mark.parametrize("role", ["leader", "owner", "inspector", "department"])
def test_only_the_office_keeps_the_lists(client, make_user, login, role):
    make_user("someone", role)
    login("someone")
    assert client.get("/lists/").status_code == 403
    assert post(client, "/lists/county", {"name": "北山县"}).status_code == 403
    assert names("county") == list(LISTS["county"])
