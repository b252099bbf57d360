"""Where each role lands after logging in."""

import pytest
from conftest import PASSWORD, csrf_token


@pytest.mark.parametrize(("role", "landing"), [("owner", "/reports/"), ("office", "/"), ("leader", "/")])
def test_an_owner_lands_on_their_reports_and_the_others_on_the_figures(client, make_user, role, landing):
    make_user("someone", role)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "someone", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == landing


def test_a_page_asked_for_before_logging_in_wins_over_the_landing(client, make_user):
    make_user("someone", "owner")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"username": "someone", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=/problems/", data=data)
    assert response.headers["Location"] == "/problems/"
