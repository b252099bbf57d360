"""The JSON API under /api/v1: the same projects, reports, figures and access rules as the pages.

Every request names its user with ``Authorization: Bearer TOKEN`` (made on the API 令牌
page, /tokens/, or by ``python -m tracker create-token``)."""

from tracker.api import (  # noqa: F401 (importing them adds their operations to bp)
    audit,
    bonds,
    criticism,
    cycles,
    deliveries,
    enterprises,
    honours,
    inspections,
    letters,
    map,
    oc4ids,
    photos,
    problems,
    project_list,
    projects,
    promotion,
    reopening,
    supervision,
    tokens,
)
from tracker.api.base import TrackerApi, bp
from tracker.web.extensions import csrf


def init_app(app):
    """Serve the API, its OpenAPI description at /api/v1/openapi.json, without CSRF (tokens, not cookies)."""
    app.config.update(
        API_TITLE="重点项目调度 API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"security": [{"bearerAuth": []}]},
    )
    csrf.exempt(bp)
    api = TrackerApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
