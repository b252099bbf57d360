"""Special bonds (专项债券) in the UI: figures by batch, a batch's projects, the records the office keeps."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.bonds.forms import ApplicationForm, BatchForm, BondImportForm, EntryForm, SpendingForm
from tracker.bonds.models import (
    APPLICATION_STATES,
    BondApplication,
    BondBatch,
    BondEntry,
    BondSpending,
    application_counts,
    batch_applications,
    batch_entries,
    batch_figures,
)
from tracker.bonds.records import BondError, record_spending, save_application, save_batch, save_entry
from tracker.core.db import db
from tracker.core.money import amount_text
from tracker.projects.models import ListEntry, Project
from tracker.web.access import can, project_scope, refuse, require
from tracker.web.audit import audit
from tracker.web.listing import Page, text_args, today
from tracker.web.responses import send_download

bp = Blueprint("bonds", __name__, url_prefix="/bonds")


def _settings():
    return current_app.config["TRACKER"]["bonds"]


def _figures(batch=None):
    settings = _settings()
    return batch_figures(today(), settings["idle_days"], settings["idle_share"], project_scope(current_user), batch)


def _batch(batch_id):
    return BondBatch.get_or_none(BondBatch.id == batch_id) or abort(404)


def _reached(model, row_id):
    """The entry or application ``row_id`` if the user may see its project: 404 if none, 403 if not theirs."""
    row = model.get_or_none(model.id == row_id) or abort(404)
    if not can(current_user, "see_bonds", row):
        refuse("see_bonds")
    return row


@bp.get("/")
@require("see_bonds")
def index():
    """Figures by batch, and the applications of each by status."""
    counts = application_counts(project_scope(current_user))
    return render_template(
        "bonds/index.html", figures=_figures(), counts=counts, STATES=APPLICATION_STATES, settings=_settings()
    )


@bp.get("/<int:batch_id>")
@require("see_bonds")
def batch(batch_id):
    """A batch's figures and projects (search, county, idle only) and its applications."""
    batch = _batch(batch_id)
    args = text_args("q", "county")
    idle_only = bool(request.args.get("idle"))
    entries = batch_entries(
        batch, today(), _settings(), project_scope(current_user), args.get("q", ""), args.get("county", ""), idle_only
    )
    return render_template(
        "bonds/batch.html",
        batch=batch,
        figures=_figures(batch)[0],
        page=Page(entries),
        args=args,
        idle_only=idle_only,
        counties=ListEntry.names("county"),
        applications=batch_applications(batch, project_scope(current_user)),
        STATES=APPLICATION_STATES,
        settings=_settings(),
    )


@bp.get("/<int:batch_id>/export")
@require("see_bonds")
def export(batch_id):
    """The batch's projects and figures as a workbook (the projects the user may see)."""
    from tracker.bonds.sheets import export_batch  # openpyxl: loaded when a workbook is asked for, not at start-up

    batch, settings = _batch(batch_id), _settings()
    scope = project_scope(current_user)
    content = export_batch(batch, _figures(batch)[0], today(), settings["idle_days"], settings["idle_share"], scope)
    return send_download(content, f"{batch.name}.xlsx")


def _form_page(form, save, done, title, **context):
    """Validate ``form`` and ``save`` it in a transaction, then go to ``done(row)``; else the form with its errors."""
    if form.validate_on_submit():
        try:
            with db.atomic():
                row = save(form)
        except BondError as e:
            if e.field in form:
                form[e.field].errors.append(str(e))
            else:
                flash(str(e), "error")
        else:
            flash("已保存", "success")
            return redirect(done(row))
    status = 422 if request.method == "POST" else 200
    return render_template("bonds/form.html", form=form, title=title, **context), status


def _row_form(model, row_id, batch_id, form_class):
    """The entry or application edited (None: a new one in batch ``batch_id``), its batch, and its form.

    A new one names its project (``?project=CODE`` fills it in); an existing one keeps it.
    """
    row = _reached(model, row_id) if row_id else None
    batch = row.batch if row else _batch(batch_id)
    form = form_class(obj=row, project=request.args.get("project", ""))
    if row:
        del form.project
    return row, batch, form


