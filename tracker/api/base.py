"""The API's plumbing: its blueprint, bearer-token authentication, the rate limit and JSON errors.

The operations live beside it, one module per area (projects.py, criticism.py);
views.py serves them. The OpenAPI description is generated from the schemas in
schemas.py and served at /api/v1/openapi.json."""

import hashlib
import json
from http import HTTPStatus

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_smorest import Api, Blueprint, abort
from marshmallow import fields
from peewee import prefetch
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from tracker.accounts.credentials import TokenRefused, user_for_token
from tracker.api.schemas import ErrorSchema, Schema
from tracker.notices.drafting import NoticeError, NoticePublished
from tracker.projects.filters import FilterError
from tracker.projects.registry import FIELD_LABELS, ProjectError
from tracker.reports.filing import ReportAccepted, ReportConflict, ReportError, ReportLocked
from tracker.web.access import can, refuse
from tracker.web.errors import error_response
from tracker.web.extensions import limiter


class JsonParser(FlaskParser):
    """webargs' parser, answering a body that is not JSON in Chinese."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            # How json gives up on deeply nested arrays; webargs expects only decode errors.
            abort(400, message="请求体嵌套过深")
        except json.JSONDecodeError:
            raise
        except ValueError:
            # How json gives up on an integer of more than sys.get_int_max_str_digits() digits.
            abort(400, message="请求体中的数字位数过多")

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, message="请求体不是有效的 JSON")


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint, parsing with JsonParser."""

    ARGUMENTS_PARSER = JsonParser()


class TrackerApi(Api):
    """flask-smorest's Api with our error body, leaving the UI's error pages alone."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # Api would take over HTTPException for the whole app, UI pages included;
        # the blueprint below handles the API's errors and errors.py the rest.
        pass


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="重点项目、周报与统计")


def bearer_token():
    """The token of an ``Authorization: Bearer`` header, or None."""
    auth = request.authorization
    return auth.token if auth and auth.type == "bearer" and auth.token else None


def rate_key():
    """Whom a request counts against: its token (hashed: the store need not hold it), else its address."""
    token = bearer_token()
    return "token:" + hashlib.sha256(token.encode()).hexdigest() if token else get_remote_address()


def _rate_limit():
    return current_app.config["TRACKER"]["web"]["api_rate_limit"]


# One budget per token for the whole API, not one per endpoint.
limiter.shared_limit(_rate_limit, scope="api", key_func=rate_key)(bp)


@bp.before_request
def authenticate():
    """Let only requests with a working token through: 401 otherwise, saying why an expired or revoked one fails."""
    token = bearer_token()
    try:
        zone = current_app.config["TRACKER"]["city"]["timezone"]
        user = user_for_token(token, request.remote_addr or "", zone) if token else None
    except TokenRefused as e:
        _unauthorized(str(e), 'Bearer error="invalid_token"')
    if user is None:
        _unauthorized("请提供有效的 API 令牌：Authorization: Bearer <令牌>", "Bearer")
    g.api_user = user


def _unauthorized(message, challenge):
    abort(401, message=message, headers={"WWW-Authenticate": challenge})


@bp.errorhandler(HTTPException)
def http_error(e):
    """Any HTTP error of the API; webargs' validation errors name their first field."""
    data = getattr(e, "data", None) or {}
    more = {}
    if "messages" in data:  # webargs' validation errors
        field, message = first_error(data["messages"])
    else:
        # What else an abort() carries for the client, such as the import's list of problems.
        more = {key: value for key, value in data.items() if key not in ("message", "field", "headers")}
        # flask_smorest's abort carries the message in ``data``; flask's (tracker.web.access) in the description.
        default = e.description == type(e).description
        field, message = data.get("field"), data.get("message") or (None if default else e.description)
    response, status = error_response(e.code, message, field, **more)
    response.headers.update(data.get("headers") or {})
    return response, status


def first_error(messages):
    """The dotted field and the message of the first error in webargs' ``{location: {field: [...]}}``."""
    path = []
    while isinstance(messages, dict):
        key, messages = next(iter(messages.items()))
        path.append(str(key))
    # path[0] is the location (json, query); "_schema" is the object as a whole.
    field = ".".join(part for part in path[1:] if part != "_schema")
    return field or None, messages[0] if isinstance(messages, list) else str(messages)


@bp.errorhandler(FilterError)
def filter_error(e):
    """A filter value that names nothing: 400."""
    return error_response(400, str(e), e.field)


@bp.errorhandler(ReportLocked)
@bp.errorhandler(ReportAccepted)
@bp.errorhandler(ReportConflict)
def report_locked(e):
    """The week's cut-off has passed, the county office accepted it, or it changed since the version given: 409."""
    return _report_error(409, e)


@bp.errorhandler(NoticeError)
def notice_error(e):
    """A published notice refuses every change (409); a draft refuses a change without its reason (422)."""
    return error_response(409 if isinstance(e, NoticePublished) else 422, str(e), e.field)


@bp.errorhandler(ProjectError)
def project_error(e):
    """The registry refuses the project's values: 422 naming the first field and saying which it is."""
    field, message = next(iter(e.errors.items()))
    return error_response(422, f"{FIELD_LABELS.get(field, field)}：{message}", field)


@bp.errorhandler(ReportError)
def report_error(e):
    """The UI's plausibility rules refuse the report: 422 naming the first field."""
    return _report_error(422, e)


def _report_error(status, e):
    field, message = next(iter(e.errors.items()))
    return error_response(status, message, field)


def errors(*codes):
    """Document an operation's error responses; 401 and 429 can answer any of them."""

    def decorator(view):
        for code in sorted({401, 429, *codes}, reverse=True):
            view = bp.alt_response(code, response=HTTPStatus(code).name)(view)
        return view

    return decorator


def page_of(query, paging, *related):
    """One page of ``query`` as ``{"items", "page", "per_page", "total"}``, ``related`` rows prefetched."""
    rows = query.paginate(paging["page"], paging["per_page"])
    return {"items": prefetch(rows, *related) if related else list(rows), "total": query.count(), **paging}


def page_schema(items, **more):
    """The schema of one page of ``items`` (a Schema class) as page_of answers it, with the ``more`` fields."""
    listed = {"items": fields.List(fields.Nested(items)), "page": fields.Integer(), "per_page": fields.Integer()}
    name = items.__name__.removesuffix("Schema") + "PageSchema"
    return Schema.from_dict({**listed, "total": fields.Integer(), **more}, name=name)


def overdue_flag(description):
    """A list's ``overdue`` query parameter: true keeps only what is past its deadline (``description``)."""
    return fields.Boolean(
        error_messages={"invalid": "overdue 应为 true 或 false"}, metadata={"description": f"true：{description}"}
    )


def reachable(row, exists, action, refusals, missing):
    """``row`` (from a visible_* query) once the API user may take ``action`` on it.

    None while the row ``exists`` is out of the user's reach: 403, as the pages answer;
    when it does not exist at all: 404 saying ``missing``.
    """
    if row is None:
        if not exists:
            abort(404, message=missing)
        refuse("see", refusals["see"])
    if not can(g.api_user, action, row):
        refuse(action, refusals[action])
    return row
