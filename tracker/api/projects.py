"""The API's projects, their weekly reports and the figures (统计)."""

import functools

from flask import current_app, g, jsonify
from flask_smorest import abort
from peewee import JOIN, IntegrityError

from tracker.accounts.models import LeadOfficial, User
from tracker.api.base import bp, errors, page_of
from tracker.api.schedule import monthly_plan_columns
from tracker.api.schemas import (
    FiltersSchema,
    PagingSchema,
    ProjectDetailSchema,
    ProjectInSchema,
    ProjectPageSchema,
    ProjectQuerySchema,
    ReportInSchema,
    ReportPageSchema,
    ReportSchema,
    ReviewInSchema,
    StatsSchema,
)
from tracker.cycles import figures as stats
from tracker.enterprises.resumption import resumption_rate
from tracker.projects.inclusion import inclusion_rate
from tracker.projects.list_names import unlisted
from tracker.projects.models import ProgressReport, Project, ReportFunds
from tracker.projects.registry import FIELD_LABELS, normalize_national_code, project_values, save_project
from tracker.reports.filing import current_week, file_report
from tracker.review.chain import ReviewError, awaiting_review, review_report
from tracker.web.access import can, enterprise_scope, refuse, visible_project
from tracker.web.audit import request_actor
from tracker.web.caching import cached
from tracker.web.listing import filter_condition, today

REFUSALS = {
    "report": "只有项目责任人和领导小组办公室可以填报该项目的周报",
    "manage_projects": "只有领导小组办公室可以新建和修改项目",
    "review_reports": "只有项目所在县区的县区办公室可以审核该项目的周报",
    "reopen_reports": "只有领导小组办公室可以重新开放和锁定周报",
}


