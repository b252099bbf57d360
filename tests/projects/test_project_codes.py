"""A project's code is part of its address: one that no page could reach is refused by the form and the API."""

import pytest
from pages import post, project_form

from tracker.core.db import db
from tracker.core.limits import MAX_CODE
from tracker.projects.models import Project

REFUSED = ["A/1", "A?1", "A#1", "A 1", "..", ".hidden", "A%2F1", "X" * 65]
ACCEPTED = ["XM-2026_001.a", "2026-00128", "市重点-001"]


@pytest.mark.parametrize("code", REFUSED)
def test_the_form_refuses_a_code_no_page_could_reach(client, office_session, official, code):
    response = post(client, "/projects/new", project_form(code=code))
    assert response.status_code == 422
    # A code longer than any may be is refused by its length first, as every field over its limit.
    assert ("项目编号只能由" if len(code) <= MAX_CODE else f"不能超过 {MAX_CODE} 个字") in response.get_data(
        as_text=True
    )
    with db.connection_context():
        assert not Project.select().where(Project.code == code).exists()


@pytest.mark.parametrize("code", REFUSED)
def test_the_api_refuses_a_code_no_page_could_reach(app, make_user, token_for, call, code):
    token = token_for(make_user("office", "office"))
    response = call(token, "POST", "/projects", json={"code": code, "name": "测试", "total_investment": 1})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "code"
    with db.connection_context():
        assert not Project.select().where(Project.code == code).exists()


@pytest.mark.parametrize("code", ACCEPTED)
def test_a_code_of_letters_digits_and_dashes_is_accepted_and_reachable(client, office_session, official, code):
    response = post(client, "/projects/new", project_form(code=code))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get(f"/projects/{code}").status_code == 200
