"""企业复工复产 in the UI: the list with its rate and filters, an enterprise's page, the status form
(used on a phone by the department in charge or the county office), factor problems, the import, the export.

Who sees and updates what is decided in tracker.web.access."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.enterprises.forms import FactorProblemForm, RosterForm, StatusForm
from tracker.enterprises.models import FACTORS, LATEST, RESUMPTION_STATES, Enterprise, EnterpriseProblem
from tracker.enterprises.resumption import (
    FILTERS,
    ResumptionError,
    enterprise_list,
    raise_factor_problem,
    record_status,
    resumption_rate,
)
from tracker.problems.ledger import ProblemError
from tracker.problems.models import PROBLEM_STATES
from tracker.projects.forms import ConfirmImportForm
from tracker.projects.models import ListEntry
from tracker.projects.staging import import_staging
from tracker.web.access import can, enterprise_scope, refuse, require
from tracker.web.limits import upload
from tracker.web.listing import Page, text_args, today
from tracker.web.responses import send_download

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")


def _enterprise(enterprise_id, action="see_enterprises"):
    enterprise = Enterprise.get_or_none(Enterprise.id == enterprise_id) or abort(404)
    if not can(current_user, action, enterprise):
        refuse(action)
    return enterprise


def _args():
    args = text_args(*FILTERS)
    if args.get("status", "not_resumed") not in RESUMPTION_STATES or args.get("factor", "labour") not in FACTORS:
        abort(400, description="未知的筛选条件")
    return args


@bp.get("/")
@require("see_enterprises")
def index():
    """The enterprises in the user's reach, filtered, with the resumption rate and the factor counts."""
    args, day = _args(), today()
    scope = enterprise_scope(current_user)
    return render_template(
        "enterprises/index.html",
        page=Page(enterprise_list(Enterprise.with_status(day).where(scope), args, day)),
        rate=resumption_rate(scope, day),
        factor_counts=EnterpriseProblem.factor_counts(scope),
        counties=ListEntry.names("county"),
        departments=ListEntry.names("department"),
        args=args,
        RESUMPTION_STATES=RESUMPTION_STATES,
        FACTORS=FACTORS,
    )


@bp.get("/export")
@require("see_enterprises")
def export():
    from tracker.enterprises.roster import export_roster

    args, day = _args(), today()
    rows = enterprise_list(Enterprise.with_status(day).where(enterprise_scope(current_user)), args, day)
    return send_download(export_roster(rows, day), f"规上工业企业复工复产-{day.isoformat()}.xlsx")


@bp.get("/<int:enterprise_id>")
@require("see_enterprises")
def show(enterprise_id):
    return _show(_enterprise(enterprise_id))


def _show(enterprise, problem_form=None, status=200):
    page = render_template(
        "enterprises/show.html",
        enterprise=enterprise,
        status=enterprise.status_on(today()),
        changes=list(enterprise.changes.order_by(*LATEST)),
        problems=list(EnterpriseProblem.of(enterprise)),
        problem_form=problem_form or FactorProblemForm(formdata=None),
        today=today(),
        RESUMPTION_STATES=RESUMPTION_STATES,
        FACTORS=FACTORS,
        PROBLEM_STATES=PROBLEM_STATES,
    )
    return page, status


@bp.route("/<int:enterprise_id>/status", methods=["GET", "POST"])
@require("update_resumption")
def change_status(enterprise_id):
    """The phone form: the enterprise's status from a date, with a note."""
    enterprise = _enterprise(enterprise_id, "update_resumption")
    form = StatusForm(data={"on": today(), "status": enterprise.status_on(today())})
    if form.validate_on_submit():
        try:
            user = current_user._get_current_object()
            record_status(enterprise, form.status.data, form.on.data, user, form.note.data, today())
        except ResumptionError as e:
            form.on.errors.append(str(e))
        else:
            flash(f"已记录：{enterprise.name} {RESUMPTION_STATES[form.status.data]}（{form.on.data}）", "success")
            return redirect(url_for("enterprises.show", enterprise_id=enterprise.id))
    code = 422 if form.errors else 200
    return render_template("enterprises/status.html", enterprise=enterprise, form=form), code


@bp.post("/<int:enterprise_id>/problems")
@require("raise_problems")
def raise_problem(enterprise_id):
    """A production-factor problem onto the ledger, for the enterprise's department in charge."""
    enterprise = _enterprise(enterprise_id, "raise_problems")
    form = FactorProblemForm()
    if not form.validate_on_submit():
        return _show(enterprise, form, 422)
    try:
        user = current_user._get_current_object()
        problem = raise_factor_problem(enterprise, form.factor.data, form.description.data, form.deadline.data, user)
    except ProblemError as e:
        form.description.errors.append(str(e))
        return _show(enterprise, form, 422)
    flash(f"已登记问题，交由{problem.department}解决", "success")
    return redirect(url_for("enterprises.show", enterprise_id=enterprise.id))


@bp.route("/import", methods=["GET", "POST"])
@require("manage_enterprises")
@upload
def import_roster():
    """Upload the list and preview what importing it would do; nothing is written until confirmed."""
    from tracker.enterprises.roster import SheetError, plan_roster, read_roster

    form, problems = RosterForm(), []
    if form.validate_on_submit():
        try:
            roster = read_roster(form.file.data.stream)
            plan = plan_roster(roster)
        except SheetError as e:
            problems = e.problems
        else:
            return _preview(plan, import_staging(current_app.config["TRACKER"]).keep(roster, form.file.data.filename))
    code = 422 if problems or form.errors else 200
    return render_template("enterprises/import.html", form=form, problems=problems), code


@bp.post("/import/<token>")
@require("manage_enterprises")
def confirm_import(token):
    from tracker.enterprises.roster import PlanChanged, SheetError, confirm_roster

    staging = import_staging(current_app.config["TRACKER"])
    staged, form = staging.find(token), ConfirmImportForm()
    if staged is None or not form.validate_on_submit():
        flash("预览已失效，请重新上传名单", "error")
        return redirect(url_for("enterprises.import_roster"))
    try:
        _plan, (created, updated) = confirm_roster(staging, staged, form.fingerprint.data, today())
    except PlanChanged as e:
        return _preview(e.plan, staged, changed_since=True)
    except SheetError as e:
        return render_template("enterprises/import.html", form=RosterForm(formdata=None), problems=e.problems), 422
    flash(f"导入完成：新增 {created} 家企业，更新 {updated} 家", "success")
    return redirect(url_for("enterprises.index"))


def _preview(plan, staged, changed_since=False):
    from tracker.enterprises.roster import LABELS

    form = ConfirmImportForm(formdata=None, fingerprint=plan.fingerprint)
    return render_template(
        "enterprises/import_preview.html",
        plan=plan,
        staged=staged,
        form=form,
        changed_since=changed_since,
        LABELS=LABELS,
    )
