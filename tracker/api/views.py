"""The JSON API under /api/v1: the same projects, reports, figures and role rules as the UI.

Every request names its user with ``Authorization: Bearer TOKEN`` (see
``python -m tracker create-token``). The OpenAPI description is generated from
the schemas in api_schemas.py and served at /api/v1/openapi.json."""

import functools
import hashlib
from http import HTTPStatus

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_smorest import Api, Blueprint, abort
from peewee import JOIN, prefetch
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from tracker.accounts.credentials import user_for_token
from tracker.accounts.models import LeadOfficial, User
from tracker.api.schemas import (
    DateQuerySchema,
    ErrorSchema,
    FiltersSchema,
    LaggingSchema,
    NoticeDraftSchema,
    NoticeEditSchema,
    NoticeListSchema,
    NoticeSchema,
    PagingSchema,
    ProjectDetailSchema,
    ProjectPageSchema,
    ProjectQuerySchema,
    RankingSchema,
    RemovalSchema,
    ReportInSchema,
    ReportPageSchema,
    ReportSchema,
    StatsSchema,
)
from tracker.core.weeks import local_now
from tracker.cycles import figures as stats
from tracker.lagging.rules import lagging_list, ranking
from tracker.notices.drafting import (
    NoticeError,
    NoticePublished,
    draft_notice,
    edit_notice,
    publish_notice,
    remove_entry,
)
from tracker.notices.models import CriticismNotice, NoticeEntry
from tracker.projects.filters import FilterError, project_condition
from tracker.projects.models import ProgressReport, Project, ReportFunds
from tracker.reports.filing import (
    NotYourProject,
    ReportError,
    ReportLocked,
    can_report,
    current_week,
    file_report,
    form_start,
)
from tracker.web.errors import error_response
from tracker.web.extensions import csrf, limiter

# A report is a few kilobytes of JSON: refuse far larger bodies before reading them.
MAX_BODY_BYTES = 256 * 1024


class JsonParser(FlaskParser):
    """webargs' parser, answering a body that is not JSON in Chinese."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            # How json gives up on deeply nested arrays; webargs expects only decode errors.
            abort(400, message="请求体嵌套过深")

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
    """Let only requests with a valid token through: 401 otherwise."""
    token = bearer_token()
    user = user_for_token(token) if token else None
    if user is None:
        abort(
            401, message="请提供有效的 API 令牌：Authorization: Bearer <令牌>", headers={"WWW-Authenticate": "Bearer"}
        )
    g.api_user = user
    request.max_content_length = MAX_BODY_BYTES


@bp.errorhandler(HTTPException)
def http_error(e):
    """Any HTTP error of the API; webargs' validation errors name their first field."""
    data = getattr(e, "data", None) or {}
    if "messages" in data:  # webargs' validation errors
        field, message = first_error(data["messages"])
    else:
        field, message = data.get("field"), data.get("message")
    response, status = error_response(e.code, message, field)
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


@bp.errorhandler(NotYourProject)
def not_your_project(e):
    """Reading is allowed but filing is not (leaders, inspectors): 403."""
    return error_response(403, "只有项目责任人和领导小组办公室可以填报该项目的周报")


@bp.errorhandler(ReportLocked)
def report_locked(e):
    """The week's cut-off has passed: 409, the office can reopen it."""
    return _report_error(409, e)


@bp.errorhandler(NoticeError)
def notice_error(e):
    """A published notice refuses every change (409); a draft refuses a change without its reason (422)."""
    return error_response(409 if isinstance(e, NoticePublished) else 422, str(e), e.field)


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


def with_project(view):
    """Hand the view the project named by the URL's ``code``: 404 if none, 403 if another owner's."""

    @functools.wraps(view)
    def wrapped(*args, code, **kwargs):
        # PostgreSQL cannot even compare a string holding NUL: no project has such a code.
        project = Project.get_or_none(Project.code == code) if "\x00" not in code else None
        if project is None:
            abort(404, message="项目不存在")
        if g.api_user.role == "owner" and project.owner_id != g.api_user.id:
            abort(403, message="只能查看自己负责的项目")
        return view(*args, project=project, **kwargs)

    return wrapped


def may_report(view):
    """403 unless the user may file reports for the view's project (its owner, or the office)."""

    @functools.wraps(view)
    def wrapped(*args, project, **kwargs):
        if not can_report(g.api_user, project):
            raise NotYourProject(project.code)
        return view(*args, project=project, **kwargs)

    return wrapped