def _project(form):
    """The project the form's code names; a BondError on its field when there is none."""
    project = Project.get_or_none(Project.code == form.project.data.strip())
    if project is None:
        raise BondError("找不到该项目编号", "project")
    return project


@bp.route("/batches/new", methods=["GET", "POST"])
@bp.route("/<int:batch_id>/edit", methods=["GET", "POST"])
@require("manage_bonds")
def edit_batch(batch_id=None):
    batch = _batch(batch_id) if batch_id else None
    return _form_page(
        BatchForm(obj=batch),
        lambda f: save_batch(batch, f.year.data, f.number.data, f.listed_on.data),
        lambda b: url_for("bonds.batch", batch_id=b.id),
        batch.name if batch else "新建专项债券批次",
        back=url_for("bonds.index"),
    )


@bp.route("/<int:batch_id>/entries/new", methods=["GET", "POST"])
@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@require("manage_bonds")
def edit_entry(batch_id=None, entry_id=None):
    entry, batch, form = _row_form(BondEntry, entry_id, batch_id, EntryForm)

    def save(f):
        return save_entry(entry, batch, entry.project if entry else _project(f), f.amount.data, f.issued_on.data)

    title = f"{batch.name}：" + (entry.project.name if entry else "列入项目")
    done = url_for("bonds.batch", batch_id=batch.id)
    return _form_page(form, save, lambda e: url_for("bonds.entry", entry_id=e.id), title, back=done)


@bp.get("/entries/<int:entry_id>")
@require("see_bonds")
def entry(entry_id):
    return _entry_page(_reached(BondEntry, entry_id))


def _entry_page(entry, form=None, status=200):
    spendings = list(entry.spendings.order_by(BondSpending.spent_on, BondSpending.id))
    entry.spent = sum((s.amount for s in spendings), start=0)
    return render_template("bonds/entry.html", entry=entry, spendings=spendings, form=form or SpendingForm()), status


@bp.post("/entries/<int:entry_id>/spending")
@require("manage_bonds")
def spend(entry_id):
    """Record a dated spending of the entry's money."""
    entry = _reached(BondEntry, entry_id)
    form = SpendingForm()
    if not form.validate_on_submit():
        return _entry_page(entry, form, 422)
    try:
        with db.atomic():
            spending = record_spending(entry, form.spent_on.data, form.amount.data, (form.note.data or "").strip())
            audit(
                "bond_spending_recorded",
                batch=entry.batch.name,
                project=entry.project.code,
                amount=amount_text(spending.amount),
                spent_on=spending.spent_on.isoformat(),
            )
    except BondError as e:
        form[e.field].errors.append(str(e))
        return _entry_page(entry, form, 422)
    flash("已登记支出", "success")
    return redirect(url_for("bonds.entry", entry_id=entry.id))


@bp.route("/<int:batch_id>/applications/new", methods=["GET", "POST"])
@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@require("manage_bonds")
def edit_application(batch_id=None, application_id=None):
    application, batch, form = _row_form(BondApplication, application_id, batch_id, ApplicationForm)

    def save(f):
        project = application.project if application else _project(f)
        fields = (f.amount.data, f.status.data, f.submitted_on.data, f.decided_on.data)
        return save_application(application, batch, project, *fields)

    title = f"申报{batch.name}：" + (application.project.name if application else "新增申报项目")
    back = url_for("bonds.batch", batch_id=batch.id)
    return _form_page(form, save, lambda a: back + "#applications", title, back=back)


@bp.route("/<int:batch_id>/import", methods=["GET", "POST"])
@require("manage_bonds")
def import_batch(batch_id):
    """Import the batch's projects from Excel: every row checked first, nothing imported if one is wrong."""
    from tracker.bonds.sheets import BondImportError, import_entries  # openpyxl, as in export

    batch = _batch(batch_id)
    form = BondImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            with db.atomic():
                count = import_entries(batch, form.file.data.stream)
                audit("bonds_imported", batch=batch.name, filename=form.file.data.filename, rows=count)
        except BondImportError as e:
            problems = e.messages
        else:
            flash(f"已导入 {count} 个项目", "success")
            return redirect(url_for("bonds.batch", batch_id=batch.id))
    status = 422 if request.method == "POST" else 200
    return render_template("bonds/import.html", batch=batch, form=form, problems=problems), status
