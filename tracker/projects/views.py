"""The project list (项目清单), each project's page, and the office's create / edit / archive."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from peewee import JOIN, IntegrityError, fn

from tracker.accounts.models import LeadOfficial, User
from tracker.bonds.models import project_bonds
from tracker.cycles.consultations import Decision
from tracker.notices.models import notices_of_project
from tracker.photos.models import Photo
from tracker.projects.completeness import missing_counts
from tracker.projects.filters import filter_choices
from tracker.projects.forms import ConfirmImportForm, ImportForm, PlannedProjectForm
from tracker.projects.inclusion import inclusion_level, inclusion_words, must_include
from tracker.projects.lights import light_thresholds
from tracker.projects.models import (
    COMPLETION_FIELDS,
    FUNDING_SOURCES,
    IMPORT_STATES,
    KINDS,
    MILESTONES,
    REVIEW_STATES,
    STATUSES,
    Change,
    ProgressReport,
    Project,
    ProjectImport,
    ReportFunds,
)
from tracker.projects.monthly_plan import plan_basis, progress_of
from tracker.projects.registry import (
    FIELD_LABELS,
    PROJECT_FIELDS,
    ProjectError,
    archive_project,
    default_plan,
    project_values,
    save_project,
)
from tracker.projects.staging import import_staging
from tracker.promotion.models import Lead
from tracker.reports.filing import is_locked
from tracker.supervision.models import ORDER_STATES
from tracker.web.access import can, require, visible_project
from tracker.web.audit import request_actor
from tracker.web.caching import cached, cached_page
from tracker.web.limits import upload
from tracker.web.listing import Page, request_filters, today
from tracker.web.responses import send_download

bp = Blueprint("projects", __name__, url_prefix="/projects")


# How the change log names what changed, beyond the project-list columns.
CHANGE_LABELS = {
    **FIELD_LABELS,
    "status": "项目状态",
    "investment_completed": "累计完成投资",
    "physical_progress": "形象进度",
    "problems": "存在问题",
    "next_week_plan": "下周计划",
    "explanation": "情况说明",
    "reopened": "重新开放填报",
    "archived": "归档",
    "owner": "责任人账号",
    "review_state": "县区审核",
    "review_reason": "退回理由",
}


CHANGES_SHOWN = 100


# Weeks of reports a project page shows, newest first: half a year; "查看全部" (?reports=all) shows all.
REPORTS_SHOWN = 26


IMPORTS_SHOWN = 10


# Projects listed by name in a preview, per kind of change, and problems listed of a refused list; counts cover all.
PREVIEW_SHOWN = 200


@bp.get("/")
@login_required
def index():
    args, condition, week = request_filters()
    query = (
        Project.select(Project, LeadOfficial)
        .join(LeadOfficial, JOIN.LEFT_OUTER)
        .where(condition)
        .order_by(Project.code)
    )
    incomplete = (
        cached(current_user, "incomplete", Project.active().where(Project.incomplete()).count)
        if can(current_user, "see_incomplete")
        else 0
    )
    page = cached_page(current_user, "projects", query, tuple(sorted(args.items())), week)
    return render_template(
        "projects/index.html",
        page=page,
        args=args,
        choices=cached(current_user, "filter_choices", filter_choices),
        week=week,
        incomplete=incomplete,
    )


@bp.get("/incomplete")
@require("see_incomplete")
def incomplete():
    """待完善: the active projects lacking what the rhythm needs, ``?missing=`` one field, each with what it lacks."""
    missing = request.args.get("missing", "")
    if missing and missing not in COMPLETION_FIELDS:
        abort(400, f"未知的字段 {missing}")
    args, condition, _week = request_filters()
    condition &= Project.incomplete()
    shown = condition & Project.lacks(missing) if missing else condition
    query = (
        Project.select(Project, LeadOfficial).join(LeadOfficial, JOIN.LEFT_OUTER).where(shown).order_by(Project.code)
    )
    return render_template(
        "projects/incomplete.html", page=Page(query), missing=missing, counts=missing_counts(condition), args=args
    )


@bp.get("/<code>")
@login_required
def show(code):
    """A project's details, milestones, reports, funds, changes and consultation decisions."""
    project = visible_project(current_user, code)
    config = current_app.config["TRACKER"]
    all_reports = request.args.get("reports") == "all"
    shown = cached(
        current_user, "project_page", lambda: _history(project, all_reports, config), project.id, all_reports
    )
    locked = frozenset(r.id for r in shown["reports"] if is_locked(r.week, config, r))
    may_report = can(current_user, "report", project) and not project.archived
    # The history's buttons carry the session's CSRF token: drawn per session, never served to another.
    generate_csrf()  # gives the session its token if it has none yet
    session_token = session[current_app.config["WTF_CSRF_FIELD_NAME"]]

    def history():
        return Markup(
            render_template(
                "projects/_history.html",
                project=project,
                locked=locked,
                may_report=may_report,
                change_label=change_label,
                change_value=change_value,
                ORDER_STATES=ORDER_STATES,
                today=today(),
                **shown,
            )
        )

    return render_template(
        "projects/show.html",
        project=project,
        progress=progress_of(project, today()),
        plan_basis=plan_basis(project),
        promotion_lead=shown["promotion_lead"],
        milestones=shown["milestones"],
        history=cached(
            current_user, "project_history", history, project.id, all_reports, may_report, locked, session_token
        ),
        may_report=may_report,
        inclusion_level=inclusion_level(project, today(), config["statistics_inclusion"]),
        inclusion_words=inclusion_words(project, today())
        if must_include(project, config["statistics_inclusion"])
        else "",
        today=today(),
    )