def visible_condition(filters):
    """The condition for ``filters`` among the projects the user may see, and the reporting week."""
    config = current_app.config["TRACKER"]
    week = current_week(config)
    today = local_now(config["city"]["timezone"]).date()
    condition = project_condition(filters, week, today, config["warnings"])
    if g.api_user.role == "owner":
        condition &= Project.owner == g.api_user.id
    return condition, week


def page_of(query, paging, *related):
    """One page of ``query`` as ``{"items", "page", "per_page", "total"}``, ``related`` rows prefetched."""
    rows = query.paginate(paging["page"], paging["per_page"])
    return {"items": prefetch(rows, *related) if related else list(rows), "total": query.count(), **paging}


@bp.get("/projects")
@bp.arguments(ProjectQuerySchema, location="query", error_status_code=400)
@bp.response(200, ProjectPageSchema)
@errors(400)
def list_projects(args):
    """项目清单：可按包抓领导、部门、县区、产业链、状态筛选，分页；项目责任人只看到自己的项目"""
    condition, _ = visible_condition(args)
    query = Project.select(Project, LeadOfficial).join(LeadOfficial).where(condition).order_by(Project.code)
    return page_of(query, args)


@bp.get("/projects/<code>")
@with_project
@bp.response(200, ProjectDetailSchema)
@errors(403, 404)
def show_project(project):
    """一个项目：基本情况、累计到位资金、倒排工期节点"""
    return project


@bp.get("/projects/<code>/reports")
@with_project
@bp.arguments(PagingSchema, location="query", error_status_code=400)
@bp.response(200, ReportPageSchema)
@errors(400, 403, 404)
def list_reports(paging, project):
    """项目的周报，最新的在前"""
    query = (
        ProgressReport.select(ProgressReport, User)
        .join(User, JOIN.LEFT_OUTER)
        .where(ProgressReport.project == project)
        .order_by(ProgressReport.week.desc())
    )
    return page_of(query, paging, ReportFunds)


@bp.post("/projects/<code>/reports")
@with_project
@may_report
@bp.arguments(ReportInSchema)
@bp.response(201, ReportSchema)
@errors(400, 403, 404, 409, 413)
def file_project_report(values, project):
    """填报或更正一周的周报，规则与网页填报相同（项目责任人或领导小组办公室）。

    截止时间过后周报锁定（409），只有领导小组办公室可以重新开放。
    """
    config = current_app.config["TRACKER"]
    week = values.pop("week", None) or current_week(config)
    return file_report(project, week, {**form_start(project, week), **values}, g.api_user, config)


@bp.get("/stats")
@bp.arguments(FiltersSchema, location="query", error_status_code=400)
@bp.response(200, StatsSchema)
@errors(400)
def show_stats(filters):
    """统计数据：开复工率、完成投资与年度计划、到位资金（按来源）、本周未报周报数；筛选同项目清单"""
    condition, week = visible_condition(filters)
    return stats.summary(condition, week)


# Who reviews draft notices: the office writes them, the inspector sees every removal and its reason.
REVIEWERS = ("office", "inspector")


def _day(args):
    config = current_app.config["TRACKER"]
    return args.get("date") or local_now(config["city"]["timezone"]).date()


def _lagging(args):
    result = lagging_list(_day(args), current_app.config["TRACKER"]["lagging"])
    if g.api_user.role == "owner":
        own = {code for (code,) in Project.select(Project.code).where(Project.owner == g.api_user.id).tuples()}
        result.projects = [p for p in result.projects if p.code in own]
    return result


@bp.get("/lagging")
@bp.arguments(DateQuerySchema, location="query", error_status_code=400)
@bp.response(200, LaggingSchema)
@errors(400)
def show_lagging(args):
    """滞后项目名单：某日（默认今天）按 config.toml [lagging] 规则列出的项目及每条原因和依据。

    名单依据该日前最后一个已结束周的调度快照和截至该日的问题、督办记录，此后的修改不改变该日名单。
    """
    result = _lagging(args)
    return {"day": result.day, "week": result.week, "projects": [p.as_dict() for p in result.projects]}


@bp.get("/lagging/ranking")
@bp.arguments(DateQuerySchema, location="query", error_status_code=400)
@bp.response(200, RankingSchema)
@errors(400, 403)
def show_ranking(args):
    """红黑榜：按包抓部门和县区统计滞后项目、逾期问题、缺报周报，最差在前"""
    if g.api_user.role == "owner":
        abort(403, message="项目责任人不能查看全市排名")
    result = lagging_list(_day(args), current_app.config["TRACKER"]["lagging"])
    return {
        "date": result.day,
        "week": result.week,
        **ranking(result, current_app.config["TRACKER"]["lagging"]["overdue_days"]),
    }


