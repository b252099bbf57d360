"""schemathesis against /api/v1/openapi.json, as the office with a real token: no 5xx, no off-schema response."""

import datetime as dt

import pytest
import schemathesis
from conftest import overrides_for
from hypothesis import given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tracker import create_app
from tracker.accounts.credentials import new_api_token
from tracker.accounts.models import User
from tracker.audit.log import Actor
from tracker.core.db import db
from tracker.core.weeks import shift_week, week_of
from tracker.cycles.snapshots import take_snapshot
from tracker.notices.drafting import draft_notice
from tracker.schema import MODELS

CODES = ["XM-001", "XM-002", "XM-003"]
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
    ("GET", "/api/v1/projects/{code}/reports/{week}/photos"),
    ("POST", "/api/v1/projects/{code}/reports/{week}/photos"),
    ("GET", "/api/v1/photos/{photo_id}/{kind}"),
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


@pytest.fixture
def office_token(make_project, config):
    """A real token of an office user, in a city of a few projects, last week closed, a notice drafted."""
    for code in CODES:
        make_project(code=code, start_deadline=dt.date.today() - dt.timedelta(days=30))
    with db.connection_context():
        office = User.create(username="office", role="office")
        take_snapshot(shift_week(week_of(dt.date.today()), -1), config["warnings"])
        draft_notice(dt.date.today(), config, office)
        return new_api_token(office, "接口模糊测试", 30, Actor("命令行"))[0]


@pytest.fixture
def api_schema(app, office_token):
    # Most generated paths name a real project, so the fuzzer reaches past the 404.
    config = schemathesis.Config.from_dict(
        {
            "dictionaries": {"codes": {"values": CODES}, "ids": {"values": [1, 2, 3]}},
            "parameters": {
                "path.code": {"dictionary": "codes", "probability": 0.8},
                "path.notice_id": {"dictionary": "ids", "probability": 0.8},
                "path.entry_id": {"dictionary": "ids", "probability": 0.8},
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
