"""Letters and visits (来信来访) in the UI: the ledger with its counts and export, registering and
transferring (the office), replying (the unit), 催办, 办结 and 回头看 (the inspector).

Who sees and does what is decided in tracker.web.access."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.letters.forms import LetterForm, LetterReplyForm, ReopenForm, TransferForm
from tracker.letters.handling import (
    FILTERS,
    LetterError,
    close_letter,
    ledger,
    ledger_workbook,
    overdue,
    register_letter,
    remind_letter,
    reopen_letter,
    reply_to_letter,
    transfer_letter,
)
from tracker.letters.models import (
    CHANNELS,
    EVENT_KINDS,
    LETTER_LEVELS,
    LETTER_STATES,
    Letter,
    LetterEvent,
    letter_counts,
)
from tracker.web.access import can, refuse, require, visible_letters
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, requested_day, text_args, today
from tracker.web.responses import send_download

bp = Blueprint("letters", __name__, url_prefix="/letters")


@bp.app_context_processor
def names():
    """The letters' names, and for the inspector's follow-up (督办) how many letters are overdue now."""

    def overdue_letters():
        return visible_letters(current_user).where(overdue(today())).count()

    return {
        "LETTER_LEVELS": LETTER_LEVELS,
        "LETTER_STATES": LETTER_STATES,
        "CHANNELS": CHANNELS,
        "overdue_letters": overdue_letters,
    }


def _letter(letter_id, action="see_letters"):
    """The letter if the current user may take ``action`` on it: else 404 or 403."""
    letter = visible_letters(current_user).where(Letter.id == letter_id).first()
    if letter is None and Letter.get_or_none(Letter.id == letter_id) is None:
        abort(404)
    if letter is None or not can(current_user, action, letter):
        refuse(action)
    return letter


def _ledger_args():
    args = text_args(*FILTERS)
    try:
        return args, ledger(visible_letters(current_user), args, today())
    except LetterError as e:
        abort(400, str(e))


@bp.get("/")
@require("see_letters")
def index():
    """The ledger (台账), filtered and paged, with the counts of ``?date=`` (default today) above it."""
    args, query = _ledger_args()
    visible = visible_letters(current_user)
    units = {unit: unit for (unit,) in visible.select(Letter.unit).distinct().order_by(Letter.unit).tuples()}
    return render_template(
        "letters/index.html",
        page=Page(query),
        counts=letter_counts(day := requested_day(), visible),
        day=day,
        units=units,
        args=args,
        today=today(),
    )


@bp.get("/export.xlsx")
@require("see_letters")
def export():
    """The ledger as filtered, as .xlsx; who wrote only for those who may see it."""
    _, query = _ledger_args()
    content = ledger_workbook(query, can(current_user, "see_complainant"), today())
    return send_download(content, f"来信来访台账-{today().isoformat()}.xlsx")


@bp.get("/<int:letter_id>")
@require("see_letters")
def show(letter_id):
    return _show(_letter(letter_id))


def _show(letter, status=200, **forms):
    """The letter with its dated events, and the forms the current user may use on it."""
    context = {
        "letter": letter,
        "events": list(LetterEvent.of(letter)),
        "today": today(),
        "confirm": ConfirmForm(),
        "reply_form": LetterReplyForm(formdata=None),
        "transfer_form": TransferForm(formdata=None, data={"unit": letter.unit}),
        "reopen_form": ReopenForm(formdata=None),
        "EVENT_KINDS": EVENT_KINDS,
        **forms,
    }
    return render_template("letters/show.html", **context), status


@bp.route("/new", methods=["GET", "POST"])
@require("register_letters")
def new():
    """Register a letter and transfer it to a department or a county (综合组)."""
    form = LetterForm(data={"received_on": today(), "level": "city", "channel": "letter"})
    if form.validate_on_submit():
        values = {name: form[name].data for name in form.data if name != "csrf_token"}
        try:
            letter = register_letter(values, current_user._get_current_object(), _reply_days(), today())
        except LetterError as e:
            form[e.field].errors.append(str(e))
        else:
            flash(f"已登记并转办至 {letter.unit}，办结时限 {letter.deadline}", "success")
            return redirect(url_for("letters.show", letter_id=letter.id))
    return render_template("letters/new.html", form=form, reply_days=_reply_days()), 422 if form.errors else 200


def _reply_days():
    return current_app.config["TRACKER"]["letters"]["reply_days"]


@bp.post("/<int:letter_id>/reply")
@require("answer_letter")
def reply(letter_id):
    letter = _letter(letter_id, "answer_letter")
    form = LetterReplyForm()
    if not form.validate_on_submit():
        return _show(letter, 422, reply_form=form)
    return _change(letter, "已记录答复", reply_to_letter, form.text.data, today())


@bp.post("/<int:letter_id>/transfer")
@require("register_letters")
def transfer(letter_id):
    letter = _letter(letter_id, "register_letters")
    form = TransferForm()
    if not form.validate_on_submit():
        return _show(letter, 422, transfer_form=form)
    data = form.data
    return _change(letter, "已改转办", transfer_letter, data["unit"], data["person_in_charge"], data["deadline"])


@bp.post("/<int:letter_id>/remind")
@require("supervise_letters")
def remind(letter_id):
    letter = _letter(letter_id, "supervise_letters")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _change(letter, "已催办", remind_letter, today())


@bp.post("/<int:letter_id>/close")
@require("supervise_letters")
def close(letter_id):
    letter = _letter(letter_id, "supervise_letters")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _change(letter, "信访件已办结", close_letter)


@bp.post("/<int:letter_id>/reopen")
@require("supervise_letters")
def reopen(letter_id):
    """回头看: a closed letter goes back to its unit with the reason."""
    letter = _letter(letter_id, "supervise_letters")
    form = ReopenForm()
    if not form.validate_on_submit():
        return _show(letter, 422, reopen_form=form)
    return _change(letter, "已重新交办", reopen_letter, form.reason.data, form.deadline.data, today())


def _change(letter, done, change, *args):
    """Apply one change; one the rules refuse is a message and changes nothing."""
    try:
        change(letter, current_user._get_current_object(), *args)
    except LetterError as e:
        flash(str(e), "error")
    else:
        flash(done, "success")
    return redirect(url_for("letters.show", letter_id=letter.id))
