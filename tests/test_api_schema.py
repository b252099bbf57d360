"""schemathesis against /api/v1/openapi.json, as the office with a real token: no 5xx, no off-schema response."""

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
from tracker.auth import new_api_token
from tracker.db import all_models, db
from tracker.models import User

CODES = ["XM-001", "XM-002", "XM-003"]
OPERATIONS = [
    ("GET", "/api/v1/projects"),
    ("GET", "/api/v1/projects/{code}"),
    ("GET", "/api/v1/projects/{code}/reports"),
    ("POST", "/api/v1/projects/{code}/reports"),
    ("GET", "/api/v1/stats"),
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
    db.create_tables(all_models(), safe=True)
    yield app
    db.close()


@pytest.fixture
def office_token(make_project):
    """A real token of an office user, in a city of a few projects."""
    for code in CODES:
        make_project(code=code)
    with db.connection_context():
        return new_api_token(User.create(username="office", role="office"))


@pytest.fixture
def api_schema(app, office_token):
    # Most generated paths name a real project, so the fuzzer reaches past the 404.
    config = schemathesis.Config.from_dict(
        {
            "dictionaries": {"codes": {"values": CODES}},
            "parameters": {"path.code": {"dictionary": "codes", "probability": 0.8}},
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
