"""Inspection rounds (督查) in the UI: the rounds, a round's page with its groups, units, findings, 督查通报
and 回头看, the forms that fill them, and the bulletins as their readers see them (the published ones public)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.core.db import db
from tracker.inspections.bulletins import bulletin_docx, draft_bulletin, edit_bulletin, publish_bulletin
from tracker.inspections.forms import BulletinForm, FindingForm, GroupForm, RecheckForm, RoundForm, VisitForm
from tracker.inspections.models import (
    BULLETIN_STATES,
    RECHECK_RESULTS,
    Finding,
    InspectionBulletin,
    InspectionGroup,
    InspectionRound,
    InspectionVisit,
)
from tracker.inspections.rounds import InspectionError, add_finding, add_group, add_visit, create_round, record_recheck
from tracker.notices.drafting import NoticeError
from tracker.problems.models import PROBLEM_STATES
from tracker.projects.models import Project
from tracker.web.access import can, require, visible_bulletins
from tracker.web.audit import audit
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, today
from tracker.web.responses import send_download

bp = Blueprint("inspections", __name__)


@bp.get("/inspections/")
@require("see_inspections")
def index():
    return render_template("inspections/index.html", rounds=list(InspectionRound.with_counts(today())))


@bp.route("/inspections/new", methods=["GET", "POST"])
@require("manage_inspections")
def new():
    form = RoundForm()
    if form.validate_on_submit():
        try:
            values = {k: form[k].data for k in ("title", "notice_title", "starts_on", "ends_on")}
            created = create_round(**values, user=current_user.id)
        except InspectionError as e:
            form[e.field].errors.append(str(e))
        else:
            flash("已建立督查轮次，请添加督查组和被督查单位", "success")
            return redirect(url_for("inspections.show", round_id=created.id))
    return render_template("inspections/new.html", form=form), 422 if form.errors else 200


def _round(round_id):
    return InspectionRound.get_or_none(InspectionRound.id == round_id) or abort(404)


@bp.get("/inspections/<int:round_id>")
@require("see_inspections")
def show(round_id):
    return _round_page(_round(round_id))


def _round_page(inspection_round, status=200, **forms):
    """The round's page: its counts, groups and the units each visited, findings with their state, the bulletin."""
    groups = list(inspection_round.groups.order_by(InspectionGroup.id))
    visits = list(InspectionVisit.of_round(inspection_round))
    defaults = {
        "group_form": GroupForm(formdata=None),
        "visit_form": VisitForm(formdata=None),
        "finding_form": FindingForm(formdata=None),
        "recheck_form": RecheckForm(formdata=None),
    }
    forms = {**defaults, **forms}
    forms["visit_form"].group.choices = {g.id: g.name for g in groups}
    forms["finding_form"].visit.choices = {v.id: f"{v.group.name}：{v.unit}（{v.visited_on}）" for v in visits}
    context = {
        "round": inspection_round,
        "counts": InspectionRound.with_counts(today()).where(InspectionRound.id == inspection_round.id).get(),
        "groups": groups,
        "visits": visits,
        "findings": list(Finding.of_round(inspection_round)),
        "bulletin": inspection_round.bulletins.first(),
        "today": today(),
        "failed_finding": forms.pop("failed_finding", None),
        "blank_recheck": RecheckForm(formdata=None),
        "PROBLEM_STATES": PROBLEM_STATES,
        "RECHECK_RESULTS": RECHECK_RESULTS,
        "BULLETIN_STATES": BULLETIN_STATES,
        **forms,
    }
    return render_template("inspections/show.html", **context), status


def _added(inspection_round, form_name, form, add, done):
    """Validate ``form``, then ``add()``: a refusal is shown under its field on the round's page (422)."""
    if form.validate_on_submit():
        try:
            add()
        except InspectionError as e:
            form[e.field].errors.append(str(e))
        else:
            flash(done, "success")
            return redirect(url_for("inspections.show", round_id=inspection_round.id, _anchor=form_name))
    return _round_page(inspection_round, 422, **{f"{form_name}_form": form})


@bp.post("/inspections/<int:round_id>/groups")
@require("manage_inspections")
def groups(round_id):
    inspection_round = _round(round_id)
    form = GroupForm()
    return _added(
        inspection_round,
        "group",
        form,
        lambda: add_group(inspection_round, form.name.data, form.leader.data, form.members.data),
        "已添加督查组",
    )


@bp.post("/inspections/<int:round_id>/visits")
@require("manage_inspections")
def visits(round_id):
    inspection_round = _round(round_id)
    form = VisitForm()

    def add():
        group = InspectionGroup.get_or_none(
            (InspectionGroup.id == form.group.data) & (InspectionGroup.round == round_id)
        )
        if group is None:
            raise InspectionError("请选择本轮的督查组", "group")
        code = (form.project.data or "").strip()
        project = Project.active().where(Project.code == code).first() if code else None
        if code and project is None:
            raise InspectionError(f"没有编号为 {code} 的在建重点项目", "project")
        add_visit(group, form.unit.data, form.county.data, form.visited_on.data, form.methods.data, project)

    return _added(inspection_round, "visit", form, add, "已添加被督查单位")


