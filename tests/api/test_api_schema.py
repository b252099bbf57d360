"""schemathesis against /api/v1/openapi.json, as the office with a real token: no 5xx, no off-schema response."""

import datetime as dt

import pytest
import schemathesis
from conftest import LISTS, SHELL, overrides_for
from hypothesis import given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sheets import office_book, xlsx
from sheets import row as row_of
from smtp_server import reminder

from tracker import create_app
from tracker.accounts.credentials import new_api_token
from tracker.accounts.models import ApiToken, User
from tracker.bonds.models import BondBatch, BondEntry
from tracker.core.db import db
from tracker.core.weeks import local_now, shift_week, week_of
from tracker.cycles.consultations import AgendaItem, record_decision
from tracker.cycles.runs import CycleRun
from tracker.cycles.snapshots import take_snapshot
from tracker.enterprises.models import Enterprise
from tracker.inspections.rounds import add_finding, add_group, add_visit, create_round
from tracker.letters.handling import register_letter
from tracker.mail.outbox import enqueue
from tracker.notices.drafting import draft_notice
from tracker.problems.ledger import raise_problem
from tracker.projects.models import ListEntry, ProgressReport, Project
from tracker.projects.sheet_reading import read_project_list
from tracker.projects.staging import Staging
from tracker.schema import MODELS
from tracker.supervision.orders import issue_order, queue_order_mail

