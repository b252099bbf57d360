"""GET /api/v1/oc4ids and python -m tracker export-oc4ids: the same package, for those who read every project."""

import json

import pytest
from oc4ids_schema import assert_valid
from test_cli import run
from test_package import by_code, today

from tracker.core.db import db
from tracker.oc4ids.package import build_package


@pytest.fixture
def projects(make_project):
    make_project(code="P-EAST", county="东城区", name="东城区文化街区提升工程")
    make_project(code="P-WEST", county="西城区")


@pytest.mark.parametrize("role", ["office", "leader", "inspector", "department"])
def test_every_role_that_reads_every_project_gets_the_valid_package(projects, make_user, token_for, call, config, role):
    response = call(token_for(make_user("reader", role, department="市发展改革委")), "GET", "/oc4ids")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    # Chinese as it is, not \u escapes.
    assert "东城区文化街区提升工程".encode() in response.data and b"\\u" not in response.data
    package = response.get_json()
    assert_valid(package)
    with db.connection_context():
        assert package == build_package(config, today(config))


@pytest.mark.parametrize("role", ["owner", "county"])
def test_roles_that_see_part_of_the_list_are_refused(projects, make_user, token_for, call, role):
    response = call(token_for(make_user("partial", role)), "GET", "/oc4ids")
    assert response.status_code == 403
    assert "OC4IDS" in response.get_json()["error"]["message"]


def test_a_filter_narrows_the_package_and_names_itself_in_its_uri(projects, make_user, token_for, call):
    token = token_for(make_user("office", "office"))
    package = call(token, "GET", "/oc4ids?county=西城区").get_json()
    assert list(by_code(package)) == ["P-WEST"]
    assert package["uri"].endswith("/api/v1/oc4ids?county=%E8%A5%BF%E5%9F%8E%E5%8C%BA")
    nothing = call(token, "GET", "/oc4ids?county=南城区")
    assert nothing.status_code == 404
    assert "至少要有一个项目" in nothing.get_json()["error"]["message"]
    assert call(token, "GET", "/oc4ids?status=paused").status_code == 400


def test_the_command_writes_a_valid_package_to_a_file(projects, database_url, tmp_path):
    path = tmp_path / "oc4ids.json"
    result = run(database_url, tmp_path, "export-oc4ids", str(path))
    assert result.returncode == 0, result.stderr
    assert "wrote 2 project(s)" in result.stdout
    text = path.read_text(encoding="utf-8")
    assert "东城区文化街区提升工程" in text
    assert_valid(json.loads(text))


def test_the_command_writes_to_stdout_for_a_dash(projects, database_url, tmp_path):
    result = run(database_url, tmp_path, "export-oc4ids", "-")
    assert result.returncode == 0, result.stderr
    package = json.loads(result.stdout)
    assert_valid(package)
    assert list(by_code(package)) == ["P-EAST", "P-WEST"]


def test_the_command_says_why_it_cannot_write_and_fails(projects, database_url, tmp_path):
    result = run(database_url, tmp_path, "export-oc4ids", str(tmp_path / "missing" / "oc4ids.json"))
    assert result.returncode != 0
    assert "cannot write" in result.stderr and "No such file or directory" in result.stderr


def test_the_command_refuses_an_empty_package(app, database_url, tmp_path):
    result = run(database_url, tmp_path, "export-oc4ids", "-")
    assert result.returncode != 0
    assert "至少要有一个项目" in result.stderr and result.stdout == ""


def served(client, path):
    """The text of a static file, which must be there."""
    with client.get(path) as response:
        assert response.status_code == 200, path
        return response.get_data(as_text=True)


def test_the_extension_the_package_names_is_served_with_its_schema_patch_and_codelists(projects, client, config):
    with db.connection_context():
        extension_url = build_package(config, today(config))["extensions"][0]
    path = extension_url.removeprefix(config["web"]["base_url"])
    extension = json.loads(served(client, path))
    base = path.rsplit("/", 1)[0]
    for name in extension["schemas"]:
        assert "leadOfficial" in json.loads(served(client, f"{base}/{name}"))["properties"]
    assert "suspension" in served(client, f"{base}/codelists/+milestoneCode.csv")
    assert "leadDepartment" in served(client, f"{base}/codelists/+partyRole.csv")
    assert extension["codelists"] == ["+milestoneCode.csv", "+partyRole.csv"]
