"""Public pages, readable without login: published notices and each project's record in them.

Only published notices appear here, and only what a notice itself says: no
drafts, no removed entries or their reasons, no phone numbers or email addresses.
A project has a page only while a published notice lists it; any other code is
answered exactly as a code no project has."""

from flask import Blueprint, abort, current_app, render_template

from tracker.lagging.rules import RANKED_BY
from tracker.notices.drafting import notice_document
from tracker.notices.models import CriticismNotice, listed_project, notices_of_project
from tracker.web.listing import Page
from tracker.web.responses import send_download

bp = Blueprint("public", __name__, url_prefix="/public")


def _published(notice_id):
    notice = CriticismNotice.get_or_none(CriticismNotice.id == notice_id)
    if notice is None or not notice.is_published:
        abort(404)
    return notice


@bp.get("/notices/")
def notices():
    return render_template("notices/public/notices.html", page=Page(CriticismNotice.published()))


@bp.get("/notices/<int:notice_id>")
def notice(notice_id):
    notice = _published(notice_id)
    return render_template(
        "notices/public/notice.html", notice=notice, listed=list(notice.listed()), RANKED_BY=RANKED_BY
    )


@bp.get("/notices/<int:notice_id>.<any(xlsx, docx):kind>")
def download(notice_id, kind):
    notice = _published(notice_id)
    return send_download(
        notice_document(notice, kind, current_app.config["TRACKER"]["notices"]), f"{notice.number}.{kind}"
    )


@bp.get("/projects/<code>")
def project(code):
    """A project's public record: what it is, who builds it, and the notices that named it."""
    project = listed_project(code) or abort(404)
    return render_template("notices/public/project.html", project=project, notices=list(notices_of_project(project)))