def _history(project, all_reports, config):
    """What the project page lists of the project: milestones, the weeks' reports and funds, bonds, changes, decisions, notices."""
    history = ProgressReport.select().where(ProgressReport.project == project).order_by(ProgressReport.week.desc())
    reports = list(history if all_reports else history.limit(REPORTS_SHOWN))
    return {
        "milestones": sorted(project.milestones, key=lambda m: list(MILESTONES).index(m.kind)),
        "reports": reports,
        "report_weeks": len(reports) if len(reports) < REPORTS_SHOWN else history.count(),
        "funds": _funds_by_report(reports),
        "photos": Photo.of_reports([r.id for r in reports]),
        "bonds": project_bonds(project, today(), config["bonds"]),
        "changes": list(_changes(project)),
        "decisions": list(Decision.for_project(project)),
        "notices": list(notices_of_project(project)),
        "promotion_lead": Lead.of_project(project),
    }


def _funds_by_report(reports):
    """{report id: {source: 万元}} for the ``reports`` shown, in one query."""
    funds = {}
    rows = ReportFunds.select(ReportFunds.report, ReportFunds.source, ReportFunds.amount)
    for report_id, source, amount in rows.where(ReportFunds.report.in_([r.id for r in reports])).tuples():
        funds.setdefault(report_id, {})[source] = amount
    return funds


def _changes(project):
    """The project's latest changes, newest first, with who made them and the report's week."""
    return (
        Change.select(Change, User, ProgressReport)
        .join(User, JOIN.LEFT_OUTER)
        .switch(Change)
        .join(ProgressReport, JOIN.LEFT_OUTER)
        .where((Change.project == project) & ~(_blank(Change.old_value) & _blank(Change.new_value)))
        .order_by(Change.changed_at.desc(), Change.id.desc())
        .limit(CHANGES_SHOWN)
    )


def _blank(column):
    # A first report logs its empty fields as "nothing -> empty text": no change anyone needs to read.
    return fn.COALESCE(column, "") == ""


def change_label(field):
    """The Chinese name of a changed field: 项目状态, 到位资金·银行贷款, 开工（实际日期）…"""
    group, _, name = field.partition(".")
    if group == "funds" and name in FUNDING_SOURCES:
        return f"到位资金·{FUNDING_SOURCES[name]}"
    if group == "milestone" and name in MILESTONES:
        return f"{MILESTONES[name]}（实际日期）"
    return CHANGE_LABELS.get(field, field)


