"""The runs of the cycles as the office sees them: weekly dispatches, consultations, analyses."""

import email
import email.policy
import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from .auth import require_role
from .consultations import AGENDA_KINDS, AgendaItem, Decision, record_decision
from .db import db
from .forms import ConfirmForm, DecisionForm
from .listing import Page, today
from .outbox import KINDS as MAIL_KINDS
from .outbox import OUTBOX_STATES, Outbox, resend
from .runs import CYCLES, STATES, CycleRun

bp = Blueprint("cycles", __name__, url_prefix="/cycles")

READERS = ("office", "leader", "inspector")


@bp.get("/")
@require_role(*READERS)
def index():
    query = CycleRun.select().order_by(CycleRun.started_at.desc(), CycleRun.id.desc())
    return render_template("cycles/index.html", page=Page(query), CYCLES=CYCLES, STATES=STATES)


@bp.get("/<int:run_id>")
@require_role(*READERS)
def show(run_id):
    run = CycleRun.get_or_none(CycleRun.id == run_id) or abort(404)
    return _run_page(run)


@bp.post("/<int:run_id>/agenda/<int:item_id>/decisions")
@require_role("office")
def decide(run_id, item_id):
    item = AgendaItem.get_or_none((AgendaItem.id == item_id) & (AgendaItem.run == run_id)) or abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _run_page(item.run, form=form, failed_item=item.id), 422
    with db.atomic():
        record_decision(item, form.action.data.strip(), form.assignee.data.strip(), form.due_on.data, current_user.id)
    flash("已记录会商决定", "success")
    return redirect(url_for("cycles.show", run_id=run_id, _anchor=f"item-{item.id}"))


def _run_page(run, form=None, failed_item=None):
    """A run's page: its figures, its mail (for the office) and, for a consultation, the agenda."""
    context = {
        "run": run,
        "data": run.data,
        "mail": _mail(run),
        "form_confirm": ConfirmForm(),
        "today": today(),
        "CYCLES": CYCLES,
        "STATES": STATES,
        "OUTBOX_STATES": OUTBOX_STATES,
        "MAIL_KINDS": MAIL_KINDS,
    }
    if run.cycle == "monthly":
        context.update(
            agenda=_agenda(run), form=form or DecisionForm(), failed_item=failed_item, AGENDA_KINDS=AGENDA_KINDS
        )
    return render_template(f"cycles/{run.cycle}.html", **context)


@bp.get("/mail/<int:mail_id>")
@require_role("office")
def message(mail_id):
    """One sent (or queued) email as its recipient reads it, text part."""
    row = Outbox.get_or_none(Outbox.id == mail_id) or abort(404)
    parsed = email.message_from_bytes(bytes(row.message), policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    return render_template(
        "cycles/message.html", row=row, parsed=parsed, text=text, form=ConfirmForm(), OUTBOX_STATES=OUTBOX_STATES
    )


@bp.post("/mail/<int:mail_id>/resend")
@require_role("office")
def resend_mail(mail_id):
    row = Outbox.get_or_none(Outbox.id == mail_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        resend(row)
        flash(f"已重新排队发送给 {row.recipient}", "success")
    return redirect(url_for("cycles.show", run_id=row.run_id, _anchor="mail"))


def _mail(run):
    if current_user.role != "office":
        return []
    return list(
        Outbox.select(
            Outbox.id,
            Outbox.kind,
            Outbox.recipient,
            Outbox.recipient_name,
            Outbox.subject,
            Outbox.state,
            Outbox.attempts,
            Outbox.last_error,
            Outbox.sent_at,
        )
        .where(Outbox.run == run)
        .order_by(Outbox.kind, Outbox.recipient)
    )


ANALYSIS_CHARTS = ("by_industry_chain", "by_county", "by_funding_source")


@bp.get("/<int:run_id>/charts/<name>.png")
@require_role(*READERS)
def analysis_chart(run_id, name):
    from .analysis import analysis_charts

    run = _quarterly(run_id)
    if name not in ANALYSIS_CHARTS:
        abort(404)
    return _png(analysis_charts(run.data)[name])


@bp.get("/<int:run_id>/analysis.<any(xlsx, pdf):kind>")
@require_role(*READERS)
def analysis_download(run_id, kind):
    from .analysis import analysis_pdf, analysis_workbook

    run = _quarterly(run_id)
    content = analysis_workbook(run.data) if kind == "xlsx" else analysis_pdf(run.data)
    return send_file(
        io.BytesIO(content),
        mimetype=DOWNLOAD_TYPES[kind],
        as_attachment=True,
        download_name=f"重点项目季度分析-{run.period}.{kind}",
    )


DOWNLOAD_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _quarterly(run_id):
    run = CycleRun.get_or_none((CycleRun.id == run_id) & (CycleRun.cycle == "quarterly")) or abort(404)
    if run.state == "running" or not run.data.get("closing_week"):
        abort(404)
    return run


def _png(content):
    response = send_file(io.BytesIO(content), mimetype="image/png")
    response.cache_control.max_age = 300
    response.cache_control.private = True
    return response


def _agenda(run):
    """The agenda with its decisions, in two queries."""
    items = list(AgendaItem.select().where(AgendaItem.run == run).order_by(AgendaItem.position))
    decisions = {}
    for decision in Decision.select().where(Decision.item.in_([i.id for i in items])).order_by(Decision.id):
        decisions.setdefault(decision.item_id, []).append(decision)
    return [(item, decisions.get(item.id, [])) for item in items]
