"""Every response carries the security headers; signed-in pages and the API are never cached."""

import pytest

from tracker import create_app
from tracker.core.db import db
from tracker.schema import MODELS

PAGES = ["/", "/projects/", "/board", "/lagging/", "/accounts/", "/password"]


def assert_secured(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # served over plain HTTP


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_pages_carry_the_headers_and_are_not_cached(office_session, path):
    response = office_session.get(path)
    assert response.status_code == 200, path
    assert_secured(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_carries_the_headers(client):
    assert_secured(client.get("/login"))


def test_the_api_carries_the_headers_and_is_not_cached(make_user, token_for, call):
    response = call(token_for(make_user("office", "office")), "GET", "/projects")
    assert response.status_code == 200
    assert_secured(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_https_deployments_get_hsts(sqlite_url, tmp_path):
    from conftest import overrides_for

    overrides = overrides_for(sqlite_url, tmp_path)
    overrides["web"]["https"] = True
    app = create_app(overrides=overrides)
    db.create_tables(MODELS, safe=True)
    response = app.test_client().get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    db.close()
