"""The projects as an OC4IDS 0.9.5 project package: valid against the official schema, mapped as the README says."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from oc4ids_schema import assert_valid, codes
from reporting import file

from tracker.accounts.models import LeadOfficial
from tracker.core.config import ConfigError, load_config
from tracker.core.weeks import local_now, shift_week, week_monday, week_of
from tracker.demo.loading import load_demo_city
from tracker.oc4ids.mapping import FINANCE, SECTOR_WORDS, STATUSES, TYPE_WORDS, project_type, sectors
from tracker.oc4ids.package import NothingToPublish, build_package
from tracker.projects.models import Project
from tracker.projects.registry import archive_project


def today(config):
    return local_now(config["city"]["timezone"]).date()


def filed_now(config):
    return local_now(config["city"]["timezone"]).replace(tzinfo=None)


def by_code(package):
    return {project["identifiers"][0]["id"]: project for project in package["projects"]}


def midnight(day):
    return f"{day.isoformat()}T00:00:00+08:00"


@pytest.fixture
def city(conn, config, make_project):
    """One project of each status; the started one with coordinates and funds from every source."""
    day = today(config)
    week = week_of(day)
    weeks = [shift_week(week, n) for n in (-3, -2, -1)]
    now = filed_now(config)
    make_project(code="P-NOT", name="南城区污水管网改造工程", lead_official="", scale_and_content="")
    started = make_project(
        code="P-STARTED",
        name="高新区物流园扩建项目",
        industry_chain="商贸物流产业链",
        location="高新区科技路 8 号",
        latitude=34.2317,
        longitude=108.9412,
        scale_and_content="新建仓储 12 万平方米",
        planned_start="2026-03",
        planned_completion="2027",
        national_code="2026-610100-48-01-012345",
    )
    file(
        config,
        started,
        weeks[0],
        now=now,
        funds={
            "special_bonds": Decimal("1200.50"),
            "bank_loans": Decimal("800"),
            "central_budget": Decimal("300.25"),
            "provincial": Decimal("100"),
            "self_raised": Decimal("450.75"),
            "other": Decimal("0.01"),
        },
    )
    restarted = make_project(code="P-RESTARTED", kind="continuing", industry_chain="文旅产业链")
    file(config, restarted, weeks[2], now=now, status="restarted")
    suspended = make_project(code="P-SUSPENDED", start_deadline=day - dt.timedelta(days=10))
    file(config, suspended, weeks[0], now=now, status="started")
    file(config, suspended, weeks[1], now=now, status="suspended")
    file(config, suspended, weeks[2], now=now, status="suspended")
    completed = make_project(code="P-COMPLETED")
    file(config, completed, weeks[0], now=now, status="started")
    file(config, completed, weeks[1], now=now, status="completed")
    finished = make_project(code="P-FINISHED")
    file(
        config, finished, weeks[1], now=now, status="completed", milestones={"completion": day - dt.timedelta(days=20)}
    )
    return {"weeks": weeks, "day": day}


def test_the_demo_city_is_a_valid_package_of_every_active_project(conn, config):
    load_demo_city(config)
    package = build_package(config, today(config))
    assert_valid(package)
    assert len(package["projects"]) == Project.active().count() == 127
    statuses = dict(Project.select(Project.code, Project.status).tuples())
    assert all(p["status"] == STATUSES[statuses[code]] for code, p in by_code(package).items())


def test_the_package_shows_no_phone_no_email_and_no_responsible_person(conn, config):
    load_demo_city(config)
    text = json.dumps(build_package(config, today(config)), ensure_ascii=False)
    # The demo draws both from one pool of names: a leader named like a responsible person is published as the leader.
    officials = {name for (name,) in LeadOfficial.select(LeadOfficial.name).tuples()}
    people = {name for (name,) in Project.select(Project.responsible_person).tuples()} - officials
    assert len(people) > 40
    assert not re.search(r"1[3-9]\d{9}", text)
    assert "@" not in text
    assert not [name for name in people if name in text]


def test_constructed_projects_of_every_status_validate(city, config):
    assert_valid(build_package(config, city["day"]))


def test_statuses_map_to_project_status_and_a_suspension_is_a_milestone(city, config):
    projects = by_code(build_package(config, city["day"]))
    assert {code: p["status"] for code, p in projects.items()} == {
        "P-NOT": "preparation",
        "P-STARTED": "implementation",
        "P-RESTARTED": "implementation",
        "P-SUSPENDED": "implementation",
        "P-COMPLETED": "completion",
        "P-FINISHED": "completion",
    }
    suspension = [m for m in projects["P-SUSPENDED"]["milestones"] if m.get("code") == "suspension"]
    assert suspension == [
        {
            "id": "suspension",
            "title": "停工",
            "code": "suspension",
            "status": "met",
            "dateMet": midnight(week_monday(city["weeks"][1])),
            "description": "周报报告停工",
        }
    ]
    others = [code for code, p in projects.items() if any(m.get("code") == "suspension" for m in p["milestones"])]
    assert others == ["P-SUSPENDED"]


def test_completion_is_dated_by_the_completion_milestone_else_the_first_week_reported_completed(city, config):
    projects = by_code(build_package(config, city["day"]))
    assert projects["P-FINISHED"]["completion"] == {"endDate": midnight(city["day"] - dt.timedelta(days=20))}
    assert projects["P-COMPLETED"]["completion"] == {"endDate": midnight(week_monday(city["weeks"][1]))}
    assert [code for code, p in projects.items() if "completion" in p] == ["P-COMPLETED", "P-FINISHED"]


def test_funds_secured_map_by_source_in_yuan(city, config):
    finance = {f["source"]: f for f in by_code(build_package(config, city["day"]))["P-STARTED"]["budget"]["finance"]}
    assert {source: (f.get("type"), f.get("assetClass"), f["value"]) for source, f in finance.items()} == {
        "专项债券": ("bond", ["debt"], {"amount": 12_005_000, "currency": "CNY"}),
        "银行贷款": ("loan", ["debt"], {"amount": 8_000_000, "currency": "CNY"}),
        "中央预算内": ("grant", None, {"amount": 3_002_500, "currency": "CNY"}),
        "省级资金": ("grant", None, {"amount": 1_000_000, "currency": "CNY"}),
        "企业自筹": (None, ["equity"], {"amount": 4_507_500, "currency": "CNY"}),
        "其他": (None, None, {"amount": 100, "currency": "CNY"}),
    }


def test_a_project_reads_as_its_list_states_it(city, config):
    project = by_code(build_package(config, city["day"]))["P-STARTED"]
    assert project["id"] == "oc4ids-xxxxxx-P-STARTED"
    assert project["language"] == "zh"
    assert project["title"] == "高新区物流园扩建项目"
    assert project["description"] == "新建仓储 12 万平方米"
    assert project["type"] == "expansion"
    assert project["sector"] == ["transport", "economy"]
    assert project["identifiers"][1] == {"id": "2026-610100-48-01-012345", "scheme": "全国投资项目在线审批监管平台"}
    assert project["locations"] == [
        {
            "id": "1",
            "description": "高新区科技路 8 号",
            "geometry": {"type": "Point", "coordinates": [108.9412, 34.2317]},
            "address": {"streetAddress": "高新区科技路 8 号", "locality": "东城区"},
        }
    ]
    assert project["budget"]["amount"] == {"amount": 100_005_500, "currency": "CNY"}
    assert project["period"] == {"startDate": midnight(dt.date(2026, 3, 1)), "endDate": midnight(dt.date(2027, 12, 31))}
    assert project["publicAuthority"] == {"id": "project-unit", "name": "测试单位2"}
    assert project["parties"] == [
        {"id": "project-unit", "name": "测试单位2", "roles": ["publicAuthority"]},
        {"id": "lead-department", "name": "市发展改革委", "roles": ["leadDepartment"]},
    ]
    assert project["leadOfficial"] == {"name": "王建国", "title": "副市长"}
    assert project["leadDepartment"] == {"id": "lead-department", "name": "市发展改革委"}


def test_a_project_without_coordinates_leader_or_scope_leaves_them_out(city, config):
    project = by_code(build_package(config, city["day"]))["P-NOT"]
    assert project["locations"] == [{"id": "1", "description": "东城区", "address": {"locality": "东城区"}}]
    assert "leadOfficial" not in project and "description" not in project and "period" not in project
    assert project["type"] == "rehabilitation"


def test_milestones_say_what_is_met_overdue_or_scheduled(city, config):
    projects = by_code(build_package(config, city["day"]))
    finished = {m["id"]: m for m in projects["P-FINISHED"]["milestones"]}
    assert finished["completion"] == {
        "id": "completion",
        "title": "竣工",
        "type": "delivery",
        "code": "completion",
        "dateMet": midnight(city["day"] - dt.timedelta(days=20)),
        "status": "met",
    }
    assert finished["start"]["code"] == "commencement" and finished["start"]["status"] == "scheduled"
    # 主体施工 and 投产 have no date: nothing to publish of them.
    assert "main_works" not in finished and "production" not in finished
    overdue = {m["id"]: m for m in projects["P-SUSPENDED"]["milestones"]}["approval"]
    assert overdue == {
        "id": "approval",
        "title": "立项",
        "type": "approval",
        "code": "projectApproval",
        "dueDate": midnight(city["day"] - dt.timedelta(days=130)),
        "status": "notMet",
    }


def test_archived_projects_are_left_out_and_an_empty_package_is_refused(city, conn, config):
    archive_project(Project.get(Project.code == "P-NOT"), None)
    assert "P-NOT" not in by_code(build_package(config, city["day"]))
    with pytest.raises(NothingToPublish):
        build_package(config, city["day"], Project.code == "none")


def test_the_package_carries_the_publication_metadata_of_the_config(city, config):
    config = {**config, "oc4ids": {**config["oc4ids"], "license": "https://creativecommons.org/licenses/by/4.0/"}}
    package = build_package(config, city["day"], filters={"county": "东城区"})
    assert package["uri"] == "http://127.0.0.1:5000/api/v1/oc4ids?county=%E4%B8%9C%E5%9F%8E%E5%8C%BA"
    assert package["version"] == "0.9"
    assert package["publisher"] == {"name": config["city"]["name"]}
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "publicationPolicy" not in package
    assert package["extensions"] == ["http://127.0.0.1:5000/static/oc4ids/extension.json"]
    assert package["publishedDate"] == max(p["updated"] for p in package["projects"])


@pytest.mark.parametrize("key", ["id_prefix", "license", "publication_policy"])
def test_a_malformed_oc4ids_setting_stops_start_up(key):
    with pytest.raises(ConfigError, match=rf"\[oc4ids\] {key}"):
        load_config(overrides={"oc4ids": {key: "oc4ids 我的"}})


def test_the_mapping_tables_use_only_codes_of_the_codelists():
    assert {code for code, _ in SECTOR_WORDS} <= codes("projectSector.csv")
    assert {code for code, _ in TYPE_WORDS} | {project_type("新建厂房")} <= codes("projectType.csv")
    assert set(STATUSES.values()) <= codes("projectStatus.csv")
    assert {f["type"] for f in FINANCE.values() if "type" in f} <= codes("financingArrangementType.csv")
    assert sectors("水电站", "") == ["energy", "energy.hydropower"]


@pytest.mark.parametrize(
    ("field", "wrong", "error"),
    [("updated", "2026-12-03", "is not a 'date-time'"), ("sector", ["industry"], "is not a code of projectSector.csv")],
)
def test_the_validation_checks_formats_and_codelists(city, config, field, wrong, error):
    package = build_package(config, city["day"])
    package["projects"][0][field] = wrong
    with pytest.raises(AssertionError, match=error):
        assert_valid(package)
