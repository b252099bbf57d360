"""Compose emails from template trios and deliver them (outbox folder or SMTP).

An email named ``weekly-leader`` is rendered from templates/email/
weekly-leader-subject.txt, -body.txt and -body.html. Rendering uses its own
Jinja environment, not Flask's, because the scheduler process sends mail too.
Charts travel as inline images (cid:), so they show without logging in.
"""

import email.policy
import os
import smtplib
import tempfile
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import cache
from pathlib import Path

import jinja2

from .config import PROJECT_ROOT
from .formatting import money


class DeliveryError(Exception):
    """The message could not be handed over; the text says why (kept as the last error)."""


@cache
def _environment():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["money"] = money
    return env


def render(name, part, context):
    """One part of an email template trio, rendered with ``context``."""
    return _environment().get_template(f"email/{name}-{part}").render(context)


def make_message(name, to, context, config, images=None):
    """Render the email ``name`` for ``to`` = (display name, address); return its bytes."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = render(name, "subject.txt", context).strip()
    message["From"] = _address(*reversed(parseaddr(config["mail"]["sender"])))
    message["To"] = _address(*to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=_domain(config["mail"]["sender"]))
    message.set_content(render(name, "body.txt", context))
    message.add_alternative(render(name, "body.html", context), subtype="html")
    html = message.get_payload()[1]
    for content_id, png in (images or {}).items():
        html.add_related(png, maintype="image", subtype="png", cid=f"<{content_id}>", filename=f"{content_id}.png")
    return message.as_bytes()


def _address(name, address):
    user, _, domain = address.partition("@")
    return Address(display_name=name or "", username=user, domain=domain)


def _domain(sender):
    return parseaddr(sender)[1].partition("@")[2] or "localhost"


def deliver(message, recipient, config, filename):
    """Hand ``message`` (bytes) to the configured backend; raise DeliveryError on failure."""
    mail = config["mail"]
    if mail["backend"] == "outbox":
        _write_eml(message, Path(mail["outbox_dir"]), filename)
        return
    try:
        with smtplib.SMTP(mail["host"], mail["port"], timeout=mail["timeout_seconds"]) as smtp:
            if mail["starttls"]:
                smtp.starttls()
            if mail["username"]:
                smtp.login(mail["username"], mail["password"])
            smtp.sendmail(parseaddr(mail["sender"])[1], [recipient], message)
    except (smtplib.SMTPException, OSError) as e:
        raise DeliveryError(f"{type(e).__name__}: {e}") from e


def _write_eml(message, folder, filename):
    """Write atomically: a reader of the outbox never sees half a message."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(message)
        os.replace(temporary, folder / filename)
    except OSError as e:
        raise DeliveryError(f"{type(e).__name__}: {e}") from e