def _notice_visible(notice_id):
    notice = CriticismNotice.get_or_none(CriticismNotice.id == notice_id)
    if notice is None or (not notice.is_published and g.api_user.role not in REVIEWERS):
        abort(404, message="通报不存在")
    return notice


def _notice_body(notice):
    entries = notice.entries.order_by(NoticeEntry.position)
    if g.api_user.role not in REVIEWERS:
        entries = entries.where(NoticeEntry.removed == False)  # noqa: E712
    rows = [{**_entry_fields(e), "reasons": e.reasons} for e in entries]
    return {**{k: getattr(notice, k) for k in NOTICE_FIELDS}, "entries": rows, "ranking": notice.ranking}


NOTICE_FIELDS = ("id", "state", "number", "title", "issuer", "as_of", "week", "preamble", "published_on")


ENTRY_FIELDS = ("id", "code", "name", "project_unit", "lead_official", "lead_department", "county", "removed")


def _entry_fields(entry):
    fields = {k: getattr(entry, k) for k in ENTRY_FIELDS}
    if g.api_user.role in REVIEWERS:
        fields["removal_reason"] = entry.removal_reason
    return fields


def _office_only():
    if g.api_user.role != "office":
        abort(403, message="只有领导小组办公室可以起草和发布通报")


@bp.get("/notices")
@bp.response(200, NoticeListSchema)
@errors()
def list_notices():
    """通报：已发布的通报；领导小组办公室和纪委监委还能看到草稿"""
    query = CriticismNotice.select().order_by(CriticismNotice.created_at.desc(), CriticismNotice.id.desc())
    if g.api_user.role not in REVIEWERS:
        query = query.where(CriticismNotice.state == "published")
    return {"items": list(query)}


@bp.post("/notices")
@bp.arguments(NoticeDraftSchema)
@bp.response(201, NoticeSchema)
@errors(400, 403, 422)
def create_notice(values):
    """起草通报：按某日的滞后项目名单生成草稿（领导小组办公室）"""
    _office_only()
    notice = draft_notice(values["date"], current_app.config["TRACKER"], g.api_user, values.get("title"))
    return _notice_body(notice)


@bp.get("/notices/<int:notice_id>")
@bp.response(200, NoticeSchema)
@errors(404)
def show_notice(notice_id):
    """一份通报及其项目、原因和红黑榜"""
    return _notice_body(_notice_visible(notice_id))


@bp.patch("/notices/<int:notice_id>")
@bp.arguments(NoticeEditSchema)
@bp.response(200, NoticeSchema)
@errors(400, 403, 404, 409, 422)
def change_notice(values, notice_id):
    """修改草稿的标题和导语；已发布的通报不能修改（409）"""
    _office_only()
    notice = _notice_visible(notice_id)
    edit_notice(notice, values["title"], values.get("preamble", notice.preamble))
    return _notice_body(CriticismNotice.get_by_id(notice.id))


@bp.post("/notices/<int:notice_id>/entries/<int:entry_id>/removal")
@bp.arguments(RemovalSchema)
@bp.response(200, NoticeSchema)
@errors(400, 403, 404, 409, 422)
def remove_notice_entry(values, notice_id, entry_id):
    """把一个项目移出草稿，须写明理由（存档，纪委监委可见）；已发布的通报不能修改（409）"""
    _office_only()
    notice = _notice_visible(notice_id)
    entry = NoticeEntry.get_or_none((NoticeEntry.id == entry_id) & (NoticeEntry.notice == notice))
    if entry is None:
        abort(404, message="通报中没有这个项目")
    remove_entry(entry, g.api_user, values["reason"])
    return _notice_body(notice)


@bp.post("/notices/<int:notice_id>/publication")
@bp.response(200, NoticeSchema)
@errors(403, 404, 409)
def publish(notice_id):
    """发布通报：编号、注明日期并公开，此后不能修改；已发布的再次发布得到 409"""
    _office_only()
    notice = _notice_visible(notice_id)
    config = current_app.config["TRACKER"]
    notice = publish_notice(notice, g.api_user, config, local_now(config["city"]["timezone"]).date())
    return _notice_body(notice)
