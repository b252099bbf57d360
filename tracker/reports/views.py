"""Weekly progress reports (周报): the owner's list of projects, the report form, and reopening by the office."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.core.db import db
from tracker.core.weeks import WeekError, shift_week, week_monday
from tracker.photos.attaching import PhotoError, attach_photos, attached_message, photo_hint, read_uploads
from tracker.photos.forms import PhotosForm, chosen_files
from tracker.photos.models import Photo
from tracker.projects.models import ProgressReport, Project
from tracker.reports.filing import (
    ReportAccepted,
    ReportConflict,
    ReportError,
    ReportLocked,
    current_week,
    file_report,
    form_start,
    is_accepted_by_review,
    is_locked,
    set_reopened,
)
from tracker.reports.forms import ReportForm
from tracker.web.access import can, project_scope, require, visible_project
from tracker.web.audit import audit, request_actor
from tracker.web.limits import photo_upload
from tracker.web.listing import Page

bp = Blueprint("reports", __name__)


@bp.get("/reports/")
@require("report")
def mine():
    """The projects the user reports for, with the state of this week's report."""
    config = current_app.config["TRACKER"]
    week = current_week(config)
    page = Page(Project.active().where(project_scope(current_user)).order_by(Project.code))
    filed = {
        r.project_id: r
        for r in ProgressReport.select().where(
            (ProgressReport.week == week) & ProgressReport.project.in_([p.id for p in page.items])
        )
    }
    unlocked = can(current_user, "reopen_reports")
    locked = {p.id for p in page.items if not unlocked and _locked(week, config, filed.get(p.id))}
    # Until last week's cut-off (Monday morning by default) its report can still be corrected.
    previous = shift_week(week, -1)
    # Earlier weeks' reports sent back by the county office, to be corrected before their cut-off.
    sent_back = {
        r.project_id: r
        for r in ProgressReport.select().where(
            (ProgressReport.review_state == "sent_back")
            & (ProgressReport.week < week)
            & ProgressReport.project.in_([p.id for p in page.items])
        )
    }
    return render_template(
        "reports/mine.html",
        page=page,
        filed=filed,
        sent_back=sent_back,
        locked=locked,
        week=week,
        previous=None if is_locked(previous, config) else previous,
    )


@bp.route("/projects/<code>/report", methods=["GET", "POST"], defaults={"week": None})
@bp.route("/projects/<code>/report/<week>", methods=["GET", "POST"])
@require("report")
@photo_upload
def edit(code, week):
    """File or correct a project's report: this week's, or an earlier one while it is open."""
    project = visible_project(current_user, code)
    if project.archived:
        abort(404)
    config = current_app.config["TRACKER"]
    week = week or current_week(config)
    _check_week(week)
    form = ReportForm(data=form_start(project, week))
    notice, status = None, 200
    if form.validate_on_submit():
        refused, attached = _file(form, project, week, config)
        if refused is None:
            waiting = ProgressReport.get(project=project, week=week).review_state == "submitted"
            flash(f"已提交 {project.name} {week} 周报{'，待县区审核' if waiting else ''}", "success")
            if not attached:
                return redirect(url_for("reports.mine"))
            # The owner sees the photos and what their checks found right away.
            flash(*attached_message(attached))
            return redirect(url_for("reports.edit", code=project.code, week=week, _anchor="photos"))
        notice, status = refused
    elif form.errors:
        status = 422
    return _report_page(form, project, week, config, notice), status


def _file(form, project, week, config):
    """File the form's report with its photos, all or nothing.

    Returns (None, [(photo, duplicate)]) when saved, else ((message for the page, HTTP status), []).
    """
    user = current_user._get_current_object()
    try:
        files = chosen_files(form.photos)
        # Read before the transaction: decoding photos takes a while and needs no lock.
        uploads = read_uploads(files, config) if files else []
        with db.atomic():
            report = file_report(
                project,
                week,
                _values(form),
                user,
                config,
                past_cutoff=can(user, "reopen_reports"),
                version=form.version.data,
                actor=request_actor(),
            )
            attached = attach_photos(report, uploads, user, config, actor=request_actor()) if uploads else []
    except (ReportLocked, ReportAccepted, ReportConflict) as e:
        return (str(e), 409), []
    except ReportError as e:
        return (_place_errors(form, e.errors), 422), []
    except PhotoError as e:
        form.photos.errors.append(str(e))
        return (None, e.status), []
    return None, attached


def _report_page(form, project, week, config, notice):
    """The report form; read-only, with the reason, once the week is locked for this user; the report's photos."""
    report = ProgressReport.get_or_none(project=project, week=week)
    office = can(current_user, "reopen_reports")
    locked = not office and _locked(week, config, report)
    if locked and not notice:
        notice = str(ReportLocked(week) if is_locked(week, config, report) else ReportAccepted(week))
    context = {"form": form, "project": project, "week": week, "report": report, "locked": locked, "notice": notice}
    context["photos"] = Photo.of_reports([report.id]).get(report.id, []) if report else []
    # Photos may still be added to a report its county office accepted: they change no figure.
    context["photos_open"] = report and (office or not is_locked(week, config, report))
    context["photos_form"], context["photo_hint"] = PhotosForm(), photo_hint(config)
    return render_template("reports/form.html", **context)


def _locked(week, config, report):
    """Whether the owner can no longer change ``report``: past the cut-off, or accepted by its county office."""
    return is_locked(week, config, report) or is_accepted_by_review(report)


def _check_week(week):
    try:
        week_monday(week)
    except WeekError:
        abort(404)


def _values(form):
    """The report as filing.file_report takes it, from the form's parsed data."""
    values = {name: form[name].data for name in ("status", "investment_completed", "milestones")}
    for name in ("physical_progress", "problems", "next_week_plan", "explanation"):
        values[name] = (form[name].data or "").strip()
    values["funds"] = {source: amount or 0 for source, amount in form.funds.data.items()}
    return values


def _place_errors(form, errors):
    """Put each of filing's messages on its field (``funds.bank_loans`` on the funds sub-form); return the rest."""
    rest = []
    for key, message in errors.items():
        group, _, name = key.partition(".")
        if name and group in ("funds", "milestones") and name in form[group].form:
            form[group][name].errors.append(message)
        elif not name and group in form:
            form[group].errors.append(message)
        else:
            rest.append(message)
    return "；".join(rest) or None


@bp.post("/projects/<code>/report/<week>/<any(reopen, lock):action>")
@require("reopen_reports")
def reopen(code, week, action):
    """The office reopens a locked report so its owner can correct it, or locks it again."""
    project = visible_project(current_user, code)
    report = ProgressReport.get_or_none(project=project, week=week) or abort(404)
    with db.atomic():
        set_reopened(report, action == "reopen", current_user._get_current_object())
        audit("report_reopened" if action == "reopen" else "report_locked", project=project.code, week=week)
    done = "已重新开放，责任人可以修改" if action == "reopen" else "已重新锁定"
    flash(f"{project.name} {week} 周报{done}", "success")
    return redirect(url_for("projects.show", code=project.code, _anchor="reports"))
