"""The runs of the cycles as the office sees them: weekly dispatches, consultations, analyses."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.accounts.models import CHANNELS
from tracker.core.db import db
from tracker.cycles.analysis import BREAKDOWNS
from tracker.cycles.consultations import (
    AGENDA_KINDS,
    OUTCOMES,
    AgendaItem,
    Decision,
    agenda_with_decisions,
    decisions_due,
    record_decision,
    record_outcome,
)
from tracker.cycles.forms import DecisionForm, FollowThroughForm
from tracker.cycles.runs import RUN_KINDS, STATES, CycleRun
from tracker.mail.outbox import KINDS as MAIL_KINDS
from tracker.mail.outbox import OUTBOX_STATES, Outbox
from tracker.supervision.models import SupervisionOrder
from tracker.web.access import can, require
from tracker.web.caching import cached_chart
from tracker.web.listing import Page, today
from tracker.web.responses import send_download

bp = Blueprint("cycles", __name__, url_prefix="/cycles")


@bp.get("/")
@require("see_runs")
def index():
    query = CycleRun.select().order_by(CycleRun.started_at.desc(), CycleRun.id.desc())
    return render_template("cycles/index.html", page=Page(query), RUN_KINDS=RUN_KINDS, STATES=STATES)


@bp.get("/<int:run_id>")
@require("see_runs")
def show(run_id):
    run = CycleRun.get_or_none(CycleRun.id == run_id) or abort(404)
    return _run_page(run)


@bp.post("/<int:run_id>/agenda/<int:item_id>/decisions")
@require("record_decisions")
def decide(run_id, item_id):
    item = AgendaItem.get_or_none((AgendaItem.id == item_id) & (AgendaItem.run == run_id)) or abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _run_page(item.run, form=form, failed_item=item.id), 422
    with db.atomic():
        record_decision(
            item,
            form.action.data.strip(),
            form.assignee.data.strip(),
            form.due_on.data,
            current_user.id,
            today(),
            department=(form.department.data or "").strip(),
        )
    flash("已记录会商决定", "success")
    return redirect(url_for("cycles.show", run_id=run_id, _anchor=f"item-{item.id}"))


@bp.post("/<int:run_id>/decisions/<int:decision_id>/follow-through")
@require("record_decisions")
def follow_through(run_id, decision_id):
    """Record a due decision's 落实情况 on the consultation that asks after it."""
    run = CycleRun.get_or_none((CycleRun.id == run_id) & (CycleRun.cycle == "monthly")) or abort(404)
    decision = decisions_due(run.period).where(Decision.id == decision_id).first() or abort(404)
    form = FollowThroughForm()
    if not form.validate_on_submit():
        return _run_page(run, outcome_form=form, failed_decision=decision.id), 422
    record_outcome(decision, form.outcome.data, (form.note.data or "").strip(), form.on.data, current_user.id)
    flash(f"已记录落实情况：{OUTCOMES[form.outcome.data]}", "success")
    return redirect(url_for("cycles.show", run_id=run_id, _anchor=f"decision-{decision.id}"))


def _run_page(run, form=None, failed_item=None, outcome_form=None, failed_decision=None):
    """A run's page: its figures, its mail (for the office) and, for a consultation, the agenda."""
    context = {
        "run": run,
        "data": run.data,
        "mail": _mail(run),
        "today": today(),
        "RUN_KINDS": RUN_KINDS,
        "STATES": STATES,
        "OUTBOX_STATES": OUTBOX_STATES,
        "MAIL_KINDS": MAIL_KINDS,
        "CHANNELS": CHANNELS,
    }
    if run.cycle == "supervision":
        context["order"] = SupervisionOrder.of_run(run)
    if run.cycle == "monthly":
        context.update(
            agenda=agenda_with_decisions(run),
            form=form or DecisionForm(),
            failed_item=failed_item,
            AGENDA_KINDS=AGENDA_KINDS,
            due=list(decisions_due(run.period)),
            outcome_form=outcome_form or FollowThroughForm(data={"on": today()}),
            failed_decision=failed_decision,
            OUTCOMES=OUTCOMES,
        )
    return render_template(f"cycles/{run.cycle}.html", **context)


def _mail(run):
    """Who this run wrote to, for the office: each row links to the message in the deliveries view."""
    if not can(current_user, "see_mail"):
        return []
    return list(
        Outbox.select(Outbox.id, Outbox.kind, Outbox.channel, Outbox.recipient, Outbox.recipient_name, Outbox.state)
        .where(Outbox.run == run)
        .order_by(Outbox.kind, Outbox.recipient)
    )


@bp.get("/<int:run_id>/charts/<name>.png")
@require("see_runs")
def analysis_chart(run_id, name):
    from tracker.cycles.analysis_exports import analysis_charts

    run = _quarterly(run_id)
    if name not in BREAKDOWNS:
        abort(404)
    return cached_chart(current_user, "analysis_chart", lambda: analysis_charts(run.data)[name], run_id, name)


@bp.get("/<int:run_id>/analysis.<any(xlsx, pdf):kind>")
@require("see_runs")
def analysis_download(run_id, kind):
    from tracker.cycles.analysis_exports import analysis_pdf, analysis_workbook

    run = _quarterly(run_id)
    content = analysis_workbook(run.data) if kind == "xlsx" else analysis_pdf(run.data)
    return send_download(content, f"重点项目季度分析-{run.period}.{kind}")


def _quarterly(run_id):
    run = CycleRun.get_or_none((CycleRun.id == run_id) & (CycleRun.cycle == "quarterly")) or abort(404)
    if run.state == "running" or not run.data.get("closing_week"):
        abort(404)
    return run
