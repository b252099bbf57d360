"""招商引资 pages: leads by stage, a lead's history and its move to a key project, trips, visits, the assessment."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField

from tracker.core.db import db
from tracker.core.periods import PeriodError
from tracker.promotion.figures import AMOUNTS, COUNTS, LABELS, department_figures, period_figures
from tracker.promotion.forms import FundsForm, LeadForm, NewLeadForm, StageForm, TripForm, VisitForm
from tracker.promotion.models import STAGES, FundsArrival, Lead, StageEvent, Trip, Visit
from tracker.promotion.periods import quarter_of
from tracker.promotion.pipeline import (
    PromotionError,
    land_lead,
    move_lead,
    record_funds,
    record_visit,
    save_lead,
    save_trip,
)
from tracker.promotion.workbook import review_title, review_workbook
from tracker.web.access import can, refuse, require
from tracker.web.audit import audit
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, text_args, today
from tracker.web.responses import send_download

bp = Blueprint("promotion", __name__, url_prefix="/promotion")


def _user():
    return current_user._get_current_object()


def _own(row, action="record_promotion"):
    """``row`` once the user may record on it: a department only its own department's."""
    if not can(current_user, action, row):
        refuse(action, "只能登记和修改本部门的招商工作")
    return row


def _lead(lead_id):
    return Lead.get_or_none(Lead.id == lead_id) or abort(404, "招商项目不存在")


@bp.get("/")
@require("see_promotion")
def index():
    """招商项目 (leads), filtered by stage and department."""
    args = text_args("stage", "department")
    query = Lead.listed()
    if args.get("stage") in STAGES:
        query = query.where(Lead.stage == args["stage"])
    if "department" in args:
        query = query.where(Lead.department == args["department"])
    return render_template("promotion/index.html", page=Page(query), args=args, STAGES=STAGES)


@bp.get("/leads/<int:lead_id>")
@require("see_promotion")
def show(lead_id):
    return _lead_page(_lead(lead_id))


def _lead_page(lead, forms=None, status=200):
    """The lead, its stages with their days, its visits and funds; the forms of whoever may record on it."""
    day = today()
    forms = {
        "stage": StageForm(data={"reached_on": day}),
        "visit": VisitForm(data={"visited_on": day}),
        "funds": FundsForm(data={"arrived_on": day}),
        **(forms or {}),
    }
    context = {
        "lead": lead,
        "events": list(
            StageEvent.select().where(StageEvent.lead == lead).order_by(StageEvent.reached_on, StageEvent.id)
        ),
        "visits": list(Visit.select().where(Visit.lead == lead).order_by(Visit.visited_on)),
        "arrivals": list(FundsArrival.select().where(FundsArrival.lead == lead).order_by(FundsArrival.arrived_on)),
        "may_record": can(current_user, "record_promotion", lead),
        "may_land": can(current_user, "land_leads") and lead.stage == "landed" and lead.project_id is None,
        "next_stages": {k: v for k, v in STAGES.items() if list(STAGES).index(k) > list(STAGES).index(lead.stage)},
        "forms": forms,
        "confirm": ConfirmForm(),
        "STAGES": STAGES,
    }
    return render_template("promotion/show.html", **context), status


@bp.route("/leads/new", methods=["GET", "POST"])
@require("record_promotion")
def new_lead():
    return _lead_form(None, request.args.get("trip", type=int))


@bp.route("/leads/<int:lead_id>/edit", methods=["GET", "POST"])
@require("record_promotion")
def edit_lead(lead_id):
    return _lead_form(_own(_lead(lead_id)))


def _lead_form(lead, trip_id=None):
    """Create (``lead`` None, contacted on a day, on a trip if given) or edit a lead."""
    own = _department_default()
    form = (
        LeadForm(obj=lead, trip=lead.trip_id or 0)
        if lead
        else NewLeadForm(data={"contacted_on": today(), "department": own, "trip": trip_id or 0})
    )
    form.trip.choices = _trip_choices()
    if form.validate_on_submit() and _may_record_for(form):
        values = _values(form)
        values["trip"] = values["trip"] or None
        saved = save_lead(values, _user(), values.pop("contacted_on", None), lead)
        flash(f"已保存招商项目 {saved.name}", "success")
        return redirect(url_for("promotion.show", lead_id=saved.id))
    return render_template("promotion/lead_form.html", form=form, lead=lead), 422 if form.errors else 200


def _values(form):
    """The form's values; a text field not sent at all is empty text, as a browser sends it."""
    return {
        field.name: "" if field.data is None and isinstance(field, StringField) else field.data
        for field in form
        if field.name != "csrf_token"
    }


def _department_default():
    return current_user.department if current_user.role == "department" else ""


def _may_record_for(form):
    """A department records for itself only (the form offers every department to the office)."""
    if current_user.role == "department" and form.department.data != current_user.department:
        form.department.errors.append("只能登记本部门的招商工作")
        return False
    return True