def change_value(field, value):
    """A logged value as people read it: statuses and yes/no in Chinese, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if field == "status":
        return STATUSES.get(value, value)
    if field == "kind":
        return KINDS.get(value, value)
    if field in ("reopened", "archived", "statistics_included"):
        return {"True": "是", "False": "否"}.get(value, value)
    if field == "review_state":
        return REVIEW_STATES.get(value, value)
    return value


@bp.route("/new", methods=["GET", "POST"])
@require("manage_projects")
def new():
    return _project_form(None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@require("manage_projects")
def edit(code):
    return _project_form(visible_project(current_user, code))


def _project_form(project):
    """Create (``project`` None) or edit a project through registry.save_project; errors go to their fields."""
    offsets = current_app.config["TRACKER"]["milestones"]
    form = PlannedProjectForm(data=_form_data(project, offsets) if project else None)
    officials = LeadOfficial.select(LeadOfficial.name).order_by(LeadOfficial.name).tuples()
    form.lead_official.choices = {"": "未确定", **{name: name for (name,) in officials}}
    if form.validate_on_submit():
        saved = _save(form, project, offsets)
        if saved:
            flash(f"已保存项目 {saved.code} {saved.name}", "success")
            return redirect(url_for("projects.show", code=saved.code))
    plan = {m.kind: m.planned_on for m in project.milestones} if project else {}
    status = 422 if form.errors else 200
    return render_template("projects/form.html", form=form, project=project, plan=plan), status


def _form_data(project, offsets):
    """The form's starting values for ``project``: its columns, and the planned dates the office set by hand.

    Dates that are just the default plan stay blank, so that a new start deadline moves them along.
    """
    data = project_values(project)
    default = default_plan(project.start_deadline, offsets)
    data["planned"] = {m.kind: m.planned_on for m in project.milestones if m.planned_on != default.get(m.kind)}
    return data


def _save(form, project, offsets):
    """Save the form's values; return the project, or None with the reasons put on the form's fields."""
    values = {name: _clean(form[name].data) for name in PROJECT_FIELDS}
    planned = {kind: day for kind, day in form.planned.data.items() if day}
    try:
        return save_project(values, current_user._get_current_object(), offsets, project=project, planned=planned)
    except ProjectError as e:
        for name, message in e.errors.items():
            form[name].errors.append(message)
    except IntegrityError:
        # Another user saved the same code between our check and our write (PostgreSQL).
        form.code.errors.append(f"项目编号 {values['code']} 已存在")
    return None


def _clean(value):
    return value.strip() if isinstance(value, str) else value


@bp.post("/<code>/archive")
@require("manage_projects")
def archive(code):
    """Take the project off the list; its page and history stay reachable."""
    project = visible_project(current_user, code)
    archive_project(project, current_user._get_current_object())
    flash(f"已归档项目 {project.code} {project.name}，历史记录仍保留", "success")
    return redirect(url_for("projects.index"))


@bp.route("/import", methods=["GET", "POST"])
@require("manage_projects")
@upload
def import_list():
    """Upload a list and see what importing it would do (预览); nothing is written until confirmed.

    What was read waits under [imports] dir for the confirmation; a list
    with any bad row is refused whole, every problem shown (422).
    """
    from tracker.projects.sheet_import import SheetError, preview_import

    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            plan, staged = preview_import(
                import_staging(current_app.config["TRACKER"]), upload.stream, upload.filename, today()
            )
        except SheetError as e:
            problems = e.problems
        else:
            return _preview(plan, staged)
    status = 422 if problems or form.errors else 200
    imports = ProjectImport.select(ProjectImport, User).join(User, JOIN.LEFT_OUTER).order_by(ProjectImport.id.desc())
    return render_template(
        "projects/import.html",
        form=form,
        problems=problems,
        imports=imports.limit(IMPORTS_SHOWN),
        states=IMPORT_STATES,
        shown=PREVIEW_SHOWN,
    ), status


@bp.post("/import/<token>")
@require("manage_projects")
def confirm_import(token):
    """Write the previewed list, if it would still do what the preview showed; otherwise preview it again."""
    from tracker.projects.sheet_import import PlanChanged, SheetError, confirm_staged

    staging = import_staging(current_app.config["TRACKER"])
    staged = staging.find(token)
    form = ConfirmImportForm()
    if staged is None or not form.validate_on_submit():
        flash("预览已失效，请重新上传清单", "error")
        return redirect(url_for("projects.import_list"))
    user, config = current_user._get_current_object(), current_app.config["TRACKER"]
    try:
        plan, run = confirm_staged(staging, staged, form.fingerprint.data, user, config, today(), request_actor())
    except PlanChanged as e:
        return _preview(e.plan, staged, changed_since=True)
    except SheetError as e:
        return render_template(
            "projects/import.html", form=ImportForm(formdata=None), problems=e.problems, shown=PREVIEW_SHOWN
        ), 422
    incomplete = sum(1 for planned in plan.projects if planned.missing_fields)
    flash(
        f"导入完成：新增 {run.created} 个，更新 {run.updated} 个，{run.unchanged} 个无变化"
        + (f"；{incomplete} 个项目待完善" if incomplete else ""),
        "success",
    )
    return redirect(url_for("projects.incomplete" if incomplete else "projects.index"))


def _preview(plan, staged, changed_since=False):
    # Not from the request: a preview shown again after a change carries the new plan's fingerprint.
    form = ConfirmImportForm(formdata=None, fingerprint=plan.fingerprint)
    return render_template(
        "projects/import_preview.html",
        plan=plan,
        staged=staged,
        form=form,
        changed_since=changed_since,
        labels=CHANGE_LABELS,
        shown=PREVIEW_SHOWN,
    )


@bp.get("/export")
@require("export_projects")
def export_list():
    """Download the projects matching the filter bar's filters as .xlsx."""
    from tracker.projects.sheet_export import export_project_list

    _args, condition, _week = request_filters()
    content = export_project_list(Project.select().where(condition))
    return send_download(content, f"重点项目清单-{today().isoformat()}.xlsx")


@bp.get("/export/dispatch")
@require("export_projects")
def export_dispatch():
    """Download the 调度表 of the projects matching the filters: status, this year's investment, light."""
    from tracker.projects.sheet_export import export_dispatch_table

    _args, condition, _week = request_filters()
    day = today()
    thresholds = light_thresholds(current_app.config["TRACKER"])
    content = export_dispatch_table(Project.select().where(condition), day, thresholds)
    return send_download(content, f"重点项目调度表-{day.isoformat()}.xlsx")
