"""The office's view of the outbox: every email, robot message and SMS the cycles queued, what became of it,
and re-sending. A robot's webhook and any error a gateway answered show masked: no key or secret on a page.

With the embedded default (``[mail] backend = "outbox"``) this is where mail
is read: nothing needs a mail server to try the tracker."""

import base64
import email
import email.policy

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for

from tracker.accounts.models import CHANNELS
from tracker.cycles.runs import RUN_KINDS, CycleRun
from tracker.mail import channels
from tracker.mail.compose import CID_REFERENCE
from tracker.mail.outbox import KINDS as MAIL_KINDS
from tracker.mail.outbox import OUTBOX_STATES, Outbox, resend
from tracker.web.access import require
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, id_arg

bp = Blueprint("deliveries", __name__, url_prefix="/deliveries")


HEADERS = {"Subject": "主题", "From": "发件人", "To": "收件人", "Date": "日期", "Message-ID": "邮件编号"}


# An email's HTML is not ours to trust once stored: its frame runs no script,
# loads nothing from anywhere, and shows only the images the message carries.
HTML_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


@bp.get("/")
@require("see_mail")
def index():
    """Every queued message, newest first, filtered by run, state and channel."""
    run_id = id_arg("run")
    state = request.args.get("state") if request.args.get("state") in OUTBOX_STATES else None
    channel = request.args.get("channel") if request.args.get("channel") in CHANNELS else None
    return render_template(
        "mail/index.html",
        page=Page(Outbox.listing(run_id=run_id, state=state, channel=channel)),
        run=CycleRun.get_or_none(CycleRun.id == run_id) if run_id else None,
        state=state,
        channel=channel,
        mail=current_app.config["TRACKER"]["mail"],
        form=ConfirmForm(),
        **_labels(),
    )


@bp.get("/<int:mail_id>")
@require("see_mail")
def show(mail_id):
    """One message as its recipient reads it: an email's headers, its HTML in a sandboxed frame, its text;
    a robot's or an SMS's text, with where it goes (a webhook masked)."""
    row = _row(mail_id)
    if row.channel != "email":
        config = current_app.config["TRACKER"]
        headers = [
            ("渠道", CHANNELS[row.channel]),
            ("收件对象", row.recipient_name),
            ("发送地址", channels.target(row.channel, row.recipient, config)),
        ]
        text = channels.unpack(row.message)["text"]
        return render_template(
            "mail/show.html", row=row, headers=headers, text=text, has_html=False, form=ConfirmForm(), **_labels()
        )
    parsed = _parsed(row)
    text = parsed.get_body(preferencelist=("plain",))
    return render_template(
        "mail/show.html",
        row=row,
        headers=[(label, parsed[name]) for name, label in HEADERS.items() if parsed[name]],
        text=text.get_content() if text else "",
        has_html=parsed.get_body(preferencelist=("html",)) is not None,
        form=ConfirmForm(),
        **_labels(),
    )


@bp.get("/<int:mail_id>/html")
@require("see_mail")
def html(mail_id):
    """The HTML body alone, its cid: images inlined as data: URLs, under a policy that allows nothing else."""
    parsed = _parsed(_row(mail_id))
    body = parsed.get_body(preferencelist=("html",)) or abort(404)
    images = _inline_images(parsed)
    content = CID_REFERENCE.sub(lambda m: f'"{images[m[1]]}"' if m[1] in images else m[0], body.get_content())
    response = make_response(content)
    response.mimetype = "text/html"
    response.headers["Content-Security-Policy"] = HTML_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:mail_id>/resend")
@require("see_mail")
def resend_mail(mail_id):
    """Queue a failed (or sent) email again; the sender delivers it on its next round."""
    row = _row(mail_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if resend(row):
        flash(f"已重新排队，将再次发送给 {row.recipient_name or row.recipient}", "success")
    else:
        flash("这条消息已在排队或正在发送，无需重新发送", "warning")
    return redirect(url_for("deliveries.show", mail_id=row.id))


def _row(mail_id):
    return Outbox.get_or_none(Outbox.id == mail_id) or abort(404)


def _parsed(row):
    if row.channel != "email":
        abort(404)
    return email.message_from_bytes(bytes(row.message), policy=email.policy.default)


def _inline_images(parsed):
    """{content id: data: URL} of the images a message carries."""
    return {
        str(part["Content-ID"]).strip("<>"): (
            f"data:{part.get_content_type()};base64,{base64.b64encode(part.get_content()).decode()}"
        )
        for part in parsed.walk()
        if part["Content-ID"] and part.get_content_maintype() == "image"
    }


def _labels():
    config = current_app.config["TRACKER"]
    return {
        "OUTBOX_STATES": OUTBOX_STATES,
        "MAIL_KINDS": MAIL_KINDS,
        "RUN_KINDS": RUN_KINDS,
        "CHANNELS": CHANNELS,
        # What a gateway answered may repeat the address it was sent to: masked before it is shown.
        "masked": lambda text: channels.mask(text, config),
    }