def with_project(action="see"):
    """Hand the view the project of the URL's ``code`` once the user may take ``action`` on it.

    It runs before the body is read: one who may not file is refused (403) whatever the body says.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, code, **kwargs):
            project = visible_project(g.api_user, code)
            if not can(g.api_user, action, project):
                refuse(action, REFUSALS[action])
            return view(*args, project=project, **kwargs)

        return wrapped

    return decorator


@bp.get("/projects")
@bp.arguments(ProjectQuerySchema, location="query", error_status_code=400)
@bp.response(200, ProjectPageSchema)
@errors(400)
def list_projects(args):
    """项目清单：可按包抓领导、部门、县区、产业链、状态筛选，分页；项目责任人只看到自己的项目"""
    condition, _ = filter_condition(args, g.api_user)
    query = (
        Project.select(Project, LeadOfficial)
        .join(LeadOfficial, JOIN.LEFT_OUTER)
        .where(condition)
        .order_by(Project.code)
    )
    # Serialising a hundred projects costs more than reading them: the JSON is kept per data version.
    key = tuple(sorted((name, str(value)) for name, value in args.items()))
    return jsonify(cached(g.api_user, "api_projects", lambda: ProjectPageSchema().dump(page_of(query, args)), key))


@bp.get("/projects/<code>")
@with_project()
@bp.response(200, ProjectDetailSchema)
@errors(403, 404)
def show_project(project):
    """一个项目：基本情况、累计到位资金、倒排工期节点"""
    return project


@bp.post("/projects")
@bp.arguments(ProjectInSchema)
@bp.response(201, ProjectDetailSchema)
@errors(400, 403, 409, 422)
def create_project(values):
    """新建项目（领导小组办公室）：只需项目编号、项目名称和总投资，其余可以以后补充（项目记为待完善）"""
    if not can(g.api_user, "manage_projects"):
        refuse("manage_projects", REFUSALS["manage_projects"])
    return _save(values, None)


@bp.patch("/projects/<code>")
@with_project("manage_projects")
@bp.arguments(ProjectInSchema)
@bp.response(200, ProjectDetailSchema)
@errors(400, 403, 404, 409, 422)
def change_project(values, project):
    """修改项目（领导小组办公室）：只给出要改的字段；可选字段给 null 或空字符串即清空"""
    return _save({**project_values(project), **values}, project)


def _save(values, project):
    """Save through the registry, as the form does; its refusals are 422 (ProjectError), a code taken meanwhile 409.

    A county, industry chain or department not on its managed list is a 400
    naming the field, as the form offers none but the listed ones.
    """
    values = {**values, "national_code": normalize_national_code(values.get("national_code"))}
    if (inclusion := values.pop("statistics_inclusion", None)) is not None:
        values["statistics_included"] = inclusion["included"]
        values["statistics_included_on"] = inclusion.get("date")
        values["statistics_reason"] = inclusion.get("reason") or ""
    if "monthly_plan" in values:
        values.update(monthly_plan_columns(values.pop("monthly_plan")))
    for name, message in unlisted(values, project_values(project) if project else None).items():
        abort(400, message=f"{FIELD_LABELS[name]}：{message}", field=name)
    offsets = current_app.config["TRACKER"]["milestones"]
    try:
        return save_project(values, g.api_user, offsets, project=project)
    except IntegrityError:
        abort(409, message=f"项目编号 {values.get('code')} 或项目代码已被其他项目使用")


@bp.get("/projects/<code>/reports")
@with_project()
@bp.arguments(PagingSchema, location="query", error_status_code=400)
@bp.response(200, ReportPageSchema)
@errors(400, 403, 404)
def list_reports(paging, project):
    """项目的周报，最新的在前"""
    query = (
        ProgressReport.select(ProgressReport, User)
        .join(User, JOIN.LEFT_OUTER, on=(ProgressReport.submitted_by == User.id))
        .where(ProgressReport.project == project)
        .order_by(ProgressReport.week.desc())
    )
    return page_of(query, paging, ReportFunds)


@bp.post("/projects/<code>/reports")
@with_project("report")
@bp.arguments(ReportInSchema)
@bp.response(201, ReportSchema)
@errors(400, 403, 404, 409, 413)
def file_project_report(values, project):
    """填报或更正一周的周报，规则与网页填报相同（项目责任人或领导小组办公室）。

    截止时间过后周报锁定（409），只有领导小组办公室可以重新开放。
    """
    config = current_app.config["TRACKER"]
    week = values.pop("week", None) or current_week(config)
    version = values.pop("version", None)
    past_cutoff = can(g.api_user, "reopen_reports")
    return file_report(
        project,
        week,
        values,
        g.api_user,
        config,
        past_cutoff=past_cutoff,
        version=version,
        actor=request_actor(),
        partial=True,
    )


@bp.post("/projects/<code>/reports/<week>/review")
@with_project("review_reports")
@bp.arguments(ReviewInSchema)
@bp.response(200, ReportSchema)
@errors(400, 403, 404, 409, 422)
def review_project_report(decision, project, week):
    """县区审核：通过（accept）或退回（send_back，须写明理由）一份待审核的周报（项目所在县区的县区办公室）。

    只有待审核（submitted）的周报可以审核；其间责任人已修改（version 不符）或已被审核时 409，不覆盖任何一方。
    退回时以邮件通知责任人。
    """
    report = ProgressReport.get_or_none(project=project, week=week)
    if report is None:
        abort(404, message=f"{project.name} 没有 {week} 的周报")
    try:
        config = current_app.config["TRACKER"]
        return review_report(
            report, decision["decision"], decision.get("reason"), g.api_user, config, version=decision.get("version")
        )
    except ReviewError as e:
        abort(e.status, message=str(e), field=next(iter(e.errors)))


@bp.get("/stats")
@bp.arguments(FiltersSchema, location="query", error_status_code=400)
@bp.response(200, StatsSchema)
@errors(400)
def show_stats(filters):
    """统计数据：开复工率（四种口径）、完成投资与年度计划、序时进度、到位资金（按来源）、本周未报周报数；筛选同项目清单

    数据为项目当前的实时数据（source 为 live，as_of 为“截至本周实时”），与总览页的卡片相同；
    总览页的走势图取自周调度快照，可能与之不同。
    """
    condition, week = filter_condition(filters, g.api_user)

    def count():
        return StatsSchema().dump(
            {
                **stats.figures(stats.Live(week), condition),
                **stats.restart_rates(condition, today()),
                "schedule_progress": stats.schedule_progress_total(stats.Live(week), condition, today()),
                "reports_awaiting_review": awaiting_review(condition).count(),
                "statistics_inclusion": inclusion_rate(
                    condition, current_app.config["TRACKER"]["statistics_inclusion"]
                ),
                "resumption_rate": resumption_rate(enterprise_scope(g.api_user), today()),
            }
        )

    # Kept as the schema dumps it: serialising the figures cost a tenth of a cached answer.
    return jsonify(cached(g.api_user, "stats", count, tuple(sorted(filters.items())), week))