def _trip_choices():
    """The trips a lead may name: the user's department's (every one for the office), latest first."""
    query = Trip.select().order_by(Trip.trip_date.desc(), Trip.id.desc())
    if current_user.role == "department":
        query = query.where(Trip.department == current_user.department)
    return [(0, "（不属于外出批次）"), *((t.id, f"{t.title}（{t.department}）") for t in query.limit(200))]


# What the lead page records: its form, the pipeline's function over the form's values, the message when done.
ENTRIES = {
    "stage": (StageForm, lambda lead, f: move_lead(lead, f.stage.data, f.reached_on.data, _user(), today()), "已推进"),
    "visit": (
        VisitForm,
        lambda lead, f: record_visit(lead, f.visited_on.data, f.note.data, _user(), today()),
        "已登记来考察",
    ),
    "funds": (
        FundsForm,
        lambda lead, f: record_funds(lead, f.arrived_on.data, f.amount.data, _user(), today()),
        "已登记到位资金",
    ),
}


@bp.post("/leads/<int:lead_id>/<any(stage, visit, funds):entry>")
@require("record_promotion")
def record(lead_id, entry):
    """A stage move, a visit or funds in place on a lead; a refusal says why on the lead's page."""
    lead = _own(_lead(lead_id))
    form_class, action, done = ENTRIES[entry]
    form = form_class()
    if not form.validate_on_submit():
        return _lead_page(lead, {entry: form}, 422)
    try:
        action(lead, form)
    except PromotionError as e:
        flash(str(e), "error")
        return _lead_page(lead, {entry: form}, 409)
    flash(done, "success")
    return redirect(url_for("promotion.show", lead_id=lead.id))


@bp.post("/leads/<int:lead_id>/land")
@require("land_leads")
def land(lead_id):
    """转为重点项目: the project is created from the lead; the office completes it on the project form."""
    lead = _lead(lead_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with db.atomic():
            project = land_lead(lead, _user(), current_app.config["TRACKER"]["milestones"], today())
            audit("lead_landed", lead=lead.id, project=project.code)
    except PromotionError as e:
        flash(str(e), "error")
        return _lead_page(lead, status=409)
    flash(f"已转为重点项目 {project.code}，请补充包抓领导、责任人、开工时限等待完善信息", "success")
    return redirect(url_for("projects.edit", code=project.code))


@bp.get("/trips")
@require("see_promotion")
def trips():
    query = Trip.select().order_by(Trip.trip_date.desc(), Trip.id.desc())
    return render_template("promotion/trips.html", page=Page(query))


@bp.route("/trips/new", methods=["GET", "POST"])
@require("record_promotion")
def new_trip():
    return _trip_form(None)


@bp.route("/trips/<int:trip_id>/edit", methods=["GET", "POST"])
@require("record_promotion")
def edit_trip(trip_id):
    return _trip_form(_own(Trip.get_or_none(Trip.id == trip_id) or abort(404, "批次不存在")))


def _trip_form(trip):
    form = TripForm(obj=trip) if trip else TripForm(data={"trip_date": today(), "department": _department_default()})
    if form.validate_on_submit() and _may_record_for(form):
        saved = save_trip(_values(form), _user(), trip)
        flash(f"已保存外出招商批次 {saved.title}", "success")
        return redirect(url_for("promotion.trips"))
    return render_template("promotion/trip_form.html", form=form, trip=trip), 422 if form.errors else 200


@bp.get("/visits")
@require("see_promotion")
def visits():
    query = Visit.select(Visit, Lead).join(Lead).order_by(Visit.visited_on.desc(), Visit.id.desc())
    return render_template("promotion/visits.html", page=Page(query))


def _period():
    """The period asked for (the current quarter by default); 400 for a malformed one."""
    period = request.args.get("period", "").strip() or quarter_of(today())
    target = current_app.config["TRACKER"]["promotion"]["funds_growth_target"]
    try:
        return period, target, period_figures(period, target)
    except PeriodError as e:
        abort(400, str(e))


@bp.get("/assessment")
@require("see_promotion")
def assessment():
    """季考核通报 (or any period's review): the city's figures and the departments ranked."""
    period, target, city = _period()
    context = {
        "period": period,
        "target": target,
        "city": city,
        "title": review_title(period),
        "departments": department_figures(period, target),
        "COUNTS": COUNTS,
        "AMOUNTS": AMOUNTS,
        "LABELS": LABELS,
    }
    return render_template("promotion/assessment.html", **context)


@bp.get("/assessment.xlsx")
@require("see_promotion")
def assessment_export():
    """The same review as .xlsx: 季考核通报 for a quarter, 半年盘点 for 2026-H1, 年终总评 for 2026."""
    period, target, city = _period()
    content = review_workbook(period, city, department_figures(period, target), target)
    return send_download(content, f"{review_title(period)}.xlsx")
