"""Saving one project as the office's form does: registry.save_project."""

import datetime as dt

import pytest

from tracker.accounts.models import User
from tracker.projects.models import Change, Milestone, Project
from tracker.projects.registry import ProjectError, archive_project, save_project

DEADLINE = dt.date(2026, 6, 30)


def values(code="XM-001", **changes):
    """A valid project as the form hands it over: parsed, money in 万元, the official by name."""
    return {
        "code": code,
        "name": "乙烯一期",
        "county": "东城区",
        "industry_chain": "化工产业链",
        "kind": "new",
        "project_unit": "东城化工公司",
        "responsible_person": "张伟",
        "responsible_phone": "13900000001",
        "responsible_email": "",
        "lead_official": "王建国",
        "lead_department": "市发展改革委",
        "total_investment": 10_000,
        "annual_plan_investment": 2_000,
        "start_deadline": DEADLINE,
        **changes,
    }


def history(project):
    """The change log of a project as a user reads it: field, old, new, by whom."""
    changes = Change.select().where(Change.project == project).order_by(Change.id)
    return [(c.field, c.old_value, c.new_value, c.user_id) for c in changes]


@pytest.fixture
def office(make_user):
    return make_user("office", "office")


def test_a_new_project_is_listed_with_every_value_logged(conn, config, official, office):
    project = save_project(values(), office, config["milestones"])

    saved = Project.get(Project.code == "XM-001")
    assert saved.id == project.id
    assert (saved.name, saved.lead_official.name, saved.total_investment) == ("乙烯一期", "王建国", 10_000)
    logged = {field: (old, new, user) for field, old, new, user in history(saved)}
    assert logged["total_investment"] == (None, "10000", office.id)
    assert logged["start_deadline"] == (None, "2026-06-30", office.id)
    assert logged["lead_official"] == (None, "王建国", office.id)
    assert logged["owner"] == (None, "13900000001", office.id)


def test_an_edit_logs_each_changed_field_from_old_to_new(conn, config, official, office):
    project = save_project(values(), office, config["milestones"])
    created = len(history(project))

    edited = save_project(values(code="XM-100", total_investment=12_000), office, config["milestones"], project=project)

    assert edited.id == project.id and edited.code == "XM-100"
    assert Project.get_by_id(project.id).total_investment == 12_000
    assert history(project)[created:] == [
        ("code", "XM-001", "XM-100", office.id),
        ("total_investment", "10000", "12000", office.id),
    ]


def test_saving_unchanged_values_logs_nothing(conn, config, official, office):
    project = save_project(values(), office, config["milestones"])
    created = len(history(project))
    save_project(values(), office, config["milestones"], project=project)
    assert len(history(project)) == created


def test_a_code_already_listed_is_refused_and_nothing_written(conn, config, official, office):
    first = save_project(values("XM-001"), office, config["milestones"])
    second = save_project(values("XM-002"), office, config["milestones"])
    archive_project(first, office)
    logged = Change.select().count()

    with pytest.raises(ProjectError) as caught:
        save_project(values("XM-001", name="另一个"), office, config["milestones"])
    assert caught.value.errors == {"code": "项目编号 XM-001 已存在"}
    with pytest.raises(ProjectError, match="项目编号 XM-001 已存在"):
        save_project(values("XM-001"), office, config["milestones"], project=second)

    assert sorted(Project.select(Project.code).tuples()) == [("XM-001",), ("XM-002",)]
    assert Change.select().count() == logged


def test_an_unregistered_lead_official_is_refused(conn, config, official, office):
    with pytest.raises(ProjectError) as caught:
        save_project(values(lead_official="赵六"), office, config["milestones"])
    assert caught.value.errors == {"lead_official": "未登记的包抓领导“赵六”"}
    assert Project.select().count() == 0


def test_milestones_are_planned_back_from_the_deadline_unless_given(conn, config, official, office):
    offsets = config["milestones"]
    project = save_project(values(), office, offsets, planned={"land": dt.date(2026, 1, 15)})

    planned = {m.kind: m.planned_on for m in Milestone.select().where(Milestone.project == project)}
    assert planned["approval"] == DEADLINE - dt.timedelta(days=offsets["approval"])
    assert planned["land"] == dt.date(2026, 1, 15)
    assert planned["start"] == DEADLINE
    assert planned["completion"] is None

    later = dt.date(2026, 9, 30)
    save_project(values(start_deadline=later), office, offsets, project=project)
    planned = {m.kind: m.planned_on for m in Milestone.select().where(Milestone.project == project)}
    assert planned["approval"] == later - dt.timedelta(days=offsets["approval"])
    assert planned["start"] == later


def test_the_owner_account_is_the_responsible_persons_phone(conn, config, official, office):
    one = save_project(values("XM-001", responsible_person="张伟"), office, config["milestones"])
    two = save_project(
        values("XM-002", responsible_person="张伟（项目经理）", responsible_email="zw@example.cn"),
        office,
        config["milestones"],
    )
    anonymous = save_project(values("XM-003", responsible_phone=""), office, config["milestones"])
    User.update(username="02987654321").where(User.id == office.id).execute()  # the office logs in with its phone
    not_an_owner = save_project(values("XM-004", responsible_phone="02987654321"), office, config["milestones"])

    owner = User.get(User.username == "13900000001")
    assert (owner.role, owner.password_hash) == ("owner", None)
    assert (owner.display_name, owner.email) == ("张伟（项目经理）", "zw@example.cn")
    assert [Project.get_by_id(p.id).owner_id for p in (one, two)] == [owner.id, owner.id]
    assert Project.get_by_id(anonymous.id).owner_id is None
    assert Project.get_by_id(not_an_owner.id).owner_id is None
    assert User.get(User.username == "02987654321").role == "office"


def test_editing_an_archived_project_keeps_it_archived(conn, config, official, office):
    project = save_project(values(), office, config["milestones"])
    archive_project(project, office)
    save_project(values(name="新名称"), office, config["milestones"], project=project)
    saved = Project.get_by_id(project.id)
    assert (saved.name, saved.archived) == ("新名称", True)
