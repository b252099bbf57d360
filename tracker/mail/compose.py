"""Compose emails from template trios and deliver them (outbox folder or SMTP).

An email named ``weekly-leader`` is rendered from templates/email/
weekly-leader-subject.txt, -body.txt and -body.html. Rendering uses its own
Jinja environment, not Flask's, because the scheduler process sends mail too.
Charts travel as inline images (cid:), so they show without logging in.
No Flask here: the web app and the scheduler both call these functions."""

import email.policy
import hashlib
import os
import re
import smtplib
import ssl
import tempfile
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime, make_msgid, parseaddr
from functools import cache
from pathlib import Path

import jinja2

from tracker.core.config import PROJECT_ROOT
from tracker.core.money import money
from tracker.core.weeks import local_now, week_label
from tracker.projects.monthly_plan import progress_words

# 7bit: Chinese bodies go out base64/quoted-printable, so a relay without
# 8BITMIME cannot mangle them; headers are RFC 2047 encoded either way.
POLICY = email.policy.SMTP.clone(cte_type="7bit")


CID_REFERENCE = re.compile(r"""["']cid:([^"']+)["']""")


class DeliveryError(Exception):
    """The message could not be handed over; the text says why (kept as the last error)."""


def schedule_words(progress):
    """序时进度 in words for a figures dict's ``schedule_progress``, or a note that there is none to judge."""
    return progress_words(progress) or "无年度计划投资，不计算序时进度"


@cache
def _environment():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["money"] = money
    env.filters["week"] = week_label
    env.filters["schedule"] = schedule_words
    return env


def render(name, part, context):
    """One part of an email template trio (``subject.txt``, ``body.txt``, ``body.html``)."""
    return _environment().get_template(f"email/{name}-{part}").render(context)


def make_message(name, to, context, config, images=None):
    """Render the email ``name`` for ``to`` = (display name, address) as an EmailMessage.

    ``images`` ({content_id: PNG bytes}) are attached inline in a
    multipart/related part; the HTML refers to them as ``cid:<content_id>``,
    and a reference to an image not given raises ValueError rather than
    mailing a broken picture. The Message-ID is a fresh one; ``outbox.enqueue``
    replaces it with one derived from the outbox key.
    """
    images = images or {}
    html = render(name, "body.html", context)
    missing = set(CID_REFERENCE.findall(html)) - set(images)
    if missing:
        raise ValueError(f"email {name} refers to images not attached: {', '.join(sorted(missing))}")
    sender = parseaddr(config["mail"]["sender"])
    message = EmailMessage(policy=POLICY)
    message["Subject"] = " ".join(render(name, "subject.txt", context).split())
    message["From"] = _address(sender[0], sender[1])
    message["To"] = _address(*to)
    message["Date"] = format_datetime(local_now(config["city"]["timezone"]))
    message["Message-ID"] = make_msgid(domain=sender[1].partition("@")[2] or "localhost")
    message.set_content(render(name, "body.txt", context))
    message.add_alternative(html, subtype="html")
    related = message.get_payload()[1]
    for content_id, png in images.items():
        related.add_related(
            png,
            maintype="image",
            subtype="png",
            cid=f"<{content_id}>",
            filename=f"{content_id}.png",
            disposition="inline",
        )
    return message


# The text versions of an email, composed from the same data: markdown for a group robot, one line for an SMS.
TEXT_PARTS = {"robot": "robot.md", "sms": "sms.txt"}


def make_text(name, variant, context):
    """(title, text) of the ``variant`` ("robot" or "sms") of the email ``name``.

    The title is the email's subject (a DingTalk message shows it in the chat list); an SMS is
    one line, its spaces run together, so that it stays within a segment or two.
    """
    title = " ".join(render(name, "subject.txt", context).split())
    text = render(name, TEXT_PARTS[variant], context).strip()
    if variant == "sms":
        text = " ".join(text.split())
    return title, text


def _address(name, addr_spec):
    """A header address from a display name (any script) and an email address; ValueError if invalid."""
    if "@" not in addr_spec:
        # Address() itself fails on an empty string with an IndexError.
        raise ValueError(f"not an email address: {addr_spec!r}")
    return Address(display_name=name or "", addr_spec=addr_spec)


def deliver(message, recipient, config):
    """Hand ``message`` (the bytes of an RFC 5322 message) to the configured backend.

    ``outbox`` writes it to ``[mail] outbox_dir`` as one .eml file named after
    its Message-ID, so delivering the same message again replaces the file
    instead of adding a second; ``smtp`` sends it to ``recipient``. Raises
    DeliveryError when the message could not be handed over.
    """
    mail = config["mail"]
    if mail["backend"] == "outbox":
        _write_eml(message, Path(mail["outbox_dir"]) / eml_name(message))
    else:
        _send_smtp(message, recipient, mail)


def eml_name(message):
    """The outbox file name of a message: its Message-ID made safe for a file system."""
    message_id = BytesHeaderParser(policy=email.policy.default).parsebytes(message)["Message-ID"]
    if not message_id:
        return hashlib.sha256(message).hexdigest()[:32] + ".eml"
    return re.sub(r"[^\w.@-]", "_", str(message_id).strip().strip("<>")) + ".eml"


def _send_smtp(message, recipient, mail):
    try:
        with smtplib.SMTP(mail["host"], mail["port"], timeout=mail["timeout_seconds"]) as smtp:
            if mail["starttls"]:
                # A verifying context: smtplib's default would accept any certificate.
                smtp.starttls(context=ssl.create_default_context())
            if mail["username"]:
                smtp.login(mail["username"], mail["password"])
            smtp.sendmail(parseaddr(mail["sender"])[1], [recipient], message)
    except (smtplib.SMTPException, OSError) as e:
        raise DeliveryError(f"{type(e).__name__}: {e}") from e


def _write_eml(message, path):
    """Write atomically: a reader of the outbox never sees half a message."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(message)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, path)
        except OSError:
            os.unlink(temporary)
            raise
    except OSError as e:
        raise DeliveryError(f"{type(e).__name__}: {e}") from e