@bp.post("/inspections/<int:round_id>/findings")
@require("manage_inspections")
def findings(round_id):
    inspection_round = _round(round_id)
    form = FindingForm()

    def add():
        visit = (
            InspectionVisit.select()
            .join(InspectionGroup)
            .where((InspectionVisit.id == form.visit.data) & (InspectionGroup.round == round_id))
            .first()
        )
        if visit is None:
            raise InspectionError("请选择本轮督查过的单位", "visit")
        user = current_user._get_current_object()
        add_finding(visit, form.description.data, form.department.data, form.deadline.data, user)

    return _added(inspection_round, "finding", form, add, "问题已登记到问题台账，限期整改")


@bp.post("/inspections/<int:round_id>/findings/<int:finding_id>/recheck")
@require("manage_inspections")
def recheck(round_id, finding_id):
    """回头看 on one finding: rectified closes its problem, not rectified keeps it open with a new deadline."""
    inspection_round = _round(round_id)
    finding = Finding.get_or_none((Finding.id == finding_id) & (Finding.round == round_id)) or abort(404)
    form = RecheckForm()
    if form.validate_on_submit():
        try:
            rectified = form.rectified.data == "yes"
            user = current_user._get_current_object()
            record_recheck(finding, user, today(), rectified, form.note.data, form.deadline.data)
        except InspectionError as e:
            form[e.field].errors.append(str(e))
        else:
            flash(f"已记录回头看：{RECHECK_RESULTS[finding.recheck]}", "success")
            return redirect(url_for("inspections.show", round_id=round_id, _anchor="findings"))
    return _round_page(inspection_round, 422, recheck_form=form, failed_finding=finding.id)


@bp.post("/inspections/<int:round_id>/bulletin")
@require("manage_inspections")
def new_bulletin(round_id):
    inspection_round = _round(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        bulletin = draft_bulletin(inspection_round, current_app.config["TRACKER"], current_user.id)
    except InspectionError as e:
        flash(str(e), "error")
        return redirect(url_for("inspections.show", round_id=round_id))
    flash("已起草督查通报，请纪委监委审核后发布", "success")
    return redirect(url_for("inspections.bulletin", bulletin_id=bulletin.id))


@bp.get("/inspections/bulletins/")
@login_required
def bulletins():
    """The 督查通报 a user may read: published ones, and the drafts for those who manage rounds."""
    query = InspectionBulletin.select().order_by(InspectionBulletin.created_at.desc(), InspectionBulletin.id.desc())
    page = Page(visible_bulletins(current_user, query))
    return render_template("inspections/bulletins.html", page=page, BULLETIN_STATES=BULLETIN_STATES)


def _bulletin(bulletin_id):
    bulletin = InspectionBulletin.get_or_none(InspectionBulletin.id == bulletin_id)
    if bulletin is None or not can(current_user, "see", bulletin):
        abort(404)
    return bulletin


@bp.get("/inspections/bulletins/<int:bulletin_id>")
@login_required
def bulletin(bulletin_id):
    return _bulletin_page(_bulletin(bulletin_id))


def _bulletin_page(bulletin, form=None, status=200):
    form = form or BulletinForm(formdata=None, obj=bulletin)
    context = {"bulletin": bulletin, "form": form, "confirm": ConfirmForm(), "BULLETIN_STATES": BULLETIN_STATES}
    return render_template("inspections/bulletin.html", **context), status


@bp.post("/inspections/bulletins/<int:bulletin_id>/edit")
@require("manage_inspections")
def edit(bulletin_id):
    bulletin = _bulletin(bulletin_id)
    form = BulletinForm()
    if not form.validate_on_submit():
        return _bulletin_page(bulletin, form, 422)
    try:
        edit_bulletin(bulletin, form.title.data, form.preamble.data)
    except NoticeError as e:
        flash(str(e), "error")
        return _bulletin_page(bulletin, status=409)
    flash("已保存标题和导语", "success")
    return redirect(url_for("inspections.bulletin", bulletin_id=bulletin.id))


@bp.post("/inspections/bulletins/<int:bulletin_id>/publish")
@require("publish_bulletins")
def publish(bulletin_id):
    bulletin = _bulletin(bulletin_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with db.atomic():
            bulletin = publish_bulletin(bulletin, current_user.id, current_app.config["TRACKER"], today())
            audit("bulletin_published", bulletin=bulletin.id, number=bulletin.number, title=bulletin.title)
    except NoticeError as e:
        flash(str(e), "error")
        return _bulletin_page(bulletin, status=409)
    public = url_for("inspections.public_bulletin", bulletin_id=bulletin.id, _external=True)
    flash(f"已发布 {bulletin.number}，公开页面：{public}", "success")
    return redirect(url_for("inspections.bulletin", bulletin_id=bulletin.id))


@bp.get("/inspections/bulletins/<int:bulletin_id>.docx")
@login_required
def download(bulletin_id):
    bulletin = _bulletin(bulletin_id)
    return _docx(bulletin)


def _docx(bulletin):
    content = bulletin_docx(bulletin, current_app.config["TRACKER"]["notices"])
    return send_download(content, f"{bulletin.number or '督查通报草稿'}.docx")


def _published(bulletin_id):
    bulletin = InspectionBulletin.get_or_none(InspectionBulletin.id == bulletin_id)
    if bulletin is None or not bulletin.is_published:
        abort(404)
    return bulletin


@bp.get("/public/inspections/<int:bulletin_id>")
def public_bulletin(bulletin_id):
    """A published 督查通报 for anyone, without login: what the bulletin itself says, nothing more."""
    return render_template("inspections/public.html", bulletin=_published(bulletin_id))


@bp.get("/public/inspections/<int:bulletin_id>.docx")
def public_download(bulletin_id):
    return _docx(_published(bulletin_id))
