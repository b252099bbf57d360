"""An id or number out of any table's range, in a query string or a JSON body, is a 404 or a 400, never a 500."""

import pytest

from tracker.accounts.models import User
from tracker.core.db import db

# Past 64 bits (the driver overflows), and past Python's 4,300-digit limit for int() of a string.
HUGE = ["99999999999999999999", "9" * 5000, "0", "-1", "１２"]


@pytest.fixture
def office(app, office_session, make_project):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash shows as the 500 a user would get
    make_project(code="XM-001")
    return office_session


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("url", ["/deliveries/?run={}", "/supervision/new?project=XM-001&problem={}"])
def test_an_impossible_id_in_a_query_string_is_not_found(office, url, number):
    assert office.get(url.format(number)).status_code == 404


@pytest.mark.parametrize("url", ["/projects/?page={}", "/problems/?page={}", "/deliveries/?page={}"])
def test_an_impossible_page_number_shows_a_page(office, url):
    for number in HUGE:
        assert office.get(url.format(number)).status_code == 200


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/projects", '{"code": "A-1", "name": "x", "total_investment": %s}'),
        ("PATCH", "/projects/XM-001", '{"total_investment": %s}'),
        ("POST", "/projects/XM-001/reports", '{"status": "started", "investment_completed": %s}'),
        ("POST", "/notices", '{"date": %s}'),
        ("POST", "/notices/1/entries/1/removal", '{"reason": %s}'),
    ],
)
def test_a_number_of_thousands_of_digits_in_a_body_is_a_json_error(office, token_for, call, method, path, body):
    with db.connection_context():
        token = token_for(User.get(User.username == "office"))
    response = call(token, method, path, data=body % ("9" * 5000), content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("param", ["page", "per_page"])
def test_an_impossible_page_in_the_api_is_a_json_error(office, token_for, call, param):
    with db.connection_context():
        token = token_for(User.get(User.username == "office"))
    for number in HUGE[:-1]:  # marshmallow reads full-width digits as the number they are
        response = call(token, "GET", f"/projects?{param}={number}")
        assert response.status_code == 400
        assert response.get_json()["error"]["field"] == param
