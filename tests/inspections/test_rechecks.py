"""回头看: past the deadline, the inspector closes (销号) a rectified finding's problem, or keeps it open with a new deadline."""

import datetime as dt

import pytest
from conftest import csrf_token
from inspected import TODAY
from inspected import inspection as inspection  # noqa: F401 (the fixture, by its name)

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.inspections.models import Finding, InspectionRound
from tracker.inspections.rounds import InspectionError, record_recheck
from tracker.problems.ledger import change_problem, events_of
from tracker.problems.models import Problem


def fresh(finding):
    return Finding.get_by_id(finding.id)


def test_rectified_closes_the_problem_on_the_ledger_with_an_event_saying_so(conn, inspection):
    inspector = User.get(User.username == "inspector")
    finding = fresh(inspection["findings"]["east"])
    record_recheck(finding, inspector, TODAY, True, "审批时限已压缩")
    problem = Problem.get_by_id(finding.problem_id)
    assert problem.status == "closed" and fresh(finding).recheck == "rectified"
    last = list(events_of(problem))[-1]
    assert last.status == "closed" and last.text.startswith("回头看：已整改到位")


def test_not_rectified_reopens_a_problem_reported_solved_with_a_new_deadline_and_the_reason(conn, inspection):
    inspector = User.get(User.username == "inspector")
    finding = fresh(inspection["findings"]["west"])
    change_problem(finding.problem, inspector, "reply", "已整改", status="resolved")
    new_deadline = TODAY + dt.timedelta(days=15)
    record_recheck(fresh(finding), inspector, TODAY, False, "并联审批仍未上线", new_deadline)
    problem = Problem.get_by_id(finding.problem_id)
    assert (problem.status, problem.deadline) == ("open", new_deadline)
    assert list(events_of(problem))[-1].text == "回头看：未整改到位。并联审批仍未上线"
    assert fresh(finding).recheck_note == "并联审批仍未上线"


def test_a_recheck_waits_for_the_deadline_and_not_rectified_needs_reason_and_deadline(conn, inspection):
    inspector = User.get(User.username == "inspector")
    with pytest.raises(InspectionError, match="未到"):
        record_recheck(fresh(inspection["findings"]["park"]), inspector, TODAY, True)
    with pytest.raises(InspectionError, match="原因"):
        record_recheck(fresh(inspection["findings"]["east"]), inspector, TODAY, False, "", None)


def test_the_round_counts_and_page_show_the_rechecks(client, login, inspection):
    login("inspector")
    round_id = inspection["round"].id
    east, west = (inspection["findings"][k].id for k in ("east", "west"))
    token = csrf_token(client.get(f"/inspections/{round_id}").get_data(as_text=True))
    url = f"/inspections/{round_id}/findings/{{}}/recheck"
    assert client.post(url.format(east), data={"csrf_token": token, "rectified": "yes"}).status_code == 302
    refused = client.post(url.format(west), data={"csrf_token": token, "rectified": "no"})
    assert refused.status_code == 422 and "请写明原因" in refused.get_data(as_text=True)
    later = (TODAY + dt.timedelta(days=10)).isoformat()
    kept = {"csrf_token": token, "rectified": "no", "note": "仍在整改", "deadline": later}
    assert client.post(url.format(west), data=kept).status_code == 302
    page = client.get(f"/inspections/{round_id}").get_data(as_text=True)
    assert "已复查 2 条，其中已整改销号 1 条，未整改到位 1 条" in page and "仍在整改" in page
    with db.connection_context():
        row = InspectionRound.with_counts(TODAY).get()
    assert (row.rectified, row.pending, row.overdue) == (1, 2, 0)
