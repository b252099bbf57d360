"""The key-project tracker: a Flask app over a peewee database."""

import os
import secrets
import time
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from tracker.core.cache import cache
from tracker.core.config import PROJECT_ROOT, load_config
from tracker.core.db import bind_database, db
from tracker.cycles import fonts
from tracker.web import limits
from tracker.web.extensions import csrf, limiter, login_manager
from tracker.web.responses import JsonProvider


def create_app(overrides=None, config_path=None, pooled=False):
    """Build the web app from config.toml (or ``config_path``), with ``overrides`` on top.

    ``pooled``: requests reuse their process's connection (the server's workers; see core.db.open_database).
    """
    config = load_config(config_path, overrides)
    fonts.configure(config)  # no Chinese font: a ConfigError now, not boxes in every chart later
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(
        TRACKER=config,
        SECRET_KEY=config["web"]["secret_key"] or load_secret_key(config["web"]["secret_key_file"]),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config["web"]["https"],
        REMEMBER_COOKIE_SECURE=config["web"]["https"],
        REMEMBER_COOKIE_HTTPONLY=True,
        PREFERRED_URL_SCHEME="https" if config["web"]["https"] else "http",
        RATELIMIT_STORAGE_URI=config["web"]["rate_limit_storage"],
        # a form's CSRF token lasts as long as the longest session; a new one is made at login
        WTF_CSRF_TIME_LIMIT=config["web"]["session_max_hours"] * 3600,
    )
    app.json = JsonProvider(app)
    app.url_map.converters["int"] = RowId
    if config["web"]["proxies"]:
        n = config["web"]["proxies"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    bind_database(config["database"]["url"], pooled)
    cache.clear()  # what was cached came from the database bound before
    _bind_connection_to_requests(app)
    login_manager.init_app(app)
    limits.init_app(app)  # before CSRF protection, which reads the body first
    csrf.init_app(app)
    limiter.init_app(app)
    _secure_headers(app, config["web"]["https"], config["map"]["tile_url"])

    _register_views(app)
    return app


# Pages use style attributes (progress bars, chart sizes) and the confirm() of a few buttons as
# an onsubmit attribute; no <script> or <style> element of ours is inline, and nothing is loaded
# from another site.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "script-src-attr": "'unsafe-inline'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def tile_source(tile_url):
    """The CSP source of a map tile server: its scheme and host, a ``{s}`` subdomain label as ``*``; None for no tiles.

    "https://t{s}.tianditu.gov.cn/DataServer?…" → "https://*.tianditu.gov.cn".
    """
    if not tile_url:
        return None
    scheme, _, rest = tile_url.partition("://")
    labels = rest.split("/", 1)[0].split(".")
    return f"{scheme}://" + ".".join("*" if "{" in label else label for label in labels)


def _secure_headers(app, https, tile_url):
    """CSP, nosniff, no framing, same-origin referrers, HSTS over HTTPS; signed-in pages and the API not cached.

    A view's own Content-Security-Policy (the mail page's frame) or Cache-Control (charts) is kept.
    The map's tile server, when ``[map] tile_url`` names one, may serve images.
    """
    from flask import request
    from flask_login import current_user
    from flask_talisman import Talisman

    # Flask runs after_request hooks in reverse: this one runs after Talisman's, ``keep_own`` before it.
    @app.after_request
    def finish(response):
        own_policy = getattr(response, "own_policy", None)
        if own_policy:
            response.headers["Content-Security-Policy"] = own_policy + "; frame-ancestors 'self'"
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        if "Cache-Control" not in response.headers and (
            request.path.startswith("/api/") or current_user.is_authenticated
        ):
            response.headers["Cache-Control"] = "no-store"
        return response

    Talisman(
        app,
        force_https=False,  # the reverse proxy redirects; the app may be reached over HTTP behind it
        strict_transport_security=https,
        strict_transport_security_max_age=365 * 24 * 3600,
        session_cookie_secure=https,
        frame_options="DENY",
        content_security_policy={
            **CONTENT_SECURITY_POLICY,
            "img-src": " ".join(filter(None, (CONTENT_SECURITY_POLICY["img-src"], tile_source(tile_url)))),
        },
        referrer_policy="same-origin",
    )

    @app.after_request
    def keep_own(response):
        response.own_policy = response.headers.get("Content-Security-Policy")
        return response


def _register_views(app):
    """The pages and the API: imported here, when an app is built, so that importing tracker stays light."""
    from tracker.accounts import login
    from tracker.accounts import views as accounts
    from tracker.api import views as api
    from tracker.audit import views as audit_log
    from tracker.bonds import views as bonds
    from tracker.cycles import views as cycles
    from tracker.dashboard import views as dashboard
    from tracker.enterprises import views as enterprises
    from tracker.honours import views as honours
    from tracker.inspections import views as inspections
    from tracker.lagging import views as lagging
    from tracker.letters import views as letters
    from tracker.lists import views as lists
    from tracker.mail import views as mail
    from tracker.map import views as project_map
    from tracker.notices import public
    from tracker.notices import views as notices
    from tracker.photos import views as photos
    from tracker.problems import views as problems
    from tracker.projects import views as projects
    from tracker.promotion import views as promotion
    from tracker.reports import views as reports
    from tracker.review import views as review
    from tracker.scores import views as scores
    from tracker.screen import views as screen
    from tracker.supervision import views as supervision
    from tracker.tokens import views as tokens
    from tracker.web import access, audit, errors, jinja

    jinja.init_app(app)
    access.init_app(app)
    errors.init_app(app)
    audit.init_app(app)
    for module in (login, accounts, dashboard, projects, reports, problems, supervision, lagging, notices, public):
        app.register_blueprint(module.bp)
    for module in (
        honours,
        scores,
        cycles,
        mail,
        tokens,
        audit_log,
        review,
        lists,
        project_map,
        screen,
        photos,
        enterprises,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(letters.bp)
    app.register_blueprint(bonds.bp)
    app.register_blueprint(inspections.bp)
    app.register_blueprint(promotion.bp)
    api.init_app(app)


class RowId(IntegerConverter):
    """Every ``<int:…>`` in a URL is a row id: 1 to 2³¹−1, so an absurd one is a 404, not a database error."""

    def __init__(self, map, min=1, max=2**31 - 1, **kwargs):
        super().__init__(map, min=min, max=max, **kwargs)


def load_secret_key(path):
    """Read the generated secret key, creating it on the very first start.

    O_EXCL makes concurrent first starts of several workers agree on one key.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it this instant
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.1)
        raise RuntimeError(f"{path} is empty: delete it to generate a new secret key") from None
    with os.fdopen(fd, "w") as f:
        key = secrets.token_hex(32)
        f.write(key)
    return key


def _bind_connection_to_requests(app):
    @app.before_request
    def open_connection():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def close_connection(exc):
        if not db.is_closed():
            db.close()
