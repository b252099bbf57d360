"""A round's groups, units and findings: counted per round, on the ledger, reaching the right department and county."""

import datetime as dt
import re

import pytest
from conftest import csrf_token
from inspected import NDRC, STARTS, TODAY
from inspected import inspection as inspection  # noqa: F401 (the fixture, by its name)

from tracker.core.db import db
from tracker.inspections.models import Finding, InspectionRound
from tracker.inspections.rounds import InspectionError, add_group, add_visit
from tracker.problems.models import Problem


def ledger_rows(html):
    body = html.split('id="problems"')[1].split("</table>")[0]
    return {int(n) for n in re.findall(r'data-problem="(\d+)"', body)}


def counted(inspection_round):
    row = InspectionRound.with_counts(TODAY).where(InspectionRound.id == inspection_round.id).get()
    return {
        k: getattr(row, k) or 0
        for k in ("group_count", "visit_count", "finding_count", "rectified", "pending", "overdue")
    }


def test_a_round_counts_its_groups_units_findings_and_the_overdue(conn, inspection):
    assert counted(inspection["round"]) == {
        "group_count": 2,
        "visit_count": 3,
        "finding_count": 3,
        "rectified": 0,
        "pending": 3,
        "overdue": 2,
    }


def test_findings_are_ledger_problems_of_the_unit_or_of_the_key_project(conn, inspection):
    east, park = (Problem.get_by_id(inspection["findings"][k].problem_id) for k in ("east", "park"))
    assert (east.source, east.project_id, east.subject, east.county) == ("inspection", None, "东城区城建局", "东城区")
    assert park.project_id == inspection["project"].id and park.subject == ""


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("east", {"east", "park"}),
        ("west", {"west"}),
        ("department", {"east", "west"}),
        ("other_department", {"park"}),
        ("leader", {"east", "park", "west"}),
    ],
)
def test_findings_reach_their_department_and_county_through_the_ledger(client, login, inspection, user, sees):
    login(user)
    ids = {k: f.problem_id for k, f in inspection["findings"].items()}
    shown = ledger_rows(client.get("/problems/?per_page=100").get_data(as_text=True))
    assert {k for k, i in ids.items() if i in shown} == sees


def test_the_round_page_lists_groups_units_and_findings_with_their_state(client, login, inspection):
    login("leader")
    page = client.get(f"/inspections/{inspection['round'].id}").get_data(as_text=True)
    assert "第一督查组" in page and "东城区行政审批局" not in page and "西城区行政审批局" in page
    assert "项目审批超时限" in page and "逾期 10 天" in page and "待解决" in page
    index = client.get("/inspections/").get_data(as_text=True)
    assert "“三抓三促”行动督查" in index


def test_the_office_builds_a_round_through_its_forms(client, login, inspection):
    login("office")
    token = csrf_token(client.get("/inspections/new").get_data(as_text=True))
    start = TODAY - dt.timedelta(days=3)
    done = client.post(
        "/inspections/new",
        data={"csrf_token": token, "title": "安全生产督查", "starts_on": start, "ends_on": TODAY},
    )
    assert done.status_code == 302
    url = done.headers["Location"]
    client.post(f"{url}/groups", data={"csrf_token": token, "name": "第一组", "leader": "周正"})
    with db.connection_context():
        created = InspectionRound.get(InspectionRound.title == "安全生产督查")
        group = created.groups.get()
    visit = {"csrf_token": token, "group": group.id, "unit": "西城区应急局", "county": "西城区", "visited_on": start}
    answer = client.post(f"{url}/visits", data={**visit, "methods": ["座谈交流", "查阅资料"]})
    assert answer.status_code == 302
    late = client.post(
        f"{url}/visits", data={**visit, "visited_on": TODAY + dt.timedelta(days=1), "methods": "座谈交流"}
    )
    assert late.status_code == 422 and "督查日期应在" in late.get_data(as_text=True)
    with db.connection_context():
        visit_id = created.groups.get().visits.get().id
    finding = {"csrf_token": token, "visit": visit_id, "description": "隐患台账未更新", "department": NDRC}
    answer = client.post(f"{url}/findings", data={**finding, "deadline": TODAY + dt.timedelta(days=15)})
    assert answer.status_code == 302
    with db.connection_context():
        problem = Finding.get(Finding.round == created).problem
        assert (problem.subject, problem.county, problem.source) == ("西城区应急局", "西城区", "inspection")
        assert problem.deadline == TODAY + dt.timedelta(days=15)


def test_a_visit_must_fall_within_the_rounds_days_and_name_how(conn, inspection):
    group = add_group(inspection["round"], "第三督查组", "孙立", "")
    with pytest.raises(InspectionError, match="督查日期"):
        add_visit(group, "某单位", "东城区", STARTS - dt.timedelta(days=1), ["实地走访"])
    with pytest.raises(InspectionError, match="督查方式"):
        add_visit(group, "某单位", "东城区", STARTS, ["电话问询"])
    with pytest.raises(InspectionError, match="已有"):
        add_group(inspection["round"], "第三督查组", "孙立", "")
