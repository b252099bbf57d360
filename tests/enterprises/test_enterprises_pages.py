"""The enterprises' pages: who sees and updates which enterprise, the status form, factor problems, the export."""

import datetime as dt
import io
import re

import pytest
from enterprise_city import MIIT, TODAY
from enterprise_city import enterprises as enterprises  # noqa: F401 (the fixture, by its name)
from openpyxl import load_workbook
from pages import post

from tracker.core.db import db
from tracker.enterprises.models import EnterpriseProblem
from tracker.problems.models import Problem


def listed(html):
    return {int(n) for n in re.findall(r'data-enterprise="(\d+)"', html)}


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("office", {"chem", "food", "build"}),
        ("leader", {"chem", "food", "build"}),
        ("inspector", {"chem", "food", "build"}),
        ("miit", {"chem", "food"}),
        ("ndrc", {"build"}),
        ("east", {"chem", "food"}),
        ("west", {"build"}),
    ],
)
def test_each_role_sees_the_enterprises_in_its_reach(client, login, enterprises, user, sees):
    login(user)
    assert listed(client.get("/enterprises/").get_data(as_text=True)) == {enterprises[k].id for k in sees}
    for key, enterprise in enterprises.items():
        assert client.get(f"/enterprises/{enterprise.id}").status_code == (200 if key in sees else 403)


def test_an_owner_sees_no_enterprise(client, login, enterprises):
    login("owner")
    assert client.get("/enterprises/").status_code == 403
    assert client.get(f"/enterprises/{enterprises['chem'].id}").status_code == 403


@pytest.mark.parametrize(
    ("user", "may"),
    [
        ("office", True),
        ("miit", True),
        ("east", True),
        ("ndrc", False),
        ("west", False),
        ("leader", False),
        ("inspector", False),
    ],
)
def test_who_may_update_the_status_of_an_enterprise(client, login, enterprises, user, may):
    login(user)
    chem = enterprises["chem"]
    response = post(client, f"/enterprises/{chem.id}/status", {"status": "resumed", "on": TODAY.isoformat()})
    assert response.status_code == (302 if may else 403)
    with db.connection_context():
        assert chem.status_on(TODAY) == ("resumed" if may else "not_resumed")


def test_the_status_form_records_a_dated_change_shown_in_the_history(client, login, enterprises):
    login("miit")
    chem = enterprises["chem"]
    assert "更新复工复产状态" in client.get(f"/enterprises/{chem.id}/status").get_data(as_text=True)
    on = TODAY - dt.timedelta(days=3)
    post(client, f"/enterprises/{chem.id}/status", {"status": "resumed", "on": on.isoformat(), "note": "已满负荷生产"})
    page = client.get(f"/enterprises/{chem.id}").get_data(as_text=True)
    assert 'data-status="resumed"' in page and on.isoformat() in page and "已满负荷生产" in page
    late = post(
        client,
        f"/enterprises/{chem.id}/status",
        {"status": "resumed", "on": (TODAY + dt.timedelta(days=1)).isoformat()},
    )
    assert late.status_code == 422 and "复工日期不能晚于今天" in late.get_data(as_text=True)


def test_the_list_shows_the_rate_and_filters_by_status(client, login, enterprises):
    login("office")
    post(client, f"/enterprises/{enterprises['chem'].id}/status", {"status": "resumed", "on": TODAY.isoformat()})
    page = client.get("/enterprises/").get_data(as_text=True)
    assert re.search(r'data-figure="resumed">1</a>\s*/ <a [^>]*data-figure="enterprises">3</a>', page)
    assert 'data-figure="resumption-percent">33.3%' in page
    assert listed(client.get("/enterprises/?status=resumed").get_data(as_text=True)) == {enterprises["chem"].id}
    waiting = listed(client.get("/enterprises/?status=not_resumed").get_data(as_text=True))
    assert waiting == {enterprises["food"].id, enterprises["build"].id}
    assert listed(client.get("/enterprises/?county=西城区").get_data(as_text=True)) == {enterprises["build"].id}


def test_a_factor_problem_raised_on_the_page_reaches_the_department_in_charge(client, login, enterprises):
    login("office")
    chem = enterprises["chem"]
    due = (TODAY + dt.timedelta(days=7)).isoformat()
    response = post(
        client, f"/enterprises/{chem.id}/problems", {"factor": "energy", "description": "用电负荷不足", "deadline": due}
    )
    assert response.status_code == 302
    with db.connection_context():
        problem = Problem.get(Problem.subject == chem.name)
        assert (problem.department, problem.county) == (MIIT, "东城区")
        assert EnterpriseProblem.get(EnterpriseProblem.problem == problem).factor == "energy"
    assert "用电负荷不足" in client.get(f"/enterprises/{chem.id}").get_data(as_text=True)
    assert listed(client.get("/enterprises/?factor=energy").get_data(as_text=True)) == {chem.id}
    login("miit")
    assert "用电负荷不足" in client.get("/problems/").get_data(as_text=True)
    login("ndrc")
    assert "用电负荷不足" not in client.get("/problems/").get_data(as_text=True)
    login("west")
    assert client.get(f"/problems/{problem.id}").status_code == 403


def test_the_export_lists_the_enterprises_with_their_status(client, login, enterprises):
    login("east")
    post(client, f"/enterprises/{enterprises['food'].id}/status", {"status": "resumed", "on": TODAY.isoformat()})
    response = client.get("/enterprises/export")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(min_row=3, values_only=True))
    assert {(r[1], r[8]) for r in rows} == {("东城化工有限公司", "未复工"), ("东城食品有限公司", "已复工复产")}


def test_the_dashboard_shows_the_resumption_rate_beside_the_restart_rate(client, login, enterprises):
    login("office")
    page = client.get("/").get_data(as_text=True)
    assert 'id="resumption-rate"' in page and 'data-figure="enterprises">3</a>' in page
    login("owner")
    assert 'id="resumption-rate"' not in client.get("/").get_data(as_text=True)