CODES = ["XM-001", "XM-002", "XM-003"]
MONTHS = ["2026-01", "2026-02"]
ID_PARAMETERS = ("notice_id", "entry_id", "problem_id", "order_id", "run_id", "item_id", "decision_id")
ID_PARAMETERS += ("delivery_id", "token_id", "letter_id", "batch_id", "round_id", "enterprise_id")
OPERATIONS = [
    ("GET", "/api/v1/projects"),
    ("POST", "/api/v1/projects"),
    ("PATCH", "/api/v1/projects/{code}"),
    ("GET", "/api/v1/projects/{code}"),
    ("GET", "/api/v1/projects/{code}/reports"),
    ("POST", "/api/v1/projects/{code}/reports"),
    ("POST", "/api/v1/projects/{code}/reports/{week}/review"),
    ("GET", "/api/v1/stats"),
    ("GET", "/api/v1/lagging"),
    ("GET", "/api/v1/lagging/ranking"),
    ("GET", "/api/v1/notices"),
    ("POST", "/api/v1/notices"),
    ("GET", "/api/v1/notices/{notice_id}"),
    ("PATCH", "/api/v1/notices/{notice_id}"),
    ("POST", "/api/v1/notices/{notice_id}/entries/{entry_id}/removal"),
    ("POST", "/api/v1/notices/{notice_id}/publication"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/honours"),
    ("GET", "/api/v1/scores"),
    ("GET", "/api/v1/promotion"),
    ("GET", "/api/v1/promotion/leads"),
    ("GET", "/api/v1/oc4ids"),
    ("GET", "/api/v1/problems"),
    ("POST", "/api/v1/problems"),
    ("GET", "/api/v1/problems/{problem_id}"),
    ("POST", "/api/v1/problems/{problem_id}/replies"),
    ("POST", "/api/v1/problems/{problem_id}/closure"),
    ("POST", "/api/v1/problems/{problem_id}/deadline"),
    ("GET", "/api/v1/orders"),
    ("POST", "/api/v1/orders"),
    ("GET", "/api/v1/orders/{order_id}"),
    ("POST", "/api/v1/orders/{order_id}/reply"),
    ("POST", "/api/v1/orders/{order_id}/reminders"),
    ("POST", "/api/v1/orders/{order_id}/closure"),
    ("POST", "/api/v1/projects/import"),
    ("GET", "/api/v1/projects/import/{preview}"),
    ("POST", "/api/v1/projects/import/{preview}"),
    ("POST", "/api/v1/projects/{code}/archive"),
    ("POST", "/api/v1/projects/{code}/reports/{week}/reopen"),
    ("POST", "/api/v1/projects/{code}/reports/{week}/lock"),
    ("GET", "/api/v1/runs"),
    ("GET", "/api/v1/runs/{run_id}"),
    ("GET", "/api/v1/runs/{run_id}/decisions"),
    ("POST", "/api/v1/runs/{run_id}/agenda/{item_id}/decisions"),
    ("POST", "/api/v1/runs/{run_id}/decisions/{decision_id}/follow-through"),
    ("GET", "/api/v1/deliveries"),
    ("GET", "/api/v1/deliveries/{delivery_id}"),
    ("POST", "/api/v1/deliveries/{delivery_id}/resend"),
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens/{token_id}/revoke"),
    ("GET", "/api/v1/map"),
    ("GET", "/api/v1/projects/{code}/reports/{week}/photos"),
    ("POST", "/api/v1/projects/{code}/reports/{week}/photos"),
    ("GET", "/api/v1/photos/{photo_id}/{kind}"),
    ("GET", "/api/v1/letters"),
    ("GET", "/api/v1/letters/{letter_id}"),
    ("POST", "/api/v1/letters/{letter_id}/reply"),
    ("GET", "/api/v1/bonds"),
    ("GET", "/api/v1/bonds/{batch_id}"),
    ("GET", "/api/v1/inspections"),
    ("GET", "/api/v1/inspections/{round_id}"),
    ("GET", "/api/v1/enterprises"),
    ("GET", "/api/v1/enterprises/{enterprise_id}"),
    ("POST", "/api/v1/enterprises/{enterprise_id}/status"),
]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def app(sqlite_url, tmp_path):
    """The app on SQLite only, overriding conftest's (both databases): ``make_project`` builds on this one."""
    overrides = overrides_for(sqlite_url, tmp_path)
    # The fuzzer sends thousands of requests a minute with one token; test_api.py tests the limit.
    overrides["web"]["api_rate_limit"] = "1000000 per minute"
    app = create_app(overrides=overrides)
    app.config.update(TESTING=True)
    db.create_tables(MODELS, safe=True)
    yield app
    db.close()


# The fuzzing token's id: far from the small ids the fuzzer tries, so revoking tokens does not end the run.
FUZZ_TOKEN_ID = 987_654_321


@pytest.fixture
def config(app):
    """This module's app runs on SQLite only: its settings, not conftest's (one per database)."""
    return app.config["TRACKER"]


@pytest.fixture
def city(make_project, config):
    """A city of a few projects, last week closed and reported, a notice drafted, a problem and an order on
    XM-001, two monthly consultations with a decision due, mail in the outbox, a list previewed for import,
    other tokens, and the office's real token (``token``)."""
    today = local_now(config["city"]["timezone"]).date()
    for code in CODES:
        make_project(code=code, start_deadline=today - dt.timedelta(days=30))
    with db.connection_context():
        for kind, names in LISTS.items():
            ListEntry.append(kind, names)
        office = User.create(username="office", role="office")
        last_week = shift_week(week_of(today), -1)
        take_snapshot(last_week, config["warnings"])
        draft_notice(today, config, office)
        project = Project.get(Project.code == CODES[0])
        ProgressReport.create(
            project=project, week=last_week, status="started", investment_completed=0, submitted_by=office
        )
        problem = raise_problem(project, "用地手续未办结", "市住建局", today + dt.timedelta(days=10), office)
        for name in ("东城化工有限公司", "西城建材有限公司"):
            listed = today - dt.timedelta(days=30)
            Enterprise.create(name=name, county="东城区", department="市工信局", listed_on=listed)
        order = issue_order(project, office, "未按期开工", "说明原因", today + dt.timedelta(days=5), today, problem)
        queue_order_mail(order, config)
        letter = {"level": "city", "channel": "letter", "received_on": today, "summary": "反映拖欠工程款"}
        register_letter({**letter, "unit": "市住建局", "person_in_charge": "专干"}, office, 15, today)
        batch = BondBatch.create(year=today.year, number=1, listed_on=today - dt.timedelta(days=200))
        BondEntry.create(batch=batch, project=project, amount=1200, issued_on=today - dt.timedelta(days=100))
        rounds = create_round("督查", "", today - dt.timedelta(days=9), today - dt.timedelta(days=8), office)
        visit = add_visit(add_group(rounds, "第一督查组", "组长", ""), "城建局", "东城区", rounds.ends_on, ["实地走访"])
        add_finding(visit, "审批超时限", "市住建局", today - dt.timedelta(days=1), office)
        lease = dt.datetime(2026, 1, 1)
        runs = [CycleRun.create(cycle="monthly", period=p, claimed_by="fuzz", lease_until=lease) for p in MONTHS]
        items = [
            AgendaItem.create(run=r, project=project, kind="lagging", title=project.name, position=1) for r in runs
        ]
        record_decision(
            items[0], "协调办理施工许可", "项目单位", dt.date(2026, 2, 10), office, today, department="市住建局"
        )
        enqueue(runs[0], "reminder", "unit@example.com", "项目单位", reminder(config, "unit@example.com", "项目单位"))
        for n in range(3):
            new_api_token(office, f"其他脚本{n}", 30, SHELL)
        token, row = new_api_token(office, "接口模糊测试", 30, SHELL)
        ApiToken.update(id=FUZZ_TOKEN_ID).where(ApiToken.id == row.id).execute()
    reading = read_project_list(xlsx(office_book({"一、化工产业链": [row_of("HG-001")]})))
    preview = Staging(config["imports"]["dir"]).keep(reading, "清单.xlsx").token
    return {"token": token, "week": last_week, "preview": preview}


@pytest.fixture
def office_token(city):
    return city["token"]


@pytest.fixture
def api_schema(app, city):
    # Most generated paths name a real row, so the fuzzer reaches past the 404.
    ids = {"dictionary": "ids", "probability": 0.8}
    config = schemathesis.Config.from_dict(
        {
            "dictionaries": {
                "codes": {"values": CODES},
                "ids": {"values": [1, 2, 3]},
                "weeks": {"values": [city["week"]]},
                "previews": {"values": [city["preview"]]},
            },
            "parameters": {
                "path.code": {"dictionary": "codes", "probability": 0.8},
                "path.week": {"dictionary": "weeks", "probability": 0.8},
                "path.preview": {"dictionary": "previews", "probability": 0.8},
                **{f"path.{name}": ids for name in ID_PARAMETERS},
            },
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


def test_the_fuzzed_operations_are_all_the_published_ones(api_schema):
    published = {(result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()}
    assert published == set(OPERATIONS)


# schemathesis's own pytest integration (schema.parametrize with a lazy fixture) does not run
# under pytest 9, so each operation gets a plain Hypothesis test built from its strategy.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_api_answers_every_input_within_its_published_schema(api_schema, office_token, method, path, mode):
    headers = {"Authorization": f"Bearer {office_token}"}

    @given(case=api_schema[path][method].as_strategy(generation_mode=mode))
    @settings(max_examples=50, deadline=None, database=None)
    def answers(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    answers()
